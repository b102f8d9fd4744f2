/**
 * A fault hunt against a faultless twin (test/sync/twin-hunt.ts) on attendance terminals: two terminals of one
 * attendance area, the first (`f`) meeting every fault, the other (`r`) none. Random REST writes of persons (name,
 * card, password, privilege), fingers and faces (bioTemplate), photos, deletes, leave and reinstatement, moves to an
 * area without terminals and back; enrolments and edits at `f`'s keypad (USER, BIODATA and USERPIC lines on OPERLOG,
 * sometimes uploaded twice); while `f` loses replies and results, has one result line of a reply mangled, refuses
 * (-1002, -12, -3), answers last result first, reboots (INFO with its counts) and is factory-reset (also
 * with its results lost). Whenever `f` differs from `r`, neither the convergence answer nor a pin's device status
 * says synced; once the faults stop, `f` ends equal to `r`, both synced. FC_RUNS (default 3), FC_OPS, FC_SEED.
 * The terminal is not said synced while its user count is owed (a reset whose first INFO came with commands of ours in
 * flight, found by seeds 2 and 4), nor believed to hold the photo or templates of users whose records it refused once
 * it counts 0 users after a reset (seed 5): test/attendance/count-owed-state.e2e-spec.ts. Open: nothing known; with
 * FC_RUNS=40 FC_OPS=16 seeds 1-11 and the default pass, also with FC_PAR=1 (1-3), FC_PER_REPLY=2 (12, 13) and
 * FC_OPS=24 (14, 15).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ok, useFaultApp } from '../sync/fault-helpers';
import { huntAgainstTwin, twinFault, TwinFaults, type TwinFault } from '../sync/twin-hunt';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';
import { TerminalTwin } from './terminal-twin';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const b64 = (s: string) => Buffer.from(s.padEnd(24, '.')).toString('base64');
const photoOf = (s: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(s), Buffer.from([0xff, 0xd9])]).toString('base64');
const line = (kind: string, fields: Record<string, string | number>) => `${kind} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\t')}`;

describe('random person, template and area writes and keypad enrolments against an attendance terminal meeting every fault', () => {
  it('the faulty terminal is never said synced while it differs, and ends equal to the faultless one', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 300_000) }, async () => {
    const [A, B] = ['TWA', 'TWB'];
    for (const code of [A, B]) await ok(t.post('/api/gateway/areas', { code, name: code }));
    const faults = new TwinFaults();
    const fTerm = await initialisedTerminal(t, { sn: 'TWFAULT1', fetch: faults.fetch });
    const rTerm = await initialisedTerminal(t, { sn: 'TWREFER1' });
    for (const term of [fTerm, rTerm]) {
      await ok(t.put(`/api/gateway/devices/${term.sn}/area`, { areaCode: A }));
      await settleTerminal(reconciler, term);
    }
    const [f, r] = [new TerminalTwin(fTerm), new TerminalTwin(rTerm)];
    const pins = ['9101', '9102', '9103'];
    const pin = fc.constantFrom(...pins);
    type Op =
      | TwinFault
      | { kind: 'person'; pin: string; name: number; card: string; pwd: string }
      | { kind: 'pri'; pin: string; pri: number }
      | { kind: 'area'; pin: string; area: 0 | 1 }
      | { kind: 'delete' | 'leave' | 'reinstate'; pin: string }
      | { kind: 'finger' | 'unfinger' | 'face'; pin: string; no: number; v: number }
      | { kind: 'photo'; pin: string; v: number }
      | { kind: 'enrolUser'; pin: string; card: string; pwd: string; finger: boolean; twice: boolean }
      | { kind: 'enrolFinger' | 'enrolFace' | 'enrolPhoto'; pin: string; no: number; v: number; twice: boolean };
    const no = fc.integer({ min: 0, max: 2 });
    const v = fc.integer({ min: 1, max: 3 });
    const card = fc.constantFrom('', '91001', '91002');
    const pwd = fc.constantFrom('', '1234', '5678');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('person' as const), pin, name: v, card, pwd }), weight: 3 },
      fc.record({ kind: fc.constant('pri' as const), pin, pri: fc.constantFrom(0, 14) }),
      { arbitrary: fc.record({ kind: fc.constant('area' as const), pin, area: fc.constantFrom(0 as const, 0 as const, 1 as const) }), weight: 3 },
      fc.record({ kind: fc.constantFrom('delete' as const, 'leave' as const, 'reinstate' as const), pin }),
      { arbitrary: fc.record({ kind: fc.constantFrom('finger' as const, 'finger' as const, 'unfinger' as const, 'face' as const), pin, no, v }), weight: 4 },
      fc.record({ kind: fc.constant('photo' as const), pin, v }),
      { arbitrary: fc.record({ kind: fc.constant('enrolUser' as const), pin, card, pwd, finger: fc.boolean(), twice: fc.boolean() }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constantFrom('enrolFinger' as const, 'enrolFinger' as const, 'enrolFace' as const, 'enrolPhoto' as const), pin, no: fc.integer({ min: 5, max: 6 }), v, twice: fc.boolean() }), weight: 4 },
      // -1004 ("no such table") is no passing fault of a terminal: BIODATA refused so is taken as for good (FINGERTMP).
      { arbitrary: twinFault.filter((x) => x.kind !== 'refuse' || x.code !== -1004), weight: 5 },
    );
    // What the keypad enrols: held by `f`, uploaded once or twice (its answer lost).
    const upload = async (lines: string[], twice: boolean) => {
      for (let k = 0; k < (twice ? 2 : 1); k++) expect((await fTerm.uploadOperlog(lines)).status).toBe(200);
    };
    const write = async (o: Op) => {
      switch (o.kind) {
        case 'person':
          // Refused when another person holds the card or password: either answer is fine.
          expect((await t.post('/api/person/add', { pin: o.pin, name: `N${o.name}`, cardNo: o.card, personPwd: o.pwd })).status).toBeLessThan(500);
          return;
        case 'pri':
          expect([0, -22]).toContain((await t.post('/api/attPerson/editAttPerson', { pin: o.pin, isAttendance: true, perDevAuth: o.pri })).body.code);
          return;
        case 'area':
          // A person who left stays out (refused): either answer is fine.
          if (!(await t.get(`/api/person/get/${o.pin}`)).body.data) await t.post('/api/person/add', { pin: o.pin, name: `N${o.pin}` });
          expect((await t.post('/api/attAreaPerson/set', { code: [A, B][o.area], pins: [o.pin] })).status).toBeLessThan(500);
          expect((await t.delete('/api/attAreaPerson/delete', {}, { code: [A, B][1 - o.area], pins: o.pin })).status).toBeLessThan(500);
          return;
        case 'delete':
          expect([0, -22]).toContain((await t.delete(`/api/person/delete/${o.pin}`)).body.code);
          return;
        case 'leave':
          await t.post('/api/person/leave', { pin: o.pin });
          return;
        case 'reinstate':
          await t.post('/api/person/reinstated', { pin: o.pin });
          return;
        case 'finger':
        case 'face': {
          const body =
            o.kind === 'finger'
              ? { personId: o.pin, validType: '1', template: b64(`finger ${o.no} v${o.v} ${o.pin}`), templateNo: String(o.no) }
              : { personId: o.pin, validType: '1', template: b64(`face ${o.no} v${o.v} ${o.pin}`), templateNo: '0', bioType: '9', templateNoIndex: String(o.no), version: '5' };
          expect([0, -22, -31]).toContain((await t.post('/api/bioTemplate/add', body)).body.code);
          return;
        }
        case 'unfinger':
          expect((await t.delete(`/api/bioTemplate/delete/${o.pin}/${o.no}`)).status).toBeLessThan(500);
          return;
        case 'photo':
          await t.post('/api/person/updatePersonnelPhoto', { pin: o.pin, personPhoto: photoOf(`rest ${o.v} ${o.pin}`) });
          return;
        case 'enrolUser': {
          if (faults.offline) return;
          const held = fTerm.users.get(o.pin);
          if (held) {
            // Edited at its menu: card and password.
            held.card = o.card;
            held.passwd = o.pwd;
            return upload([`USER PIN=${held.pin}\tName=${held.name}\tPri=${held.pri}\tPasswd=${held.passwd}\tCard=${held.card}\tGrp=${held.grp}\tTZ=${held.tz}\tVerify=${held.verify}\tViceCard=${held.viceCard ?? ''}`], o.twice);
          }
          const fingers = o.finger ? [{ fid: 5, tmp: b64(`keypad user ${o.pin}`) }] : [];
          expect((await fTerm.enrollUser({ pin: o.pin, name: `K${o.pin}`, card: o.card, passwd: o.pwd }, fingers)).status).toBe(200);
          return;
        }
        case 'enrolFinger':
        case 'enrolFace': {
          if (faults.offline || !fTerm.users.has(o.pin)) return;
          const type = o.kind === 'enrolFinger' ? 1 : 9;
          const fields = { Pin: o.pin, No: type === 1 ? String(o.no) : '0', Index: type === 1 ? '0' : String(o.no - 5), Valid: '1', Duress: '0', Type: String(type), MajorVer: type === 1 ? '10' : '5', MinorVer: '0', Format: '0', Tmp: b64(`keypad ${type} ${o.no} v${o.v} ${o.pin}`) };
          const key = (x: Record<string, string>) => [x.Pin, x.Type, x.No, x.Index].join(':');
          for (let i = fTerm.templates.length - 1; i >= 0; i--) if (fTerm.templates[i].table === 'BIODATA' && key(fTerm.templates[i].fields) === key(fields)) fTerm.templates.splice(i, 1);
          fTerm.templates.push({ table: 'BIODATA', pin: o.pin, fields });
          return upload([line('BIODATA', fields)], o.twice);
        }
        case 'enrolPhoto': {
          if (faults.offline || !fTerm.users.has(o.pin)) return;
          const pic = photoOf(`keypad ${o.v} ${o.pin}`);
          fTerm.photos.set(o.pin, { table: 'USERPIC', content: pic });
          return upload([line('USERPIC', { PIN: o.pin, FileName: `${o.pin}.jpg`, Size: pic.length, Content: pic })], o.twice);
        }
        default:
          return;
      }
    };
    await huntAgainstTwin({ t, reconciler, f, r, faults, snapshot: (d) => d.snapshot(), pins, op, write, seed: 20261130 });
  });
});
