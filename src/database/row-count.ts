/** The `SELECT count(*)::int AS n FROM <data-modifying CTE>` answer. */
export function rowCount(result: unknown): number {
  const n = Array.isArray(result) ? (result[0] as { n?: unknown } | undefined)?.n : undefined;
  return typeof n === 'number' ? n : 0;
}
