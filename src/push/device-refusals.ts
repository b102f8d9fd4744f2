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
  // Only devices and names that have a refusal at all are looked at further (index device_sn, state, id).
  const name = (c: string) => `COALESCE(substring(${c}.command FROM '^DATA (?:UPDATE|DELETE|COUNT) ([A-Za-z0-9_]+)'), substring(${c}.command FROM '^([A-Z]+(?: [A-Z]+)?)'))`;
  const rows: Array<{ device_id: string; name: string }> = await m.query(
    `WITH refused AS (
       SELECT DISTINCT d.id AS device_id, d.sn, ${name('c')} AS name
         FROM device d JOIN device_command c ON c.device_sn = d.sn AND c.state = 'failed' AND c.return_code = ANY($3)
        WHERE d.id = ANY($1)
     )
     SELECT r.device_id, r.name FROM refused r
      WHERE (SELECT count(*) = $2 AND bool_and(x.state = 'failed' AND x.return_code = ANY($3))
               FROM (SELECT c.state, c.return_code FROM device_command c
                      WHERE c.device_sn = r.sn AND c.state IN ('done', 'failed') AND ${name('c')} = r.name
                      ORDER BY c.id DESC LIMIT $2) x)`,
    [deviceIds, REFUSALS_FOR_GOOD, REFUSAL_CODES],
  );
  for (const r of rows) {
    let s = out.get(r.device_id);
    if (!s) out.set(r.device_id, (s = new Set()));
    s.add(r.name);
  }
  return out;
}
