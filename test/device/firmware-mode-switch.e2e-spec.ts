/**
 * The same SN moving from Security PUSH to Attendance PUSH: a SenseFace 2A (field samples: Push 3.0.4S in A&C mode,
 * 3.1.2S in T&A mode) or a SpeedFace-V5L (ZAM230, "acc and att units") switched to T&A firmware at its menu. It
 * registered as an access panel before; now it initialises as an attendance terminal (`DeviceType=att`, a 2.x
 * `pushver`, `language`, `PushOptionsFlag`: hs-speedface-v5l-zam230-att, raw) and never registers again. Its
 * handshake was no evidence because it had registered once: it was answered the panel's registry block, so it never
 * got its option block, stayed an access panel (not in the attendance device list), and was sent none of its area's
 * people. It is now an attendance terminal from that initialisation on, served as one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let reconciler: SyncReconciler;
beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error', syncReconcileIntervalMs: 0 } as never);
  reconciler = t.app.get(SyncReconciler);
  expect((await t.post('/api/person/add', { pin: '6101', name: 'Ann' })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6101'] })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

const SN = 'AJE1261900133';
const snsOf = async (path: string): Promise<string[]> => ((await t.get(path, { pageNo: 1, pageSize: 100 })).body.data as Array<{ sn: string }>).map((d) => d.sn);
/** Commands on a Security PUSH table (lower-case names), which T&A firmware refuses (-1004). */
const PANEL_TABLES = /^DATA (UPDATE|DELETE|QUERY|COUNT) (user|userauthorize|templatev10|holiday|timezone|biodata|biophoto|userpic|extuser|mulcarduser)\b/;

describe('a registered access panel switched to T&A firmware under the same SN', () => {
  it('initialises as a terminal: given its option block, listed as an attendance device, sent its area members, its punches stored', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 1 });
    expect((await panel.connect()).registered).toBe(true);
    await panel.pollUntilIdle();
    expect((await t.get(`/api/gateway/devices/${SN}`)).body.data.kind).toBe('acc');

    // The field sample's own initialisation, byte for byte (hs-speedface-v5l-zam230-att).
    const init = await fetch(`${t.baseUrl}/iclock/cdata?SN=${SN}&options=all&language=69&pushver=2.4.1&DeviceType=att&PushOptionsFlag=1`, {
      headers: { 'User-Agent': 'iClock Proxy/1.09', Connection: 'close' },
    });
    expect(init.status).toBe(200);
    expect(await init.text()).toMatch(new RegExp(`^GET OPTION FROM: ${SN}\\r?\\n`));
    expect((await t.get(`/api/gateway/devices/${SN}`)).body.data.kind).toBe('att');
    expect(await snsOf('/api/device/attList')).toContain(SN);
    expect(await snsOf('/api/device/accList')).not.toContain(SN);

    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: SN, pushOptionsFlag: true });
    expect(await term.init()).toBe(true);
    expect((await term.uploadAttlog([{ pin: '6101', time: '2026-05-07 09:00:00', status: 0, verify: 1 }])).body).toBe('OK: 1');
    for (let i = 0; i < 6 && !term.users.has('6101'); i++) {
      await reconciler.runOnce();
      await reconciler.idle();
      await term.drain();
    }
    expect([...term.users.keys()]).toEqual(['6101']);
    expect(term.executed.map((e) => e.command).filter((c) => PANEL_TABLES.test(c))).toEqual([]);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM att_transaction WHERE device_sn = $1`, [SN])).toEqual([{ n: 1 }]);
  });
});
