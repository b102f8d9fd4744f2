/**
 * Fault hunts against a faultless twin (twin-hunt.ts) driven the way an integrator's system writes: bursts of
 * persons with cards and levels (v2/person/addPersons), a card changed and changed back before the panel polls, a
 * person moved between levels several times in a row, a pin deleted and added again with other data (cards,
 * secondary cards, levels), a level given a door while one of its persons is deleted, a time segment edited,
 * fingerprint and face templates (bioTemplate) added and deleted, on a SpeedFace-like panel (biodata) that keeps
 * several cards per user (mulcarduser) or the card in its user record. Besides the twin hunt's faults, the faulty
 * panel polls from two connections at once, has its clock moved by days, and gets a reply cut short (only its first
 * command arrives), and runs a reply whose results never reach the gateway. At the end of each run the faultless
 * panel is also compared with the database as REST reads it. FC_RUNS defaults to 3; FC_RUNS=40 FC_OPS=14 FC_SEED=<n> for a real hunt.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { CutShort, ok, useFaultApp, tableSnapshot } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { DeviceSimulator } from '../simulator/device-simulator';
import { accessFromDatabase, accessRowsOf } from './db-oracle';
import { huntAgainstTwin, twinFault, TwinFaults, type TwinFault } from './twin-hunt';

let t: TestApp;
let reconciler: SyncReconciler;

useFaultApp((app) => ({ t, reconciler } = app));

const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');

for (const mulCard of [true, false]) {
  const prefix = mulCard ? 'IM' : 'IU';
  const net = mulCard ? '10.83.0' : '10.83.1';
  describe(`integrator bursts against a SpeedFace-like panel meeting every fault${mulCard ? ' (mulcarduser)' : ''}`, () => {
    it('the faulty panel is never said synced while it differs, and ends equal to the faultless one', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 400_000) }, async () => {
      await ok(t.post('/api/gateway/timeSegments', { name: `${prefix}Seg`, schedule: { mon: [['08:00', '17:00']] } }));
      const faults = new TwinFaults();
      const cutter = new CutShort();
      const extra = mulCard ? { registryExtras: { MulCardUserFunOn: 1 } } : {};
      const f = new DeviceSimulator({ baseUrl: t.baseUrl, sn: `${prefix}FAULT01`, doors: 4, ipAddress: `${net}.1`, retryResults: true, fetch: cutter.wrap(faults.fetch), batchReplies: true, replyForm: (process.env.FC_FORM as 'batched' | 'multiline' | undefined) ?? 'batched', ...extra });
      const r = new DeviceSimulator({ baseUrl: t.baseUrl, sn: `${prefix}REFER01`, doors: 4, ipAddress: `${net}.2`, ...extra });
      for (const d of [f, r]) await d.connect();
      for (const d of [f, r]) await d.pollUntilIdle();
      const levelIds: string[] = [];
      const levelDoors = [new Set([1, 3]), new Set([2, 3])];
      for (const n of [0, 1]) {
        await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `${prefix}L${n}`, ...(n === 1 ? { timeSegName: `${prefix}Seg` } : {}) }] }));
        await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [`${net}.1`, `${net}.2`].flatMap((ip) => [n + 1, 3].map((d) => ({ levelName: `${prefix}L${n}`, doorName: `${ip}-${d}` }))) }));
        levelIds.push((await t.get(`/api/accLevel/getByName/${prefix}L${n}`)).body.data.id);
      }
      const base = mulCard ? 8300 : 8400;
      const pool = Array.from({ length: 24 }, (_, i) => String(base + 1 + i));
      const watched = pool.slice(0, 3);
      const pin = fc.constantFrom(...pool.slice(0, 6));
      const levels = fc.constantFrom('0', '1', '0,1', '');
      const card = (p: string, g: number) => `${p}${g % 3}`;
      type Op =
        | TwinFault
        | { kind: 'burst'; from: number; n: number; levels: string; g: number }
        | { kind: 'flip'; pin: string; g: number }
        | { kind: 'move'; pin: string; times: number }
        | { kind: 'readd'; pin: string; levels: string; g: number; second: boolean }
        | { kind: 'doorWhileDelete'; pin: string; level: 0 | 1 }
        | { kind: 'delete'; pin: string }
        | { kind: 'second'; pin: string; g: number }
        | { kind: 'seg'; h: number }
        | { kind: 'bio'; pin: string; face: boolean; no: number; n: number; del: boolean }
        | { kind: 'twoConn' | 'cut' | 'dropResults' }
        | { kind: 'drift'; days: number };
      const op: fc.Arbitrary<Op> = fc.oneof(
        { arbitrary: fc.record({ kind: fc.constant('burst' as const), from: fc.integer({ min: 0, max: 12 }), n: fc.integer({ min: 3, max: 12 }), levels, g: fc.integer({ min: 0, max: 2 }) }), weight: 2 },
        { arbitrary: fc.record({ kind: fc.constant('flip' as const), pin, g: fc.integer({ min: 0, max: 2 }) }), weight: 2 },
        { arbitrary: fc.record({ kind: fc.constant('move' as const), pin, times: fc.integer({ min: 2, max: 4 }) }), weight: 2 },
        { arbitrary: fc.record({ kind: fc.constant('readd' as const), pin, levels, g: fc.integer({ min: 0, max: 2 }), second: fc.boolean() }), weight: 2 },
        fc.record({ kind: fc.constant('doorWhileDelete' as const), pin, level: fc.constantFrom(0 as const, 1 as const) }),
        fc.record({ kind: fc.constant('delete' as const), pin }),
        ...(mulCard ? [fc.record({ kind: fc.constant('second' as const), pin, g: fc.integer({ min: 0, max: 2 }) })] : []),
        fc.record({ kind: fc.constant('seg' as const), h: fc.integer({ min: 12, max: 20 }) }),
        { arbitrary: fc.record({ kind: fc.constant('bio' as const), pin, face: fc.boolean(), no: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 3 }), del: fc.boolean() }), weight: 2 },
        { arbitrary: fc.record({ kind: fc.constantFrom('twoConn' as const, 'cut' as const, 'dropResults' as const) }), weight: 2 },
        fc.record({ kind: fc.constant('drift' as const), days: fc.integer({ min: -400, max: 400 }) }),
        { arbitrary: twinFault, weight: 5 },
      );
      const lv = (s: string) => (s === '' ? '' : s.split(',').map((x) => levelIds[Number(x)]).join(','));
      const person = async (p: string) => (await t.get(`/api/person/get/${p}`)).body.data as { name: string; cardNo: string; accLevelIds: string } | null;
      // A card another person holds is refused (-23): the cards are per pin, so only a card a pin gave up meanwhile.
      const cardOk = async (p: Promise<{ body: { code: number; message?: string } }>) => {
        const a = await p;
        expect([0, -23], a.body.message).toContain(a.body.code);
      };
      const write = async (o: Op) => {
        switch (o.kind) {
          case 'burst': {
            const persons = pool.slice(o.from, o.from + o.n).map((p) => ({ pin: p, name: `B${p}${o.g}`, cardNo: card(p, o.g), accLevelIds: lv(o.levels) }));
            return cardOk(t.post('/api/v2/person/addPersons', persons));
          }
          case 'flip': {
            const p = await person(o.pin);
            if (!p) return;
            await cardOk(t.post('/api/person/add', { pin: o.pin, name: p.name, cardNo: card(o.pin, o.g + 1) }));
            return cardOk(t.post('/api/person/add', { pin: o.pin, name: p.name, cardNo: p.cardNo }));
          }
          case 'move': {
            const p = await person(o.pin);
            if (!p) return;
            for (let k = 0; k < o.times; k++) await ok(t.post('/api/person/add', { pin: o.pin, name: p.name, accLevelIds: levelIds[k % 2] }));
            return;
          }
          case 'readd':
            expect([0, -22]).toContain((await t.delete(`/api/person/delete/${o.pin}`)).body.code);
            return cardOk(t.post('/api/person/add', { pin: o.pin, name: `R${o.pin}${o.g}`, cardNo: card(o.pin, o.g), accLevelIds: lv(o.levels), ...(o.second && mulCard ? { supplyCards: `9${card(o.pin, o.g)}` } : {}) }));
          case 'doorWhileDelete': {
            const [a, b] = await Promise.all([
              t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [`${net}.1`, `${net}.2`].map((ip) => ({ levelName: `${prefix}L${o.level}`, doorName: `${ip}-4` })) }),
              t.delete(`/api/person/delete/${o.pin}`),
            ]);
            expect(a.body.code, a.body.message).toBe(0);
            expect([0, -22]).toContain(b.body.code);
            levelDoors[o.level].add(4);
            return;
          }
          case 'delete':
            expect([0, -22]).toContain((await t.delete(`/api/person/delete/${o.pin}`)).body.code);
            return;
          case 'second':
            if (await person(o.pin)) await cardOk(t.post('/api/card/set', { pin: o.pin, cardNo: `9${card(o.pin, o.g)}`, cardType: '1' }));
            return;
          case 'seg': {
            const s = ((await t.get('/api/gateway/timeSegments')).body.data as Array<{ id: string; name: string }>).find((x) => x.name === `${prefix}Seg`);
            return ok(t.put(`/api/gateway/timeSegments/${s!.id}`, { schedule: { mon: [['07:00', `${o.h}:00`]], fri: [[`0${o.h % 10}:00`, '21:00']] } }));
          }
          case 'bio': {
            if (!(await person(o.pin))) return;
            if (o.del) {
              await t.delete(`/api/bioTemplate/delete/${o.pin}/${o.no}`);
              return;
            }
            const a = await t.post('/api/bioTemplate/add', { personId: o.pin, validType: '1', template: finger(`${o.pin} ${o.no} ${o.n} ${o.face}`), templateNo: String(o.no), ...(o.face ? { bioType: '9' } : {}) });
            expect([0, -31], a.body.message).toContain(a.body.code);
            return;
          }
          case 'twoConn':
            if (!faults.offline) await f.pollConcurrently(2);
            return;
          case 'cut':
            cutter.cut = 1;
            return;
          // The panel runs a reply but its results never reach the gateway (no retry), then polls again.
          case 'dropResults':
            if (faults.offline) return;
            f.holdResults();
            await f.poll();
            f.stopHoldingResults();
            f.dropHeldResults();
            return;
          case 'drift':
            f.driftClock(o.days * 86_400_000);
            return;
        }
      };
      // The database's own word for each pin of the pool, read through REST.
      const oracle = async (sim: DeviceSimulator) => {
        const segTz = ((await t.get('/api/gateway/timeSegments')).body.data as Array<{ name: string; tzId: number }>).find((x) => x.name === `${prefix}Seg`)!.tzId;
        const levels = levelIds.map((id, n) => ({ id, tz: n === 0 ? 1 : segTz, doors: levelDoors[n] }));
        expect(accessRowsOf(tableSnapshot(sim, ['user', 'userauthorize', 'mulcarduser']), pool)).toEqual(await accessFromDatabase(t, pool, levels, mulCard));
      };
      const snapshot = (sim: DeviceSimulator) => tableSnapshot(sim, ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser', 'biodata', 'templatev10']);
      const stop = faults.stop.bind(faults);
      faults.stop = (d) => {
        cutter.cut = 0;
        stop(d);
      };
      await huntAgainstTwin({ t, reconciler, f, r, faults, snapshot, pins: watched, op, write, oracle, seed: mulCard ? 20261130 : 20261131 });
    });
  });
}
