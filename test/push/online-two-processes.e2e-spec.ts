/**
 * A device polling one gateway process reads online at the others too. Each process writes the contacts it had to
 * device.last_seen_at every 5 s (PushSettings.lastSeenFlushMs), so another process reads a contact up to that much
 * late: against the bare window and a tenth (33 s), a device polling every 30 s read offline there for the seconds
 * between the window's end and the flush of its latest poll. The stored contact is read with the flush interval on
 * top (online-window.ts, `lagMs`). Two real processes (`node dist/src/main.js`, needs `npm run build`) on a real
 * PostgreSQL server: skipped on the embedded database.
 *
 * The timings are the defaults scaled down (DEVICE_ONLINE_FLOOR_MS, DEVICE_LAST_SEEN_FLUSH_MS): a 15 s window
 * (3 x RequestDelay, the shortest the floor gives) and a flush every 3 s, so that a poll right after a flush 15 s on
 * is written 18 s on, 1.5 s after the window and a tenth (16.5 s) ended: the same gap as 30 s and 5 s give, in
 * half the time. The window's silence is not waited out: once A has written the first poll, the stored contact is
 * moved back by the part of the window still to come (`aged`), which is all B reads of it (B never had the device's
 * contacts in memory); A's flushes only ever move a contact forward, and it has nothing more of this device to write
 * until its next poll. The gap under test, between the window's end and A's flush of the next poll, is real.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { onEmbedded, useTwoGateways } from '../support/two-gateways';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SN = 'ONLINE-2PROC';
const TICKER = 'ONLINE-2PROC-TICK';

const WINDOW_MS = 15_000;
const FLUSH_MS = 3_000;
/** The longest silence a device is online after: the window and a tenth (online-window.ts). */
const LIMIT_MS = WINDOW_MS * 1.1;
const g = useTwoGateways({ DEVICE_ONLINE_FLOOR_MS: String(WINDOW_MS), DEVICE_LAST_SEEN_FLUSH_MS: String(FLUSH_MS) });
let pg: Client;

beforeAll(async () => {
  if (onEmbedded()) return;
  pg = new Client({ connectionString: g.db.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
});

const storedSeen = async (sn: string): Promise<number> =>
  new Date((await pg.query(`SELECT last_seen_at FROM device WHERE sn = $1`, [sn])).rows[0]?.last_seen_at ?? 0).getTime();
const onlineAtB = async (): Promise<unknown> => (await g.b.api('GET', `/api/gateway/devices/${SN}`)).body.data?.online;

describe.skipIf(onEmbedded())('online status across two gateway processes', () => {
  it('a device polling A once a window reads online at B throughout, also while A has not written its latest poll yet', { timeout: 120_000 }, async () => {
    // A second device polls A all the time: each change of its stored contact marks one of A's flushes.
    const ticker = new DeviceSimulator({ baseUrl: g.a.baseUrl, sn: TICKER, doors: 1 });
    expect((await ticker.connect()).registered).toBe(true);
    let ticking = true;
    const ticks = (async () => {
      while (ticking) {
        await ticker.poll().catch(() => undefined);
        await sleep(100);
      }
    })();
    /**
     * Resolves right after the flush of A that wrote every contact it had before `at` (this process's clock): the
     * ticker's stored contact (each change marks one of A's flushes) is one A took 300 ms or more after `at` (A writes
     * times in the database's clock: the margin is for its measure of it), so the flush that wrote it collected its
     * contacts after `at`. The flush that followed `at` may have started before it.
     */
    const flushedSince = async (at: number): Promise<void> => {
      for (let i = 0; i < 400 && (await storedSeen(TICKER)) < at + 300; i++) await sleep(25);
      expect(await storedSeen(TICKER)).toBeGreaterThanOrEqual(at + 300);
    };
    try {
      const sim = new DeviceSimulator({ baseUrl: g.a.baseUrl, sn: SN, doors: 1 });
      expect((await sim.connect()).registered).toBe(true);
      await sim.pollUntilIdle({ maxPolls: 50 });
      await sim.poll();
      let t0 = Date.now();
      await flushedSince(t0);
      expect(await onlineAtB()).toBe(true);
      // The next poll a window on, right after a flush of A (flushes come every FLUSH_MS and some ms): not written
      // before about WINDOW_MS + FLUSH_MS (18 s) after the first, while the window and a tenth end at 16.5 s. The
      // first poll moves back as if the window had passed since it (see the top): had A written it again later, every
      // read below would find the poll written at once, and fail.
      const aged = Math.max(0, t0 + WINDOW_MS - Date.now());
      await pg.query(`UPDATE device SET last_seen_at = last_seen_at - $2 * interval '1 millisecond' WHERE sn = $1`, [SN, aged]);
      t0 -= aged;
      await sim.poll();
      const polledAt = Date.now();
      expect(polledAt - t0).toBeLessThan(LIMIT_MS - 500);
      const reads: Array<{ at: number; online: unknown; written: boolean }> = [];
      while (Date.now() - t0 < LIMIT_MS + FLUSH_MS) {
        const written = (await storedSeen(SN)) >= polledAt - 1000;
        reads.push({ at: Date.now() - t0, online: await onlineAtB(), written });
        await sleep(100);
      }
      // The reads after the window and a tenth and before A wrote the poll are the ones the bare window got wrong.
      expect(reads.filter((r) => r.at > LIMIT_MS + 500 && !r.written).length).toBeGreaterThan(0);
      expect(reads.filter((r) => r.online !== true)).toEqual([]);
    } finally {
      ticking = false;
      await ticks;
    }
  });
});
