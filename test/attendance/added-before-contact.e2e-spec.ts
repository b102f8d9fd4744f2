/**
 * A device an operator added by SN before its first contact (POST /api/gateway/devices, CVSecurity's Device > New)
 * is recorded as an access panel, the only kind an SN alone can say. When the device that then calls is an
 * attendance terminal, its first request shows it: it must be served as a terminal (never sent an access panel's
 * clear, which it refuses with -1004 and which would hold its users back), admitted with no approval to wait for
 * even under DEVICE_ADMISSION=manual, its area members sent and its punches stored once.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ deviceAdmission: 'manual', deviceClearOnAdd: true }, (app) => ({ t, reconciler } = app));

const PANEL_TABLES = /^DATA (UPDATE|DELETE|QUERY|COUNT) (user|userauthorize|templatev10|holiday|timezone|biodata|biophoto|userpic|extuser|mulcarduser)\b/;

describe('an attendance terminal added by SN before its first contact', () => {
  it('is served as a terminal when it calls: admitted, no panel clear, its area member sent, its punch stored once', async () => {
    expect((await t.post('/api/person/add', { pin: '8401', name: 'Ana' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['8401'] })).body.code).toBe(0);
    const added = await t.post('/api/gateway/devices', { sn: 'ATT-ADDED-AHEAD', alias: 'Front desk clock' });
    expect(added.body).toMatchObject({ code: 0, data: { sn: 'ATT-ADDED-AHEAD', admission: 'admitted' } });

    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-ADDED-AHEAD' });
    expect(await term.init()).toBe(true);
    await term.poll(true);
    await settleTerminal(reconciler, term);
    const [d] = await t.ds.query(`SELECT coalesce(kind_override, kind) AS kind, admission, alias FROM device WHERE sn = $1`, [term.sn]);
    expect(d).toEqual({ kind: 'att', admission: 'admitted', alias: 'Front desk clock' });
    expect(term.executed.map((e) => e.command).filter((c) => PANEL_TABLES.test(c))).toEqual([]);
    expect([...term.users.keys()]).toContain('8401');
    // The exact line it executed and acknowledged (Return=0): the terminal's USERINFO, TAB-separated.
    const userLine = term.executed.find((e) => e.command.startsWith('DATA UPDATE USERINFO PIN=8401\t'));
    expect(userLine).toMatchObject({ returnCode: 0 });
    expect(userLine!.command.split('\t')).toEqual(expect.arrayContaining(['DATA UPDATE USERINFO PIN=8401', 'Name=Ana']));

    const answer = await term.uploadAttlog([{ pin: '8401', time: '2026-05-07 09:00:00', status: 0, verify: 1 }]);
    expect(answer.body).toBe('OK: 1');
    await term.uploadAttlog([{ pin: '8401', time: '2026-05-07 09:00:00', status: 0, verify: 1 }]);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM att_transaction WHERE device_sn = $1`, [term.sn])).toEqual([{ n: 1 }]);
  });
});
