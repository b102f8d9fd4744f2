/**
 * Seeded fault schedules on an elevator controller or a channel controller (seeded-fault-schedules-elevator and
 * -channel.e2e-spec.ts), as seeded-fault-schedules.e2e-spec.ts plays them on an access panel: a fixed seed draws
 * REST writes of the module (a person added, renamed, given another card, disabled and enabled again, deleted; a
 * module level granted and taken with eleLevel/syncPerson and deleteLevel or psgLevel's; a level's floors or gates
 * and its time segment changed by the gateway's level save; a time segment's schedule changed) interleaved with
 * the controller's faults (a getrequest reply lost, the answer to its devicecmd lost so it posts the results again,
 * a connection reset before or after the gateway read the request, a refusal, results held and posted last one
 * first, results never posted, two polls at once, a factory reset with or without registering again, a user or
 * only their floors or gates deleted at its menu, every right cleared there, a stretch unreachable while the writes
 * go on). Once the faults stop, the controller must be said synced and hold what the REST writes
 * that succeeded give it: every person with a level holding one of its floors or gates, by name, card and Disable
 * flag, and nobody else; per person and TimezoneId (the time segment's tzId, read through REST) the floors
 * (`usereleauthorize` AuthorizeFloors, floor 1 = bit 0) or gates (`userauthorize` AuthorizeDoorId, gate 1 = 1,
 * gate 2 = 2) its levels give; and exactly what the same controller factory-reset and synced from scratch holds.
 * Then floor selections or passages uploaded through connection resets and re-sent uploads are each listed once by
 * eleTransaction/list or psgTransaction/device/{sn}. REST gives no read of a person's module levels, so the
 * schedule keeps them from the answers of the writes (a deleted person's memberships go with them, 2.13.2).
 * What the menu lost is found only by the periodic verification's counts (`DATA COUNT usereleauthorize` on an
 * elevator controller), so the settling waits for one begun after the faults. Deterministic: the draws do not depend
 * on the gateway's answers, so a seed names one schedule for good (SCHEDULE_SEEDS=1-40, SCHEDULE_STEPS=n).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';
import { settingsOf } from '../push/push-helpers';
import { ChannelControllerSimulator } from '../simulator/channel';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { DEVICE_FAULTS, playDeviceFault, ResettingNet, scheduleRng as rng, tolerant } from '../support/fault-schedule';
import { startTestApp, type TestApp } from '../support/test-app';
import { claimsSynced, convergenceOf, fromScratch, ok, playPersonEdit, settleConverged, tableSnapshot } from './fault-helpers';

export type ScheduleKind = 'ele' | 'psg';

/** The periodic verification's period: a user deleted at the controller's menu is found by its counts. */
const VERIFY_MS = 1000;

/**
 * `honest`: the schedule also draws writes whose order a lost reply must not undo (a person deleted and added again
 * with another level before the controller polls; a level's points changed then the person taken off it), a
 * level re-sent (syncLevel), and on a channel controller pass rules; and after every step, whatever the faults, what
 * a REST caller reads must be true of the controller as it is then: the convergence answer says synced only while
 * it holds what the writes give (unless its menu lost something no count has seen yet), a person said `synced` on
 * it is held there as the writes give, and a pass rule said `confirmed` is held as stored.
 */
export interface ScheduleOptions {
  honest?: boolean;
}

/** A spec file's schedules of one kind: the `pinned` seeds, or SCHEDULE_SEEDS, on one gateway. */
export function describeModuleSchedules(kind: ScheduleKind, title: string, pinned: string, options: ScheduleOptions = {}): void {
  let t: TestApp;
  let reconciler: SyncReconciler;
  let verifier: SyncVerifier;
  beforeAll(async () => {
    t = await startTestApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0, syncVerifyIntervalMs: VERIFY_MS });
    Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
    reconciler = t.app.get(SyncReconciler);
    verifier = t.app.get(SyncVerifier);
  });
  afterAll(async () => {
    await t?.close();
  });
  describe(title, () => {
    for (const seed of scheduleSeeds(pinned)) {
      it(`seed ${seed}: the controller ends equal to the REST writes and to itself synced from scratch; events neither lost nor doubled`, { timeout: Number(process.env.SCHEDULE_TIMEOUT_MS ?? (options.honest ? 120_000 : 60_000)) }, () =>
        playModuleSchedule(t, reconciler, verifier, kind, seed, options));
    }
  });
}

/** Seeds from the environment (SCHEDULE_SEEDS=1,2,3 or 1-40), else `pinned`. */
function scheduleSeeds(pinned: string): number[] {
  return (process.env.SCHEDULE_SEEDS ?? pinned).split(',').flatMap((s) => {
    const m = /^(\d+)-(\d+)$/.exec(s.trim());
    return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : [Number(s)];
  });
}

const POINTS = 4;
/** The days of a pass rule the channel schedules compare: the segments' periods fall on these. */
const RULE_DAYS = ['mon', 'tue', 'sat'] as const;
const hhmm = (s: string) => Number(s.replace(':', ''));

async function playModuleSchedule(t: TestApp, reconciler: SyncReconciler, verifier: SyncVerifier, kind: ScheduleKind, seed: number, { honest = false }: ScheduleOptions): Promise<void> {
  // Honest schedules read every answer after each step: fewer steps keep a file within its minute.
  const STEPS = Number(process.env.SCHEDULE_STEPS ?? (honest ? 12 : 25));
  const r = rng(seed);
  const tag = `${kind === 'ele' ? 7 : 8}${honest ? 5 : ''}${String(seed).padStart(2, '0').slice(-2)}`;
  const ip = `10.${kind === 'ele' ? 94 : 95}.${(seed + (honest ? 100 : 0)) % 250}.1`;
  const sn = `SFS${kind.toUpperCase()}${tag}`;
  const net = new ResettingNet();
  const opts = { baseUrl: t.baseUrl, sn, ipAddress: ip, retryResults: true, fetch: net.fetch };
  const sim: DeviceSimulator = kind === 'ele' ? new ElevatorControllerSimulator({ ...opts, floors: POINTS }) : new ChannelControllerSimulator({ ...opts, gates: POINTS });
  await sim.connect();
  await settleConverged(t, reconciler, sim, 20);

  // The controller's points (floors, or gates) by number, read through REST.
  const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
  const pointIds = new Map<number, string>();
  if (kind === 'ele') {
    for (const f of (await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 })).body.data as Array<{ id: string; floorNo: number; deviceId: string }>) {
      if (f.deviceId === deviceId) pointIds.set(f.floorNo, f.id);
    }
  } else {
    for (const g of (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 1000 })).body.data as Array<{ id: string; name: string; deviceId: string }>) {
      if (g.deviceId === deviceId) pointIds.set(Number(g.name.slice(ip.length + 1)), g.id);
    }
  }
  expect([...pointIds.keys()].sort()).toEqual([1, 2, 3, 4]);

  const ts = `MSched${kind}${seed}`;
  await ok(t.post('/api/gateway/timeSegments', { name: ts, schedule: { mon: [['08:00', '12:00']], sat: [['20:00', '23:59']] } }));
  const segments = ((await t.get('/api/gateway/timeSegments')).body.data as Array<{ id: string; name: string; tzId: number }>);
  const tzOf = (name: string) => segments.find((s) => s.name === name)!.tzId;
  const tsId = segments.find((s) => s.name === ts)!.id;
  const ALWAYS = '24-Hour Accessible';

  // The levels as the schedule's writes left them: name → points and time segment.
  interface Level { id: string; points: number[]; seg: string }
  const levels: Level[] = [];
  const saveLevel = async (i: number, points: number[], seg: string) => {
    const res = await t.post(`/api/gateway/${kind}Level/save`, { name: `MS${kind}${seed}-${i}`, timeSegName: seg, pointIds: points.map((n) => pointIds.get(n)!) });
    expect(res.body.code, res.body.message).toBe(0);
    levels[i] = { id: res.body.data.id, points: [...points].sort(), seg };
  };
  await saveLevel(0, [1], ALWAYS);
  await saveLevel(1, [2, 3], ts);
  await saveLevel(2, [3, 4], ALWAYS);

  const pins = [1, 2, 3, 4].map((i) => `${tag}${i}`);
  const RIGHTS = kind === 'ele' ? 'usereleauthorize' : 'userauthorize';
  /** pin → indexes of its levels, as the writes that succeeded left them. */
  const member = new Map<string, Set<number>>();
  /** Channel controller: time segment name → passing mode of its pass rule, as the writes left them. */
  const passRules = new Map<string, number>();
  const log: string[] = [];
  type Person = { name: string; cardNo: string | null; isDisabled: boolean } | null;
  const person = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body.data as Person;

  const write = async (): Promise<void> => {
    const pin = r.pick(pins);
    const menu = ['add', 'add', 'rename', 'card', 'disable', 'enable', 'delete', 'grant', 'grant', 'revoke', 'points', 'tsEdit'] as const;
    const more = kind === 'psg' ? (['swap', 'pointsRevoke', 'resync', 'passRule', 'passRule'] as const) : (['swap', 'pointsRevoke', 'resync'] as const);
    const what = r.pick(honest ? [...menu, ...more] : menu);
    log.push(`${what} ${pin}`);
    const p = await person(pin);
    const base = p ? { pin, name: p.name, cardNo: p.cardNo ?? undefined, isDisabled: p.isDisabled } : { pin, name: `N${pin}` };
    const grant = async (i: number) => {
      await ok(t.post(`/api/${kind}Level/syncPerson`, undefined, { pin, levelIds: levels[i].id }));
      (member.get(pin) ?? member.set(pin, new Set()).get(pin)!).add(i);
    };
    switch (what) {
      case 'add':
        await ok(t.post('/api/person/add', base));
        return grant(r.int(levels.length));
      case 'rename':
      case 'card':
      case 'disable':
      case 'enable':
        return playPersonEdit(t, what, base, r, tag, log);
      case 'delete': {
        const res = await t.delete(`/api/person/delete/${pin}`);
        expect([0, -22]).toContain(res.body.code);
        member.delete(pin);
        return;
      }
      case 'grant':
        if (!p) await ok(t.post('/api/person/add', base));
        return grant(r.int(levels.length));
      case 'revoke': {
        const i = r.int(levels.length);
        const res = await t.post(`/api/${kind}Level/deleteLevel`, undefined, { pin, levelIds: levels[i].id });
        expect([0, -22], JSON.stringify(res.body)).toContain(res.body.code);
        if (res.body.code === 0) member.get(pin)?.delete(i);
        return;
      }
      case 'points': {
        const i = r.int(levels.length);
        const points = [1, 2, 3, 4].filter(() => r.chance(0.5));
        if (points.length === 0) points.push(1 + r.int(POINTS));
        const seg = r.chance(0.5) ? ts : ALWAYS;
        log.push(`  level ${i}: ${points.join(',')} ${seg}`);
        return saveLevel(i, points, seg);
      }
      case 'tsEdit':
        return ok(t.put(`/api/gateway/timeSegments/${tsId}`, { schedule: { tue: [[`0${1 + r.int(8)}:00`, '18:00']], sat: r.chance(0.5) ? [['20:00', '23:59']] : [] } }));
      case 'swap': {
        // Deleted and added again with another level before the controller polls: the delete must not land last.
        expect([0, -22]).toContain((await t.delete(`/api/person/delete/${pin}`)).body.code);
        member.delete(pin);
        await ok(t.post('/api/person/add', { pin, name: `S${r.int(100)}` }));
        return grant(r.int(levels.length));
      }
      case 'pointsRevoke': {
        // A level's points changed, then the person taken off it: the change must not grant them again.
        const i = r.int(levels.length);
        await saveLevel(i, [1 + r.int(POINTS)], levels[i].seg);
        const res = await t.post(`/api/${kind}Level/deleteLevel`, undefined, { pin, levelIds: levels[i].id });
        expect([0, -22], JSON.stringify(res.body)).toContain(res.body.code);
        if (res.body.code === 0) member.get(pin)?.delete(i);
        return;
      }
      case 'resync': {
        // A level nobody holds is the manual's -25 "No person under the access level": nothing to re-send.
        const i = r.int(levels.length);
        const res = await t.post(`/api/${kind}Level/syncLevel`, undefined, { levelId: levels[i].id });
        const held = [...member.values()].some((s) => s.has(i));
        expect(res.body.code, JSON.stringify(res.body)).toBe(held ? 0 : -25);
        return;
      }
      case 'passRule': {
        const seg = r.chance(0.5) ? ts : ALWAYS;
        const passMode = 1 + r.int(3);
        await ok(t.post(`/api/gateway/psgDevice/${sn}/passRule`, { timeSegName: seg, passMode }));
        passRules.set(seg, passMode);
        return;
      }
    }
  };

  const fault = async (): Promise<void> => {
    const what = r.pick([...DEVICE_FAULTS, 'forgetRights', 'clearRights', 'offline', 'none', 'none'] as const);
    log.push(`  fault ${what}`);
    if (process.env.SCHEDULE_NO_FAULT?.split(',').includes(what)) return;
    if (['forgetRights', 'clearRights', 'forget', 'wipe'].includes(what)) tamperedAt ??= sim.received.length;
    switch (what) {
      case 'forgetRights':
        // A person's floors or gates taken at the menu, the user kept.
        sim.deleteLocally(RIGHTS, { Pin: r.pick(pins) });
        break;
      case 'clearRights':
        sim.deleteLocally(RIGHTS);
        break;
      case 'offline':
        // Unreachable while integrators write on.
        for (let i = 1 + r.int(3); i > 0; i--) await write();
        break;
      case 'none':
        break;
      default:
        await playDeviceFault(what, sim, net, r, pins);
    }
  };

  /** What the writes give the controller: pin → `name card disabled`, and pin → sorted `tz:points` rights. */
  const wanted = async () => {
    const users: Record<string, string> = {};
    const rights: Record<string, string[]> = {};
    for (const pin of pins) {
      const p = await person(pin);
      const mine = [...(member.get(pin) ?? [])].map((i) => levels[i]);
      if (!p || mine.length === 0) continue;
      users[pin] = `${p.name} card=${p.cardNo ?? ''} disabled=${p.isDisabled ? 1 : 0}`;
      const byTz = new Map<number, Set<number>>();
      for (const l of mine) for (const n of l.points) (byTz.get(tzOf(l.seg)) ?? byTz.set(tzOf(l.seg), new Set()).get(tzOf(l.seg))!).add(n);
      rights[pin] = [...byTz].map(([tz, pts]) => `${tz}:${kind === 'ele' ? [...pts].sort().join('.') : [...pts].reduce((m, n) => m | (1 << (n - 1)), 0)}`).sort();
    }
    if (!honest || kind !== 'psg') return { users, rights };
    // Pass rules: tz → the Mon, Tue and Sat first periods with their passing mode, from the segments as stored now.
    const now = (await t.get('/api/gateway/timeSegments')).body.data as Array<{ name: string; tzId: number; schedule: Record<string, string[][]> }>;
    const rules: Record<string, string> = {};
    for (const [seg, mode] of passRules) {
      const { tzId, schedule } = now.find((x) => x.name === seg)!;
      rules[tzId] = RULE_DAYS.map((d) => {
        const first = schedule[d]?.[0];
        return first ? `${(hhmm(first[0]) << 16) + hhmm(first[1])}/${mode}` : '0/0';
      }).join(' ');
    }
    return { users, rights, rules };
  };
  const held = () => {
    const users: Record<string, string> = {};
    const rights: Record<string, string[]> = {};
    for (const u of sim.table('user')) {
      if (pins.includes(String(u.Pin))) users[String(u.Pin)] = `${u.Name} card=${u.CardNo ?? ''} disabled=${u.Disable ?? 0}`;
    }
    if (kind === 'ele') {
      const ec = sim as ElevatorControllerSimulator;
      for (const pin of new Set(sim.table('usereleauthorize').map((x) => String(x.Pin)))) rights[pin] = ec.eleRightsOf(pin).map((x) => `${x.timezone}:${x.floors.join('.')}`).sort();
    } else {
      for (const x of sim.table('userauthorize')) (rights[String(x.Pin)] ??= []).push(`${x.AuthorizeTimezoneId}:${x.AuthorizeDoorId}`);
      for (const k of Object.keys(rights)) rights[k].sort();
    }
    if (!honest || kind !== 'psg') return { users, rights };
    const rules: Record<string, string> = {};
    for (const x of sim.table('gatepassrule')) {
      const days = ['Mon', 'Tue', 'Sat'].map((d) => `${x[`${d}Time1`] ?? 0}/${x[`${d}PassMode1`] ?? 0}`);
      rules[String(x.PasswayTimeZoneId)] = days.join(' ');
    }
    return { users, rights, rules };
  };
  type Held = ReturnType<typeof held>;

  /**
   * What a REST caller reads now is true of the controller now. `tamperedAt`: the index in sim.received when its
   * menu last lost something, until a verification counted it after that (the gateway cannot know before).
   */
  let tamperedAt: number | undefined;
  /** Steps whose synced claim was compared with the controller: a schedule that never compared proved nothing. */
  let compared = 0;
  const countedSinceTamper = () => {
    if (tamperedAt === undefined) return;
    const counts = sim.received.slice(tamperedAt).filter((c) => c.command.startsWith('DATA COUNT') && c.result !== undefined).map((c) => c.command);
    if (counts.some((c) => c.includes('user ') || c.endsWith('user')) && counts.some((c) => c.includes(RIGHTS))) tamperedAt = undefined;
  };
  /**
   * `said`: the claim as read before (the quiet step): the controller changes only when the schedule polls it, and
   * the REST state only when it writes, so a claim read just before still speaks of both as they are.
   */
  const honesty = async (when: string, said?: Awaited<ReturnType<typeof convergenceOf>>) => {
    countedSinceTamper();
    const now: Held = held();
    const want = await wanted();
    const claim = said ?? (await convergenceOf(t, sn));
    if (tamperedAt === undefined && claimsSynced(claim) && sim.pendingAcks.length === 0) {
      compared++;
      expect({ users: now.users, rights: now.rights }, `${when}: ${sn} said synced: ${JSON.stringify(claim)}`).toEqual({ users: want.users, rights: want.rights });
    }
    for (const pin of pins) {
      const states = ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data ?? []) as Array<{ deviceSn: string; state: string }>;
      if (states.find((x) => x.deviceSn === sn)?.state !== 'synced' || tamperedAt !== undefined) continue;
      expect({ user: now.users[pin], rights: now.rights[pin] }, `${when}: ${pin} said synced on ${sn}`).toEqual({ user: want.users[pin], rights: want.rights[pin] });
    }
    if (kind !== 'psg') return;
    const segs = (await t.get('/api/gateway/timeSegments')).body.data as Array<{ name: string; tzId: number }>;
    for (const rule of (await t.get(`/api/gateway/psgDevice/${sn}/passRules`)).body.data as Array<{ timezoneId: number; confirmed: boolean }>) {
      if (!rule.confirmed || tamperedAt !== undefined) continue;
      const tz = String(rule.timezoneId);
      expect(now.rules?.[tz], `${when}: pass rule of tz ${tz} said confirmed (${segs.find((x) => x.tzId === rule.timezoneId)?.name})`).toBe(want.rules?.[tz]);
    }
  };
  const TABLES = ['user', RIGHTS, 'timezone', ...(honest && kind === 'psg' ? ['gatepassrule'] : [])];

  try {
    for (let step = 0; step < STEPS; step++) {
      await write();
      if (r.chance(0.4)) await write();
      await fault();
      await reconciler.idle();
      await tolerant(sim.poll());
      if (r.chance(0.5)) await tolerant(sim.poll());
      if (honest) await honesty(`step ${step}`);
    }
    if (honest) {
      // A last step with no new write or fault: the controller polls (what faults are still armed play out) until
      // the gateway says it synced, and that claim is compared. Whether a drawn step ends synced depends on timing
      // (a lost reply's resend, a retry's wait); this one does not, so every seed compares at least one claim.
      const before = compared;
      const quietFrom = Date.now();
      for (const end = Date.now() + 60_000; compared === before && Date.now() < end; ) {
        // What its menu lost is known only once counted: the verification is asked now, not at its next tick.
        if (tamperedAt !== undefined) await verifier.tick();
        await tolerant(settleConverged(t, reconciler, sim, 1));
        countedSinceTamper();
        // The claim read at once: a periodic verification's counts queued while the comparison reads the REST
        // state would make it `pending` again, and a loaded machine would never compare.
        const claim = await convergenceOf(t, sn);
        if (tamperedAt === undefined && sim.pendingAcks.length === 0 && claimsSynced(claim)) await honesty('quiet step', claim);
        if (compared === before) await new Promise((res) => setTimeout(res, 100));
      }
      if (process.env.SCHEDULE_TRACE) console.log(`${kind} seed ${seed}: ${compared} synced claims compared, the quiet step in ${Date.now() - quietFrom} ms`);
      expect(compared - before, 'the quiet step compared the synced claim').toBe(1);
    }
    // The faults stop.
    net.clear();
    sim.clearFaults();
    sim.loseNoMoreReplies();
    // Settled once the controller was counted by a periodic verification begun after the faults (what its menu
    // lost is found only so) and it is said synced with nothing held back.
    const stopped = sim.received.length;
    const counted = () => sim.received.slice(stopped).some((c) => c.command.startsWith('DATA COUNT') && c.result !== undefined);
    for (let i = 0; i < 60 && !counted(); i++) {
      await settleConverged(t, reconciler, sim, 1);
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(counted(), 'a periodic verification counted the controller').toBe(true);
    let claim = await convergenceOf(t, sn);
    for (let i = 0; i < 5 && !(claimsSynced(claim) && sim.pendingAcks.length === 0); i++) {
      await settleConverged(t, reconciler, sim, 30);
      claim = await convergenceOf(t, sn);
    }
    expect(claimsSynced(claim), JSON.stringify(claim)).toBe(true);
    // Independent of the planner: what the writes that succeeded give this controller.
    expect(held()).toEqual(await wanted());
    if (process.env.SCHEDULE_TRACE) console.log(`${kind} seed ${seed} holds`, JSON.stringify(held()));
    const snap = tableSnapshot(sim, TABLES);
    expect(await fromScratch(t, reconciler, sim, TABLES)).toEqual(snap);

    // Events: uploads through resets (the gateway stored the upload, the controller saw a reset and posts it
    // again; or the reset came first) and an upload posted twice are each listed once.
    type Item = { id: string; eventTime: string; pin: string; devSn?: string };
    const list = async (): Promise<Item[]> =>
      kind === 'ele'
        ? ((await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 1000 })).body.data as Item[]).filter((e) => e.devSn === sn)
        : ((await t.get(`/api/psgTransaction/device/${sn}`, { pageNo: 1, pageSize: 1000 })).body.data as Item[]);
    const before = new Set((await list()).map((e) => e.id));
    const made = 6;
    for (let i = 0; i < made; i++) {
      const mode = r.pick(['plain', 'resetAfter', 'resetBefore', 'twice'] as const);
      log.push(`event ${i} ${mode}`);
      if (mode === 'resetAfter' || mode === 'resetBefore') net.next('table=rtlog', mode === 'resetAfter' ? 'after' : 'before');
      const at = new Date(Date.UTC(2027, 2, 1, 9, i));
      const pin = r.pick(pins);
      const point = 1 + r.int(POINTS);
      if (kind === 'ele') await tolerant((sim as ElevatorControllerSimulator).selectFloor({ pin, floor: point, time: at }));
      else await tolerant(sim.access({ pin, door: point, inoutstatus: r.int(2), time: at }));
      if (mode === 'resetAfter' || mode === 'resetBefore') {
        // The controller keeps the event it could not confirm and posts the same line again.
        const last = sim.exchanges.filter((e) => e.path === '/iclock/cdata' && e.method === 'POST' && e.query.includes('table=rtlog')).at(-1)!;
        expect((await sim.uploadRaw('/iclock/cdata', last.query, last.requestBody ?? '')).status).toBe(200);
      }
      if (mode === 'twice') expect((await sim.uploadAgain()).status).toBe(200);
    }
    const fresh = (await list()).filter((e) => !before.has(e.id));
    expect(fresh.length, JSON.stringify(fresh.map((e) => [e.eventTime, e.pin]))).toBe(made);
    expect(new Set(fresh.map((e) => e.eventTime)).size).toBe(made);
  } catch (e) {
    if (e instanceof Error) e.message = `${e.message}\nschedule of ${kind} seed ${seed}:\n${log.join('\n')}`;
    if (process.env.SCHEDULE_TRACE) console.log(sim.received.map((c) => `${[c.line, ...c.continuation].map((l) => l.replace(/(Sun|Mon|Tue|Wed|Thu|Fri|Sat|Hol)Time.*/, '')).join(' // ')} -> ${c.result}`).join('\n'));
    throw e;
  }
}
