import { Client } from 'pg';
import { processCpuSeconds } from './process-cpu';

/**
 * CPU seconds used so far by each PostgreSQL backend serving the bench's database (the gateway's pool), read
 * from /proc by pid; empty off Linux or when the server runs elsewhere. A difference of two snapshots is
 * what the database side of a phase cost, whatever else shares the machine.
 */
export async function pgBackendCpu(url: string): Promise<Map<number, number>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    const out = new Map<number, number>();
    for (const r of rows) {
      const s = processCpuSeconds(r.pid);
      if (Number.isFinite(s)) out.set(r.pid, s);
    }
    return out;
  } finally {
    await c.end();
  }
}

/** CPU seconds between two snapshots (a backend started in between counts from zero; NaN when nothing was readable). */
export function pgCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  if (after.size === 0) return NaN;
  let s = 0;
  for (const [pid, cpu] of after) s += cpu - (before.get(pid) ?? 0);
  return s;
}
