/** What these helpers need of test/support's TestApp. */
interface WithDataSource {
  ds: { query(sql: string, params?: unknown[]): Promise<unknown> };
}

const OF_DEVICE = `device_id = (SELECT id FROM device WHERE sn = $1) AND`;
const WITHIN = `> now() AND %s <= now() + $2 * interval '1 millisecond'`;

/**
 * The convergence waits of a device that would end within `ms` end now: the retry waits of its failing items and
 * owed work (SYNC_RETRY_BASE_MS, SYNC_RETRY_MAX_MS) and its refusal probes (SYNC_REFUSAL_PROBE_MS), all kept in the
 * database. The next reconciler pass then does what it would have done after `ms` of sleep, without the sleep: an
 * item given up (no next try) stays given up, and an item that should have been given up but waits for a retry is
 * retried, as after the sleep. Waits longer than `ms` (the verifier's hour) are left as they are.
 */
export async function retryWaitsEndNow(t: WithDataSource, sn: string, ms: number): Promise<void> {
  for (const [table, column] of [['sync_item', 'next_try_at'], ['sync_owed', 'next_try_at'], ['device_refusal', 'probe_at']]) {
    await t.ds.query(`UPDATE ${table} SET ${column} = now() WHERE ${OF_DEVICE} ${column} ${WITHIN.replace('%s', column)}`, [sn, ms]);
  }
}
