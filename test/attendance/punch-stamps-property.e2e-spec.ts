/**
 * Property (hunt): a terminal that resumes from the Stamps it is handed (simulator stampResume, attendance manual 5)
 * under random faults: punches made online and while its uploads fail (an outage), replies to its uploads lost (a
 * power cut mid-upload), its last upload reaching the gateway twice (the same records under the same Stamp), reboots,
 * factory resets, "clear data" at its menu with its OPLOG 13 uploaded, CHECKs of an operator, lost getrequest replies
 * and refused commands (CHECK too), a fresh unit under the SN. Once the faults stop, a while later (a refused CHECK is
 * sent again) and after one more boot (FC_LAST=punch: one more punch instead, which carries whatever lies above its
 * mark), every punch it holds is stored, and no punch is stored twice (the punch key: SN + PIN + time).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const SN = 'ATT-PUNCH-PROP';

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 100, syncRetryMaxMs: 200, syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  // A CHECK for cleared records that was not read is sent again 300 ms on (5 minutes by default).
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, clearedCheckAgainMs: 300 });
  expect((await t.post('/api/gateway/areas', { code: SN, name: SN })).body.code).toBe(0);
  for (const pin of ['81', '82']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

type Op =
  | { kind: 'punch' | 'offline' | 'lostReply' | 'dup' | 'reboot' | 'reset' | 'menuClear' | 'check' | 'lose' | 'refuse' | 'poll' | 'fresh' };
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('punch', 'punch', 'punch', 'offline', 'offline', 'lostReply', 'dup', 'reboot', 'reset', 'menuClear', 'check', 'lose', 'refuse', 'poll', 'poll', 'fresh'),
}) as fc.Arbitrary<Op>;

let clock = 0;
/** A punch time no other punch of the run has (the key is SN + PIN + time). */
function nextTime(): string {
  clock++;
  const d = new Date(Date.UTC(2026, 4, 1, 6, 0, 0) + clock * 61_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

it('every punch a terminal holds is stored once, whatever its Stamps went through', { timeout: 600_000 }, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: Number(process.env.FC_MAX_OPS ?? 12) }), async (ops) => {
      run++;
      let term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: SN, stampResume: true });
      expect(await term.init()).toBe(true);
      if (run === 1) expect((await t.put(`/api/gateway/devices/${SN}/area`, { areaCode: SN })).body.code).toBe(0);
      expect((await t.post('/api/attAreaPerson/set', { code: SN, pins: ['81', '82'] })).body.code).toBe(0);
      await settleTerminal(reconciler, term);
      for (const o of ops) {
        const pin = clock % 2 ? '81' : '82';
        if (o.kind === 'punch') await term.punch({ pin, time: nextTime(), status: 0, verify: 1 });
        else if (o.kind === 'offline') {
          term.online = false;
          await term.punch({ pin, time: nextTime(), status: 0, verify: 1 });
          term.online = true;
        } else if (o.kind === 'lostReply') {
          term.loseNextUploadReply();
          await term.punch({ pin, time: nextTime(), status: 0, verify: 1 });
        } else if (o.kind === 'dup') {
          // Its last ATTLOG upload reaching the gateway once more, as it went: the same records under the same Stamp.
          // Not its last punch under a Stamp of our choosing: that punch may never have gone (made offline), and no
          // terminal sends a record under a Stamp above records it has not sent (it sends all above its mark, in order).
          await term.resendLastAttlog();
        } else if (o.kind === 'reboot') expect(await term.init()).toBe(true);
        else if (o.kind === 'reset') expect(await term.factoryReset()).toBe(true);
        else if (o.kind === 'fresh') {
          term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: SN, stampResume: true });
          expect(await term.init()).toBe(true);
        } else if (o.kind === 'menuClear') {
          term.clearDataAtMenu();
          await term.uploadRaw('OPERLOG', `OPLOG 13\t0\t${nextTime()}\t0\t0\t0\t0\n`);
        } else if (o.kind === 'check') expect((await t.post(`/api/gateway/attendance/terminals/${SN}/command`, { action: 'check' })).body.code).toBe(0);
        else if (o.kind === 'lose') term.loseNextReply();
        else if (o.kind === 'refuse') term.failCommands((c) => c === 'CHECK' || c.startsWith('DATA'), -1002, 1);
        else if (o.kind === 'poll') await term.poll(true);
      }
      term.clearFaults();
      term.loseNoMoreReplies();
      for (let round = 0; round < 6; round++) {
        await reconciler.runOnce();
        await term.poll(true);
        await settleTerminal(reconciler, term);
        await new Promise((r) => setTimeout(r, 250));
      }
      // Later: a CHECK it refused or never got is sent again.
      await new Promise((r) => setTimeout(r, 350));
      await term.poll(true);
      await settleTerminal(reconciler, term);
      // A last boot: it resumes from the Stamp it is handed (FC_LAST=punch: no boot, a last punch carries what lies above its mark).
      if (process.env.FC_LAST === 'punch') await term.punch({ pin: '81', time: nextTime(), status: 0, verify: 1 });
      else expect(await term.init()).toBe(true);
      await settleTerminal(reconciler, term);
      const stored: Array<{ pin: string; at: string; n: number }> = await t.ds.query(
        `SELECT pin, to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at, count(*)::int AS n FROM att_transaction WHERE device_sn = $1 GROUP BY 1, 2`,
        [SN],
      );
      const have = new Set(stored.map((r) => `${r.pin}@${r.at}`));
      expect(stored.filter((r) => r.n !== 1)).toEqual([]);
      expect(term.log.map((p) => `${p.pin}@${p.time}`).filter((k) => !have.has(k))).toEqual([]);
      expect([...term.users.keys()].sort()).toEqual(['81', '82']);
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 15), seed: Number(process.env.FC_SEED ?? 20261129) },
  );
});
