/**
 * Command results in the query of a bodiless `GET /iclock/devicecmd?SN=&ID=&Return=&CMD=`, the method the attendance
 * manual's section 13 annotation names ("HTTP request method: GET method"): recorded as the POST form's body line is
 * (the command done or failed, the terminal believed to hold what it took), once however often it comes again, and a
 * query result without a whole-number Return rejected alone (logged and counted), answered `OK` as every devicecmd is.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { commandsOf } from '../push/push-helpers';
import type { TestApp } from '../support/test-app';
import { settleTerminal, terminalInOwnArea, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const heldOf = (sn: string) =>
  t.ds.query(`SELECT s.kind, s.key FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.hash IS NOT NULL ORDER BY s.key, s.kind`, [sn]);
const rejectedDevicecmd = async () =>
  Number(/^cvgw_device_lines_rejected_total\{kind="devicecmd"\} (\S+)$/m.exec((await t.request('GET', '/metrics')).text)?.[1]);

describe('command results sent as GET /iclock/devicecmd?SN=&ID=&Return=&CMD= (attendance manual 13)', () => {
  it('each result is recorded as the POST form is: the command done, the person believed held', async () => {
    const sn = 'H5GETCMD01';
    const term = await terminalInOwnArea(t, reconciler, sn, { resultsAsGet: true });
    expect((await t.post('/api/person/add', { pin: 'H5001', name: 'Gita' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['H5001'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect([...term.users.keys()]).toEqual(['H5001']);
    const cmds = await commandsOf(t, sn);
    const add = cmds.filter((c) => c.command.startsWith('DATA UPDATE USERINFO PIN=H5001'));
    // Delivered once and answered once: not left `sent` to be handed out again after the acknowledgement timeout.
    expect(add.map((c) => [c.state, c.return_code, c.attempts])).toEqual([['done', 0, 1]]);
    expect(cmds.filter((c) => c.state !== 'done')).toEqual([]);
    expect(await heldOf(sn)).toContainEqual(expect.objectContaining({ key: 'H5001' }));
  });

  it('a refusal in the query is a refusal: the command failed with its Return, the person not confirmed held', async () => {
    const sn = 'H5GETCMD02';
    const term = await terminalInOwnArea(t, reconciler, sn, { resultsAsGet: true });
    expect((await t.post('/api/person/add', { pin: 'H5002', name: 'Ravi' })).body.code).toBe(0);
    term.failCommands((c) => c.startsWith('DATA UPDATE USERINFO PIN=H5002'), -1002, 1);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['H5002'] })).body.code).toBe(0);
    expect((await term.drain()).map((d) => [d.command.split('\t')[0], d.returnCode])).toEqual([['DATA UPDATE USERINFO PIN=H5002', -1002]]);
    const add = (await commandsOf(t, sn)).filter((c) => c.command.startsWith('DATA UPDATE USERINFO PIN=H5002'));
    expect(add.map((c) => [c.state, c.return_code])).toEqual([['failed', -1002]]);
    // The refusal counted against the item; nothing confirmed (a user refused is in doubt, `?`, never held).
    const [item] = await t.ds.query(`SELECT s.hash, s.failures FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'user' AND s.key = 'H5002'`, [sn]);
    expect(item.failures).toBe(1);
    expect([null, '?']).toContain(item.hash);
  });

  it('the same result sent again (GET, then POST) changes nothing; a query result with a bad Return is rejected alone', async () => {
    const sn = 'H5GETCMD03';
    const term = await terminalInOwnArea(t, reconciler, sn, { resultsAsGet: true });
    expect((await t.post('/api/person/add', { pin: 'H5003', name: 'Omar' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['H5003'] })).body.code).toBe(0);
    const [done] = await term.drain();
    const before = await commandsOf(t, sn);
    const row = before.find((c) => c.command.startsWith('DATA UPDATE USERINFO PIN=H5003'))!;
    expect([row.state, row.return_code, row.attempt_id]).toEqual(['done', 0, done.id]);

    // Re-sent: as the GET again, and once more as a POST body line with a different code (a late duplicate).
    const again = await t.request('GET', `/iclock/devicecmd?SN=${sn}&ID=${done.id}&Return=0&CMD=DATA`);
    expect([again.status, again.text]).toEqual([200, 'OK']);
    const posted = await t.request('POST', `/iclock/devicecmd?SN=${sn}`, { body: `ID=${done.id}&Return=-1002&CMD=DATA` });
    expect([posted.status, posted.text]).toEqual([200, 'OK']);
    expect(await commandsOf(t, sn)).toEqual(before);

    // Unreadable: rejected and counted, answered OK, nothing recorded.
    const rejectedBefore = await rejectedDevicecmd();
    const bad = await t.request('GET', `/iclock/devicecmd?SN=${sn}&ID=${done.id}&Return=ok&CMD=DATA`);
    expect([bad.status, bad.text]).toEqual([200, 'OK']);
    expect(await rejectedDevicecmd()).toBe(rejectedBefore + 1);
    expect(await commandsOf(t, sn)).toEqual(before);
  });
});
