/**
 * Pass rules of a channel controller (`gatepassrule`, 8.16) are state the gateway keeps: stored in psg_pass_rule,
 * sent by the one planner in the transaction that stores them, believed held only from the controller's Return
 * code, sent again when the time segment's periods change, after an operator's full sync, and after a factory
 * reset with no REST call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { ChannelControllerSimulator } from '../simulator/channel';
import { pauseBetweenPolls, retryWaitsEndNow } from '../sync/retry-waits';
import { startTestApp, type TestApp } from '../support/test-app';

const SN = 'PGRULE0001';
let t: TestApp;
let reconciler: SyncReconciler;
let cc: ChannelControllerSimulator;
let segId: string;
let tz: number;

/** The longest retry backoff of this file's gateway (syncRetryMaxMs below), and a margin. */
const BACKOFF_MS = 2100;
const rules = async () => (await t.get(`/api/gateway/psgDevice/${SN}/passRules`)).body;
const post = (timeSegName: string, passMode: number) => t.post(`/api/gateway/psgDevice/${SN}/passRule`, { timeSegName, passMode });
/** The controller's gatepassrule row of the segment, as "MonTime1/MonPassMode1". */
const held = () => {
  const row = cc.table('gatepassrule').find((r) => Number(r.PasswayTimeZoneId) === tz);
  return row ? `${row.MonTime1}/${row.MonPassMode1}` : undefined;
};
/** 08:00-12:00 and 09:00-11:00 as the controller stores them (HHMM << 16 + HHMM). */
const morning = String((800 << 16) + 1200);
const shorter = String((900 << 16) + 1100);

/** Runs the reconciler (past the backoff) and polls until the controller holds `want`. */
async function converge(want: string, rounds = 12): Promise<void> {
  for (let i = 0; i < rounds && held() !== want; i++) {
    await reconciler.idle();
    await cc.pollUntilIdle({ maxPolls: 50 });
    if (held() === want) break;
    await pauseBetweenPolls(t, SN, 300, BACKOFF_MS);
    await reconciler.runOnce();
  }
  expect(held()).toBe(want);
}

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000, syncReconcileIntervalMs: 0, logLevel: 'error' } as never);
  reconciler = t.app.get(SyncReconciler);
  cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: SN, gates: 2, ipAddress: '10.9.3.1' });
  await cc.connect();
  await reconciler.idle();
  await cc.pollUntilIdle();
  const seg = await t.post('/api/gateway/timeSegments', { name: 'Gate hours', schedule: { mon: [['08:00', '12:00']] } });
  segId = seg.body.data.id;
  tz = seg.body.data.tzId;
  expect(tz).toBeGreaterThan(0);
});
afterAll(async () => {
  await t?.close();
});

describe('a pass rule is stored and confirmed by the Return code', () => {
  it('is queued with the write, received at the next poll, and confirmed', async () => {
    const res = await post('Gate hours', 2);
    expect(res.body).toEqual({ code: 0, message: 'success', data: null });
    expect(res.headers.get('x-gateway-detail')).toBe(`the command is queued for device ${SN}`);
    // Stored and queued, not yet believed held.
    expect(await rules()).toEqual({ code: 0, message: 'success', data: [{ timeSegName: 'Gate hours', timezoneId: tz, passMode: 2, confirmed: false, confirmedAt: null, failures: 0, lastReturn: null }] });
    const [queued] = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND command LIKE 'DATA UPDATE gatepassrule%'`, [SN]);
    expect(queued.command).toMatch(new RegExp(`^DATA UPDATE gatepassrule PasswayTimeZoneId=${tz}\\tSunTime1=0\\tSunPassMode1=0\\t.*\\tMonTime1=${morning}\\tMonPassMode1=2\\t`));
    await cc.pollUntilIdle();
    expect(held()).toBe(`${morning}/2`);
    expect((await rules()).data).toEqual([{ timeSegName: 'Gate hours', timezoneId: tz, passMode: 2, confirmed: true, confirmedAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), failures: 0, lastReturn: 0 }]);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, unconfirmedItems: 0 });
  });

  it('posting the same segment again replaces the rule (one per controller and segment) and sends it again', async () => {
    const from = cc.received.length;
    expect((await post('Gate hours', 3)).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(cc.received.slice(from).map((r) => r.command.slice(0, 25))).toEqual(['DATA UPDATE gatepassrule ']);
    expect(held()).toBe(`${morning}/3`);
    expect(cc.table('gatepassrule')).toHaveLength(1);
    expect(await t.ds.query(`SELECT pass_mode FROM psg_pass_rule`)).toEqual([{ pass_mode: 3 }]);
    // The same rule again is sent again: an operator posting it asks for it on the controller.
    expect((await post('Gate hours', 3)).headers.get('x-gateway-detail')).toBe(`the command is queued for device ${SN}`);
    await cc.pollUntilIdle();
    expect(cc.received.slice(from)).toHaveLength(2);
    expect((await rules()).data).toMatchObject([{ passMode: 3, confirmed: true }]);
  });

  it('a rule the controller refuses is not believed held, and is retried after the backoff', async () => {
    cc.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'gatepassrule', -12, 1);
    expect((await post('Gate hours', 4)).body.code).toBe(0);
    // The refusal is recorded during this poll, so no earlier than here: its 1 s backoff ends after refusedBy + 1 s.
    const refusedBy = Date.now();
    await cc.pollUntilIdle();
    expect(held()).toBe(`${morning}/3`);
    expect((await rules()).data).toEqual([expect.objectContaining({ passMode: 4, confirmed: false, confirmedAt: null, failures: 1, lastReturn: -12 })]);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: true, failingItems: 1 });
    // Not sent again before the backoff ends (checked only when this round ended inside it for sure: a loaded
    // machine can take longer than the 1 s backoff over the reads above).
    await reconciler.runOnce();
    const resent = await cc.pollUntilIdle();
    if (Date.now() - refusedBy < 1000) expect(resent).toEqual([]);
    await converge(`${morning}/4`);
    expect((await rules()).data).toEqual([expect.objectContaining({ passMode: 4, confirmed: true, failures: 0, lastReturn: 0 })]);
  });

  it('refuses a time segment that does not exist and a device that is no channel controller, storing nothing', async () => {
    expect((await post('nope', 1)).body.code).toBe(-400);
    expect((await t.post('/api/gateway/psgDevice/NOSUCHSN/passRule', { timeSegName: 'Gate hours', passMode: 1 })).body.code).toBe(-404);
    expect((await t.get('/api/gateway/psgDevice/NOSUCHSN/passRules')).body.code).toBe(-404);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM psg_pass_rule`)).toEqual([{ n: 1 }]);
  });
});

describe('the rule follows its time segment', () => {
  it('a changed schedule re-plans the rules that use the segment', async () => {
    expect((await t.put(`/api/gateway/timeSegments/${segId}`, { schedule: { mon: [['09:00', '11:00']] } })).body.code).toBe(0);
    // Confirmed as it was, not as it is now.
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: false }]);
    await cc.pollUntilIdle();
    expect(held()).toBe(`${shorter}/4`);
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: true }]);
  });

  it('a segment a rule uses cannot be deleted, the refusal naming the controller (it named none, as levels once were)', async () => {
    const [{ alias }] = await t.ds.query(`SELECT alias FROM device WHERE sn = $1`, [SN]);
    expect((await t.delete(`/api/gateway/timeSegments/${segId}`)).body).toEqual({ code: -409, message: `The time segment is used by the pass rule of the channel controller "${alias}" (${SN})`, data: null });
    expect((await rules()).data).toHaveLength(1);
  });
});

describe('the controller gets its rules again without a REST call', () => {
  it('after an operator full sync', async () => {
    const from = cc.received.length;
    expect((await t.post(`/api/gateway/devices/${SN}/sync`)).body.code).toBe(0);
    await reconciler.idle();
    await reconciler.runOnce();
    await cc.pollUntilIdle();
    expect(cc.received.slice(from).filter((r) => r.command.startsWith('DATA UPDATE gatepassrule'))).toHaveLength(1);
    expect(held()).toBe(`${shorter}/4`);
  });

  it('after a factory reset (the controller re-registers empty)', async () => {
    await cc.factoryReset();
    expect(cc.table('gatepassrule')).toEqual([]);
    // Its Return code confirmed the rule before the reset: the controller holds none now, and is not said to.
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: false, confirmedAt: null }]);
    await reconciler.idle();
    await cc.poll();
    if (cc.table('gatepassrule').length === 0) expect((await rules()).data).toMatchObject([{ confirmed: false, confirmedAt: null }]);
    await converge(`${shorter}/4`);
    // The controller has no users: its count of pass rules (0 where 1 is confirmed) is what shows the reset.
    const queued: string[] = (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 ORDER BY id`, [SN])).map((r: { command: string }) => r.command);
    expect(queued).toContain('DATA COUNT gatepassrule');
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: true }]);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, unconfirmedItems: 0 });
  });
});

describe('a pass rule the gateway never sent', () => {
  it('is cleared by the full sync its count owes, so the next registration owes none (users and rights are not wiped again)', async () => {
    const ids = () => cc.table('gatepassrule').map((r) => Number(r.PasswayTimeZoneId)).sort((a, b) => a - b);
    expect(ids()).toEqual([tz]);
    // Another server's rule, or one entered at the controller.
    cc.addLocally('gatepassrule', { PasswayTimeZoneId: tz + 7, MonTime1: (700 << 16) + 900, MonPassMode1: 1 });
    const registerAgain = async () => {
      const from = cc.received.length;
      await cc.connect();
      for (let i = 0; i < 3; i++) {
        await reconciler.idle();
        await cc.pollUntilIdle({ maxPolls: 50 });
        await reconciler.runOnce();
      }
      await reconciler.idle();
      await cc.pollUntilIdle({ maxPolls: 50 });
      return cc.received.slice(from).map((r) => r.command);
    };
    const first = await registerAgain();
    expect(first).toContain('DATA COUNT gatepassrule');
    expect(first).toContain('DATA DELETE gatepassrule *');
    expect(ids()).toEqual([tz]);
    expect(held()).toBe(`${shorter}/4`);
    // The controller now counts what it confirmed: registering again owes no full sync.
    const second = await registerAgain();
    expect(second).toContain('DATA COUNT gatepassrule');
    expect(second.filter((c) => c.endsWith(' *'))).toEqual([]);
    expect(ids()).toEqual([tz]);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, owed: [] });
  });
});

describe('a rule changed and changed back (A -> B -> A) while B is in flight or refused', () => {
  const A = () => `${shorter}/4`;
  /**
   * Polls and reconciles until the controller holds A and the rule reads confirmed; at every step the answer never
   * says confirmed while the controller holds anything else.
   */
  async function settleOnA(rounds = 20): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      const [r] = (await rules()).data;
      if (r.confirmed) expect(held()).toBe(A());
      if (r.confirmed && held() === A()) break;
      await reconciler.idle();
      await cc.poll();
      const [after] = (await rules()).data;
      if (after.confirmed) expect(held()).toBe(A());
      await pauseBetweenPolls(t, SN, 250, BACKOFF_MS);
      await reconciler.runOnce();
    }
    expect(held()).toBe(A());
    expect((await rules()).data).toEqual([expect.objectContaining({ passMode: 4, confirmed: true, lastReturn: 0 })]);
    // It stays A: nothing of B is sent after it.
    await retryWaitsEndNow(t, SN, 1200);
    await reconciler.runOnce();
    await reconciler.idle();
    await cc.pollUntilIdle({ maxPolls: 50 });
    expect(held()).toBe(A());
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0 });
  }

  /** B is posted and run by the controller, its result held back. */
  async function bRunResultHeld(): Promise<void> {
    cc.holdResults((c) => c.verb === 'DATA UPDATE' && c.table === 'gatepassrule');
    expect((await post('Gate hours', 5)).body.code).toBe(0);
    await cc.poll();
    expect(held()).toBe(`${shorter}/5`);
  }

  beforeAll(() => {
    settingsOf(t).ackTimeoutMs = 800;
  });

  it("B's reply lost (the controller never got it), then A again", async () => {
    expect(held()).toBe(A());
    expect((await post('Gate hours', 5)).body.code).toBe(0);
    cc.loseNextReply();
    await cc.poll();
    expect(held()).toBe(A());
    expect((await post('Gate hours', 4)).body.code).toBe(0);
    // A is what the controller holds, but B may still reach it: not confirmed yet.
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: false }]);
    await settleOnA();
  });

  it("B run but its result lost, then A again", async () => {
    await bRunResultHeld();
    cc.dropHeldResults();
    cc.stopHoldingResults();
    expect((await post('Gate hours', 4)).body.code).toBe(0);
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: false }]);
    await settleOnA();
  });

  it("B run, its result posted late after A's, then nothing more", async () => {
    await bRunResultHeld();
    cc.stopHoldingResults();
    expect((await post('Gate hours', 4)).body.code).toBe(0);
    for (let i = 0; i < 20 && held() !== A(); i++) {
      await pauseBetweenPolls(t, SN, 250, BACKOFF_MS);
      await cc.poll();
    }
    expect(held()).toBe(A());
    // B's result, late: it must not make B's hash the confirmed one, nor A read unconfirmed for ever.
    await cc.releaseResults();
    await settleOnA();
  });

  it('B refused, then A again before the retry', async () => {
    cc.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'gatepassrule', -12, 1);
    expect((await post('Gate hours', 5)).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(held()).toBe(A());
    expect((await rules()).data).toMatchObject([{ passMode: 5, confirmed: false, lastReturn: -12 }]);
    expect((await post('Gate hours', 4)).body.code).toBe(0);
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: false }]);
    await settleOnA();
  });

  it('A refused after B ran: the controller holds B, so A is not confirmed until it is sent again and held', async () => {
    expect((await post('Gate hours', 5)).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(held()).toBe(`${shorter}/5`);
    cc.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'gatepassrule', -12, 1);
    expect((await post('Gate hours', 4)).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(held()).toBe(`${shorter}/5`);
    expect((await rules()).data).toMatchObject([{ passMode: 4, confirmed: false, lastReturn: -12 }]);
    await settleOnA();
  });
});
