/**
 * Fault hunts against a faultless twin (twin-hunt.ts) on access panels, where the other properties do not go:
 * - a panel's own tables: time segments created, edited and deleted, a level moved between segments (its members'
 *   rights rows merging and splitting by time zone on a 4-door panel), holidays added, edited and deleted (the
 *   holiday table rewritten);
 * - templates and face photos: fingers added and deleted through REST, photos changed, fingers and faces enrolled
 *   at the panel's keypad (the upload sometimes sent twice), users edited at its menu (a card taken off or changed),
 *   in the biodata dialect or, with FC_OLD=1, templatev10 (no photos);
 * while the faulty panel loses getrequest replies and devicecmd answers, has one result line of a batched reply
 * mangled, refuses (-1002, -12, -1004, -3), answers last result first, reboots and is factory-reset (also with its
 * results lost). FC_RUNS defaults to 3 per hunt; FC_RUNS=80 FC_OPS=16 FC_SEED=<n> for a real hunt.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ok, startFaultApp, tableSnapshot } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { DeviceSimulator } from '../simulator/device-simulator';
import { PHOTO } from './access-helpers';
import { huntAgainstTwin, twinFault, TwinFaults, type TwinFault } from './twin-hunt';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

type Membership = { kind: 'grant' | 'revoke'; pin: string; level: 0 | 1 } | { kind: 'delete'; pin: string };
const membership = (pins: readonly string[]): fc.Arbitrary<Membership> => {
  const pin = fc.constantFrom(...pins);
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constantFrom('grant' as const, 'grant' as const, 'revoke' as const), pin, level: fc.constantFrom(0 as const, 1 as const) }), weight: 4 },
    fc.record({ kind: fc.constant('delete' as const), pin }),
  );
};
async function applyMembership(o: Membership, levelIds: readonly string[]): Promise<void> {
  if (o.kind === 'delete') {
    expect([0, -22]).toContain((await t.delete(`/api/person/delete/${o.pin}`)).body.code);
  } else if (o.kind === 'revoke') {
    expect([0, -22]).toContain((await t.post('/api/accLevel/deleteLevel', undefined, { pin: o.pin, levelIds: levelIds[o.level] })).body.code);
  } else {
    if (!(await t.get(`/api/person/get/${o.pin}`)).body.data) await ok(t.post('/api/person/add', { pin: o.pin, name: `N${o.pin}` }));
    await ok(t.post('/api/accLevel/syncPerson', undefined, { pin: o.pin, levelIds: levelIds[o.level] }));
  }
}

/** Two panels on levels L<prefix>0 (door 1 and 3) and L<prefix>1 (door 2 and 3); the first meets the faults. */
async function twins(prefix: string, net: string, doors: number, extra: Partial<ConstructorParameters<typeof DeviceSimulator>[0]>, segs: readonly string[] = []) {
  const faults = new TwinFaults();
  const form = (process.env.FC_FORM as 'batched' | 'multiline' | undefined) ?? 'batched';
  const f = new DeviceSimulator({ baseUrl: t.baseUrl, sn: `${prefix}FAULT1`, doors, ipAddress: `${net}.1`, retryResults: true, fetch: faults.fetch, batchReplies: true, replyForm: form, ...extra });
  const r = new DeviceSimulator({ baseUrl: t.baseUrl, sn: `${prefix}REFER1`, doors, ipAddress: `${net}.2`, ...extra });
  for (const d of [f, r]) await d.connect();
  for (const d of [f, r]) await d.pollUntilIdle();
  const levelIds: string[] = [];
  for (const n of [0, 1]) {
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `${prefix}L${n}`, ...(segs[n] ? { timeSegName: segs[n] } : {}) }] }));
    const doorNos = doors > 2 ? [n + 1, 3] : [n + 1];
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [`${net}.1`, `${net}.2`].flatMap((ip) => doorNos.map((d) => ({ levelName: `${prefix}L${n}`, doorName: `${ip}-${d}` }))) }));
    levelIds.push((await t.get(`/api/accLevel/getByName/${prefix}L${n}`)).body.data.id);
  }
  return { f, r, faults, levelIds };
}

/** A holiday written, or refused with -409 where a day would get a second type or loop (either answer is fine). */
async function holidayWrite(p: Promise<{ body: { code: number; message?: string } }>): Promise<void> {
  const r = await p;
  expect([0, -409], r.body.message).toContain(r.body.code);
}

describe("random writes of time segments and holidays against a 4-door panel meeting every fault", () => {
  it('the faulty panel is never said synced while it differs, and ends equal to the faultless one', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 300_000) }, async () => {
    for (const n of [0, 1, 2]) await ok(t.post('/api/gateway/timeSegments', { name: `OTSeg${n}`, schedule: { mon: [['08:00', `1${n}:00`]] } }));
    const { f, r, faults, levelIds } = await twins('OT', '10.81.0', 4, {}, ['OTSeg0', 'OTSeg1']);
    type Op =
      | Membership
      | TwinFault
      | { kind: 'segEdit'; seg: number; h: number }
      | { kind: 'segNew' | 'segDelete' | 'holDelete' }
      | { kind: 'levelSeg'; level: 0 | 1; seg: number }
      | { kind: 'holAdd' | 'holEdit'; month: number; type: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: membership(['8101', '8102', '8103']), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('segEdit' as const), seg: fc.integer({ min: 0, max: 2 }), h: fc.integer({ min: 12, max: 19 }) }), weight: 2 },
      fc.record({ kind: fc.constantFrom('segNew' as const, 'segDelete' as const) }),
      { arbitrary: fc.record({ kind: fc.constant('levelSeg' as const), level: fc.constantFrom(0 as const, 1 as const), seg: fc.integer({ min: 0, max: 3 }) }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constantFrom('holAdd' as const, 'holEdit' as const), month: fc.integer({ min: 1, max: 9 }), type: fc.integer({ min: 1, max: 3 }) }), weight: 4 },
      { arbitrary: fc.constant({ kind: 'holDelete' as const }), weight: 2 },
      { arbitrary: twinFault, weight: 5 },
    );
    let extra = 0;
    const segments = async (): Promise<Array<{ id: string; name: string }>> => (await t.get('/api/gateway/timeSegments')).body.data.filter((s: { name: string }) => s.name.startsWith('OT'));
    const holidays = async (): Promise<Array<{ id: string }>> =>
      ((await t.get('/api/gateway/holidays')).body.data as Array<{ id: string; name: string }>).filter((h) => h.name.startsWith('OTH')).sort((a, b) => a.id.localeCompare(b.id));
    const write = async (o: Op) => {
      switch (o.kind) {
        case 'segEdit': {
          const s = (await segments())[o.seg % 3];
          if (s) await ok(t.put(`/api/gateway/timeSegments/${s.id}`, { schedule: { mon: [['07:00', `${o.h}:00`]], sat: [[`0${o.h % 10}:00`, '20:00']] } }));
          return;
        }
        case 'segNew':
          extra++;
          return ok(t.post('/api/gateway/timeSegments', { name: `OTX${extra}`, schedule: { sun: [['10:00', `1${extra % 10}:00`]] } }));
        case 'segDelete': {
          // Refused (-22-like) while a level uses it: either answer is fine.
          const s = (await segments()).pop();
          if (s) await t.delete(`/api/gateway/timeSegments/${s.id}`);
          return;
        }
        case 'levelSeg': {
          const segs = await segments();
          const name = o.seg === 3 || segs.length === 0 ? '24-Hour Accessible' : segs[o.seg % segs.length].name;
          return ok(t.put(`/api/accLevel/update/${levelIds[o.level]}`, { timeSegName: name }));
        }
        case 'holAdd':
          extra++;
          // A day another holiday gives another type or loop is refused (-409: a panel holds one holiday a day).
          return holidayWrite(t.post('/api/gateway/holidays', { name: `OTH${extra}`, startDate: `2028-0${o.month}-0${o.type}`, endDate: `2028-0${o.month}-0${o.type + 1}`, holidayType: o.type, isLoopByYear: o.type === 2 }));
        case 'holEdit': {
          const hs = await holidays();
          if (hs.length) await holidayWrite(t.put(`/api/gateway/holidays/${hs[o.month % hs.length].id}`, { startDate: `2028-0${o.month}-1${o.type}`, endDate: `2028-0${o.month}-1${o.type}`, holidayType: o.type }));
          return;
        }
        case 'holDelete': {
          const [h] = await holidays();
          if (h) await ok(t.delete(`/api/gateway/holidays/${h.id}`));
          return;
        }
        default:
          return applyMembership(o as Membership, levelIds);
      }
    };
    const snapshot = (sim: DeviceSimulator) => tableSnapshot(sim, ['user', 'userauthorize', 'timezone', 'holiday']);
    await huntAgainstTwin({ t, reconciler, f, r, faults, snapshot, pins: ['8101', '8102', '8103'], op, write, seed: 20261128 });
  });
});

const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const photo = (n: number) => Buffer.concat([Buffer.from(PHOTO, 'base64'), Buffer.from(`p${n}`)]).toString('base64');
const OLD = { registryPushVersion: 'Ver 2.2.0-20180101', multiBioDataSupport: '', multiBioPhotoSupport: '', registryExtras: { DateFmtFunOn: 0, BioPhotoFun: 0, BioDataFun: 0 } };

describe('random writes and keypad enrolments of templates and photos against a panel meeting every fault', () => {
  it('the faulty panel is never said synced while it differs, and ends equal to the faultless one', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 300_000) }, async () => {
    const old = !!process.env.FC_OLD;
    const { f, r, faults, levelIds } = await twins('BT', '10.82.0', 2, old ? OLD : {});
    const pins = ['8201', '8202', '8203'];
    const pin = fc.constantFrom(...pins);
    type Op =
      | Membership
      | TwinFault
      | { kind: 'photo'; pin: string; n: number }
      | { kind: 'finger'; pin: string; no: number; n: number }
      | { kind: 'unfinger'; pin: string; no: number }
      | { kind: 'enrol'; pin: string; no: number; n: number; twice: boolean }
      | { kind: 'enrolFace'; pin: string; n: number; twice: boolean }
      | { kind: 'enrolUser'; pin: string; card: string };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: membership(pins), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('photo' as const), pin, n: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('finger' as const), pin, no: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 1, max: 3 }) }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('unfinger' as const), pin, no: fc.integer({ min: 1, max: 2 }) }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('enrol' as const), pin, no: fc.integer({ min: 5, max: 6 }), n: fc.integer({ min: 1, max: 3 }), twice: fc.boolean() }), weight: 2 },
      fc.record({ kind: fc.constant('enrolFace' as const), pin, n: fc.integer({ min: 4, max: 6 }), twice: fc.boolean() }),
      fc.record({ kind: fc.constant('enrolUser' as const), pin, card: fc.constantFrom('', '77001', '77002') }),
      { arbitrary: twinFault, weight: 5 },
    );
    const person = async (p: string) => (await t.get(`/api/person/get/${p}`)).body.data;
    // What the keypad enrols, uploaded once or twice (its answer lost).
    const upload = async (table: string, record: Record<string, string | number>, twice: boolean) => {
      for (let k = 0; k < (twice ? 2 : 1); k++) expect((await f.uploadTable(table, [record])).status).toBe(200);
    };
    const write = async (o: Op) => {
      switch (o.kind) {
        case 'photo': {
          const p = await person(o.pin);
          if (p) await ok(t.post('/api/person/add', { pin: o.pin, name: p.name, personPhoto: photo(o.n) }));
          return;
        }
        case 'finger':
          if (await person(o.pin)) expect([0, -31]).toContain((await t.post('/api/bioTemplate/add', { personId: o.pin, validType: '1', template: finger(`${o.pin} ${o.no} ${o.n}`), templateNo: String(o.no) })).body.code);
          return;
        case 'unfinger':
          await t.delete(`/api/bioTemplate/delete/${o.pin}/${o.no}`);
          return;
        // At the keypad of the faulty panel, for a user it holds (a user enrolled there in no level stays until that
        // person changes: README).
        case 'enrol': {
          if (faults.offline || !f.user(o.pin)) return;
          const tmp = finger(`panel ${o.pin} ${o.no} ${o.n}`);
          if (old) {
            f.addLocally('templatev10', { Pin: o.pin, FingerID: o.no, Valid: 1, Template: tmp });
            return upload('templatev10', { pin: o.pin, fingerid: o.no, valid: 1, size: tmp.length, template: tmp }, o.twice);
          }
          f.addLocally('biodata', { Pin: o.pin, No: o.no, Index: 0, Valid: 1, Duress: 0, Type: 1, MajorVer: 10, MinorVer: 0, Format: 0, Tmp: tmp });
          return upload('biodata', { pin: o.pin, no: o.no, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp }, o.twice);
        }
        case 'enrolFace': {
          if (faults.offline || !f.user(o.pin) || old) return;
          const c = photo(o.n);
          f.addLocally('biophoto', { PIN: o.pin, Type: 9, No: 0, Index: 0, Size: c.length, Content: c, Format: 0 });
          return upload('biophoto', { pin: o.pin, filename: `${o.pin}.jpg`, type: 9, size: c.length, content: c }, o.twice);
        }
        case 'enrolUser':
          if (faults.offline || !f.user(o.pin)) return;
          expect((await f.enrollUserLocally({ uid: Number(o.pin) % 100, pin: o.pin, name: `N${o.pin}`, cardno: o.card })).status).toBe(200);
          return;
        default:
          return applyMembership(o as Membership, levelIds);
      }
    };
    // A user row enrolled at the menu spelt with the defaults the gateway's record carries (Disable, StartTime, EndTime 0).
    const snapshot = (sim: DeviceSimulator) => {
      const s = tableSnapshot(sim, ['user', 'userauthorize', 'biophoto', 'biodata', 'templatev10', 'userpic']);
      s.user = s.user.map((u) => ['Disable=0', 'EndTime=0', 'StartTime=0'].reduce((x, d) => (x.includes(`${d.split('=')[0]}=`) ? x : `${x} ${d}`), u).split(' ').sort().join(' ')).sort();
      return s;
    };
    await huntAgainstTwin({ t, reconciler, f, r, faults, snapshot, pins, op, write, seed: 20261129 });
  });
});
