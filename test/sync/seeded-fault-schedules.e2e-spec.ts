/**
 * Seeded fault schedules on an access panel, as an outside black-box suite plays them: a fixed seed draws a
 * sequence of REST writes (person added, renamed, given another card, disabled and enabled again, deleted; levels
 * given and taken; a level switched to another time segment; a time segment's schedule changed; a level gaining a
 * door) interleaved with the panel's faults (a getrequest reply lost, the answer to its devicecmd lost so it posts
 * the results again, a connection reset before or after the gateway read the request, a refusal, results held and
 * posted last one first, results never posted at all, two polls at once, a factory reset with or without
 * registering again, a user deleted at its menu). Once the faults stop, the panel must be said synced, hold what the
 * database gives read through REST (every person with a right there, by name, card and Disable flag, and nobody
 * else), and hold exactly what the same panel factory-reset and synced from scratch holds. Then access events
 * uploaded through connection resets and re-sent uploads are each in the REST transaction list exactly once.
 * Deterministic: each seed always draws the same schedule (SCHEDULE_SEEDS=1,2,3 and SCHEDULE_STEPS=n run others).
 * NUMERIC_SEEDS play the same on a panel keeping numeric PINs (StringPinFunOn=0) with pins written with a leading
 * zero: it holds, deletes at its menu and reports person 0071 as user 71.
 * A user deleted at the menu is found only by the periodic verification's counts, so the settling waits for one
 * begun after the faults (seeds 5 and 15: without it the panel kept lacking a user, or a user's rights, while said
 * synced; the gateway has no other way to learn of it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { DEVICE_FAULTS, playDeviceFault, ResettingNet, scheduleRng as rng, tolerant } from '../support/fault-schedule';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf, fromScratch, ok, personBase, playPersonWrite, settleConverged, tableSnapshot } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

const TABLES = ['user', 'userauthorize', 'timezone'];
const SEEDS = (process.env.SCHEDULE_SEEDS ?? '5,15').split(',').map(Number);
const NUMERIC_SEEDS = (process.env.NUMERIC_SEEDS ?? '7').split(',').filter(Boolean).map(Number);
const STEPS = Number(process.env.SCHEDULE_STEPS ?? 20);
/** A user's Pin as a numeric-PIN panel keeps it. */
const asKept = (pin: string, numeric: boolean) => (numeric ? pin.replace(/^0+(?=[0-9])/, '') : pin);

/** The periodic verification's period here: a user or right deleted at the panel's menu is found by its count. */
const VERIFY_MS = 1000;

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0, syncVerifyIntervalMs: VERIFY_MS });
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

/** What the database gives the panel, read through REST: pin -> `name card disabled`, for everyone with a level holding one of its doors. */
async function wantedUsers(pins: readonly string[], levelsHere: ReadonlySet<string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const pin of pins) {
    const p = (await t.get('/api/v2/person/get', { pin })).body.data as { name: string; cardNo: string | null; accLevelIds: string; isDisabled: boolean } | null;
    if (!p) continue;
    if (!p.accLevelIds.split(',').some((id) => levelsHere.has(id))) continue;
    out[pin] = `${p.name} card=${p.cardNo ?? ''} disabled=${p.isDisabled ? 1 : 0}`;
  }
  return out;
}

function heldUsers(d: Device, pins: readonly string[], numeric: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const u of d.sim.table('user')) {
    const pin = pins.find((p) => asKept(p, numeric) === String(u.Pin));
    if (pin === undefined) continue;
    out[pin] = `${u.Name} card=${u.CardNo ?? ''} disabled=${u.Disable ?? 0}`;
  }
  return out;
}

describe('seeded fault schedules on an access panel', () => {
  for (const [seed, numeric] of [...SEEDS.map((s) => [s, false] as const), ...NUMERIC_SEEDS.map((s) => [s, true] as const)]) {
    it(`seed ${seed}${numeric ? ', numeric PINs' : ''}: the panel ends equal to the database and to itself synced from scratch; events neither lost nor doubled`, { timeout: 60_000 }, async () => {
      const r = rng(seed);
      const tag = String(seed).padStart(3, '0').slice(-3);
      const ip = `10.93.${seed % 250}.${numeric ? 2 : 1}`;
      const sn = `SF${numeric ? 'N' : 'S'}${tag}0001`;
      const net = new ResettingNet();
      const d = await Device.connect(t, sn, 2, ip, { retryResults: true, fetch: net.fetch, ...(numeric ? { registryExtras: { StringPinFunOn: 0 } } : {}) });
      const ts = `Sched${seed}`;
      await ok(t.post('/api/gateway/timeSegments', { name: ts, schedule: { mon: [['08:00', '12:00']], sat: [['20:00', '23:59']] } }));
      const [la, lb] = [`SFA${seed}`, `SFB${seed}`];
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: la }, { name: lb, timeSegName: ts }] }));
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: la, doorName: `${ip}-1` }, { levelName: lb, doorName: `${ip}-2` }] }));
      const levels = [await levelId(t, la), await levelId(t, lb)];
      const tsId = ((await t.get('/api/gateway/timeSegments')).body.data as Array<{ id: string; name: string }>).find((x) => x.name === ts)!.id;
      const pins = [1, 2, 3, 4].map((i) => `${numeric ? '0' : ''}${tag}${i}`);
      const log: string[] = [];
      let lbHasDoor1 = false;

      const write = async (): Promise<void> => {
        const pin = r.pick(pins);
        const kind = r.pick(['add', 'add', 'rename', 'card', 'disable', 'enable', 'delete', 'grant', 'revoke', 'tsSwitch', 'tsEdit', 'door'] as const);
        log.push(`${kind} ${pin}`);
        const read = await personBase(t, pin, levels, r);
        switch (kind) {
          case 'tsSwitch':
            return ok(t.put(`/api/accLevel/update/${levels[0]}`, { timeSegName: r.chance(0.5) ? ts : '24-Hour Accessible' }));
          case 'tsEdit':
            return ok(t.put(`/api/gateway/timeSegments/${tsId}`, { schedule: { tue: [[`0${1 + r.int(8)}:00`, '18:00']], sat: r.chance(0.5) ? [['20:00', '23:59']] : [] } }));
          case 'door':
            if (lbHasDoor1) return;
            lbHasDoor1 = true;
            return ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: lb, doorName: `${ip}-1` }] }));
          default:
            return playPersonWrite(t, kind, read, levels, r, tag, log);
        }
      };

      const fault = async (): Promise<void> => {
        const kind = r.pick([...DEVICE_FAULTS, 'none', 'none'] as const);
        log.push(`  fault ${kind}`);
        if (process.env.SCHEDULE_NO_FAULT?.split(',').includes(kind)) return;
        if (kind !== 'none') await playDeviceFault(kind, d.sim, net, r, pins);
      };

      try {
        for (let step = 0; step < STEPS; step++) {
          await write();
          if (r.chance(0.4)) await write();
          await fault();
          await reconciler.idle();
          await tolerant(d.sim.poll());
          if (r.chance(0.5)) await tolerant(d.sim.poll());
        }
        // The faults stop.
        net.clear();
        d.sim.clearFaults();
        d.sim.loseNoMoreReplies();
        // Settled once the panel was counted by a periodic verification begun after the faults (what its menu lost
        // is found only so) and it is said synced with nothing held back.
        const stopped = d.sim.received.length;
        const counted = () => d.sim.received.slice(stopped).some((c) => c.command === 'DATA COUNT userauthorize' && c.result !== undefined);
        for (let i = 0; i < 60 && !counted(); i++) {
          await settleConverged(t, reconciler, d.sim, 1);
          await new Promise((res) => setTimeout(res, 100));
        }
        expect(counted(), 'a periodic verification counted the panel').toBe(true);
        // The verification keeps asking every VERIFY_MS: a count on its way makes the panel pending for a moment.
        let claim = await convergenceOf(t, sn);
        for (let i = 0; i < 5 && !(claimsSynced(claim) && d.sim.pendingAcks.length === 0); i++) {
          await settleConverged(t, reconciler, d.sim, 30);
          claim = await convergenceOf(t, sn);
        }
        expect(claimsSynced(claim), JSON.stringify(claim)).toBe(true);
        // Independent of the planner: everyone REST says has a right on this panel, by name, card and Disable flag.
        const here = new Set(levels);
        expect(heldUsers(d, pins, numeric)).toEqual(await wantedUsers(pins, here));
        const held = tableSnapshot(d.sim, TABLES);
        expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);

        // Events: uploads through resets (the gateway stored the upload, the panel saw a reset and posts it again;
        // or the reset came first) and an upload posted twice end in the transaction list once each.
        const list = async () => ((await t.get('/api/transaction/list', { pageNo: 1, pageSize: 1000, deviceSn: sn })).body.data ?? []) as Array<{ id: string; eventTime: string; pin: string }>;
        const before = new Set((await list()).map((e) => e.id));
        const made = 6;
        for (let i = 0; i < made; i++) {
          const mode = r.pick(['plain', 'resetAfter', 'resetBefore', 'twice'] as const);
          log.push(`event ${i} ${mode}`);
          if (mode === 'resetAfter' || mode === 'resetBefore') net.next('table=rtlog', mode === 'resetAfter' ? 'after' : 'before');
          const at = new Date(Date.UTC(2027, 2, 1, 9, i));
          await tolerant(d.sim.access({ pin: r.pick(pins), door: 1 + r.int(2), time: at }));
          if (mode === 'resetAfter' || mode === 'resetBefore') {
            // The panel keeps the event it could not confirm and posts the same line again.
            const last = d.sim.exchanges.filter((e) => e.path === '/iclock/cdata' && e.method === 'POST').at(-1)!;
            expect((await d.sim.uploadRaw('/iclock/cdata', last.query, last.requestBody ?? '')).status).toBe(200);
          }
          if (mode === 'twice') expect((await d.sim.uploadAgain()).status).toBe(200);
        }
        const fresh = (await list()).filter((e) => !before.has(e.id));
        expect(fresh.length, JSON.stringify(fresh.map((e) => [e.eventTime, e.pin]))).toBe(made);
        expect(new Set(fresh.map((e) => e.eventTime)).size).toBe(made);
      } catch (e) {
        if (e instanceof Error) e.message = `${e.message}\nschedule of seed ${seed}:\n${log.join('\n')}`;
        if (process.env.SCHEDULE_TRACE) console.log(d.sim.received.map((c) => `${[c.line, ...c.continuation].map((l) => l.replace(/(Sun|Mon|Tue|Wed|Thu|Fri|Sat|Hol)Time.*/, '')).join(' // ')} -> ${c.result}`).join('\n'));
        throw e;
      }
    });
  }
});
