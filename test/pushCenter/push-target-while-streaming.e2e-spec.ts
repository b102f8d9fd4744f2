import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * While no Push Center target is enabled, the rtlog batch statement stores events without its outbox part, guarded
 * by "no target is enabled" in its own snapshot, and the batch runs the statement with the outbox when the guard
 * finds one (src/push/rtlog-ingest.service.ts, Publish). The gateway only guesses which statement to run first; a
 * target enabled or disabled while panels upload must still give exactly the events stored while it was enabled
 * one outbox row each, as one statement with the outbox part always did.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 400, pollMs: 50 });
  receiver = new Receiver();
  await receiver.start();
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
  await receiver?.stop();
});

/** The outbox rows of target `targetId` per event of the panel `sn`, by its rtlog index. */
async function outboxRowsOf(sn: string, targetId: string): Promise<Record<number, number>> {
  const rows: Array<{ index: number; n: number }> = await t.ds.query(
    `SELECT a.log_id AS index, count(o.id)::int AS n FROM acc_transaction a LEFT JOIN push_outbox o ON o.transaction_id = a.id AND o.target_id = $2
      WHERE a.device_sn = $1 GROUP BY a.id`,
    [sn, targetId],
  );
  return Object.fromEntries(rows.map((r) => [r.index, r.n]));
}

it('the first upload after a target was enabled (nothing in flight) is queued for it; after it is disabled, none', async () => {
  // The gateway last saw no target enabled, so it tries the statement without the outbox part first; that statement
  // must find the target in its snapshot, store nothing, and leave the event to the statement with the outbox part.
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'QUIET00001', doors: 1 });
  await sim.connect();
  const upload = async (index: number) => expect((await sim.uploadRtlog([{ time: `2024-05-02 10:00:0${index}`, pin: 7, event: 0, eventaddr: 1, index }])).status).toBe(200);
  await upload(1);
  const created = await t.post('/api/gateway/pushTargets', { name: 'quiet', url: receiver.url });
  expect(created.body.code).toBe(0);
  await upload(2);
  await upload(3);
  expect((await t.put(`/api/gateway/pushTargets/${created.body.data.id}`, { enabled: false })).body.code).toBe(0);
  await upload(4);
  await upload(5);
  expect(await outboxRowsOf(sim.sn, created.body.data.id)).toEqual({ 1: 0, 2: 1, 3: 1, 4: 0, 5: 0 });
});

it('a target enabled, then disabled, while panels stream one-event uploads gets every event stored while it was enabled, once', async () => {
  const sims = Array.from({ length: 4 }, (_, i) => new DeviceSimulator({ baseUrl: t.baseUrl, sn: `RACE${String(i).padStart(6, '0')}`, doors: 1 }));
  for (const s of sims) await s.connect();
  const sent: Array<{ sn: string; index: number; sentAt: number; ackAt: number }> = [];
  let stop = false;
  const stream = async (sim: DeviceSimulator) => {
    for (let k = 1; !stop; k++) {
      const sentAt = performance.now();
      const time = new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + k * 1000).toISOString().slice(0, 19).replace('T', ' ');
      const r = await sim.uploadRtlog([{ time, pin: 7, event: 0, eventaddr: 1, inoutstatus: 0, verifytype: 1, index: k }]);
      expect(r.status).toBe(200);
      sent.push({ sn: sim.sn, index: k, sentAt, ackAt: performance.now() });
    }
  };
  const streams = sims.map(stream);
  // Each phase lasts until enough uploads went through it (not a fixed time: a loaded machine answers slowly).
  const untilSent = async (what: string, n: number, f: (e: (typeof sent)[number]) => boolean) => {
    for (const end = Date.now() + 30_000; sent.filter(f).length < n; await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  };
  await untilSent('events before the target', 8, () => true);
  const createAsked = performance.now();
  const created = await t.post('/api/gateway/pushTargets', { name: 'late', url: receiver.url });
  expect(created.body.code).toBe(0);
  const createdAt = performance.now();
  await untilSent('events while the target is enabled', 12, (e) => e.sentAt > createdAt);
  const disableAsked = performance.now();
  expect((await t.put(`/api/gateway/pushTargets/${created.body.data.id}`, { enabled: false })).body.code).toBe(0);
  const disabledAt = performance.now();
  await untilSent('events after the target', 8, (e) => e.sentAt > disabledAt);
  stop = true;
  await Promise.all(streams);

  const rows: Array<{ sn: string; index: number; n: number; same: boolean | null }> = await t.ds.query(
    `SELECT a.device_sn AS sn, a.log_id AS index, count(o.id)::int AS n, bool_and(o.event = to_jsonb(a)) AS same
       FROM acc_transaction a LEFT JOIN push_outbox o ON o.transaction_id = a.id AND o.target_id = $1
      WHERE a.device_sn LIKE 'RACE%' GROUP BY a.id`,
    [created.body.data.id],
  );
  // Every acknowledged event stored once.
  expect(rows).toHaveLength(sent.length);
  const outboxRows = new Map(rows.map((r) => [`${r.sn}/${r.index}`, r]));
  const enabledThrough = sent.filter((e) => e.sentAt > createdAt && e.ackAt < disableAsked);
  const neverEnabled = sent.filter((e) => e.ackAt < createAsked || e.sentAt > disabledAt);
  // The streams overlapped both changes: events on both sides of each, not a trivially empty check.
  expect(enabledThrough.length).toBeGreaterThanOrEqual(8);
  expect(sent.filter((e) => e.ackAt < createAsked).length).toBeGreaterThanOrEqual(4);
  expect(sent.filter((e) => e.sentAt > disabledAt).length).toBeGreaterThanOrEqual(4);
  for (const e of enabledThrough) expect(outboxRows.get(`${e.sn}/${e.index}`), `${e.sn} event ${e.index}`).toMatchObject({ n: 1, same: true });
  for (const e of neverEnabled) expect(outboxRows.get(`${e.sn}/${e.index}`)?.n, `${e.sn} event ${e.index}`).toBe(0);
  // Events in flight while the target changed: outbox rows or none, never two.
  expect(rows.every((r) => r.n <= 1 && r.same !== false)).toBe(true);
});
