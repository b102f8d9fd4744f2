/**
 * A device polling one gateway process reads online at the others too. Each process writes the contacts it had to
 * device.last_seen_at every 5 s (PushSettings.lastSeenFlushMs), so another process reads a contact up to that much
 * late: against the bare window and a tenth (33 s), a device polling every 30 s read offline there for the seconds
 * between the window's end and the flush of its latest poll. The stored contact is read with the flush interval on
 * top (online-window.ts, `lagMs`). Two real processes (`node dist/src/main.js`, needs `npm run build`) on a real
 * PostgreSQL server: skipped on the embedded database.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { onEmbedded, useTwoGateways } from '../support/two-gateways';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SN = 'ONLINE-2PROC';
const TICKER = 'ONLINE-2PROC-TICK';

const g = useTwoGateways();
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
  it('a device polling A every 30 s reads online at B throughout, also while A has not written its latest poll yet', { timeout: 120_000 }, async () => {
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
    /** Resolves right after A's next flush (the ticker's stored contact moved). */
    const nextFlush = async (): Promise<void> => {
      const before = await storedSeen(TICKER);
      for (let i = 0; i < 400 && (await storedSeen(TICKER)) === before; i++) await sleep(25);
    };
    try {
      const sim = new DeviceSimulator({ baseUrl: g.a.baseUrl, sn: SN, doors: 1 });
      expect((await sim.connect()).registered).toBe(true);
      await sim.pollUntilIdle({ maxPolls: 50 });
      // The last poll right after a flush of A: written by the next one, about 5 s on.
      await nextFlush();
      await sim.poll();
      const t0 = Date.now();
      await nextFlush();
      expect(await onlineAtB()).toBe(true);
      // The next poll 30 s on, again right after a flush of A (flushes come every 5 s and some ms): not written
      // before about 35 s after the first, while the window and a tenth end at 33 s.
      await sleep(t0 + 29_000 - Date.now());
      await nextFlush();
      await sim.poll();
      const polledAt = Date.now();
      expect(polledAt - t0).toBeLessThan(32_000);
      const reads: Array<{ at: number; online: unknown; written: boolean }> = [];
      while (Date.now() - t0 < 36_500) {
        const written = (await storedSeen(SN)) >= polledAt - 1000;
        reads.push({ at: Date.now() - t0, online: await onlineAtB(), written });
        await sleep(250);
      }
      // The reads after 33 s and before A wrote the poll are the ones the bare window got wrong.
      expect(reads.filter((r) => r.at > 33_500 && !r.written).length).toBeGreaterThan(0);
      expect(reads.filter((r) => r.online !== true)).toEqual([]);
    } finally {
      ticking = false;
      await ticks;
    }
  });
});
