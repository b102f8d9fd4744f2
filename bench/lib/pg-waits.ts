import { Client } from 'pg';

/**
 * What the PostgreSQL backends of the bench's database do during a phase (BENCH_PG_WAITS=1): pg_stat_activity
 * sampled every few milliseconds from a connection of its own to the server's `postgres` database (so that the
 * phase's `pg … µs/req`, which counts the bench database's backends, leaves the sampler out; its own CPU shows
 * as "other"). For the statements the phase is about (`match`), it tells:
 * - how many were in progress at once (the group commit's batches as the server sees them, against the gateway's
 *   maxInFlight: time with none in progress is time the batches spend outside the server);
 * - where their time went: on a core or runnable ("CPU"), or the wait event (WALSync and WALWrite: the commit's
 *   flush and the wait for another backend's flush; Lock: a heavyweight lock, with what it waits for);
 * - how long each took on the server (query_start to its end, read from backends found idle after it), to set
 *   beside the gateway's own view of a batch.
 * Any other statement seen running is listed by its opening words.
 */
export interface PgWaits {
  /** Stops sampling; the summary's lines. */
  stop(): Promise<string[]>;
}

interface Sample {
  pid: number;
  state: string | null;
  wt: string | null;
  we: string | null;
  q: string;
  qs: string | null;
  dur: number | null;
  locks: string | null;
}

const SAMPLE_SQL = `
  SELECT a.pid, a.state, a.wait_event_type AS wt, a.wait_event AS we, left(a.query, 80) AS q, a.query_start::text AS qs,
    CASE WHEN a.state = 'idle' THEN extract(epoch FROM a.state_change - a.query_start) * 1000 END::float8 AS dur,
    CASE WHEN a.wait_event_type = 'Lock' THEN
      (SELECT string_agg(l.locktype || coalesce(' #' || l.relation::text, '') || ' ' || l.mode, ', ') FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)
    END AS locks
  FROM pg_stat_activity a
  WHERE a.datname = $1 AND a.backend_type = 'client backend'`;

export async function samplePgWaits(url: string, match: RegExp, intervalMs = 2): Promise<PgWaits> {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  const samples: Sample[][] = [];
  const started = Date.now();
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      samples.push((await c.query<Sample>(SAMPLE_SQL, [database])).rows);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop.finally(() => c.end());
      return summary(samples, Date.now() - started, match, await relationNames(url, samples));
    },
  };
}

/** The names of the relations that lock waits name by oid (the sampler's connection is to another database). */
async function relationNames(url: string, samples: Sample[][]): Promise<Map<string, string>> {
  const oids = new Set<string>();
  for (const rows of samples) for (const r of rows) for (const m of r.locks?.matchAll(/#(\d+)/g) ?? []) oids.add(m[1]);
  const names = new Map<string, string>();
  if (oids.size === 0) return names;
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ oid: string; name: string }>(`SELECT oid::text, oid::regclass::text AS name FROM pg_class WHERE oid = ANY($1::oid[])`, [[...oids]]);
    for (const r of rows) names.set(r.oid, r.name);
  } finally {
    await c.end();
  }
  return names;
}

const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;

function tally<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function summary(samples: Sample[][], ms: number, match: RegExp, relations: Map<string, string>): string[] {
  const inProgress = new Map<number, number>();
  const waits = new Map<string, number>();
  const locks = new Map<string, number>();
  const others = new Map<string, number>();
  const finished = new Map<string, number>();
  let running = 0;
  for (const rows of samples) {
    let n = 0;
    for (const r of rows) {
      const ours = match.test(r.q);
      if (r.state === 'active' && ours) {
        n++;
        running++;
        tally(waits, r.wt ? `${r.wt}:${r.we}` : 'CPU');
        if (r.locks) tally(locks, r.locks.replace(/#(\d+)/g, (_, oid: string) => relations.get(oid) ?? oid));
      } else if (r.state === 'active') tally(others, r.q.replace(/\s+/g, ' ').trim().slice(0, 50));
      else if (r.state === 'idle' && ours && r.dur !== null) finished.set(`${r.pid} ${r.qs}`, r.dur);
    }
    tally(inProgress, Math.min(n, 3));
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const durations = [...finished.values()].sort((a, b) => a - b);
  const at = (p: number) => durations[Math.min(durations.length - 1, Math.floor(durations.length * p))].toFixed(2);
  const lines = [
    `PostgreSQL, ${samples.length} samples of pg_stat_activity (one per ${(ms / Math.max(1, samples.length)).toFixed(1)} ms):`,
    `  statements in progress at once: ${[0, 1, 2, 3].map((k) => `${k === 3 ? '3+' : k} ${pct(inProgress.get(k) ?? 0, samples.length)}`).join(', ')}`,
    `  their time: ${sorted(waits).slice(0, 6).map(([k, v]) => `${k} ${pct(v, running)}`).join(', ') || 'none seen'}`,
  ];
  if (durations.length > 0) {
    lines.push(`  on the server, each (${durations.length} seen): mean ${(durations.reduce((a, b) => a + b, 0) / durations.length).toFixed(2)} ms, p50 ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}`);
  }
  lines.push(`  heavyweight lock waits: ${sorted(locks).map(([k, v]) => `${k} ${pct(v, running)}`).join('; ') || 'none'}`);
  const other = sorted(others).slice(0, 3);
  if (other.length > 0) lines.push(`  other statements running (backends per sample): ${other.map(([k, v]) => `${(v / samples.length).toFixed(3)} ${k}`).join('; ')}`);
  return lines;
}
