import { CvCode, CvError } from '../common/cv-error';

/** Pins as the level forms send them: a list, or one text of pins separated by commas, spaces or new lines. */
export function pinsOf(v: unknown): string[] {
  const parts = Array.isArray(v) ? v.map(String) : typeof v === 'string' || typeof v === 'number' ? String(v).split(/[\s,;]+/) : [];
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The "Add personnel by department" form's fields: a department code (required) and whether its sub-departments come too (unless false). */
export function departmentOf(body: { deptCode?: unknown; withSubDepartments?: unknown } | undefined): { deptCode: string; withSubDepartments: boolean } {
  const deptCode = typeof body?.deptCode === 'string' ? body.deptCode.trim() : '';
  if (!deptCode) throw new CvError(CvCode.InvalidParameter, 'deptCode: choose a department');
  return { deptCode, withSubDepartments: body?.withSubDepartments !== false && body?.withSubDepartments !== 'false' };
}
