/**
 * Seeded fault schedules on what attendance terminals upload, as an outside black-box suite plays them: punches and
 * the attendance photos taken with them (ATTPHOTO, 11.3), each upload plain, sent twice, its reply lost (sent again),
 * or cut by a connection reset before or after the gateway read it (sent again); ATTLOG batches holding one bad line
 * among good ones; users deleted at the terminal's menu; while REST sets persons in and out of the terminal's area and
 * renames them, and the terminal loses getrequest replies and command results. One terminal keeps PINs as written,
 * one keeps numeric PINs (person 0412 is its user 412, its photos named 412). Once the faults stop, each terminal holds
 * its area's members as REST gives them, every punch made is listed once by listAttTransaction under each documented
 * filter (personPin, startDate, endDate, a day at a time) and its v2 twin, and every photo is served back once, byte for
 * byte, by the terminal's photo list under its pin. Deterministic per seed (SCHEDULE_SEEDS=1,2,3 runs others).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { ResettingNet, scheduleRng as rng, tolerant } from '../support/fault-schedule';
import { startTestApp, type TestApp } from '../support/test-app';
import { convergeTerminals, nothingPending, pendingOn, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

const SEEDS = (process.env.SCHEDULE_SEEDS ?? '1,2').split(',').map(Number);
const STEPS = Number(process.env.SCHEDULE_STEPS ?? 16);

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 100, syncRetryMaxMs: 200, syncReconcileIntervalMs: 0, syncVerifyIntervalMs: 1000, syncRefusalProbeMs: 200, syncRefusalProbeMaxMs: 1000 });
  reconciler = t.app.get(SyncReconciler);
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000 });
});
afterAll(async () => {
  await t?.close();
});

type Made = { pin: string; time: string };
type Photo = { pin: string; file: string; data: Buffer };

describe('seeded upload fault schedules on attendance terminals', () => {
  for (const seed of SEEDS) {
    for (const numericPins of [false, true]) {
      it(`seed ${seed}${numericPins ? ', numeric PINs' : ''}: each punch listed once under every filter, each photo served once, the members held`, { timeout: 90_000 }, async () => {
        const r = rng(seed * 2 + (numericPins ? 1 : 0));
        const tag = `${String(seed).padStart(3, '0').slice(-3)}${numericPins ? 'N' : 'S'}`;
        const sn = `AUFS${tag}`;
        const net = new ResettingNet();
        expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
        const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn, stampResume: true, numericPins, fetch: net.fetch });
        expect(await term.init()).toBe(true);
        expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
        await settleTerminal(reconciler, term);
        // Pins with a leading zero: a numeric-PIN terminal keeps them as their number.
        const digits = `${seed % 10}${numericPins ? 1 : 2}`;
        const pins = [1, 2, 3].map((i) => `0${digits}${i}`);
        // The persons exist before anything is punched (a numeric-PIN terminal's 412 is person 0412 once there is one).
        for (const pin of pins) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `7${digits}${pin.slice(-1)}` })).body.code).toBe(0);
        const members = new Set<string>();
        const made: Made[] = [];
        const photos: Photo[] = [];
        const log: string[] = [];
        let minute = 0;

        const nextTime = (): { time: string; stamp: string } => {
          minute++;
          const day = 1 + Math.floor(minute / 5);
          const time = `2027-05-${String(day).padStart(2, '0')} ${String(8 + (minute % 5)).padStart(2, '0')}:${String((minute * 7) % 60).padStart(2, '0')}:${String((minute * 13) % 60).padStart(2, '0')}`;
          return { time, stamp: time.replace(/[- :]/g, '') };
        };

        /** An upload that may go twice, lose its reply or meet a reset, and that the terminal sends again until it has an answer. */
        const deliver = async (send: () => Promise<unknown>, again: () => Promise<unknown>, what: string): Promise<void> => {
          const how = r.pick(['plain', 'plain', 'twice', 'resetBefore', 'resetAfter'] as const);
          log.push(`  ${what} ${how}`);
          if (how === 'resetBefore' || how === 'resetAfter') net.next('/iclock/cdata', how === 'resetAfter' ? 'after' : 'before');
          const first = await tolerant(send());
          if (how === 'twice' || first === undefined) await again();
        };

        const write = async (): Promise<void> => {
          const pin = r.pick(pins);
          const kind = r.pick(['set', 'set', 'unset', 'rename'] as const);
          log.push(`${kind} ${pin}`);
          const person = (await t.get('/api/v2/person/get', { pin })).body.data as { name: string; cardNo: string | null };
          if (kind === 'set') {
            expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
            members.add(pin);
          } else if (kind === 'unset') {
            const res = await t.delete('/api/attAreaPerson/delete', {}, { code: sn, pins: pin });
            expect([0, -22], JSON.stringify(res.body)).toContain(res.body.code);
            members.delete(pin);
          } else expect((await t.post('/api/person/add', { pin, name: `R${r.int(100)}`, cardNo: person.cardNo ?? '' })).body.code).toBe(0);
        };

        const punch = async (): Promise<void> => {
          const pin = r.pick(pins);
          const { time, stamp } = nextTime();
          made.push({ pin, time });
          log.push(`punch ${pin} ${time}`);
          // The punch goes up at once (Realtime=1); one whose reply was lost goes again with the next upload.
          if (r.chance(0.3)) term.loseNextUploadReply();
          await deliver(() => term.punch({ pin, time, status: r.int(2), verify: 1 }), () => term.resendLastAttlog(), 'ATTLOG');
          if (r.chance(0.6)) {
            const file = `${stamp}-${term.pinOf(pin)}.jpg`;
            const data = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from(`${sn} ${file} ${'x'.repeat(r.int(300))}`), Buffer.from([0xff, 0xd9])]);
            photos.push({ pin, file, data });
            await deliver(() => term.uploadAttphoto(file, data), () => term.uploadAttphoto(file, data), `ATTPHOTO ${file}`);
          }
        };

        /** Good punches of pins the terminal does not hold with one bad line among them, outside its log (no Stamp). */
        const badBatch = async (): Promise<void> => {
          const pin = r.pick(pins);
          const a = nextTime();
          const b = nextTime();
          made.push({ pin, time: a.time }, { pin, time: b.time });
          log.push(`batch ${pin} ${a.time} ${b.time}`);
          const kept = term.pinOf(pin)!;
          const body = [`${kept}\t${a.time}\t0\t1\t0\t0\t0`, `${kept}\t${a.time.slice(0, 11)}25:61:00\t0\t1`, `${kept}\t${b.time}\t1\t1\t0\t0\t0`, ''].join('\n');
          let reply: { body: string } | undefined;
          const send = async () => (reply = await term.uploadRaw('ATTLOG', body, false));
          await deliver(send, send, 'ATTLOG batch');
          expect(reply?.body).toBe('OK: 2');
        };

        const fault = async (): Promise<void> => {
          const kind = r.pick(['lose', 'runLost', 'resetPollAfter', 'resetCmdAfter', 'menu', 'none'] as const);
          log.push(`  fault ${kind}`);
          if (kind === 'lose') term.loseNextReply();
          else if (kind === 'runLost') {
            term.holdResults();
            await tolerant(term.poll());
            term.stopHoldingResults();
            term.dropHeldResults();
          } else if (kind === 'resetPollAfter') net.next('/iclock/getrequest', 'after');
          else if (kind === 'resetCmdAfter') net.next('/iclock/devicecmd', 'after');
          else if (kind === 'menu') {
            const pin = r.pick(pins);
            if (term.pinOf(pin) && term.users.has(term.pinOf(pin)!)) await deliver(() => term.deleteAtMenu(pin, 'user'), () => term.resendLastOperlog(), `menu delete ${pin}`);
          }
        };

        const wanted = async (): Promise<Record<string, string>> => {
          const out: Record<string, string> = {};
          for (const pin of [...members].sort()) {
            const p = (await t.get('/api/v2/person/get', { pin })).body.data as { name: string; cardNo: string | null } | null;
            if (p) out[term.pinOf(pin)!] = `${p.name}|${p.cardNo ?? ''}`;
          }
          return out;
        };
        const holds = (): Record<string, string> => Object.fromEntries([...term.users.values()].sort((a, b) => a.pin.localeCompare(b.pin)).map((u) => [u.pin, `${u.name}|${u.card}`]));

        try {
          for (let step = 0; step < STEPS; step++) {
            await write();
            if (r.chance(0.6)) await punch();
            if (r.chance(0.2)) await badBatch();
            await fault();
            await reconciler.idle();
            await tolerant(term.poll(r.chance(0.3)));
            if (r.chance(0.5)) await tolerant(term.poll());
          }
          net.clear();
          await term.uploadUnsent();
          await convergeTerminals(reconciler, [term], async () => JSON.stringify(holds()) === JSON.stringify(await wanted()) && JSON.stringify(await pendingOn(t, sn)) === JSON.stringify(nothingPending));
          expect(holds()).toEqual(await wanted());
          expect(await pendingOn(t, sn)).toEqual(nothingPending);

          expect(made.length).toBeGreaterThan(0);
          expect(photos.length).toBeGreaterThan(0);
          // Every punch once, under personPin alone and under personPin with each day's startDate and endDate.
          const days = [...new Set(made.map((m) => m.time.slice(0, 10)))].sort();
          for (const pin of pins) {
            const want = made.filter((m) => m.pin === pin).map((m) => m.time).sort();
            const all = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 1000, personPin: pin })).body;
            expect(all.code).toBe(0);
            const mine = (all.data as Array<{ eventTime: string; pin: string; devSn: string }>).filter((x) => x.devSn === sn);
            expect(mine.map((x) => x.eventTime).sort(), `punches of ${pin}`).toEqual(want);
            expect(new Set(mine.map((x) => x.pin))).toEqual(new Set(mine.length ? [pin] : []));
            const v2 = (await t.get('/api/v2/transaction/listAttTransaction', { pageNo: 1, pageSize: 1000, personPin: pin })).body.data as { total: number; data: Array<{ devSn: string }> };
            expect(v2.data.filter((x) => x.devSn === sn)).toHaveLength(want.length);
            for (const day of days) {
              const ofDay = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 1000, personPin: pin, startDate: `${day} 00:00:00`, endDate: `${day} 23:59:59` })).body.data as Array<{ eventTime: string; devSn: string }>;
              expect(ofDay.filter((x) => x.devSn === sn).map((x) => x.eventTime).sort(), `punches of ${pin} on ${day}`).toEqual(want.filter((w) => w.startsWith(day)));
            }
          }
          // Every photo once, byte for byte, listed under the person's pin.
          for (const pin of pins) {
            const listed = (await t.get(`/api/gateway/attendance/terminals/${sn}/photos`, { pin })).body.data as Array<{ fileName: string; photoBase64: string }>;
            const want = photos.filter((p) => p.pin === pin);
            expect(listed.map((x) => x.fileName).sort(), `photos of ${pin}`).toEqual(want.map((p) => p.file).sort());
            for (const p of want) expect(listed.find((x) => x.fileName === p.file)?.photoBase64).toBe(p.data.toString('base64'));
          }
        } catch (e) {
          if (e instanceof Error) e.message = `${e.message}\nschedule of seed ${seed}${numericPins ? ' (numeric)' : ''}:\n${log.join('\n')}`;
          throw e;
        }
      });
    }
  }
});
