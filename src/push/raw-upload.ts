import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { intoOf, listOf } from '../database/columns';
import { clip } from './device-registry.service';
import { DeviceUpload } from './device-upload.entity';
import type { RejectedLine } from './protocol';
import { LINE_END } from './protocol/kv';

/**
 * Device lines kept as they came (device_upload, `record` = `{line}` or `{line, reason}`): the lines of a table
 * this gateway does not read, and the lines a parser refused (table `<table>.rejected`). Acknowledging them then
 * loses nothing. Keyed by SN, table and record, so a re-sent upload adds nothing.
 */
const STORE_RAW = `INSERT INTO ${intoOf(DeviceUpload, ['uploadKey', 'deviceSn', 'tableName', 'pin', 'record', 'cmdId'])}
  SELECT k, $1, t, NULL, r::jsonb, $5::varchar FROM unnest($2::text[], $3::text[], $4::text[]) AS u(k, t, r)
  ON CONFLICT (${listOf(DeviceUpload, ['uploadKey'])}) DO NOTHING`;

export type RawUploadRow = { table: string; fields: Record<string, string> };

/**
 * `cmdId`: the lines answer that command (a DATA QUERY's packet): kept under it, and keyed with it as its stored
 * records are, so the lines of another query's answer are that answer's too (TransactionQueryFollowUp counts them).
 */
export async function storeRaw(m: Pick<EntityManager, 'query'>, sn: string, rows: readonly RawUploadRow[], cmdId: string | null = null): Promise<void> {
  if (rows.length === 0) return;
  const keys = rows.map((r) => createHash('md5').update(`${sn}\n${r.table}\n${cmdId === null ? '' : `${cmdId}\n`}${JSON.stringify(r.fields)}`).digest('hex'));
  await m.query(
    STORE_RAW,
    [sn, keys, rows.map((r) => clip(r.table, 64)), rows.map((r) => JSON.stringify(r.fields).replace(/\\u0000/g, '')), clip(cmdId, 64)],
  );
}

/** Refused lines stay available raw (table `<table>.rejected`), so acknowledging them loses nothing. */
export function storeRejected(m: Pick<EntityManager, 'query'>, sn: string, table: string, rejected: readonly RejectedLine[], cmdId: string | null = null): Promise<void> {
  return storeRaw(m, sn, rejected.map((r) => ({ table: `${table}.rejected`, fields: { line: r.line.replace(/\0/g, ''), reason: r.reason } })), cmdId);
}

/**
 * The non-blank lines of a body (LF, CR LF or a lone CR, as splitLines reads them), each stored under `table`: as
 * `{"line": …}`, or by the fields `fieldsOf` reads from it (null: the line as it is).
 */
export function rawLines(table: string, body: string, fieldsOf?: (line: string) => Record<string, string> | null): RawUploadRow[] {
  const rows: RawUploadRow[] = [];
  for (const line of body.split(LINE_END)) {
    const text = line.replace(/\0/g, '');
    if (text.trim() !== '') rows.push({ table, fields: fieldsOf?.(text) ?? { line: text } });
  }
  return rows;
}
