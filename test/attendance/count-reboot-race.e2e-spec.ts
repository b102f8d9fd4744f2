/**
 * A terminal's user count is judged against the initialisation it was made under. A reboot (here a factory reset)
 * landing while the request carrying a count made before it is handled (the INFO command's result recorded, and not
 * judged yet) owes a count of its own: the count made before it says nothing of what the reset left. Read when the
 * judgement started, the reset's initialisation was taken for the one the count was made under: the old count (all
 * users held) answered the reset's, the gateway believed the wiped terminal held everything, and its users were
 * never sent again, nor was it handed Stamp 0 for what it records from then on. Here the INFO result's request is
 * held just after its results are recorded (a pause point on the command queue) while the terminal resets.
 */
import { describe, expect, it, vi } from 'vitest';
import { CommandQueueService } from '../../src/push/command-queue.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf, sleep } from '../push/push-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, nothingPending, pendingOn, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body).toMatchObject({ code: 0 });
const countDue = async (sn: string) =>
  (await t.ds.query(`SELECT a.count_due FROM att_terminal a JOIN device d ON d.id = a.device_id WHERE d.sn = $1`, [sn]))[0].count_due as boolean;

/** Polls without INFO a poll interval apart (the INFO command), until no user count is owed. */
async function countByInfoCommand(term: AttendanceTerminal, sn: string): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await term.poll();
    await sleep(20);
    await term.poll();
    await settleTerminal(reconciler, term);
    if (!(await countDue(sn))) return;
  }
}

describe('a factory reset landing while the INFO result of a count made before it is handled', () => {
  it("owes the reset's own count: its users are sent again and it is handed Stamp 0", { timeout: 60_000 }, async () => {
    Object.assign(settingsOf(t), { requestDelay: 0 });
    const sn = 'ATT-COUNT-REBOOT';
    const pins = ['7701', '7702'];
    await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
    const term = await initialisedTerminal(t, { sn, stampResume: true });
    await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
    for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}` }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins }));
    await settleTerminal(reconciler, term);
    await countByInfoCommand(term, sn);
    expect([...term.users.keys()].sort()).toEqual(pins);
    await term.punch({ pin: '7701', time: '2026-03-02 08:01:00', status: 0, verify: 1 });
    await term.punch({ pin: '7702', time: '2026-03-02 08:02:00', status: 0, verify: 1 });

    // A reboot: its count is owed, and it polls without INFO, so it is sent the INFO command.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).not.toBe('0');
    expect(await countDue(sn)).toBe(true);
    await term.poll();
    await sleep(20);

    // The INFO result (2 users, made before the reset) is held once recorded; the terminal resets meanwhile.
    const queue = t.app.get(CommandQueueService);
    const apply = queue.applyResults.bind(queue);
    let reached!: () => void;
    let release!: () => void;
    const atPause = new Promise<void>((r) => (reached = r));
    const paused = new Promise<void>((r) => (release = r));
    const spy = vi.spyOn(queue, 'applyResults').mockImplementation(async (s, results) => {
      const summary = await apply(s, results);
      if (s === sn && results.some((r) => r.cmd?.trim() === 'INFO')) {
        reached();
        await paused;
      }
      return summary;
    });
    try {
      const polled = term.poll();
      await atPause;
      expect(await term.factoryReset()).toBe(true);
      expect(term.users.size).toBe(0);
      release();
      expect((await polled).map((e) => e.command)).toEqual(['INFO']);
    } finally {
      release();
      spy.mockRestore();
    }

    // The count the reset owes is asked for and judged: a reset, its users sent again, and Stamp 0 (CHECK).
    await countByInfoCommand(term, sn);
    await settleTerminal(reconciler, term);
    expect([...term.users.keys()].sort()).toEqual(pins);
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
    expect(await countDue(sn)).toBe(false);
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
  });
});
