import type { DataSource, EntityTarget, FindOptionsOrder, ObjectLiteral } from 'typeorm';
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
  ele_level: { key: 'id', what: 'Elevator level' },
  psg_level: { key: 'id', what: 'Entrance-control level' },
} as const;
export type FormTable = keyof typeof FORM_TABLES;


/** A row's version, in SQL over the row's table `alias`: a digest of the stored row. */
export const versionOf = (alias: string) => `md5(to_jsonb(${alias})::text)`;

/**
 * The rows of an entity's list (in `order`, as its service lists them), shaped by `shape` (which keeps their order,
 * one out per row in), each with its version, read by the same statement as the row: the version is that of the
 * row shown, never of a later one (a save over a change made since is refused), and only the rows listed are digested.
 */
export async function listWithVersions<E extends ObjectLiteral, R extends object>(ds: DataSource, entity: EntityTarget<E>, order: FindOptionsOrder<E>, shape: (rows: E[]) => R[] | Promise<R[]>): Promise<Array<R & { version: string }>> {
  const repo = ds.getRepository(entity);
  const [pk] = repo.metadata.primaryColumns;
  // The key is selected again under a name of ours, rather than read from TypeORM's own alias for it.
  const { raw, entities } = await repo.createQueryBuilder('t').setFindOptions({ order }).addSelect(`t.${pk.databaseName}::text`, 'form_key').addSelect(versionOf('t'), 'form_version').getRawAndEntities<{ form_key: string; form_version: string }>();
  const versions = new Map(raw.map((r) => [r.form_key, r.form_version]));
  const shown = await shape(entities);
  return shown.map((r, i) => ({ ...r, version: versions.get(String(pk.getEntityValue(entities[i])))! }));
}

/**
 * The check for a save that names the version its form read (none: no check, as the REST API's calls): the row
 * is locked and compared; a row gone is left to the write's own "does not exist".
 */
export function expectVersion(table: FormTable, key: string, version: unknown): WriteCheck | undefined {
  if (version === undefined || version === null || version === '') return undefined;
  const t = FORM_TABLES[table];
  return async (m) => {
    const [row]: Array<{ v: string; name: string | null }> = await m.query(`SELECT ${versionOf('t')} AS v, t.name FROM ${table} t WHERE t.${t.key}::text = $1 FOR UPDATE`, [key]);
    if (row && row.v !== String(version)) {
      throw changedMeanwhile(`${t.what} ${row.name ?? key}`, 'it');
    }
  };
}

/** The refusal of an edit form's save over a change made since the form was read (this page's forms, the person form's). */
export function changedMeanwhile(what: string, pronoun: 'it' | 'them'): CvError {
  return new CvError(CvCode.Conflict, `${what} was changed by someone else after you opened it; nothing was saved: open ${pronoun} again to see the change, then make yours`);
}
