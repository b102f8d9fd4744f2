/**
 * Seeded fault schedules aimed at the periodic pin check (SyncVerifier, SYNC_VERIFY_PINS_INTERVAL_MS): in each
 * round a user is swapped at the panel's menu (one of the database's users deleted there, a stranger with a right
 * added), which leaves every count as it was, and the pin check is due. Its `DATA QUERY tablename=user` (answered
 * in several querydata packets: two records each) then meets one fault a black-box suite plays on it: the reply
 * carrying it lost, a packet cut short on its way (the Return says more records than came), a packet lost for good,
 * the query refused (a negative Return), the connection reset between its packets or at its result, the panel
 * rebooting while it is queued, a user added or deleted at the menu while the query is in flight (its result held),
 * or none; REST writes go on between rounds. Once the faults stop, the gateway is left to its own timers (the pin
 * period of a minute is not over): the panel must end said synced and holding exactly what the database gives,
 * no stranger left, no user of the database missing, and equal itself synced from scratch. Deterministic per seed
 * (PINS_SEEDS=1,2 and PINS_ROUNDS=n run others; PINS_REPORT=1 prints each schedule, SCHEDULE_TRACE=1 the exchanges).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';
import { settingsOf } from '../push/push-helpers';
import { ResettingNet, scheduleRng as rng, tolerant } from '../support/fault-schedule';
import { startTestApp, type TestApp } from '../support/test-app';
import type { FetchLike } from '../simulator/http';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { Device, levelId } from './access-helpers';
import { pauseBetweenPolls } from './retry-waits';
import { claimsSynced, convergenceOf, fromScratch, heldUsers, ok, personBase, playPersonWrite, settleConverged, tableSnapshot, wantedUsers } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let verifier: SyncVerifier;

const TABLES = ['user', 'userauthorize'];
const SEEDS = (process.env.PINS_SEEDS ?? '2,3').split(',').filter(Boolean).map(Number);
const ROUNDS = Number(process.env.PINS_ROUNDS ?? 4);
/** The longest retry backoff and refusal probe of this file's gateway (400 ms below), and a margin. */
const BACKOFF_MS = 500;

/** The faults aimed at the pin query. */
const QUERY_FAULTS = ['lost', 'cut', 'packetLost', 'refused', 'resetBetween', 'resetResult', 'reboot', 'menuDuring', 'none'] as const;
type QueryFault = (typeof QUERY_FAULTS)[number];

beforeAll(async () => {
  // No timers: the test asks the verifier (askDue) as its timer would; the pin period is a minute, never over here.
  t = await startTestApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0, syncVerifyIntervalMs: 0, syncVerifyPinsIntervalMs: 60_000 });
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
  reconciler = t.app.get(SyncReconciler);
  verifier = t.app.get(SyncVerifier);
});
afterAll(async () => {
  await t?.close();
});

const isUserQuery = (c: { verb: string | null; table?: string }) => c.verb === 'DATA QUERY' && c.table === 'user';

/**
 * A querydata packet of the user table cut on its way: the next one whose URL holds `match` reaches the gateway with
 * its first record only (`cut`), or not at all while the panel believes it sent (`lose`). The panel carries on.
 */
class QueryPackets {
  private plan: Array<{ match: string; how: 'cut' | 'lose' }> = [];
  next(match: string, how: 'cut' | 'lose'): void {
    this.plan.push({ match, how });
  }
  clear(): void {
    this.plan = [];
  }
  wrap(inner: FetchLike): FetchLike {
    return async (url, init) => {
      const i = url.includes('/iclock/querydata') && url.includes('type=tabledata') && url.includes('tablename=user') ? this.plan.findIndex((p) => url.includes(p.match)) : -1;
      if (i < 0) return inner(url, init);
      const { how } = this.plan.splice(i, 1)[0];
      if (how === 'lose') return { status: 200, headers: { forEach: () => undefined }, text: async () => 'OK' };
      const lines = Buffer.from(init?.body ?? []).toString().split('\n');
      return inner(url, { ...init, body: Buffer.from(lines.slice(0, 1).join('\n')) });
    };
  }
}

describe('seeded fault schedules aimed at the periodic pin check (DATA QUERY tablename=user)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: users swapped at the menu are found through a faulted pin query; the panel ends equal to the database`, { timeout: 60_000 }, async () => {
      const r = rng(seed);
      const tag = String(seed).padStart(3, '0').slice(-3);
      const ip = `10.95.${seed % 250}.1`;
      const sn = `SFP${tag}0001`;
      const net = new ResettingNet();
      const packets = new QueryPackets();
      const d = await Device.connect(t, sn, 2, ip, { retryResults: true, queryPackSize: 2, fetch: packets.wrap(net.fetch) });
      const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
      const [la, lb] = [`SPA${seed}`, `SPB${seed}`];
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: la }, { name: lb }] }));
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: la, doorName: `${ip}-1` }, { levelName: lb, doorName: `${ip}-2` }] }));
      const levels = [await levelId(t, la), await levelId(t, lb)];
      const pins = [1, 2, 3, 4, 5, 6].map((i) => `${tag}${i}`);
      for (const pin of pins.slice(0, 5)) await ok(t.post('/api/person/add', { pin, name: `N${pin}`, accLevelIds: r.pick([levels[0], levels[1], levels.join(',')]) }));
      await settleConverged(t, reconciler, d.sim, 10);
      const online = () => t.ds.query(`UPDATE device SET last_seen_at = now() WHERE id = $1`, [id]);
      // A first verification starts the pin period.
      await online();
      await verifier.askDue();
      await settleConverged(t, reconciler, d.sim, 10);
      const log: string[] = [];
      const strangers: string[] = [];
      const stranger = () => {
        const pin = `7${tag}${strangers.length}`;
        strangers.push(pin);
        d.sim.addLocally('user', { Pin: pin, Name: `Stranger${pin}`, CardNo: '', Password: '', Group: 0, StartTime: 0, EndTime: 0, Privilege: 0 });
        d.sim.addLocally('userauthorize', { Pin: pin, AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 + r.int(2) });
        return pin;
      };
      const ours = () => d.sim.table('user').map((u) => String(u.Pin)).filter((p) => pins.includes(p));
      const queriesAnswered = () => d.sim.received.filter((c) => isUserQuery(c.parsed) && c.result !== undefined && c.result >= 0).length;

      const playFault = async (what: QueryFault): Promise<void> => {
        switch (what) {
          case 'lost':
            return d.sim.loseNextReply();
          case 'cut':
            return packets.next(r.chance(0.5) ? 'packidx=1' : 'packidx=2', 'cut');
          case 'packetLost':
            return packets.next(r.chance(0.5) ? 'packidx=1' : 'packidx=2', 'lose');
          case 'refused':
            d.sim.failCommands(isUserQuery, r.pick([-1002, -12, -1]), 1 + r.int(2));
            return;
          case 'resetBetween':
            return net.next('packidx=2', r.chance(0.5) ? 'before' : 'after');
          case 'resetResult':
            return net.next('/iclock/devicecmd', r.chance(0.5) ? 'before' : 'after');
          case 'reboot':
            expect((await d.sim.factoryReset()).registered).toBe(true);
            return;
          case 'menuDuring': {
            // The query runs and uploads; its result waits while a user is deleted at the menu or a stranger added.
            d.sim.holdResults((c) => isUserQuery(c));
            await tolerant(d.sim.poll());
            d.sim.stopHoldingResults();
            const held = ours();
            if (r.chance(0.5) && held.length > 0) {
              const pin = r.pick(held);
              log.push(`    menu deletes ${pin} while the query is in flight`);
              d.sim.deleteUserLocally(pin);
            } else log.push(`    menu adds ${stranger()} while the query is in flight`);
            await tolerant(d.sim.releaseResults());
            return;
          }
          case 'none':
            return;
        }
      };

      try {
        for (let round = 0; round < ROUNDS; round++) {
          const pin = r.pick(pins);
          const kind = r.pick(['add', 'rename', 'card', 'delete', 'grant', 'revoke'] as const);
          log.push(`round ${round}: ${kind} ${pin}`);
          await playPersonWrite(t, kind, await personBase(t, pin, levels, r), levels, r, tag, log);
          await settleConverged(t, reconciler, d.sim, 10);
          // The swap: every count stays as it was.
          const held = ours();
          if (held.length > 0) {
            const gone = r.pick(held);
            d.sim.deleteUserLocally(gone);
            log.push(`  swap: ${gone} deleted at the menu, ${stranger()} added`);
          }
          // The pin check is due.
          await t.ds.query(`UPDATE sync_verify SET pins_at = now() - interval '1 hour' WHERE device_id = $1`, [id]);
          await online();
          const fault = r.pick(QUERY_FAULTS);
          log.push(`  fault ${fault}`);
          expect(await verifier.askDue(), 'the panel is idle and asked').toBe(1);
          await playFault(fault);
          for (let i = 0; i < 3; i++) {
            await reconciler.idle();
            await tolerant(d.sim.poll());
            await pauseBetweenPolls(t, sn, 150, BACKOFF_MS);
            await reconciler.runOnce();
          }
          net.clear();
          packets.clear();
          d.sim.clearFaults();
          d.sim.loseNoMoreReplies();
        }
        // The faults stop. The gateway's own work only: retries, owed verifications, the periodic verification
        // (due at every tick here), whose pin period is not over.
        const answeredUnderFaults = queriesAnswered();
        if (process.env.PINS_REPORT) console.log(`seed ${seed}:\n${log.join('\n')}`);
        for (let i = 0; i < 6; i++) {
          await settleConverged(t, reconciler, d.sim, 3);
          await online();
          await verifier.askDue();
          await pauseBetweenPolls(t, sn, 250, BACKOFF_MS);
          await reconciler.runOnce();
        }
        await settleConverged(t, reconciler, d.sim, 10);
        const claim = await convergenceOf(t, sn);
        expect(claimsSynced(claim), JSON.stringify(claim)).toBe(true);
        expect(heldUsers(d.sim), 'the users the panel holds are the database\'s').toEqual(await wantedUsers(t, pins, new Set(levels)));
        const rightsPins = [...new Set(d.sim.table('userauthorize').map((x) => String(x.Pin)))];
        expect(rightsPins.filter((p) => !pins.includes(p)), 'rights rows of nobody the database gives this panel').toEqual([]);
        expect(answeredUnderFaults, 'the pin query was answered under the faults').toBeGreaterThan(0);
        const heldNow = tableSnapshot(d.sim, TABLES);
        expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(heldNow);
      } catch (e) {
        if (e instanceof Error) e.message = `${e.message}\nschedule of seed ${seed}:\n${log.join('\n')}`;
        if (process.env.SCHEDULE_TRACE) console.log(d.sim.received.map((c) => `${c.line} -> ${c.result}`).join('\n'));
        throw e;
      }
    });
  }
});
