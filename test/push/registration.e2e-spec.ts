import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAdmissionService } from '../../src/push/device-admission.service';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import { DeviceStatusService } from '../../src/push/device-status.service';
import { dataUpdateUser } from '../../src/push/protocol';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { commandsOf, enqueue } from './push-helpers';

const HEX32 = /^[0-9a-f]{32}$/;
const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

async function doorsOf(t: TestApp, sn: string) {
  return t.ds.query(
    `SELECT d.id, d.door_no, d.name, a.code AS area_code,
            (SELECT json_agg(json_build_object('name', r.name, 'in_out', r.in_out, 'reader_no', r.reader_no, 'id', r.id) ORDER BY r.in_out)
             FROM reader r WHERE r.door_id = d.id) AS readers
     FROM door d JOIN device dv ON dv.id = d.device_id LEFT JOIN area a ON a.id = dv.area_id
     WHERE dv.sn = $1 ORDER BY d.door_no`,
    [sn],
  );
}

describe('DEVICE_ADMISSION=auto', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ deviceAdmission: 'auto' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers a device on first contact: the handshake, the registry code, the configuration', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-AUTO-1', doors: 4, ipAddress: '10.1.2.3' });
    const hs = await sim.handshake();
    expect([hs.status, hs.body]).toEqual([200, 'OK']);
    const reg = await sim.register();
    expect(reg.registered).toBe(true);
    expect(reg.body).toMatch(/^RegistryCode=[\x21-\x7e]{1,32}$/);
    const registry = sim.exchanges.find((e) => e.path === '/iclock/registry')!;
    expect(registry.responseHeaders!['set-cookie']).toMatch(/^JSESSIONID=\w+; Path=\/; HttpOnly$/);
    expect(reg.config).toMatchObject({
      ServerVersion: expect.any(String),
      PushProtVer: '3.0.1',
      RequestDelay: '5',
      ErrorDelay: '30',
      Realtime: '1',
      TransTables: 'User Transaction',
      TimeZone: '0',
      SessionID: sim.sessionId,
    });
    const again = await sim.handshake();
    expect(again.registered).toBe(true);
    expect(again.options).toMatchObject({ registry: 'ok', RegistryCode: sim.registryCode, SessionID: sim.sessionId, PushProtVer: '3.0.1' });
    for (const e of sim.exchanges) {
      expect(e.status).toBe(200);
      expect(e.responseHeaders!['date']).toMatch(RFC1123);
      expect(e.responseHeaders!['content-type']).toBe('text/plain;charset=UTF-8');
    }
  });

  it('creates the doors named <alias>-<n> and an in and an out reader per door, in the default area', async () => {
    const doors = await doorsOf(t, 'REG-AUTO-1');
    expect(doors.map((d: { name: string }) => d.name)).toEqual(['10.1.2.3-1', '10.1.2.3-2', '10.1.2.3-3', '10.1.2.3-4']);
    for (const d of doors) {
      expect(d.id).toMatch(HEX32);
      expect(d.area_code).toBe('1');
      expect(d.readers.map((r: { name: string; in_out: number }) => [r.name, r.in_out])).toEqual([
        [`${d.name}-In`, 0],
        [`${d.name}-Out`, 1],
      ]);
      for (const r of d.readers) expect(r.id).toMatch(HEX32);
    }
    const [device] = await t.ds.query(`SELECT * FROM device WHERE sn = 'REG-AUTO-1'`);
    expect(device).toMatchObject({ alias: '10.1.2.3', admission: 'admitted', lock_count: 4, reader_count: 8, aux_in_count: 4, aux_out_count: 4, time_zone: 'UTC', request_delay: 5 });
    expect(device.id).toMatch(HEX32);
  });

  it('stores every registration parameter raw and parsed', async () => {
    const [device] = await t.ds.query(`SELECT * FROM device WHERE sn = 'REG-AUTO-1'`);
    expect(device.registration).toMatchObject({ DeviceType: 'acc', '~DeviceName': 'SIM-4Door', LockCount: '4', pushver: '3.1.2', MultiBioDataSupport: '0:1:1:0:0:0:0:0:0:1' });
    expect(device.push_version).toBe('Ver 3.1.2S-20240809');
    expect(device.firm_ver).toBe('AC Ver 5.7.8.3033 Jan 9 2024');
    expect(device.device_type).toBe('acc');
    expect(device.capabilities).toMatchObject({
      lockCount: 4,
      readerCount: 8,
      maxPackageSize: 2048000,
      pushVersion: [3, 1, 2],
      stringPinFunOn: true,
      accSupportFunList: expect.arrayContaining([1, 3, 5, 10]),
      dialect: { bio: 'biodata', dateFormat: 'seconds', pin: 'string', cards: 'user', wrappedCommands: false },
    });
  });

  it('is idempotent: a device re-registering on reconnect keeps its doors, readers and registry code', async () => {
    const [before] = await t.ds.query(`SELECT registry_code FROM device WHERE sn = 'REG-AUTO-1'`);
    const doorsBefore = await doorsOf(t, 'REG-AUTO-1');
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-AUTO-1', doors: 4, ipAddress: '10.1.2.3', firmVer: 'AC Ver 5.8.0' });
    for (let i = 0; i < 3; i++) expect((await sim.connect()).registered).toBe(true);
    expect(sim.registryCode).toBe(before.registry_code);
    expect(await doorsOf(t, 'REG-AUTO-1')).toEqual(doorsBefore);
    const [device] = await t.ds.query(`SELECT firm_ver, (SELECT count(*)::int FROM device WHERE sn = 'REG-AUTO-1') AS n FROM device WHERE sn = 'REG-AUTO-1'`);
    expect(device).toEqual({ firm_ver: 'AC Ver 5.8.0', n: 1 });
  });

  it('names the doors after the SN when another device already uses the IP as its alias', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-AUTO-2', doors: 1, ipAddress: '10.1.2.3' });
    expect((await sim.connect()).registered).toBe(true);
    expect((await doorsOf(t, 'REG-AUTO-2')).map((d: { name: string }) => d.name)).toEqual(['REG-AUTO-2-1']);
  });

  it('gives a trimmed registration without LockCount the doors its model implies (field samples of a C3-100Pro and a SenseFace 2A)', async () => {
    const register = async (sn: string, body: string) => {
      await fetch(`${t.baseUrl}/iclock/cdata?SN=${sn}&options=all&pushver=3.1.2`);
      const r = await fetch(`${t.baseUrl}/iclock/registry/?SN=${sn}`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body });
      expect([r.status, (await r.text()).startsWith('RegistryCode=')]).toEqual([200, true]);
    };
    await register('REG-TRIM-C3', 'DeviceType=acc,~DeviceName=C3-100Pro,FirmVer=AC Ver 4.7.8.3033 Aug 14 2023,authKey=\n');
    await register('REG-TRIM-SF', 'DeviceType=acc,~DeviceName=SenseFace 2A,FirmVer=ZAM70-NF24HA-Ver3.0.15,PushVersion=Ver 3.0.4S-20240809,~SerialNumber=REG-TRIM-SF,FaceFunOn=1,FingerFunOn=1');
    for (const sn of ['REG-TRIM-C3', 'REG-TRIM-SF']) {
      const doors = await doorsOf(t, sn);
      expect(doors.map((d: { door_no: number; name: string }) => [d.door_no, d.name])).toEqual([[1, `${sn}-1`]]);
      expect(doors[0].readers.map((r: { name: string }) => r.name)).toEqual([`${sn}-1-In`, `${sn}-1-Out`]);
    }
    // The full body later reports its locks: the missing doors are added, the first kept.
    await register('REG-TRIM-C3', 'DeviceType=acc,~DeviceName=C3-100Pro,FirmVer=AC Ver 4.7.8.3033 Aug 14 2023,LockCount=2,ReaderCount=4');
    expect((await doorsOf(t, 'REG-TRIM-C3')).map((d: { door_no: number }) => d.door_no)).toEqual([1, 2]);
  });

  it('tells online from offline by the last contact, and writes it to device.last_seen_at in batches', async () => {
    const status = t.app.get(DeviceStatusService);
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-ONLINE', doors: 1 });
    expect(status.isOnline('REG-ONLINE')).toBe(false);
    await sim.connect();
    await sim.poll();
    expect(status.isOnline('REG-ONLINE')).toBe(true);
    // 3 × RequestDelay (5 s) is below the 30 s floor, and a tenth of slack on top (online-window.ts: terminals idle
    // at 30-31 s): online 31 s after the last contact, offline 34 s after it.
    expect(status.isOnline('REG-ONLINE', Date.now() + 29_000)).toBe(true);
    expect(status.isOnline('REG-ONLINE', Date.now() + 31_000)).toBe(true);
    expect(status.isOnline('REG-ONLINE', Date.now() + 34_000)).toBe(false);
    expect(status.isOnline({ sn: 'REG-ONLINE', requestDelay: 20 }, Date.now() + 65_000)).toBe(true);
    expect(status.isOnline({ sn: 'REG-ONLINE', requestDelay: 20 }, Date.now() + 67_000)).toBe(false);
    await status.flush();
    const [row] = await t.ds.query(`SELECT last_seen_at FROM device WHERE sn = 'REG-ONLINE'`);
    expect(Math.abs(new Date(row.last_seen_at).getTime() - status.lastSeen('REG-ONLINE')!.getTime())).toBeLessThan(1000);
  });

  it('tells registration listeners (the sync planner) about an admitted device', async () => {
    const events: unknown[] = [];
    t.app.get(DeviceRegistryService).onRegistered((e) => events.push(e));
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-LISTEN', doors: 1 });
    await sim.connect();
    await sim.connect();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([
      { deviceId: expect.stringMatching(HEX32), sn: 'REG-LISTEN', first: true, admittedNow: false },
      // A registration again carries the parameters stored before and those sent now (a dialect change is told from them).
      {
        deviceId: expect.stringMatching(HEX32),
        sn: 'REG-LISTEN',
        first: false,
        admittedNow: false,
        registration: { before: expect.objectContaining({ '~SerialNumber': 'REG-LISTEN', MulCardUserFunOn: '0' }), after: expect.objectContaining({ '~SerialNumber': 'REG-LISTEN', MulCardUserFunOn: '0' }) },
      },
    ]);
  });
});

const HELD_EVENT = 'time=2026-05-01 10:00:00\tpin=1\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=7';

describe('DEVICE_ADMISSION=manual', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ deviceAdmission: 'manual' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps an unknown device pending: answered the unregistered way, no doors, no commands, no stored events', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-MANUAL', doors: 2 });
    const c = await sim.connect();
    expect(c.registered).toBe(false);
    expect(sim.exchanges.map((e) => [e.path, e.status, e.responseBody])).toEqual([
      ['/iclock/cdata', 200, 'OK'],
      ['/iclock/registry', 200, '406'],
    ]);
    const [device] = await t.ds.query(`SELECT admission, lock_count, registry_code, registration->>'LockCount' AS lc FROM device WHERE sn = 'REG-MANUAL'`);
    expect(device).toEqual({ admission: 'pending', lock_count: 2, registry_code: null, lc: '2' });
    expect(await doorsOf(t, 'REG-MANUAL')).toEqual([]);

    await enqueue(t, 'REG-MANUAL', [dataUpdateUser({ pin: 1, name: 'Ann' })]);
    expect(await sim.poll()).toEqual([]);
    expect((await commandsOf(t, 'REG-MANUAL'))[0].state).toBe('pending');

    // Its events are not acknowledged: the panel keeps them and sends them again once it is admitted.
    const up = await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, HELD_EVENT);
    expect([up.status, up.body]).toEqual([200, 'ERROR: device REG-MANUAL is not admitted']);
    expect(await t.ds.query(`SELECT * FROM acc_transaction WHERE device_sn = 'REG-MANUAL'`)).toEqual([]);
    // A door state alone is a snapshot the next one replaces: acknowledged, not stored.
    const state = await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, 'time=2026-05-01 10:00:01\tsensor=01\trelay=00\talarm=0000000000000000\tdoor=01');
    expect([state.status, state.body]).toEqual([200, 'OK']);
    const push = await sim.uploadRaw('/iclock/push', {}, '');
    expect(push.body).toBe('OK');
  });

  it('records an SN first seen on a poll as pending', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-POLLER' });
    expect(await sim.poll()).toEqual([]);
    expect(await t.ds.query(`SELECT admission FROM device WHERE sn = 'REG-POLLER'`)).toEqual([{ admission: 'pending' }]);
  });

  it('after approval registers the device, creates its doors and delivers its commands', async () => {
    expect(await t.app.get(DeviceAdmissionService).approve('REG-MANUAL')).toBe(true);
    expect((await doorsOf(t, 'REG-MANUAL')).map((d: { name: string }) => d.name)).toEqual(['192.168.1.201-1', '192.168.1.201-2']);
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-MANUAL', doors: 2 });
    expect((await sim.connect()).registered).toBe(true);
    const got = await sim.poll();
    expect(got.map((c) => c.command)).toEqual([dataUpdateUser({ pin: 1, name: 'Ann' })]);
    expect(sim.user(1)?.Name).toBe('Ann');
    // The event held back while pending, sent again: stored now.
    expect((await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, HELD_EVENT)).body).toBe('OK');
    expect(await t.ds.query(`SELECT log_id, pin FROM acc_transaction WHERE device_sn = 'REG-MANUAL'`)).toEqual([{ log_id: 7, pin: '1' }]);
    expect(await t.app.get(DeviceAdmissionService).approve('NO-SUCH-SN')).toBe(false);
  });

  it('a disabled device is refused again', async () => {
    await t.app.get(DeviceAdmissionService).disable('REG-MANUAL');
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'REG-MANUAL', doors: 2 });
    expect((await sim.connect()).registered).toBe(false);
  });
});
