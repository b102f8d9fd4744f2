import type { EntityManager } from 'typeorm';
import { columnsOf, excludedOf, insertOf, listOf } from '../database/columns';
import type { TemplateFields } from './bio-template-input';
import { BioTemplate } from './bio-template.entity';

/** A template a device uploaded, in bio_template terms. */
export interface EnrolledTemplate extends TemplateFields {
  format: number;
}

const CONTENT = columnsOf(BioTemplate, ['template', 'validType', 'majorVer', 'minorVer']);

/**
 * The one upsert of an enrolled template (biodata/templatev10 from an access panel, BIODATA/FP from an
 * attendance terminal): the slot (person, type, No, Index) gets the device's template; an identical re-send
 * changes nothing and returns no row.
 */
const UPSERT = `INSERT INTO ${insertOf(BioTemplate, ['personId', 'bioType', 'templateNo', 'templateNoIndex', 'validType', 'majorVer', 'minorVer', 'format', 'template', 'sourceSn'])}
  ON CONFLICT (${listOf(BioTemplate, ['personId', 'bioType', 'templateNo', 'templateNoIndex'])}) DO UPDATE
     SET ${excludedOf(BioTemplate, ['validType', 'majorVer', 'minorVer', 'format', 'template', 'sourceSn'])}, updated_at = now()
   WHERE (${CONTENT.map((c) => `bio_template.${c}`).join(', ')}) IS DISTINCT FROM (${CONTENT.map((c) => `EXCLUDED.${c}`).join(', ')})
  RETURNING id`;

/** Stores one enrolled template; true when it was new or changed. */
export async function upsertEnrolledTemplate(m: EntityManager, personId: string, t: EnrolledTemplate, sourceSn: string): Promise<boolean> {
  const result: unknown = await m.query(UPSERT, [personId, t.bioType, t.templateNo, t.templateNoIndex, t.validType, t.majorVer, t.minorVer, t.format, t.template, sourceSn]);
  return insertedRows(result).length > 0;
}

/** `INSERT ... RETURNING` answers with rows, or with [rows, count] on some drivers: always the rows. */
function insertedRows(r: unknown): unknown[] {
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0];
  return Array.isArray(r) ? r : [];
}
