/**
 * Property: random REST writes on attendance (area members set and removed, persons deleted, cards changed),
 * users enrolled at the terminals' own menus (with cards that may be another person's), interleaved with the
 * terminals' faults (a lost reply, refusals, a factory reset, a user deleted at the terminal's menu) always end, once the terminals accept again and the reconciler has
 * run, with every terminal holding exactly its area's members, each with the card the database gives them.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { convergeTerminals, playTerminalFault, setAreaMember, startFaultProperty, type TerminalFaultOp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let terms: AttendanceTerminal[] = [];
const AREAS = ['ATT-PROP-A', 'ATT-PROP-B'];
const PINS = ['61', '62', '63'];
const CARDS = ['', '700061', '700062', '700063'];

beforeAll(async () => {
  // FC_PER_POLL=n: the second terminal runs only the first n commands of a reply (an AiFace: one per poll).
  ({ t, reconciler, terms } = await startFaultProperty(AREAS, (code) => (code === AREAS[1] && process.env.FC_PER_POLL ? { commandsPerPoll: Number(process.env.FC_PER_POLL) } : {})));
});
afterAll(async () => {
  await t?.close();
});

type Op =
  | { kind: 'set' | 'unset'; area: number; pin: string }
  | { kind: 'delete'; pin: string }
  | { kind: 'card'; pin: string; card: string }
  | { kind: 'rename'; pin: string; name: string }
  | { kind: 'pri'; pin: string; pri: number }
  | { kind: 'enroll'; term: number; pin: string; card: string }
  | TerminalFaultOp;

const pin = fc.constantFrom(...PINS);
const term = fc.integer({ min: 0, max: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('set' as const, 'unset' as const), area: term, pin }),
  fc.record({ kind: fc.constant('delete' as const), pin }),
  fc.record({ kind: fc.constant('card' as const), pin, card: fc.constantFrom(...CARDS) }),
  ...(process.env.FC_NAMES ? [
    fc.record({ kind: fc.constant('rename' as const), pin, name: fc.constantFrom('José', 'Zoë Li', '张三', 'Ann') }),
    fc.record({ kind: fc.constant('pri' as const), pin, pri: fc.constantFrom(0, 2, 14) }),
  ] : []),
  fc.record({ kind: fc.constant('enroll' as const), term, pin, card: fc.constantFrom(...CARDS.slice(1)) }),
  fc.record({ kind: fc.constantFrom('lose' as const, 'poll' as const, 'reset' as const), term }) as fc.Arbitrary<Op>,
  fc.record({ kind: fc.constant('forget' as const), term, pin }),
  fc.record({ kind: fc.constant('refuse' as const), term, n: fc.integer({ min: 1, max: 3 }) }),
);

/** What the database says each terminal should hold: its area's members, pin → card ('' for none). */
async function wanted(): Promise<Array<Record<string, string>>> {
  const rows: Array<{ code: string; pin: string; card_no: string | null; name: string | null; pri: number | null }> = await t.ds.query(
    `SELECT a.code, p.pin, p.card_no, p.name, x.per_dev_auth AS pri FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id
      LEFT JOIN att_person x ON x.person_id = p.id
      WHERE ap.module = 'att' AND a.code = ANY($1) ORDER BY p.pin`,
    [AREAS],
  );
  const what = (r: (typeof rows)[number]) => (process.env.FC_NAMES ? `${r.card_no ?? ''}|${r.name ?? ''}|${r.pri ?? 0}` : (r.card_no ?? ''));
  return AREAS.map((code) => Object.fromEntries(rows.filter((r) => r.code === code).map((r) => [r.pin, what(r)])));
}

/** What a terminal holds: pin → card (and, with FC_NAMES, name and privilege). */
const holds = (term: AttendanceTerminal): Record<string, string> =>
  Object.fromEntries(
    [...term.users.values()].sort((a, b) => a.pin.localeCompare(b.pin)).map((u) => [u.pin, process.env.FC_NAMES ? `${u.card}|${u.name}|${u.pri}` : u.card]),
  );

it('random area writes, enrolments at the terminals and terminal faults always converge to the database', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 600_000) }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: Number(process.env.FC_MAX_OPS ?? 8) }), async (ops) => {
      for (const o of ops) {
        if (o.kind === 'set' || o.kind === 'unset') {
          await setAreaMember(t, o.kind, AREAS[o.area], o.pin);
        } else if (o.kind === 'delete') {
          expect([0, -22]).toContain((await t.delete(`/api/person/delete/${o.pin}`)).body.code);
        } else if (o.kind === 'card') {
          // Another person's card is refused (-23): the write changes nothing, as any refused write.
          expect([0, -23]).toContain((await t.post('/api/person/add', { pin: o.pin, name: `P${o.pin}`, cardNo: o.card })).body.code);
        } else if (o.kind === 'rename') {
          const p = (await t.get('/api/v2/person/get', { pin: o.pin })).body;
          if (p.code === 0) expect((await t.post('/api/person/add', { pin: o.pin, name: o.name, cardNo: p.data.cardNo ?? '' })).body.code).toBe(0);
        } else if (o.kind === 'pri') {
          expect([0, -22]).toContain((await t.post('/api/attPerson/editAttPerson', { personPin: o.pin, perDevAuth: o.pri, isAttendance: true, verifyMode: 0 })).body.code);
        } else if (o.kind === 'enroll') {
          expect((await terms[o.term].enrollUser({ pin: o.pin, name: `E${o.pin}`, card: o.card })).status).toBe(200);
        } else await playTerminalFault(terms, o);
      }
      let want: Array<Record<string, string>> = [];
      await convergeTerminals(reconciler, terms, async () => {
        want = await wanted();
        return terms.every((term, i) => JSON.stringify(holds(term)) === JSON.stringify(want[i]));
      });
      expect(terms.map(holds)).toEqual(want);
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 25), seed: Number(process.env.FC_SEED ?? 20261129) },
  );
});
