import { intoOf, listOf, tableOf } from '../database/columns';
import { EVENT_JSON_WHILE_TARGET_ENABLED, OUTBOX_INTO } from '../pushCenter/push-center-tables';
import { AccTransaction } from './acc-transaction.entity';
import { ACC_TRANSACTION_TALLY } from './transaction-tables';

/**
 * What the `ins` CTE of an access-event insert returns: the key, what the tally and the outbox read, and the
 * event as JSON only while some Push Center target is enabled (EVENT_JSON_WHILE_TARGET_ENABLED says why:
 * `RETURNING *` was about 5 % of PostgreSQL's instructions per one-event upload, stop 42).
 */
export const INSERTED_EVENT_RETURNING = `RETURNING ${listOf(AccTransaction, ['uniqueKey', 'deviceSn', 'eventTime', 'id', 'xid'])},
    ${EVENT_JSON_WHILE_TARGET_ENABLED(tableOf(AccTransaction))} AS event`;

/** The tally's delta rows of the events `ins` stored (PUBLISH_INSERTED_EVENTS). */
const TALLY = `ins_tally AS (INSERT INTO ${intoOf(ACC_TRANSACTION_TALLY, ['deviceSn', 'day', 'n'])}
    SELECT i.device_sn, (i.event_time AT TIME ZONE 'UTC')::date, count(*) FROM ins i GROUP BY 1, 2)`;

/**
 * What storing an access event implies, written set-based in the SAME statement as the event insert (it
 * replaced a statement-level trigger with transition tables, which cost a tuplestore and a PL/pgSQL call
 * per upload; migration 1763700001200).
 *
 * Append these CTEs after a data-modifying CTE named `ins` that is `INSERT INTO acc_transaction … ` followed by
 * INSERTED_EVENT_RETURNING:
 * - acc_transaction_tally: the per-device, per-UTC-day count deltas behind the list totals;
 * - push_outbox: one row per event and enabled Push Center target, the event as JSON.
 * The event's feed position (the monitor's and the live stream's) is its own `xid` column, which the
 * column's default fills in (migration 1763700003400).
 *
 * Every writer of acc_transaction must use it (or TALLY_INSERTED_EVENTS under its guard): a row inserted
 * without it is missing from the Push Center and the totals.
 */
export const PUBLISH_INSERTED_EVENTS = `
  ${TALLY},
  ins_outbox AS (INSERT INTO ${OUTBOX_INTO}
    SELECT t.id, i.id, i.device_sn, i.xid, i.event FROM ins i CROSS JOIN push_target t
    WHERE t.enabled ORDER BY i.id, t.id)`;

/**
 * The `RETURNING` of an access-event insert written only while no Push Center target is enabled (the statement's
 * insert is guarded by `NOT PUSH_TARGET_ENABLED`): what the tally reads, and the key.
 */
export const UNPUBLISHED_EVENT_RETURNING = `RETURNING ${listOf(AccTransaction, ['uniqueKey', 'deviceSn', 'eventTime'])}`;

/**
 * PUBLISH_INSERTED_EVENTS without the outbox, for an insert that stores nothing while a target is enabled (its
 * SELECT has `WHERE NOT PUSH_TARGET_ENABLED`, and the statement tells the caller, who runs the full statement
 * instead): the outbox part would insert no row in that snapshot anyway, yet PostgreSQL sets up its insert, joins
 * every event with push_target (a rescan of that table per event) and sorts, in every batch (docs/performance-log.md,
 * stop 60). The events get outbox rows exactly when the full statement, run in the same snapshot, would give them some.
 */
export const TALLY_INSERTED_EVENTS = `
  ${TALLY}`;
