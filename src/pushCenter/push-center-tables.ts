import { intoOf, rawTable } from '../database/columns';

/**
 * The Push Center outbox, written with SQL only (by the statements that store events, in the same statement);
 * created by migration 1763700000400.
 */
export const PUSH_OUTBOX = rawTable('push_outbox', {
  id: ['id', 'bigint'],
  targetId: ['target_id', 'character(32)'],
  transactionId: ['transaction_id', 'bigint'],
  deviceSn: ['device_sn', 'character varying(64)'],
  xid: ['xid', 'bigint'],
  event: ['event', 'jsonb'],
  state: ['state', 'character varying(16)'],
  attempts: ['attempts', 'integer'],
  nextAttemptAt: ['next_attempt_at', 'timestamp with time zone'],
  leaseUntil: ['lease_until', 'timestamp with time zone'],
  leasedBy: ['leased_by', 'character varying(100)'],
  lastStatus: ['last_status', 'integer'],
  lastError: ['last_error', 'character varying(500)'],
  createdAt: ['created_at', 'timestamp with time zone'],
  deliveredAt: ['delivered_at', 'timestamp with time zone'],
});

/** `push_outbox (…)` of an event's outbox rows: the target, the event's id, SN, feed position and JSON, in this order. */
export const OUTBOX_INTO = intoOf(PUSH_OUTBOX, ['targetId', 'transactionId', 'deviceSn', 'xid', 'event']);

/**
 * True in a statement's snapshot when some Push Center target is enabled: the same condition, read in the same
 * snapshot, as the outbox's join on the enabled targets (one statement reads one snapshot in all its parts).
 */
export const PUSH_TARGET_ENABLED = `EXISTS (SELECT FROM push_target WHERE enabled)`;

/**
 * A `RETURNING` item of an event insert: the stored row as JSON (the Push Center's payload: the table's columns,
 * names and values) while some Push Center target is enabled, else NULL. `table` is the insert's target table.
 *
 * Why not `RETURNING *` and `to_jsonb` of the CTE's record: every column of every row was then projected into the
 * CTE's tuple store and read back by each of its scans, whether or not a target wanted the JSON (stop 42 of
 * docs/performance-log.md for rtlog, stop 46 for ATTLOG). The `EXISTS` is uncorrelated (one evaluation per
 * statement) and reads the same snapshot as the outbox's join on the enabled targets, so a row gets its JSON
 * exactly when it gets outbox rows.
 */
export const EVENT_JSON_WHILE_TARGET_ENABLED = (table: string): string =>
  `CASE WHEN ${PUSH_TARGET_ENABLED} THEN to_jsonb(${table}.*) END`;
