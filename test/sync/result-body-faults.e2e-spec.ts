/**
 * One devicecmd body as real panels post it (manual 7.4, field notes "Devices" 3): several `ID=..&Return=..&CMD=..`
 * results, CRLF line ends, a trailing blank line, extra fields, a refusal among successes, a result for an unknown ID
 * and one for an ID already answered, malformed lines, and a Return smaller than the lines of a multi-record DATA
 * UPDATE (a general code, not a count: success). Only the refused command's items stay unconfirmed; the same body
 * posted again (its answer lost) changes nothing; the refused rows land on the retry.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { claimsSynced, commandsPerReply, convergenceOf, ok, settleConverged, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const SN = 'RBF000001';
const pinsIn = (command: string) => [...command.matchAll(/\bPin=(\d+)/g)].map((m) => m[1]).sort();

async function personOn(pin: string): Promise<{ holds?: boolean; state: string; unconfirmed?: string[] }> {
  const rows = (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<{ sn?: string; deviceSn?: string; holds?: boolean; state: string }>;
  return rows.find((r) => (r.sn ?? r.deviceSn) === SN)!;
}

/** What the gateway believes after a body: each command's state and code, each person's standing on the panel. */
async function belief(pins: readonly string[]): Promise<unknown> {
  const commands = await t.ds.query(`SELECT id::text, state, return_code, error FROM device_command WHERE device_sn = $1 ORDER BY id`, [SN]);
  const persons = await Promise.all(pins.map(async (p) => [p, await personOn(p)]));
  return { commands, persons };
}

describe('a devicecmd body with every fault real firmware puts in one', () => {
  it('a refusal, an unknown ID, an answered ID and malformed lines among CRLF results: only the refused command\'s items stay unconfirmed, a repost changes nothing', async () => {
    commandsPerReply(t, 50);
    const d = await Device.connect(t, SN, 1, '10.63.0.1');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'RBF' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'RBF', doorName: '10.63.0.1-1' }] }));
    const id = await levelId(t, 'RBF');
    // A first member settles the level's time zone on the panel, so the three below are written in one reply.
    await ok(t.post('/api/person/add', { pin: '9400', name: 'P9400', cardNo: '889400', accLevelIds: id }));
    await settleConverged(t, reconciler, d.sim);
    const pins = ['9401', '9402', '9403'];
    for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `88${pin}`, accLevelIds: id }));
    await reconciler.idle();
    d.sim.holdResults();
    const got = await d.sim.poll();
    d.sim.stopHoldingResults();
    d.sim.dropHeldResults();
    // The three members go as one DATA UPDATE user of three lines and one DATA UPDATE userauthorize of three lines.
    const users = got.find((c) => c.command.startsWith('DATA UPDATE user '))!;
    const rights = got.find((c) => c.command.startsWith('DATA UPDATE userauthorize '))!;
    expect(got.map((c) => c.command.split(' ', 3).join(' '))).toEqual(['DATA UPDATE user', 'DATA UPDATE userauthorize']);
    for (const c of [users, rights]) expect(pinsIn([c.command, ...c.continuation].join('\n'))).toEqual(pins);

    const lines = [
      'garbage without an id',
      `ID=&Return=0&CMD=DATA`,
      `ID=${users.id}&Return=&CMD=DATA`, // malformed: not read as success, nor as failure
      // Return 1 for three lines: DATA UPDATE's Return is a general code, >= 0 is success (manual 7.4).
      `ID=${users.id}&Return=1&CMD=DATA UPDATE&SN=${SN}&Extra=1`,
      `ID=987654321&Return=0&CMD=DATA`,
      `ID=${rights.id}&Return=-12&CMD=DATA UPDATE`,
      `ID=${users.id}&Return=-12&CMD=DATA UPDATE`, // already answered above: ignored
    ];
    const body = `${lines.join('\r\n')}\r\n\r\n`;
    const r1 = await d.sim.uploadRaw('/iclock/devicecmd', {}, body);
    expect([r1.status, r1.body]).toEqual([200, 'OK']);
    const byAttempt = async (attempt: string) =>
      (await t.ds.query(`SELECT c.state, c.return_code FROM device_command_attempt a JOIN device_command c ON c.id = a.command_id WHERE a.attempt_id = $1`, [attempt]))[0];
    expect(await byAttempt(users.id)).toEqual({ state: 'done', return_code: 1 });
    expect(await byAttempt(rights.id)).toEqual({ state: 'failed', return_code: -12 });
    for (const pin of pins) expect(await personOn(pin), pin).toMatchObject({ holds: false, unconfirmed: ['auth'] });
    expect(claimsSynced(await convergenceOf(t, SN))).toBe(false);

    // The answer to the body was lost: the panel posts it again. Nothing the gateway believes moves.
    const before = await belief(pins);
    const r2 = await d.sim.uploadRaw('/iclock/devicecmd', {}, body);
    expect([r2.status, r2.body]).toEqual([200, 'OK']);
    expect(await belief(pins)).toEqual(before);

    await settleConverged(t, reconciler, d.sim);
    for (const pin of pins) expect((await personOn(pin)).holds, pin).toBe(true);
    expect([...new Set(d.sim.table('user').map((r) => String(r.Pin)))].sort()).toEqual(['9400', ...pins]);
    expect([...new Set(d.sim.table('userauthorize').map((r) => String(r.Pin)))].sort()).toEqual(['9400', ...pins]);
    expect(claimsSynced(await convergenceOf(t, SN))).toBe(true);
  });
});
