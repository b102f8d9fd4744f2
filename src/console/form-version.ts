import type { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import type { WriteCheck } from '../common/write-transaction';

/**
 * The version of a row an Access levels page form edits (a level, department, area, time segment or holiday): a
 * digest of the stored row. The list answers it with each row, the Edit form sends back the one it was opened with,
 * and the save is refused -409 when the row changed since (another operator, the REST API), instead of putting
 * back, unseen, what that change did: the same protection as the person form's (persons.controller.ts).
 */
export const FORM_TABLES = {
  acc_level: { key: 'id', what: 'Access level' },
  department: { key: 'code', what: 'Department' },
  area: { key: 'code', what: 'Area' },
  time_segment: { key: 'id', what: 'Time segment' },
  holiday: { key: 'id', what: 'Holiday' },
} as const;
export type FormTable = keyof typeof FORM_TABLES;


/**
 * `rows` with each one's version. Read before the rows: a change landing between the two reads gives an older
 * version than the row shown, so the save is refused rather than a stale one accepted.
 */
export async function withVersions<R>(ds: DataSource, table: FormTable, read: () => Promise<R[]>, keyOf: (row: R) => string): Promise<Array<R & { version: string | null }>> {
  const { key } = FORM_TABLES[table];
  const found: Array<{ k: string; v: string }> = await ds.query(`SELECT t.${key}::text AS k, md5(to_jsonb(t)::text) AS v FROM ${table} t`);
  const versions = new Map(found.map((r) => [r.k, r.v]));
  return (await read()).map((r) => ({ ...r, version: versions.get(String(keyOf(r))) ?? null }));
}

/**
 * The check for a save that names the version its form read (none: no check, as the REST API's calls): the row
 * is locked and compared; a row gone is left to the write's own "does not exist".
 */
export function expectVersion(table: FormTable, key: string, version: unknown): WriteCheck | undefined {
  if (version === undefined || version === null || version === '') return undefined;
  const t = FORM_TABLES[table];
  return async (m) => {
    const [row]: Array<{ v: string; name: string | null }> = await m.query(`SELECT md5(to_jsonb(t)::text) AS v, t.name FROM ${table} t WHERE t.${t.key}::text = $1 FOR UPDATE`, [key]);
    if (row && row.v !== String(version)) {
      throw changedMeanwhile(`${t.what} ${row.name ?? key}`, 'it');
    }
  };
}

/** The refusal of an edit form's save over a change made since the form was read (this page's forms, the person form's). */
export function changedMeanwhile(what: string, pronoun: 'it' | 'them'): CvError {
  return new CvError(CvCode.Conflict, `${what} was changed by someone else after you opened it; nothing was saved: open ${pronoun} again to see the change, then make yours`);
}
