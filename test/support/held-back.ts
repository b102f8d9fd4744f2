import { Client } from 'pg';

/**
 * An open transaction holding the server's snapshot xmin back (real PostgreSQL only): events stored after it
 * are "held back" from every monitor and feed until `commit`. `end` closes the connection (after a commit or not).
 */
export async function holdXmin(connectionString: string): Promise<{ commit: () => Promise<void>; end: () => Promise<void> }> {
  const c = new Client({ connectionString });
  await c.connect();
  await c.query('BEGIN');
  await c.query('SELECT pg_current_xact_id()');
  return {
    commit: async () => {
      await c.query('COMMIT');
    },
    end: () => c.end().catch(() => undefined),
  };
}

/** A GET whose client gives up (closes the connection) after `abortAfterMs`: resolves 'aborted', or the body if it came first. */
export function abandonedGet(url: string, abortAfterMs: number): Promise<string> {
  const client = new AbortController();
  const timer = setTimeout(() => client.abort(), abortAfterMs);
  return fetch(url, { signal: client.signal })
    .then(
      (r) => r.text(),
      () => 'aborted',
    )
    .finally(() => clearTimeout(timer));
}
