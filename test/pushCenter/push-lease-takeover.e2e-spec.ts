/**
 * A delivery run whose lease another gateway process took over while this one was still sending it (this one stalled
 * past its lease, or was taken for gone and its leases released). The process that took it over sends the run again
 * (at-least-once); this one must neither clear that lease, nor reschedule its head, nor mark the run delivered
 * under it, nor send more of it: any of these lets a second sender onto the queue and breaks its order.
 * The other process is a connection under its own tag (process-tag.ts), so it counts as alive; when it closes, its
 * leases are released as those of a process gone and this process sends the run again, in order.
 * Real PostgreSQL only: on the embedded database every other tag is a process gone, whose leases are released at once.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROCESS_TAG, processTag } from '../../src/database/process-tag';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

const onEmbedded = inject('testDb').mode === 'embedded';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  if (onEmbedded) return;
  // A retry after 50 ms and a poll every 50 ms: without the fix, the undone lease is leased and sent again at once.
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 200, pollMs: 50 });
  receiver = await Receiver.answering(200);
  t = await startTestApp();
  expect((await t.post('/api/gateway/pushTargets', { name: 'takeover', url: receiver.url })).body.code).toBe(0);
});

afterAll(async () => {
  await t?.close();
  await receiver?.stop().catch(() => undefined);
});

const content = (body: string) => JSON.parse(JSON.parse(body).content) as { devSn: string; cardNo: string };
/** The cardNo of every request the receiver answered for the panel `sn`, in order, with its answer. */
const requestsOf = (sn: string) => receiver.requests.filter((r) => content(r.body).devSn === sn).map((r) => `${content(r.body).cardNo}:${r.answered}`);

/** Holds the receiver's answer to the first request for `sn` until `open()`; `arrived` settles when it came. */
function holdFirstRequestOf(sn: string) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let arrived!: () => void;
  const came = new Promise<void>((r) => (arrived = r));
  let held = false;
  receiver.hold = (body) => {
    if (held || content(body).devSn !== sn) return undefined;
    held = true;
    arrived();
    return gate;
  };
  return { arrived: came, open };
}

/** A live "other gateway process": a connection under its own tag. */
async function otherProcess(): Promise<{ tag: string; end: () => Promise<void> }> {
  const tag = processTag('other-gateway', randomUUID());
  const c = new Client({ connectionString: t.db.url, application_name: tag });
  await c.connect();
  return { tag, end: () => c.end() };
}

type LeaseRow = { card: string; state: string; leased_by: string; lease_until: string; next_attempt_at: string; attempts: number };
const rowsOf = async (sn: string): Promise<LeaseRow[]> =>
  t.ds.query(
    `SELECT event->>'card_no' AS card, state, leased_by, lease_until::text AS lease_until, next_attempt_at::text AS next_attempt_at, attempts
     FROM push_outbox WHERE device_sn = $1 ORDER BY xid, id`,
    [sn],
  );

/** The run of `sn` passes to `tag`, as a claim of the other process after this one's lease ran out would. */
async function takeOver(sn: string, tag: string): Promise<LeaseRow[]> {
  await t.ds.query(`UPDATE push_outbox SET leased_by = $2, lease_until = now() + interval '1 minute' WHERE device_sn = $1 AND state = 'pending'`, [sn, tag]);
  return rowsOf(sn);
}

describe.skipIf(onEmbedded)('Push Center: a run whose lease another process took over', () => {
  it('a failure answered to the stale sender neither clears the new lease nor reschedules its head: no second sender', async () => {
    const sn = 'PLEASEF001';
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1 });
    await sim.connect();
    const held = holdFirstRequestOf(sn);
    expect((await sim.uploadRtlog([{ pin: 0, cardno: 81_001, event: 0 }, { pin: 0, cardno: 81_002, event: 0 }])).body.trim()).toBe('OK');
    await held.arrived;
    // Both events form this process's run, its first delivery out at the receiver.
    expect((await rowsOf(sn)).map((r) => [r.card, r.leased_by])).toEqual([
      ['81001', PROCESS_TAG],
      ['81002', PROCESS_TAG],
    ]);

    const other = await otherProcess();
    const taken = await takeOver(sn, other.tag);
    receiver.answer = (body) => (content(body).devSn === sn ? 500 : undefined);
    held.open();
    await until('the stale answer', () => requestsOf(sn).length >= 1);
    // Time for a retry (50 ms backoff) and several passes.
    await sleep(1_000);
    expect(await rowsOf(sn)).toEqual(taken);
    expect(requestsOf(sn)).toEqual(['81001:500']);

    // The other process is gone: its leases are released, and this one sends the run again, in order.
    receiver.answer = undefined;
    await other.end();
    await until('the run sent again', async () => (await rowsOf(sn)).every((r) => r.state === 'delivered'));
    expect(requestsOf(sn)).toEqual(['81001:500', '81001:200', '81002:200']);
  });

  it('a 2xx answered to the stale sender is left to the new holder, and the stale sender sends no more of the run', async () => {
    const sn = 'PLEASED002';
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1 });
    await sim.connect();
    const held = holdFirstRequestOf(sn);
    expect((await sim.uploadRtlog([81_011, 81_012, 81_013].map((cardno) => ({ pin: 0, cardno, event: 0 })))).body.trim()).toBe('OK');
    await held.arrived;
    expect((await rowsOf(sn)).map((r) => r.leased_by)).toEqual([PROCESS_TAG, PROCESS_TAG, PROCESS_TAG]);

    const other = await otherProcess();
    const taken = await takeOver(sn, other.tag);
    // Answered after the worker's record interval (250 ms), so that it records the 2xx before sending the next one.
    await sleep(400);
    held.open();
    await until('the stale answer', () => requestsOf(sn).length >= 1);
    await sleep(1_000);
    // Not marked delivered under the other's live lease (that would move the head past its run), and 81012 / 81013,
    // leased by the other process, were not sent by this one.
    expect(await rowsOf(sn)).toEqual(taken);
    expect(requestsOf(sn)).toEqual(['81011:200']);

    await other.end();
    await until('the run sent again', async () => (await rowsOf(sn)).every((r) => r.state === 'delivered'));
    expect(requestsOf(sn)).toEqual(['81011:200', '81011:200', '81012:200', '81013:200']);
  });
});
