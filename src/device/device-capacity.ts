/**
 * What a device says it can hold and holds (Security PUSH 4.4 registration, 4.6 parameters; Attendance PUSH options):
 * `~MaxUserCount` users (cards), `~MaxAttLogCount` records, `~MaxFingerCount` fingerprints, `~MaxFaceCount` faces,
 * `~MaxUserPhotoCount` user photos, and the counts it holds now beside them (`UserCount`, `TransactionCount`,
 * `FPCount`, `FaceCount`). Pure: the latest parameters win over the registration's, a key is read with or without its
 * `~` and in any case, and a value that is not a whole number (empty `~MaxPvCount=`, garbage) is null for that key
 * alone, never for the others.
 *
 * These are the firmware's own figures, not counts of records: the manual's example answer gives ~MaxAttLogCount=10
 * beside TransactionCount=23, and ~MaxUserCount=50 on a panel (thousands, or hundreds): reported as they are, and never
 * compared with the users given a device. A full device is known by its answers (sync/failing-reasons.ts).
 */
import type { EntityManager } from 'typeorm';
import { toInt } from '../push/protocol/kv';
import { INFO_RESULT_TABLE } from '../push/upload-ingest.service';

export interface DeviceCapacity {
  maxUserCount: number | null;
  maxAttLogCount: number | null;
  maxFingerCount: number | null;
  maxFaceCount: number | null;
  maxUserPhotoCount: number | null;
  userCount: number | null;
  transactionCount: number | null;
  fingerCount: number | null;
  faceCount: number | null;
}

/** DeviceCapacity field → the parameter the device names it by (without `~`). */
export const CAPACITY_KEYS: Readonly<Record<keyof DeviceCapacity, string>> = {
  maxUserCount: 'MaxUserCount',
  maxAttLogCount: 'MaxAttLogCount',
  maxFingerCount: 'MaxFingerCount',
  maxFaceCount: 'MaxFaceCount',
  maxUserPhotoCount: 'MaxUserPhotoCount',
  userCount: 'UserCount',
  transactionCount: 'TransactionCount',
  fingerCount: 'FPCount',
  faceCount: 'FaceCount',
};

type Params = Record<string, unknown> | null | undefined;

function lookup(params: Params): (name: string) => number | null {
  const byKey = new Map<string, number | null>();
  for (const [k, v] of Object.entries(params ?? {})) {
    const key = k.trim().replace(/^~+/, '').toLowerCase();
    if (!byKey.has(key)) byKey.set(key, typeof v === 'string' ? toInt(v) : typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
  }
  return (name) => byKey.get(name.toLowerCase()) ?? null;
}

/**
 * The counts an attendance terminal's poll reports (`getrequest?INFO=`, attendance manual 9: users, fingerprints,
 * attendance records, faces enrolled), as att_terminal.info keeps them parsed (protocol/info.ts AttInfo), by the
 * DeviceCapacity field each is.
 */
const POLL_INFO_COUNTS: ReadonlyArray<readonly [keyof DeviceCapacity, string]> = [
  ['userCount', 'userCount'],
  ['fingerCount', 'fpCount'],
  ['transactionCount', 'attLogCount'],
  ['faceCount', 'faceCount'],
];

/**
 * The capacity of a device from its registration, its latest parameters and, for an attendance terminal, the counts
 * of its latest poll INFO (each may be null). The poll's counts win over the parameters' counts: a terminal reports
 * them as they change, at its polls, while its options come at its initialisation (and some firmware only ever
 * polls with INFO: field sample other-zam70-capitalbrix).
 */
export function deviceCapacity(registration: Params, options: Params, pollInfo: Params = null): DeviceCapacity {
  const reg = lookup(registration);
  const opt = lookup(options);
  const out = {} as DeviceCapacity;
  for (const [field, name] of Object.entries(CAPACITY_KEYS) as Array<[keyof DeviceCapacity, string]>) {
    const v = opt(name) ?? reg(name);
    out[field] = v !== null && v >= 0 ? v : null;
  }
  const info = lookup(pollInfo);
  for (const [field, key] of POLL_INFO_COUNTS) {
    const v = info(key);
    if (v !== null && v >= 0) out[field] = v;
  }
  return out;
}

/**
 * The capacity of each device (by SN) from its registration and the latest capacity parameters it reported in its
 * options uploads, GET OPTIONS answers and attendance INFO command results (12.4.3: `~MaxUserCount=`, `FPCount=`...,
 * a line each; field sample cmd-info-biopro-sa40), newest value per key. Many terminals never post `table=options`:
 * their INFO result is the only place they say what they hold; an attendance terminal's counts from its latest poll
 * INFO too (att_terminal.info). One query; the only one here that is not pure.
 */
export async function loadDeviceCapacities(m: Pick<EntityManager, 'query'>, sns: readonly string[]): Promise<Map<string, DeviceCapacity>> {
  const out = new Map<string, DeviceCapacity>();
  if (sns.length === 0) return out;
  const names = Object.values(CAPACITY_KEYS).map((k) => k.toLowerCase());
  const rows: Array<{ sn: string; registration: Record<string, string> | null; options: Record<string, string> | null; poll_info: Record<string, unknown> | null }> = await m.query(
    `SELECT d.sn, d.registration, (SELECT t.info FROM att_terminal t WHERE t.device_id = d.id) AS poll_info,
            (SELECT jsonb_object_agg(o.key, o.value) FROM (
               SELECT DISTINCT ON (lower(ltrim(e.key, '~'))) e.key, e.value
                 FROM device_upload u CROSS JOIN LATERAL jsonb_each_text(u.record) e
                WHERE u.device_sn = d.sn AND u.table_name IN ('options', $3) AND lower(ltrim(e.key, '~')) = ANY($2)
                ORDER BY lower(ltrim(e.key, '~')), u.id DESC) o) AS options
       FROM device d WHERE d.sn = ANY($1)`,
    [sns, names, INFO_RESULT_TABLE],
  );
  for (const r of rows) out.set(r.sn, deviceCapacity(r.registration, r.options, r.poll_info));
  return out;
}
