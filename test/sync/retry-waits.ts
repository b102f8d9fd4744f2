import { WorkSignalService } from '../../src/push/work-signal.service';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';

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

const BACK = `- $2 * interval '1 millisecond'`;

/**
 * The device's command history moves `ms` into the past, as if `ms` had passed since each of its deliveries: the ack
 * timeout (DEVICE_COMMAND_TIMEOUT, planClaim's ackTimeoutMs) and the lost-reply window (DEVICE_LOST_REPLY_MS) of a
 * delivery up to `ms` old have ended at its next poll, without the sleep, on a machine of any speed. Every time the
 * queue compares with another moves by the same amount (its commands' created_at, sent_at, done_at and valid_until,
 * the attempts' log, the device's registered_at), so their order stays: a delivery after the device registered is
 * still not one from before a restart, the commands of one reply still share their sent_at, and a remote action's
 * validity runs out as after the sleep. The device's work signal is raised, as the wake-up the gateway set for the
 * timeout would raise it (an idle poll reads nothing otherwise). Only between polls: a claim running meanwhile would
 * see half of it. An attendance terminal's own times (att_terminal) stay: not for a wait with the gateway's CHECK in
 * flight, which would then look sent before the terminal's last initialisation. Not for a test of the timing itself
 * (what a delivery carries of the time it went out): no time passes.
 */
export async function deliveriesAgeBy(t: WithDataSource & { app: { get<T>(token: unknown): T } }, sn: string, ms: number): Promise<void> {
  await t.ds.query(
    `UPDATE device_command SET created_at = created_at ${BACK}, sent_at = sent_at ${BACK}, done_at = done_at ${BACK}, valid_until = valid_until ${BACK} WHERE device_sn = $1`,
    [sn, ms],
  );
  await t.ds.query(`UPDATE device_command_attempt SET sent_at = sent_at ${BACK} WHERE device_sn = $1`, [sn, ms]);
  await t.ds.query(`UPDATE device SET registered_at = registered_at ${BACK} WHERE sn = $1`, [sn, ms]);
  t.app.get<WorkSignalService>(WorkSignalService).set(sn);
}

/**
 * What a pause of `pauseMs` between a device's polls did in a loop that polls until the device holds what it should,
 * without the pause: its deliveries age by `pauseMs` (deliveriesAgeBy: an ack timeout or lost-reply window ends after
 * as many rounds as the pauses took), and its retry waits and refusal probes due within `backoffMs` end now
 * (retryWaitsEndNow: such a loop runs the reconciler past the backoff, which the pauses only waited out). A loop of
 * these settles in as many rounds as it did, each without its sleep, on a machine of any speed.
 */
export async function pauseBetweenPolls(t: Parameters<typeof deliveriesAgeBy>[0], sn: string, pauseMs: number, backoffMs: number): Promise<void> {
  await deliveriesAgeBy(t, sn, pauseMs);
  await retryWaitsEndNow(t, sn, backoffMs);
}

/**
 * pauseBetweenPolls for a device that the periodic verification (SYNC_VERIFY_INTERVAL_MS) may count meanwhile: its
 * last verification ages by `pauseMs` as well (sync_verify's asked_at and pins_at, beside the registered_at that
 * deliveriesAgeBy moves), and the verification then looks for due devices once, as its timer would have during
 * the pause (it ticks a few times per period, and nothing it tests changes while the device does not poll).
 */
export async function verificationPause(t: Parameters<typeof deliveriesAgeBy>[0], sn: string, pauseMs: number, backoffMs: number): Promise<void> {
  await pauseBetweenPolls(t, sn, pauseMs, backoffMs);
  await t.ds.query(`UPDATE sync_verify SET asked_at = asked_at ${BACK}, pins_at = pins_at ${BACK} WHERE device_id = (SELECT id FROM device WHERE sn = $1)`, [sn, pauseMs]);
  await t.app.get<SyncVerifier>(SyncVerifier).tick();
}
