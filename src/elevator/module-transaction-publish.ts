import { OUTBOX_INTO } from '../pushCenter/push-center-tables';

/**
 * What storing an elevator or channel-controller event implies, written in the SAME statement as the event
 * insert (like acc-transaction-publish.ts for access events): one push_outbox row per event and enabled
 * Push Center target, the row as JSON (its `module` column, 'ele' or 'psg', tells the payload which module
 * it is). The event's own `xid` column is its feed position (psgTransaction/monitor, the live stream), so
 * no feed table is needed.
 *
 * Append after a data-modifying CTE named `ins` that is `INSERT INTO module_transaction … RETURNING *`. Every
 * writer of module_transaction must use it: a row inserted without it never reaches the Push Center.
 */
export const PUBLISH_INSERTED_MODULE_EVENTS = `
  ins_outbox AS (INSERT INTO ${OUTBOX_INTO}
    SELECT t.id, i.id, i.device_sn, i.xid, to_jsonb(i) FROM ins i CROSS JOIN push_target t WHERE t.enabled ORDER BY i.id, t.id)`;
