import { AttTerminal } from '../../attendance/att-terminal.entity';
import { AttTransaction } from '../../attendance/att-transaction.entity';
import { ATT_TRANSACTION_FEED } from '../../attendance/attendance-tables';
import { excludedOf, intoOf, listOf } from '../../database/columns';
import type { BatchClient } from '../../database/group-commit';
import { OUTBOX_INTO } from '../../pushCenter/push-center-tables';

/**
 * SQL for the stamps `held` (att_terminal.stamps: table → Stamp) with `incoming` (a jsonb object of the same shape)
 * merged in, where a table's Stamp never goes backwards: a numeric Stamp lower than the one held (a resent upload,
 * a replay after a reboot) is not taken, since the terminal resumes from the Stamp handed back at initialisation.
 */
export const mergeStampsSql = (held: string, incoming: string): string =>
  `COALESCE(${held}, '{}'::jsonb) || COALESCE((SELECT jsonb_object_agg(x.k, x.v) FROM jsonb_each_text(${incoming}) AS x(k, v)
     WHERE NOT coalesce(x.v ~ '^[0-9]{1,30}$' AND (${held}->>x.k) ~ '^[0-9]{1,30}$' AND (${held}->>x.k)::numeric > x.v::numeric, false)), '{}'::jsonb)`;

/** The later of two Stamps of one table (numeric ones compared as numbers; otherwise the newer upload's). */
export function laterStamp(held: string | null, incoming: string): string {
  if (held !== null && /^[0-9]{1,30}$/.test(held) && /^[0-9]{1,30}$/.test(incoming) && BigInt(held) > BigInt(incoming)) return held;
  return incoming;
}

/** One punch, ready for the insert. */
export interface PunchRow {
  key: string;
  at: string;
  pin: string;
  status: number | null;
  verify: number | null;
  verifyName: string | null;
  workCode: string | null;
  reserved: string | null;
}

/** Which upload a punch was read from: the attendance log (its state authoritative) or the real-time log. */
export type PunchVia = 'ATTLOG' | 'rtlog';

/** One ATTLOG upload's share of a group-commit batch. */
export interface AttlogItem {
  deviceId: string;
  punches: PunchRow[];
  /** ATTLOG (an upload, table data, a query answer) or rtlog (AttendanceIngestService.ingestRealtimePunches). */
  via: PunchVia;
  /** The upload's Stamp (handed back at the next initialisation), if any. */
  stamp: string | null;
  /** The newest punch of the upload (ISO), if any. */
  lastPunchAt: string | null;
}

/**
 * One statement per batch of ATTLOG uploads, its own transaction and prepared once per connection (as the
 * rtlog ingest's REALTIME_SQL): the punches of every upload, joined at insert time with device, area, person
 * and department names, keyed so a re-sent upload adds nothing; then, set-based, what the
 * former statement-level trigger on att_transaction did (migration 1763700002700): the live stream's feed
 * position (the inserting transaction's id) and one Push Center outbox row per punch and enabled target,
 * the row tagged `"module": "att"`; and each terminal's Stamp and newest punch (att_terminal). Answers the keys
 * of the punches stored now.
 *
 * A punch already stored from the terminal's rtlog (`via` rtlog) that comes as ATTLOG takes the ATTLOG line's
 * state, verify mode, work code and reserved fields: the rtlog's `inoutstatus` is the Security PUSH In/Out, the
 * ATTLOG status the attendance state (check-out, break, overtime) payroll reads. It is no new punch: neither
 * counted, nor fed to the stream or Push Center again (`fresh` is false for it). Anything else already held adds
 * nothing, as before.
 */
export const ATTLOG_SQL = `
  WITH up AS (INSERT INTO ${intoOf(AttTransaction, ['uniqueKey', 'deviceId', 'deviceSn', 'devAlias', 'eventTime', 'pin', 'personId', 'name', 'lastName',
    'deptCode', 'deptName', 'areaName', 'cardNo', 'status', 'verifyModeNo', 'verifyModeName', 'workCode', 'reserved', 'via'])}
  SELECT e.unique_key, dv.id, dv.sn, dv.alias, e.event_time, e.pin, p.id, p.name, p.last_name, dp.code, dp.name, a.name, p.card_no,
    e.status, e.verify, e.verify_name, e.work_code, e.reserved::jsonb, e.via
  FROM unnest($1::varchar[], $2::varchar[], $3::timestamptz[], $4::varchar[], $5::smallint[], $6::int[], $7::varchar[], $8::varchar[], $9::text[], $13::varchar[])
       WITH ORDINALITY AS e(device_id, unique_key, event_time, pin, status, verify, verify_name, work_code, reserved, via, ord)
  JOIN device dv ON dv.id = e.device_id
  LEFT JOIN area a ON a.id = dv.area_id
  LEFT JOIN person p ON p.pin = e.pin
  LEFT JOIN department dp ON dp.id = p.dept_id
  ORDER BY e.ord
  ON CONFLICT (${listOf(AttTransaction, ['uniqueKey'])}) DO UPDATE SET ${excludedOf(AttTransaction, ['status', 'verifyModeNo', 'verifyModeName', 'workCode', 'reserved', 'via'])}
    WHERE att_transaction.via = 'rtlog' AND EXCLUDED.via = 'ATTLOG'
  RETURNING *, (xmax = 0) AS fresh),
  ins AS (SELECT * FROM up WHERE fresh),
  ins_xact AS (SELECT pg_current_xact_id()::text::bigint AS x),
  ins_feed AS (INSERT INTO ${intoOf(ATT_TRANSACTION_FEED, ['transactionId', 'xid'])} SELECT i.id, ins_xact.x FROM ins i CROSS JOIN ins_xact ORDER BY i.id),
  ins_outbox AS (INSERT INTO ${OUTBOX_INTO}
    SELECT t.id, i.id, i.device_sn, ins_xact.x, (to_jsonb(i) - 'fresh') || '{"module": "att"}'::jsonb FROM ins i CROSS JOIN push_target t CROSS JOIN ins_xact
    WHERE t.enabled ORDER BY i.id, t.id),
  term AS (INSERT INTO ${intoOf(AttTerminal, ['deviceId', 'stamps', 'lastPunchAt'])}
    SELECT s.device_id, CASE WHEN s.stamp IS NULL THEN NULL ELSE jsonb_build_object('ATTLOG', s.stamp) END, s.last_punch_at
    FROM unnest($10::varchar[], $11::text[], $12::timestamptz[]) AS s(device_id, stamp, last_punch_at)
    ON CONFLICT (${listOf(AttTerminal, ['deviceId'])}) DO UPDATE SET
      stamps = CASE WHEN EXCLUDED.stamps IS NULL THEN att_terminal.stamps ELSE ${mergeStampsSql('att_terminal.stamps', 'EXCLUDED.stamps')} END,
      last_punch_at = GREATEST(att_terminal.last_punch_at, EXCLUDED.last_punch_at), updated_at = now())
  SELECT unique_key FROM ins`;

/** Writes one group-commit batch of ATTLOG uploads (one statement); returns the punches stored per upload. */
export async function flushAttlog(db: BatchClient, items: readonly AttlogItem[]): Promise<number[]> {
  const stored = items.map(() => 0);
  const params: unknown[][] = Array.from({ length: 13 }, () => []);
  const owner = new Map<string, number>();
  // Each key once per statement (an upsert may touch a row once): the same punch twice in one batch (sent as rtlog
  // and as ATTLOG at once, or re-sent) is one row, with the ATTLOG line's reading when one came.
  const at = new Map<string, number>();
  items.forEach((it, i) => {
    for (const p of it.punches) {
      const j = at.get(p.key);
      if (j !== undefined) {
        if (it.via === 'ATTLOG' && params[12][j] === 'rtlog') [params[4][j], params[5][j], params[6][j], params[7][j], params[8][j], params[12][j]] = [p.status, p.verify, p.verifyName, p.workCode, p.reserved, it.via];
        continue;
      }
      at.set(p.key, params[0].length);
      params[0].push(it.deviceId);
      params[1].push(p.key);
      params[2].push(p.at);
      params[3].push(p.pin);
      params[4].push(p.status);
      params[5].push(p.verify);
      params[6].push(p.verifyName);
      params[7].push(p.workCode);
      params[8].push(p.reserved);
      params[12].push(it.via);
      owner.set(p.key, i);
    }
  });
  // One att_terminal row per device (an upsert may touch a row once per statement), as one upload after
  // another would leave it: the highest Stamp sent, the newest punch.
  const terminals = new Map<string, { stamp: string | null; last: string | null }>();
  for (const it of items) {
    if (it.stamp === null && it.lastPunchAt === null) continue;
    const t = terminals.get(it.deviceId) ?? { stamp: null, last: null };
    if (it.stamp !== null) t.stamp = laterStamp(t.stamp, it.stamp);
    if (it.lastPunchAt !== null && (t.last === null || it.lastPunchAt > t.last)) t.last = it.lastPunchAt;
    terminals.set(it.deviceId, t);
  }
  for (const [deviceId, t] of terminals) {
    params[9].push(deviceId);
    params[10].push(t.stamp);
    params[11].push(t.last);
  }
  const rows = await db.query<{ unique_key: string }>('cvgw_attlog_ingest', ATTLOG_SQL, params);
  for (const r of rows) stored[owner.get(r.unique_key)!]++;
  return stored;
}
