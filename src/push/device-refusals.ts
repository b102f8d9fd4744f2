import type { EntityManager } from 'typeorm';

/** Return codes by which a firmware says it does not know a command or table (Appendix 1). */
export const REFUSAL_CODES = [-1002, -1004];
/** Refusals in a row (no success in between) before a table or verb counts as refused for good. */
export const REFUSALS_FOR_GOOD = 3;

/**
 * Tables (DATA UPDATE/DELETE/COUNT <table>) and verbs a device's firmware refused for good: the last
 * REFUSALS_FOR_GOOD commands naming them all failed with -1002/-1004. deviceId → set of names.
 */
export async function loadRefusals(m: EntityManager, deviceIds: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (deviceIds.length === 0) return out;
  const rows: Array<{ device_id: string; name: string }> = await m.query(
    `WITH recent AS (
       SELECT d.id AS device_id, COALESCE(substring(c.command FROM '^DATA (?:UPDATE|DELETE|COUNT) ([A-Za-z0-9_]+)'), substring(c.command FROM '^([A-Z]+(?: [A-Z]+)?)')) AS name,
              c.state, c.return_code, c.id
         FROM device d JOIN device_command c ON c.device_sn = d.sn
        WHERE d.id = ANY($1) AND c.state IN ('done', 'failed')
     ), ranked AS (
       SELECT device_id, name, state, return_code, row_number() OVER (PARTITION BY device_id, name ORDER BY id DESC) AS k FROM recent
     )
     SELECT device_id, name FROM ranked WHERE k <= $2
      GROUP BY device_id, name
     HAVING count(*) = $2 AND bool_and(state = 'failed' AND return_code = ANY($3))`,
    [deviceIds, REFUSALS_FOR_GOOD, REFUSAL_CODES],
  );
  for (const r of rows) {
    let s = out.get(r.device_id);
    if (!s) out.set(r.device_id, (s = new Set()));
    s.add(r.name);
  }
  return out;
}
