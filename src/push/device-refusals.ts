import type { EntityManager } from 'typeorm';
import { excludedOf, intoOf, listOf } from '../database/columns';
import { DeviceRefusal } from './device-refusal.entity';
import { isRefusal, PANEL_BIODATA_TYPE_REFUSAL, refusalKey } from './protocol';
import { namedQuery } from '../database/prepared-query.service';
import { read, runRead, type Read } from '../database/read-together';

/** The key a panel's refused biodata update had before its types were keyed apart (refusals.ts). */
const PANEL_BIODATA_TABLE = 'DATA UPDATE biodata';
/**
 * An attendance terminal's BIODATA refusal kept under the table's key by a gateway that did not key types apart (a
 * refused face too): read under the key its command has now (refusals.ts), so a face's refusal holds back the faces only.
 */
const ATT_BIODATA_TABLE = 'DATA UPDATE BIODATA';

/**
 * Device capabilities refused for good (table device_refusal; the codes and the key format are in
 * protocol/refusals.ts). Keys: `DATA <VERB> <table>` with the table as sent (`DATA UPDATE biodata`,
 * `DATA DELETE mulcarduser`, `DATA QUERY user`), otherwise the command's leading words (`CONTROL DEVICE`,
 * `SET OPTIONS`, `ENROLL_BIO`). Build a key from a command text with `refusalKey(command)`.
 */

/**
 * `-1002` refusals in a row (getrequest replies whose commands of the key were refused, no success with the same key in between) before a verb counts as refused for good.
 * Firmware also answers -1002 ("not supported") to a command it is momentarily unable to run (busy,
 * mid-enrolment), so one or two are retried with the planner's backoff; only a repeated refusal stops the
 * retries. An unsupported table (-1004) and the other refusal codes are for good at once.
 */
export const REFUSALS_FOR_GOOD = 3;

const forGood = (r: Pick<DeviceRefusalView, 'returnCode' | 'refusals'>) => r.returnCode !== -1002 || r.refusals >= REFUSALS_FOR_GOOD;
/** forGood, in SQL over `device_refusal r`. */
export const FOR_GOOD_SQL = `(r.return_code <> -1002 OR r.refusals >= ${REFUSALS_FOR_GOOD})`;

/**
 * A refusal that holds back planned writes, in SQL over `device_refusal r`: not a `DATA COUNT`. A count the firmware
 * refused holds nothing back (the verification leaves it out, SyncPlannerService.queueVerify): its probe is the next
 * verification after `probe_at`, not a plan of the device, and its success owes no full sync.
 */
export const HOLDS_WRITES_SQL = `r.what NOT LIKE 'DATA COUNT %'`;

/**
 * A refusal for good is probed again with backoff: a busy panel, a transient fault or a harness may refuse a table
 * once and take it again later. Each recorded refusal (and each probe the reconciler plans) sets `probe_at` this far
 * ahead: `base × 2^(n − 1)`, at most `max` (SYNC_REFUSAL_PROBE_MS, SYNC_REFUSAL_PROBE_MAX_MS), where `n` counts the
 * refusals since the key became refused for good (every refusal for -1004 and the other codes; for -1002 the third
 * one is the first). Once `probe_at` passed, the key no longer excludes its table from plans, and the reconciler plans
 * the device again (the probe).
 */
export interface RefusalProbe {
  baseMs: number;
  maxMs: number;
}

/** Refusals of a key before it is refused for good, less one: the first probe of a -1002 waits the base, as of any code. */
const notYetForGood = (returnCode: number) => (returnCode === -1002 ? REFUSALS_FOR_GOOD - 1 : 0);

/** Milliseconds from a refusal (counted `refusals` times, the latest with `returnCode`) to its next probe. */
export function refusalProbeMs(refusals: number, returnCode: number, probe: RefusalProbe): number {
  return Math.min(probe.maxMs, probe.baseMs * 2 ** Math.min(Math.max(refusals - notYetForGood(returnCode) - 1, 0), 30));
}

/**
 * refusalProbeMs in SQL, as an interval: `n` the refusals and `code` the latest Return (SQL expressions), $base and
 * $max the parameters' SQL.
 */
export function probeIntervalSql(n: string, code: string, base: string, max: string): string {
  const steps = `(${n}) - CASE WHEN (${code}) = -1002 THEN ${notYetForGood(-1002)} ELSE 0 END - 1`;
  return `make_interval(secs => least(${max}::float8, ${base}::float8 * power(2::float8, least(greatest(${steps}, 0), 30))) / 1000)`;
}

/**
 * device.id → keys refused for good, for the given devices (others are absent). A refusal whose probe is due is
 * left out (the planner may try the key again: that is the probe), unless `withDue` (what the firmware is known to
 * refuse, probe or not: operators' views, and a count that cannot match a table the gateway cannot write).
 */
export async function loadRefusals(m: EntityManager, deviceIds: string[], opts: { withDue?: boolean } = {}): Promise<Map<string, Set<string>>> {
  if (deviceIds.length === 0) return new Map();
  return runRead(m, refusalsRead(deviceIds, opts));
}

/** loadRefusals as a read that can share a round trip (read-together.ts). */
export function refusalsRead(deviceIds: string[], { withDue = false }: { withDue?: boolean } = {}): Read<Map<string, Set<string>>> {
  return read(
    // A refusal whose probe is due no longer holds its table back: the planner may try it again (the probe).
    `SELECT device_id, what, command, return_code, refusals, false AS due FROM device_refusal WHERE device_id = ANY($1::char(32)[])${withDue ? '' : ' AND probe_at > now()'}`,
    [deviceIds],
    (rows: RefusalRow[]) => {
      const out = new Map<string, Set<string>>();
      for (const [deviceId, keys] of refusalsByDevice(rows)) out.set(deviceId, new Set(keys.keys()));
      return out;
    },
  );
}

/**
 * Device id → key refused for good → whether its probe is due: what loadRefusals answers with `withDue` and without
 * it, in one read (a caller that judges by the first and then decides whether to try a key, a probe, by the second).
 */
export async function loadRefusalsDue(m: EntityManager, deviceIds: string[]): Promise<Map<string, Map<string, boolean>>> {
  if (deviceIds.length === 0) return new Map();
  const rows: RefusalRow[] = await m.query(
    `SELECT device_id, what, command, return_code, refusals, probe_at <= now() AS due FROM device_refusal WHERE device_id = ANY($1::char(32)[])`,
    [deviceIds],
  );
  return refusalsByDevice(rows);
}

type RefusalRow = { device_id: string; what: string; command: string | null; return_code: number; refusals: number; due: boolean };

function refusalsByDevice(rows: readonly RefusalRow[]): Map<string, Map<string, boolean>> {
  return keyedForGood(rows, (r) => r.due === true);
}

/** The refusals for good among `rows`, by device and by the key the planner reads them under, each as `value` makes it. */
function keyedForGood<R extends Omit<RefusalRow, 'due'>, V>(rows: readonly R[], value: (r: R) => V): Map<string, Map<string, V>> {
  const out = new Map<string, Map<string, V>>();
  for (const r of rows) {
    if (!forGood({ returnCode: Number(r.return_code), refusals: Number(r.refusals) })) continue;
    let keys = out.get(r.device_id);
    if (!keys) out.set(r.device_id, (keys = new Map()));
    keys.set(r.what === ATT_BIODATA_TABLE && r.command ? refusalKey(r.command) : r.what, value(r));
  }
  return out;
}

/** A refusal for good as operators' sync views list it: the key, the Return code, how often, and when it is probed. */
export interface RefusalFact {
  returnCode: number;
  refusals: number;
  lastAt: Date;
  probeAt: Date;
}

/**
 * Device id → key refused for good (as loadRefusals with `withDue` keys it) → its Return code, count and probe time:
 * what the convergence views say of the items a refusal keeps off a device.
 */
export async function loadRefusalFacts(m: EntityManager, deviceIds: readonly string[]): Promise<Map<string, Map<string, RefusalFact>>> {
  if (deviceIds.length === 0) return new Map();
  const rows: Array<Omit<RefusalRow, 'due'> & { last_at: Date; probe_at: Date }> = await m.query(
    `SELECT device_id, what, command, return_code, refusals, last_at, probe_at FROM device_refusal WHERE device_id = ANY($1::char(32)[])`,
    [deviceIds],
  );
  return keyedForGood(rows, (r) => ({ returnCode: Number(r.return_code), refusals: Number(r.refusals), lastAt: new Date(r.last_at), probeAt: new Date(r.probe_at) }));
}

export interface DeviceRefusalView {
  what: string;
  returnCode: number;
  refusals: number;
  command: string;
  firstAt: Date;
  lastAt: Date;
  /** When the key is tried again (refusals for good: probed with backoff). */
  probeAt: Date;
  /** A refused clear: rows the latest count found beyond those the device confirmed (device-refusal.entity.ts). */
  excessRows: number | null;
}

/** The refusals of the given devices (device.id → refusals, by key), for operators. */
export async function listRefusals(m: EntityManager, deviceIds: string[]): Promise<Map<string, DeviceRefusalView[]>> {
  const out = new Map<string, DeviceRefusalView[]>();
  if (deviceIds.length === 0) return out;
  const rows: Array<{ device_id: string; what: string; return_code: number; refusals: number; command: string; first_at: Date; last_at: Date; probe_at: Date; excess_rows: number | null }> = await namedQuery(m,
    `SELECT device_id, what, return_code, refusals, command, first_at, last_at, probe_at, excess_rows FROM device_refusal WHERE device_id = ANY($1::char(32)[]) ORDER BY what`,
    [deviceIds],
  );
  for (const r of rows) {
    const list = out.get(r.device_id) ?? [];
    out.set(r.device_id, list);
    list.push({ what: r.what, returnCode: r.return_code, refusals: r.refusals, command: r.command, firstAt: r.first_at, lastAt: r.last_at, probeAt: r.probe_at, excessRows: r.excess_rows });
  }
  return out;
}

/**
 * Forgets refusals (the rows `where` picks, over `device_refusal r`) and, when one of them was for good, owes the
 * device a full sync in the same statement: nothing of a table refused for good was planned for any member (and a
 * full sync may have cleared it), so once the firmware may take it again (another version registered, or a command
 * with the same key succeeded) every member's items of it are owed, and nothing else would plan them.
 */
export function forgetRefusalsSql(using: string, where: string): string {
  return `WITH gone AS (DELETE FROM device_refusal r ${using} WHERE ${where} RETURNING r.device_id, r.return_code, r.refusals, ${HOLDS_WRITES_SQL} AS holds)
    INSERT INTO sync_owed (device_id, kind)
    SELECT DISTINCT device_id, 'full' FROM gone WHERE holds AND (return_code <> -1002 OR refusals >= ${REFUSALS_FOR_GOOD}) -- forGood, in SQL
    ON CONFLICT (device_id, kind) DO NOTHING`;
}

/**
 * An operator's full sync tries again what the firmware refused with -1002 (three times in a row: firmware also
 * answers it while busy), so a busy spell does not stop those writes for good. -1004 and the other codes say the
 * table or command does not exist on this firmware: they stay until another firmware registers. The caller's full
 * sync is what sends the items again (so no full sync is owed here, unlike forgetRefusalsSql).
 */
export async function forgetBusyRefusals(m: EntityManager, deviceId: string): Promise<void> {
  await m.query(`DELETE FROM device_refusal WHERE device_id = $1 AND return_code = -1002`, [deviceId]);
}

const FORGET_ACCEPTED = forgetRefusalsSql('', `r.device_id = (SELECT id FROM device WHERE sn = $1) AND r.what = ANY($2::varchar[])`);

/**
 * Adds refusals of one device ($1: its SN) or counts them once more; $2… the keys, codes, commands and the ids of
 * the refused commands; $5, $6 the probe's base and longest interval (ms): the next probe comes
 * refusalProbeMs(refusals, code) after now. A refusal of commands handed out no later than the one last counted
 * (the same getrequest reply, its results posted one body each) is the same occasion: not counted again, its
 * probe left where it is.
 */
const SAME_REPLY = `EXCLUDED.handed_out_at <= device_refusal.handed_out_at`;
const RECORD_REFUSALS = `INSERT INTO ${intoOf(DeviceRefusal, ['deviceId', 'what', 'returnCode', 'refusals', 'command', 'firstAt', 'lastAt', 'probeAt', 'handedOutAt'])}
  SELECT d.id, v.what, v.code, 1, v.command, now(), now(), now() + ${probeIntervalSql('1', 'v.code', '$5', '$6')},
    (SELECT c.sent_at FROM device_command c WHERE c.id = v.cid)
  FROM device d, unnest($2::varchar[], $3::int[], $4::text[], $7::bigint[]) AS v(what, code, command, cid)
  WHERE d.sn = $1
  ON CONFLICT (${listOf(DeviceRefusal, ['deviceId', 'what'])}) DO UPDATE SET ${excludedOf(DeviceRefusal, ['returnCode', 'command', 'lastAt'])},
    refusals = device_refusal.refusals + CASE WHEN ${SAME_REPLY} THEN 0 ELSE 1 END,
    probe_at = CASE WHEN ${SAME_REPLY} THEN device_refusal.probe_at
                    ELSE now() + ${probeIntervalSql('device_refusal.refusals + 1', 'EXCLUDED.return_code', '$5', '$6')} END,
    handed_out_at = GREATEST(device_refusal.handed_out_at, EXCLUDED.handed_out_at)`;

/**
 * Records what the finished commands of one device say about its capabilities, in the caller's transaction: a
 * refusal code adds (or counts) the command's key; a success with the same key removes it (the firmware was
 * upgraded, or the refusal was not for good after all).
 */
export async function recordRefusals(
  m: EntityManager,
  deviceSn: string,
  finished: ReadonlyArray<{ commandId?: string; command: string; state: 'done' | 'failed'; returnCode: number | null }>,
  /** When a refusal is probed again (RefusalProbe). */
  probe: RefusalProbe,
  /** Whether the device has refusals recorded (false saves the round trip that would remove some). */
  hasRefusals = true,
): Promise<void> {
  // One reply is one refusal of each key it refuses, however many commands of the key it answers and however many
  // bodies its results come in (RECORD_REFUSALS): a busy firmware refuses a whole reply of user writes at once,
  // which is one occasion, not "three in a row" (REFUSALS_FOR_GOOD), and must not push the probe days ahead.
  const refused = new Map<string, { code: number; command: string; commandId: string | null }>();
  const accepted = new Set<string>();
  for (const f of finished) {
    const key = refusalKey(f.command);
    if (f.state === 'failed' && isRefusal(f.returnCode)) {
      refused.set(key, { code: f.returnCode!, command: f.command.slice(0, 200), commandId: f.commandId ?? null });
      accepted.delete(key);
    } else if (f.state === 'done') {
      accepted.add(key);
      refused.delete(key);
    }
  }
  // A panel's biodata update of one type taken: the table is taken too, so a refusal kept under the table's key (as
  // one type's refusal was before types were keyed apart, refusals.ts) holds back nothing any more.
  if ([...accepted].some((k) => k.startsWith(PANEL_BIODATA_TYPE_REFUSAL)) && !refused.has(PANEL_BIODATA_TABLE)) accepted.add(PANEL_BIODATA_TABLE);
  if (hasRefusals && accepted.size > 0) {
    await m.query(FORGET_ACCEPTED, [deviceSn, [...accepted]]);
  }
  if (refused.size > 0) {
    const keys = [...refused.keys()];
    await m.query(
      RECORD_REFUSALS,
      [
        deviceSn,
        keys,
        keys.map((k) => refused.get(k)!.code),
        keys.map((k) => refused.get(k)!.command),
        probe.baseMs,
        probe.maxMs,
        keys.map((k) => refused.get(k)!.commandId),
      ],
    );
  }
}
