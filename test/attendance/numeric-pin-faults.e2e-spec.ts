/**
 * Seeded fault schedules on attendance terminals that keep numeric PINs, next to one keeping them as written: persons
 * whose pins have leading zeros ("0…") are set in and out of the terminals' areas, renamed, given cards and
 * fingerprints by REST, and enrolled at a terminal's keypad (which a numeric-PIN terminal uploads under the number),
 * while the terminals lose replies (the commands ran, the results never came: they are sent again), answer busy
 * (-1005) or refuse (-1002), are reset (users and log wiped, initialised again) and punch with the reply to their
 * upload lost (the same ATTLOG comes again), and have a user, their fingerprints or card deleted at their menu (reported
 * in an OPERLOG under the pin they keep; an OPERLOG whose reply was lost comes again). Once the faults stop every terminal must hold exactly what the database
 * puts on it (the users of its area with their name, card and templates, a numeric-PIN terminal under the number of
 * the pin), nothing may be left owed, and every punch is stored once under the person it names. Deterministic per
 * seed (SCHEDULE_SEEDS=1,2,3 runs others).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { scheduleRng as rng, tolerant } from '../support/fault-schedule';
import type { TestApp } from '../support/test-app';
import { convergeTerminals, heldBiometrics, nothingPending, pendingOn, playTerminalFault, startFaultProperty, wantedBiometrics, type TerminalFaultOp } from './attendance-helpers';

const SEEDS = (process.env.SCHEDULE_SEEDS ?? '1,2,3').split(',').map(Number);
const STEPS = Number(process.env.SCHEDULE_STEPS ?? 16);
/** Two numeric-PIN terminals (one resuming from its ATTLOG stamp), one keeping PINs as written (and registering). */
const AREAS = ['NPIN-A', 'NPIN-B', 'NPIN-C'];
const NUMERIC = [true, true, false];

let t: TestApp;
let reconciler: SyncReconciler;
let terms: AttendanceTerminal[] = [];

beforeAll(async () => {
  ({ t, reconciler, terms } = await startFaultProperty(AREAS, (code) =>
    // C: Push 3.x firmware that registers the Security PUSH way too, again after each reset.
    code === 'NPIN-C' ? { pushver: '3.1.2', registers: true } : { numericPins: true, stampResume: code === 'NPIN-B' },
  ));
});
afterAll(async () => {
  await t?.close();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('seeded fault schedules on numeric-PIN attendance terminals', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every terminal ends holding what the database puts on it; every punch stored once, under its person`, { timeout: Number(process.env.SCHEDULE_TIMEOUT_MS ?? 60_000) }, async () => {
      const r = rng(seed);
      const tag = String(seed).padStart(2, '0').slice(-2);
      // Leading zeros on two of them; no two stand for one number.
      const pins = [`0${tag}1`, `00${tag}2`, `7${tag}3`];
      const punches: Array<{ sn: string; pin: string; time: string }> = [];
      const log: string[] = [];
      let minute = 0;
      /** The seed's day: its punches are told from other seeds' by it. */
      const day = `2027-05-${String(1 + (seed % 28)).padStart(2, '0')}`;

      const write = async (): Promise<void> => {
        const pin = r.pick(pins);
        const kind = r.pick(['set', 'set', 'unset', 'rename', 'card', 'finger', 'unfinger'] as const);
        const area = r.pick(AREAS);
        log.push(`${kind} ${pin} ${area}`);
        const person = (await t.get('/api/v2/person/get', { pin })).body.data as { name: string; cardNo: string | null } | null;
        switch (kind) {
          case 'set':
            if (!person) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
            expect((await t.post('/api/attAreaPerson/set', { code: area, pins: [pin] })).body.code).toBe(0);
            return;
          case 'unset': {
            const res = await t.delete('/api/attAreaPerson/delete', {}, { code: area, pins: pin });
            expect([0, -22], JSON.stringify(res.body)).toContain(res.body.code);
            return;
          }
          case 'rename':
            if (person) expect((await t.post('/api/person/add', { pin, name: `R${r.int(100)}`, cardNo: person.cardNo ?? '' })).body.code).toBe(0);
            return;
          case 'card': {
            if (!person) return;
            const res = await t.post('/api/person/add', { pin, name: person.name, cardNo: r.chance(0.3) ? '' : `9${tag}${pins.indexOf(pin)}${r.int(3)}` });
            expect([0, -23], JSON.stringify(res.body)).toContain(res.body.code);
            return;
          }
          case 'finger': {
            const no = r.int(2);
            const res = await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger ${no} v${r.int(9)} of ${pin}`), templateNo: String(no) });
            expect([0, -22, -31], JSON.stringify(res.body)).toContain(res.body.code);
            return;
          }
          case 'unfinger':
            expect((await t.delete(`/api/bioTemplate/delete/${pin}/${r.int(2)}`)).status).toBeLessThan(500);
            return;
        }
      };

      /** A punch of a user the terminal holds (its log names them as it keeps them); its upload's reply lost now and then. */
      const punch = async (): Promise<void> => {
        const i = r.int(terms.length);
        const term = terms[i];
        const held = pins.filter((p) => term.users.has(term.pinOf(p)!));
        if (!held.length) return;
        const pin = r.pick(held);
        minute++;
        const time = `${day} ${String(8 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;
        const lost = r.chance(0.4);
        log.push(`  punch ${term.sn} ${pin} ${time}${lost ? ' reply lost' : ''}`);
        if (lost && i === 1) term.loseNextUploadReply();
        const res = await tolerant(term.punch({ pin, time, status: r.int(2), verify: 1 }));
        // The reply it lost reads as nothing; the gateway answered OK all the same.
        if (!(lost && i === 1)) expect(res?.body ?? '').toMatch(/^OK/);
        punches.push({ sn: term.sn, pin, time });
        // A terminal that did not read the reply sends the same records again (a stamp-resuming one with its next upload).
        if (lost && i !== 1) await term.uploadAttlog([term.log[term.log.length - 1]]);
      };

      const fault = async (): Promise<void> => {
        const i = r.int(terms.length);
        const term = terms[i];
        const kind = r.pick(['lose', 'runLost', 'busy', 'refuse', 'reset', 'enroll', 'menu', 'none'] as const);
        log.push(`  fault ${term.sn} ${kind}`);
        switch (kind) {
          case 'lose':
          case 'runLost':
            {
              const op: TerminalFaultOp = { kind, term: i };
              await playTerminalFault(terms, op);
            }
            break;
          case 'busy':
            term.failCommands((c) => c.startsWith('DATA'), -1005, 1 + r.int(2));
            break;
          case 'refuse':
            term.failCommands((c) => c.startsWith('DATA'), -1002, 1);
            break;
          case 'reset':
            // What it has not uploaded goes first (the reset wipes its log): each punch made is then stored.
            if (i === 1) await term.uploadUnsent();
            expect(await term.factoryReset()).toBe(true);
            await tolerant(term.poll(true));
            break;
          case 'enroll': {
            // A finger enrolled at its keypad for a person the database knows: uploaded under the pin it keeps.
            const pin = r.pick(pins);
            if (!(await t.get('/api/v2/person/get', { pin })).body.data) break;
            const name = term.users.get(term.pinOf(pin)!)?.name ?? `K${pin}`;
            const lost = r.chance(0.3);
            log.push(`    enrol ${pin} at ${term.sn}${lost ? ' reply lost' : ''}`);
            expect((await term.enrollUser({ pin, name }, [{ fid: 1 + r.int(2), tmp: b64(`keypad ${r.int(9)} of ${pin}`) }])).status).toBe(200);
            // Its reply lost: the same USER and template lines come again.
            if (lost) expect((await term.resendLastOperlog()).status).toBe(200);
            break;
          }
          case 'menu': {
            // A user, their fingerprints or card deleted at its menu, reported in its OPERLOG under the pin it keeps
            // (the reply lost now and then: the same OPERLOG comes again).
            const pin = r.pick(pins);
            const what = r.pick(['user', 'fingerprint', 'card'] as const);
            log.push(`    ${what} of ${pin} deleted at ${term.sn}`);
            const res = await term.deleteAtMenu(pin, what);
            if (res && r.chance(0.3)) await term.resendLastOperlog();
            break;
          }
          case 'none':
            break;
        }
      };

      /** What the database puts on each terminal, keyed by the pin it keeps (a numeric-PIN terminal: the number). */
      const wanted = async (): Promise<Array<Record<string, string>>> => {
        const bio = await wantedBiometrics(t, AREAS);
        const out: Array<Record<string, string>> = [];
        for (let i = 0; i < terms.length; i++) {
          const want: Record<string, string> = {};
          for (const [pin, b] of Object.entries(bio[i])) {
            if (!pins.includes(pin)) continue;
            const p = (await t.get('/api/v2/person/get', { pin })).body.data as { name: string; cardNo: string | null };
            want[terms[i].pinOf(pin)!] = `${p.name}|${p.cardNo ?? ''}|${b}`;
          }
          out.push(Object.fromEntries(Object.entries(want).sort(([a], [b]) => a.localeCompare(b))));
        }
        return out;
      };
      const numbers = new Set(pins.map((p) => p.replace(/^0+/, '')).concat(pins));
      const holds = (): Array<Record<string, string>> =>
        terms.map((term) => {
          const bio = heldBiometrics(term);
          return Object.fromEntries(
            [...term.users.values()]
              .filter((u) => numbers.has(u.pin))
              .sort((a, b) => a.pin.localeCompare(b.pin))
              .map((u) => [u.pin, `${u.name}|${u.card}|${bio[u.pin]}`]),
          );
        });

      try {
        for (let step = 0; step < STEPS; step++) {
          await write();
          if (r.chance(0.6)) await punch();
          await fault();
          await reconciler.idle();
          for (const term of terms) {
            await tolerant(term.poll(r.chance(0.3)));
            if (r.chance(0.5)) await tolerant(term.poll());
          }
        }
        await terms[1].uploadUnsent();
        let want: Array<Record<string, string>> = [];
        await convergeTerminals(reconciler, terms, async () => {
          want = await wanted();
          if (JSON.stringify(holds()) !== JSON.stringify(want)) return false;
          for (const term of terms) if (JSON.stringify(await pendingOn(t, term.sn)) !== JSON.stringify(nothingPending)) return false;
          return true;
        });
        expect(holds()).toEqual(await wanted());
        for (const term of terms) expect([term.sn, await pendingOn(t, term.sn)]).toEqual([term.sn, nothingPending]);

        // Each punch stored once, under the person it names (the pin with its zeros), whatever was lost or sent twice.
        const stored: Array<{ sn: string; at: string; n: number; pin: string | null }> = await t.ds.query(
          `SELECT a.device_sn AS sn, to_char(a.event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at, count(*)::int AS n, min(p.pin) AS pin
             FROM att_transaction a LEFT JOIN person p ON p.id = a.person_id
            WHERE a.device_sn = ANY($1) AND to_char(a.event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD') = $2 GROUP BY 1, 2 ORDER BY 1, 2`,
          [AREAS, day],
        );
        expect(Object.fromEntries(stored.map((s) => [`${s.sn} ${s.at}`, `${s.n} ${s.pin}`]))).toEqual(Object.fromEntries(punches.map((p) => [`${p.sn} ${p.time}`, `1 ${p.pin}`])));
        // Every template stored once per slot, whatever upload came twice; no twin person of a pin's number.
        expect(await t.ds.query(`SELECT person_id, bio_type, template_no, template_no_index FROM bio_template GROUP BY 1, 2, 3, 4 HAVING count(*) > 1`)).toEqual([]);
        expect((await t.ds.query(`SELECT pin FROM person WHERE pin ~ '^[0-9]+$' AND ltrim(pin, '0') = ANY($1) ORDER BY pin`, [pins.map((p) => p.replace(/^0+/, ''))])).map((x: { pin: string }) => x.pin)).toEqual(
          (await t.ds.query(`SELECT pin FROM person WHERE pin = ANY($1) ORDER BY pin`, [pins])).map((x: { pin: string }) => x.pin),
        );
        // listAttTransaction lists them under the person's pin.
        for (const pin of pins) {
          const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 1000, personPin: pin })).body.data as Array<{ eventTime: string; pin: string; devSn: string }>;
          const mine = list.filter((x) => x.eventTime.startsWith(day)).map((x) => `${x.devSn} ${x.eventTime} ${x.pin}`).sort();
          expect(mine).toEqual(punches.filter((p) => p.pin === pin).map((p) => `${p.sn} ${p.time} ${pin}`).sort());
        }
      } catch (e) {
        if (e instanceof Error) e.message = `${e.message}\nschedule of seed ${seed}:\n${log.join('\n')}`;
        if (process.env.SCHEDULE_TRACE) for (const term of terms) console.log(term.sn, JSON.stringify(term.executed.slice(-40).map((x) => [x.command.slice(0, 60), x.returnCode])));
        throw e;
      }
    });
  }
});
