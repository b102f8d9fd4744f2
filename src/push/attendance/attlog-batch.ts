import { createHash } from 'node:crypto';
import { AttTerminal } from '../../attendance/att-terminal.entity';
import { AttTransaction } from '../../attendance/att-transaction.entity';
import { ATT_TRANSACTION_FEED } from '../../attendance/attendance-tables';
import { excludedOf, intoOf, listOf, tableOf } from '../../database/columns';
import type { BatchClient } from '../../database/group-commit';
import { recordArray, textArray, type RecordField } from '../../database/pg-array';
import { EVENT_JSON_WHILE_TARGET_ENABLED, OUTBOX_INTO } from '../../pushCenter/push-center-tables';
import { devicePersonJoinSql } from '../../person/pin-value';

/**
 * SQL for the stamps `held` (att_terminal.stamps: table → Stamp) with `incoming`, an object of one table's Stamp
 * (`table`: a text expression naming it), merged in. A numeric Stamp lower than the numeric one held is taken only
 * when `fresh` (an SQL boolean) holds: the upload stored something the gateway did not hold. Manual 5: the server
 * records the mark the terminal uploads and hands it back at its next initialisation, and the terminal resumes above
 * it. A lower Stamp that brings new records is the terminal's numbering starting again (its attendance records
 * cleared at its menu, a firmware upgrade, a reset, a new mainboard under the SN) or its clock set back (time-based
 * Stamps, the manual's "timestamp mark flaw"): kept higher, the mark would make it skip every record numbered below
 * it that it had not sent yet (lost punches). A lower Stamp that brings nothing new (a resent upload, a replay
 * after a reboot) is not taken: handed back lower it would only make the terminal send those records again (each
 * stored once all the same). "Numeric" is 1 to 30 digits, as laterStamp reads it.
 *
 * A higher numeric Stamp is not taken when `older` holds: the upload's newest punch is older than the newest of the
 * upload whose Stamp is held (ATTLOG_STAMP_PUNCH). That is an upload from before its numbering started again (held up on the way,
 * or repeated, arriving after the first upload of the new numbering, or with it in one batch): taken, the mark of the
 * old numbering was handed back at the next boot, and the terminal skipped what it then held below it unsent (lost
 * punches) until a later upload happened to lower it first. Left lower, a Stamp costs at worst records sent again.
 *
 * Written for the one table an upload carries, without unpacking and re-aggregating a jsonb object, and with
 * `^[0-9]+$` and a length test instead of `^[0-9]{1,30}$` (same strings: a bounded repetition makes PostgreSQL's
 * regular expression engine run a 30-state automaton): the ATTLOG batch statement merges a Stamp for every
 * terminal of its batch, and the former form was a fifth of PostgreSQL's instructions per one-punch upload
 * (callgrind, docs/performance-log.md, stop 45). The numbers are only compared once both are known to be digits,
 * and `fresh` is only evaluated for a lower one.
 */
export const mergeStampSql = (held: string, table: string, incoming: string, fresh = 'false', older = 'false'): string => {
  const stamp = `(${incoming}->>${table})`;
  return `CASE WHEN CASE WHEN ${stamp} ~ '^[0-9]+$' AND length(${stamp}) <= 30 AND (${held}->>${table}) ~ '^[0-9]+$' AND length(${held}->>${table}) <= 30
      THEN CASE WHEN (${held}->>${table})::numeric > ${stamp}::numeric THEN NOT coalesce(${fresh}, false)
        WHEN (${held}->>${table})::numeric < ${stamp}::numeric THEN coalesce(${older}, false) ELSE false END ELSE false END
    THEN ${held} ELSE COALESCE(${held}, '{}'::jsonb) || ${incoming} END`;
};

/**
 * The later of two Stamps of one table (numeric ones compared as numbers; otherwise the newer upload's): what an
 * upload that stored nothing new leaves (mergeStampSql with `fresh` false).
 */
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
 * The fields of one punch's row in the statement's parameter, in order (the type att_transaction_ingest_row,
 * migration 1763700009100). One array of rows instead of one array per column: one literal for PostgreSQL to
 * parse and one tuple store instead of ten (as the rtlog ingest's, stop 44 of docs/performance-log.md).
 */
const PUNCH_ROW_FIELDS = ['device_id', 'unique_key', 'event_time', 'pin', 'status', 'verify', 'verify_name', 'work_code', 'reserved', 'via'] as const;
/** Where a punch's reading starts in its row (status … via): what an ATTLOG line replaces in an rtlog one of the same batch. */
const READING_AT = PUNCH_ROW_FIELDS.indexOf('status');

/**
 * How far an ATTLOG line of a punch reaches past its time, as stored: 3 + its reserved fields, 3 with a work code, 2
 * with a verify mode, 1 with a state, else 0. An upload cut mid-body ends in a prefix of its last line (the PIN and
 * time with the rest missing, or a field cut short: verify mode 15 read as 1), a punch all the same; sent again whole,
 * the line reaches further, and its reading is the punch's. A copy reaching no further (a re-send, a stale retry of
 * the cut body) changes nothing. widthSql is the same measure over a stored row.
 */
export function readingWidth(p: Pick<PunchRow, 'status' | 'verifyName' | 'workCode' | 'reserved'>): number {
  if (p.reserved !== null) return 3 + (JSON.parse(p.reserved) as unknown[]).length;
  return p.workCode !== null ? 3 : p.verifyName !== null ? 2 : p.status !== null ? 1 : 0;
}

/**
 * What an ATTLOG line says past its PIN and time, as stored (state, verify mode, work code, reserved fields, as far as
 * the line reaches: readingWidth), TAB-joined: a terminal sends one record alike every time, so two lines of one PIN
 * and second whose readings differ are two punches (its clock went back), unless one is the front of the other (a
 * line an upload cut mid-body brought, and the whole line: sameRecord). readingSql is the same text in SQL.
 */
export function readingText(p: Pick<PunchRow, 'status' | 'verify' | 'verifyName' | 'workCode' | 'reserved'>): string {
  const fields = [p.status ?? '', p.verify ?? '', p.workCode ?? '', ...(p.reserved !== null ? (JSON.parse(p.reserved) as string[]) : [])];
  return fields.slice(0, readingWidth(p)).map(String).join('\t');
}

/** Whether two readings (readingText) can be one record's: alike, or one the front of the other (a cut line). */
export const sameRecord = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);

/** readingText in SQL, of the columns given (`reserved` a jsonb expression, `width` widthOf). */
const readingSql = (c: { status: string; verify: string; workCode: string; reserved: string; width: string }) =>
  `array_to_string((ARRAY[coalesce(${c.status}::text, ''), coalesce(${c.verify}::text, ''), coalesce(${c.workCode}, '')]
    || ARRAY(SELECT jsonb_array_elements_text(${c.reserved})))[1:${c.width}], E'\\t')`;

/** sameRecord in SQL. */
const sameRecordSql = (a: string, b: string) => `(starts_with(${a}, ${b}) OR starts_with(${b}, ${a}))`;

/** readingWidth of the att_transaction row under `alias` (EXCLUDED: the line being inserted). */
const widthSql = (alias: string, c = { reserved: `${alias}.reserved`, verifyName: `${alias}.verify_mode_name` }) =>
  `CASE WHEN ${c.reserved} IS NOT NULL THEN 3 + jsonb_array_length(${c.reserved}) WHEN ${alias}.work_code IS NOT NULL THEN 3
    WHEN ${c.verifyName} IS NOT NULL THEN 2 WHEN ${alias}.status IS NOT NULL THEN 1 ELSE 0 END`;

/** readingSql of a stored att_transaction row under `alias` (EXCLUDED: the line being inserted). */
const readingOf = (alias: string) =>
  readingSql({ status: `${alias}.status`, verify: `${alias}.verify_mode_no`, workCode: `${alias}.work_code`, reserved: `${alias}.reserved`, width: widthSql(alias) });
/** readingSql of a line of the batch parameter (`e`). */
const LINE_READING = readingSql({
  status: 'e.status', verify: 'e.verify', workCode: 'e.work_code', reserved: 'e.reserved::jsonb',
  width: widthSql('e', { reserved: 'e.reserved::jsonb', verifyName: 'e.verify_name' }),
});

/** An EXTRA_KEY's tail: `#` and an md5 in hex. */
const EXTRA_TAIL = `'#[0-9a-f]{32}$'`;

/**
 * The key of another punch of a PIN at a second its terminal holds a punch of another reading at (its clock went
 * back): the punch key (punchKey: SN, PIN, time), `#`, and the md5 of its reading (readingText), so that the line
 * sent again has the same key. extraKey is the same in TypeScript (for a batch's own lines, flushAttlog).
 */
const EXTRA_KEY = (base: string) => `left(${base}, 167) || '#' || md5(${LINE_READING})`;
export const extraKey = (base: string, reading: string): string => `${base.slice(0, 167)}#${createHash('md5').update(reading, 'utf8').digest('hex')}`;

/** Whether the held row `h` and the line `e` can be one punch's record (sameRecord; or either read from rtlog). */
const SAME_PUNCH = `(h.via = 'rtlog' OR e.via <> 'ATTLOG' OR ${sameRecordSql(readingOf('h'), LINE_READING)})`;

/** Whether the batch stored a new punch of the terminal whose row is being merged (its lower Stamp is then taken). */
const FRESH_PUNCH_OF_TERMINAL = `EXISTS (SELECT 1 FROM up WHERE up.fresh AND up.${listOf(AttTransaction, ['deviceId'])} = att_terminal.device_id)`;

/**
 * Key of att_terminal.stamps beside `ATTLOG`: the newest punch (ISO) of the upload whose Stamp is held, set with it
 * (mergeStampSql takes the upload's object whole). Dropped with the Stamps when its records are found cleared.
 */
export const ATTLOG_STAMP_PUNCH = 'attlogPunchAt';

/**
 * The key of att_terminal.stamps beside a table's Stamp holding the newest record time of the upload whose Stamp is
 * held: ATTLOG_STAMP_PUNCH for ATTLOG; `operlogStampAt` (its newest OPLOG line) and `attphotoStampAt` (its photo's
 * time, from the file name) for OPERLOG and ATTPHOTO, whose Stamps a late upload of the old numbering raised as well.
 */
export const stampTimeKey = (table: string): string => (table === 'ATTLOG' ? ATTLOG_STAMP_PUNCH : `${table.toLowerCase()}StampAt`);

/**
 * SQL: whether the upload whose Stamp is merged (`incoming`) brings records older than those of the upload whose
 * Stamp is held (`held`), both read at `key` (stampTimeKey, a text expression); null (not older) when either
 * has no time.
 */
export const olderRecordsSql = (held: string, incoming: string, key: string): string => `(${incoming}->>${key})::timestamptz < (${held}->>${key})::timestamptz`;

/**
 * Whether the upload whose Stamp is being merged (EXCLUDED) brings punches older than those of the upload whose Stamp
 * is held: a Stamp from before the terminal's numbering started again. Not compared with the newest punch held of the
 * terminal (att_terminal.last_punch_at): a terminal posting its punches as rtlog at once and as ATTLOG later would have
 * every ATTLOG Stamp refused. Evaluated only for a Stamp above the one held.
 */
const STAMP_OF_OLDER_PUNCHES = olderRecordsSql('att_terminal.stamps', 'EXCLUDED.stamps', `'${ATTLOG_STAMP_PUNCH}'`);

/** The columns a line's reading sets (an ATTLOG line replaces an rtlog one's, a whole line a cut one's). */
const READING_COLUMNS = listOf(AttTransaction, ['status', 'verifyModeNo', 'verifyModeName', 'workCode', 'reserved', 'via']).split(', ');
/**
 * Whether the line being inserted (EXCLUDED) gives the punch held under its key its reading: an ATTLOG line one read
 * from rtlog, or a line reaching further than the one held (a whole line, one an upload cut mid-body brought).
 */
const TAKES_READING = `EXCLUDED.via = 'ATTLOG' AND (att_transaction.via = 'rtlog' OR (${widthSql('EXCLUDED')} > ${widthSql('att_transaction')}
  AND ${sameRecordSql(readingOf('att_transaction'), readingOf('EXCLUDED'))}))`;
const PUNCH_INTO = intoOf(AttTransaction, ['uniqueKey', 'deviceId', 'deviceSn', 'devAlias', 'eventTime', 'pin', 'personId', 'name', 'lastName',
  'deptCode', 'deptName', 'areaName', 'cardNo', 'status', 'verifyModeNo', 'verifyModeName', 'workCode', 'reserved', 'via']);
/** A line's row after its key, joined at insert time with device, area, person and department names. */
const PUNCH_VALUES = `dv.id, dv.sn, dv.alias, e.event_time, COALESCE(p.pin, e.pin), p.id, p.name, p.last_name, dp.code, dp.name, a.name, p.card_no,
    e.status, e.verify, e.verify_name, e.work_code, e.reserved::jsonb, e.via`;
const PUNCH_JOINS = `JOIN device dv ON dv.id = e.device_id
  LEFT JOIN area a ON a.id = dv.area_id
  ${devicePersonJoinSql('p', 'e.pin', 'dv.id')}
  LEFT JOIN department dp ON dp.id = p.dept_id`;
const PUNCH_RETURNING = `${listOf(AttTransaction, ['uniqueKey', 'id', 'deviceSn', 'deviceId'])}, (xmax = 0) AS fresh, ${EVENT_JSON_WHILE_TARGET_ENABLED(tableOf(AttTransaction))} AS event`;

/**
 * One statement per batch of ATTLOG uploads, its own transaction and prepared once per connection (as the
 * rtlog ingest's REALTIME_SQL): the punches of every upload, joined at insert time with device, area, person
 * and department names, keyed so a re-sent upload adds nothing; then, set-based, what the
 * former statement-level trigger on att_transaction did (migration 1763700002700): the live stream's feed
 * position (the inserting transaction's id) and one Push Center outbox row per punch and enabled target,
 * the row tagged `"module": "att"`; and each terminal's Stamp and newest punch (att_terminal). Answers the keys
 * of the punches stored now.
 *
 * A line under the punch key (up1) whose punch is held with another reading (sameRecord) changes nothing there: it
 * is another punch of that PIN and second (the terminal's clock went back). It goes, with the lines of the batch
 * under an extraKey, to `other`: stored under the key of a held punch whose record it can be (under the punch key or
 * an extraKey, read before the statement), else under its extraKey (up2).
 *
 * A punch already stored from the terminal's rtlog (`via` rtlog) that comes as ATTLOG takes the ATTLOG line's
 * state, verify mode, work code and reserved fields: the rtlog's `inoutstatus` is the Security PUSH In/Out, the
 * ATTLOG status the attendance state (check-out, break, overtime) payroll reads. It is no new punch: neither
 * counted, nor fed to the stream or Push Center again (`fresh` is false for it). So does an ATTLOG line reaching
 * further than the one stored (readingWidth: the whole line of one an upload cut mid-body brought as a prefix).
 * Anything else already held adds nothing, as before.
 *
 * The insert returns only the key, id, SN, whether the punch is new, and the stored row as JSON while a Push
 * Center target is enabled (EVENT_JSON_WHILE_TARGET_ENABLED), and its readers filter it by `fresh` themselves: the
 * former `RETURNING *` and a second CTE of the fresh rows put every column of every punch through two tuple
 * stores (2.6 % of PostgreSQL's instructions per one-punch upload, 4.7 % with a target enabled; stop 46 of
 * docs/performance-log.md).
 *
 * Parameters: the punches as one array of rows ($1, PUNCH_ROW_FIELDS), then the terminals' device ids, Stamps,
 * newest punches and newest punches of the uploads whose Stamps these are ($2-$5).
 */
export const ATTLOG_SQL = `
  WITH lines AS (SELECT * FROM unnest($1::att_transaction_ingest_row[]) WITH ORDINALITY AS e(${PUNCH_ROW_FIELDS.join(', ')}, ord)),
  up1 AS (INSERT INTO ${PUNCH_INTO}
  SELECT e.unique_key, ${PUNCH_VALUES}
  FROM lines e ${PUNCH_JOINS}
  WHERE e.unique_key !~ ${EXTRA_TAIL}
  ORDER BY e.ord
  ON CONFLICT (${listOf(AttTransaction, ['uniqueKey'])}) DO UPDATE SET ${READING_COLUMNS.map((c) => `${c} = CASE WHEN ${TAKES_READING} THEN EXCLUDED.${c} ELSE att_transaction.${c} END`).join(', ')}
    WHERE ${TAKES_READING} OR (EXCLUDED.via = 'ATTLOG' AND att_transaction.via IS DISTINCT FROM 'rtlog' AND NOT ${sameRecordSql(readingOf('att_transaction'), readingOf('EXCLUDED'))})
  RETURNING ${PUNCH_RETURNING}),
  other AS (SELECT e.*, regexp_replace(e.unique_key, ${EXTRA_TAIL}, '') AS base FROM lines e
    WHERE e.via = 'ATTLOG' AND (e.unique_key ~ ${EXTRA_TAIL} OR EXISTS (SELECT 1 FROM up1 u WHERE u.unique_key = e.unique_key AND NOT u.fresh))),
  other_keyed AS (SELECT DISTINCT ON (k) * FROM (
    SELECT e.*, CASE WHEN m.key IS NOT NULL THEN m.key ELSE ${EXTRA_KEY('e.base')} END AS k
    FROM other e LEFT JOIN LATERAL (SELECT h.unique_key AS key FROM ${tableOf(AttTransaction)} h
      WHERE (h.unique_key = e.base COLLATE "C" OR (h.unique_key > (e.base || '#') COLLATE "C" AND h.unique_key < (e.base || '$') COLLATE "C")) AND ${SAME_PUNCH}
      ORDER BY h.unique_key = e.base COLLATE "C" DESC, h.id LIMIT 1) m ON true) x
    WHERE k <> base ORDER BY k, ord),
  up2 AS (INSERT INTO ${PUNCH_INTO}
  SELECT e.k, ${PUNCH_VALUES}
  FROM other_keyed e ${PUNCH_JOINS}
  ORDER BY e.ord
  ON CONFLICT (${listOf(AttTransaction, ['uniqueKey'])}) DO UPDATE SET ${excludedOf(AttTransaction, ['status', 'verifyModeNo', 'verifyModeName', 'workCode', 'reserved', 'via'])}
    WHERE ${TAKES_READING}
  RETURNING ${PUNCH_RETURNING}),
  up AS (SELECT * FROM up1 UNION ALL SELECT * FROM up2),
  ins_xact AS (SELECT pg_current_xact_id()::text::bigint AS x),
  ins_feed AS (INSERT INTO ${intoOf(ATT_TRANSACTION_FEED, ['transactionId', 'xid'])} SELECT i.id, ins_xact.x FROM up i CROSS JOIN ins_xact WHERE i.fresh ORDER BY i.id),
  ins_outbox AS (INSERT INTO ${OUTBOX_INTO}
    SELECT t.id, i.id, i.device_sn, ins_xact.x, i.event || '{"module": "att"}'::jsonb FROM up i CROSS JOIN push_target t CROSS JOIN ins_xact
    WHERE i.fresh AND t.enabled ORDER BY i.id, t.id),
  term AS (INSERT INTO ${intoOf(AttTerminal, ['deviceId', 'stamps', 'lastPunchAt'])}
    SELECT s.device_id, CASE WHEN s.stamp IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object('ATTLOG', s.stamp, '${ATTLOG_STAMP_PUNCH}', s.stamp_at)) END, s.last_punch_at
    FROM unnest($2::varchar[], $3::text[], $4::timestamptz[], $5::text[]) AS s(device_id, stamp, last_punch_at, stamp_at)
    ON CONFLICT (${listOf(AttTerminal, ['deviceId'])}) DO UPDATE SET
      stamps = CASE WHEN EXCLUDED.stamps IS NULL THEN att_terminal.stamps ELSE ${mergeStampSql('att_terminal.stamps', `'ATTLOG'`, 'EXCLUDED.stamps', FRESH_PUNCH_OF_TERMINAL, STAMP_OF_OLDER_PUNCHES)} END,
      last_punch_at = GREATEST(att_terminal.last_punch_at, EXCLUDED.last_punch_at), updated_at = now())
  SELECT unique_key FROM up WHERE fresh`;

/** Writes one group-commit batch of ATTLOG uploads (one statement); returns the punches stored per upload. */
export async function flushAttlog(db: BatchClient, items: readonly AttlogItem[]): Promise<number[]> {
  const stored = items.map(() => 0);
  const rows: RecordField[][] = [];
  const owner = new Map<string, number>();
  // Each record once per statement (an upsert may touch a row once): the same punch twice in one batch (sent as rtlog
  // and as ATTLOG at once, or re-sent, or cut and then sent whole) is one row, with the reading the statement's
  // conflict clause would leave: the ATTLOG line's over the rtlog one's, the ATTLOG line reaching furthest. An ATTLOG
  // line of a key whose reading cannot be the first one's record (sameRecord) is another punch, under its extraKey
  // (the statement puts a line under the punch key whose held punch is another under its extraKey as well).
  const at = new Map<string, Array<{ j: number; width: number; reading: string; via: PunchVia }>>();
  items.forEach((it, i) => {
    for (const p of it.punches) {
      const reading: RecordField[] = [p.status, p.verify, p.verifyName, p.workCode, p.reserved, it.via];
      const [width, text] = [readingWidth(p), readingText(p)];
      const records = at.get(p.key) ?? [];
      const held = records.find((r) => it.via === 'rtlog' || r.via === 'rtlog' || sameRecord(r.reading, text));
      if (held !== undefined) {
        if (it.via === 'ATTLOG' && (held.via === 'rtlog' || width > held.width)) {
          rows[held.j].splice(READING_AT, reading.length, ...reading);
          Object.assign(held, { width, reading: text, via: it.via });
        }
        continue;
      }
      const extra = extraKey(p.key, text);
      records.push({ j: rows.length, width, reading: text, via: it.via });
      at.set(p.key, records);
      rows.push([it.deviceId, records.length === 1 ? p.key : extra, p.at, p.pin, ...reading]);
      if (!owner.has(p.key)) owner.set(p.key, i);
      owner.set(extra, i);
    }
  });
  // One att_terminal row per device (an upsert may touch a row once per statement): the Stamp of its upload with the
  // newest punch (the highest of those alike), the newest punch. The statement lowers the Stamp held to it when the
  // batch stored a new punch of the terminal, and takes a higher one only when that upload's punches are not older
  // than those held (mergeStampSql). The highest Stamp of the batch, an upload from before the terminal's numbering
  // started again sent with the first upload after it, was taken and handed back at the next boot.
  const terminals = new Map<string, { stamp: string | null; stampAt: string | null; last: string | null }>();
  for (const it of items) {
    if (it.stamp === null && it.lastPunchAt === null) continue;
    const t = terminals.get(it.deviceId) ?? { stamp: null, stampAt: null, last: null };
    if (it.stamp !== null) {
      const [at, held] = [it.lastPunchAt ?? '', t.stampAt ?? ''];
      if (t.stamp === null || at > held) [t.stamp, t.stampAt] = [it.stamp, it.lastPunchAt];
      else if (at === held) t.stamp = laterStamp(t.stamp, it.stamp);
    }
    if (it.lastPunchAt !== null && (t.last === null || it.lastPunchAt > t.last)) t.last = it.lastPunchAt;
    terminals.set(it.deviceId, t);
  }
  const ids = [...terminals.keys()];
  const params = [
    recordArray(rows),
    textArray(ids),
    textArray(ids.map((d) => terminals.get(d)!.stamp)),
    textArray(ids.map((d) => terminals.get(d)!.last)),
    textArray(ids.map((d) => terminals.get(d)!.stampAt)),
  ];
  const answer = await db.query<{ unique_key: string }>('cvgw_attlog_ingest', ATTLOG_SQL, params);
  for (const r of answer) stored[owner.get(r.unique_key)!]++;
  return stored;
}
