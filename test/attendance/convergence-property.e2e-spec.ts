/**
 * Property: random REST writes on attendance (area members set and removed, persons deleted, cards changed),
 * users enrolled at the terminals' own menus (with cards that may be another person's), interleaved with the
 * terminals' faults (a lost reply, refusals, a factory reset, a user deleted at the terminal's menu) always end, once the terminals accept again and the reconciler has
 * run, with every terminal holding exactly its area's members, each with the card the database gives them.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const terms: AttendanceTerminal[] = [];
const AREAS = ['ATT-PROP-A', 'ATT-PROP-B'];
const PINS = ['61', '62', '63'];
const CARDS = ['', '700061', '700062', '700063'];

beforeAll(async () => {
  // The periodic verification every second: a user deleted at a terminal's menu is noticed by its next INFO.
  // Refusals (-1002) in three replies in a row are for good: probed again within the convergence rounds.
  t = await startTestApp({
    syncRetryBaseMs: 100,
    syncRetryMaxMs: 200,
    syncReconcileIntervalMs: 0,
    syncVerifyIntervalMs: 1000,
    syncRefusalProbeMs: 200,
    syncRefusalProbeMaxMs: 1000,
  });
  reconciler = t.app.get(SyncReconciler);
  // A lost reply is noticed at the terminal's next poll this long after (real terminals poll every few seconds).
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000 });
  for (const code of AREAS) {
    expect((await t.post('/api/gateway/areas', { code, name: code })).body.code).toBe(0);
    // FC_PER_POLL=n: the second terminal runs only the first n commands of a reply (an AiFace: one per poll).
    const perPoll = code === AREAS[1] && process.env.FC_PER_POLL ? { commandsPerPoll: Number(process.env.FC_PER_POLL) } : {};
    const term = await initialisedTerminal(t, { sn: code, ...perPoll });
    expect((await t.put(`/api/gateway/devices/${code}/area`, { areaCode: code })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    terms.push(term);
  }
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
  | { kind: 'lose'; term: number }
  | { kind: 'poll'; term: number }
  | { kind: 'reset'; term: number }
  | { kind: 'forget'; term: number; pin: string }
  | { kind: 'refuse'; term: number; n: number };

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
          const exists = (await t.get('/api/v2/person/get', { pin: o.pin })).body.code === 0;
          if (!exists) expect((await t.post('/api/person/add', { pin: o.pin, name: `P${o.pin}` })).body.code).toBe(0);
          const r =
            o.kind === 'set'
              ? await t.post('/api/attAreaPerson/set', { code: AREAS[o.area], pins: [o.pin] })
              : await t.delete('/api/attAreaPerson/delete', {}, { code: AREAS[o.area], pins: o.pin });
          expect(r.body.code).toBe(0);
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
        } else if (o.kind === 'lose') terms[o.term].loseNextReply();
        else if (o.kind === 'refuse') terms[o.term].failCommands((c) => c.startsWith('DATA'), -1002, o.n);
        else if (o.kind === 'poll') await terms[o.term].poll();
        // Wiped, or a user deleted at the menu, the server not told: the next INFO's user count shows it.
        else if (o.kind === 'reset') expect(await terms[o.term].factoryReset()).toBe(true);
        else if (o.kind === 'forget') terms[o.term].deleteUserLocally(o.pin);
      }
      for (const term of terms) {
        term.clearFaults();
        term.loseNoMoreReplies();
      }
      let want: Array<Record<string, string>> = [];
      for (let round = 0; round < 20; round++) {
        await reconciler.runOnce();
        // Each round a poll carries INFO (real terminals send it every few polls): its user count reveals a wipe.
        for (const term of terms) {
          await term.poll(true);
          await settleTerminal(reconciler, term);
        }
        want = await wanted();
        if (terms.every((term, i) => JSON.stringify(holds(term)) === JSON.stringify(want[i]))) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(terms.map(holds)).toEqual(want);
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 25), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
  );
});
