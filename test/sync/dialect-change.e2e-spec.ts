/**
 * A panel that registers again with options that change how it stores records (a firmware upgrade, an installer
 * turning a function on) no longer holds what it confirmed in the gateway's terms: the registration drops that
 * confirmed state and owes a full sync in its own transaction, and the panel is written again in its new dialect.
 * Options that change no storage (IP address, firmware version string, push interval) change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

/** Bounded: the reconciler's passes and the panel's polls, a few rounds. */
async function settle(d: Device): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await reconciler.idle();
    await d.sim.pollUntilIdle({ maxPolls: 50 });
  }
}

async function confirmed(sn: string): Promise<string[]> {
  const rows: Array<{ item: string }> = await t.ds.query(
    `SELECT s.kind || ' ' || s.key || ' ' || coalesce(s.hash, '-') AS item FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 ORDER BY 1`,
    [sn],
  );
  return rows.map((r) => r.item);
}

/** Commands queued for the panel and not yet acknowledged. */
async function queued(sn: string): Promise<string[]> {
  const rows: Array<{ command: string }> = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent') ORDER BY id`, [sn]);
  return rows.map((r) => r.command);
}

/** The gateway's view: every desired item confirmed, nothing else, nothing owed. */
async function expectConverged(sn: string): Promise<void> {
  const c = (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
  expect(c).toMatchObject({ divergent: false, unconfirmedItems: 0, failingItems: 0, owed: [] });
  expect(c.confirmedItems).toBe(c.desiredItems);
}

/** A panel with one door in its own level, and one person with a card and a validity on it; synced. */
async function panelWithPerson(sn: string, ip: string, pin: string, cardNo: string, extras: Record<string, string | number>): Promise<Device> {
  const d = await Device.connect(t, sn, 1, ip, { registryExtras: extras });
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: sn }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: sn, doorName: `${ip}-1` }] })).body.code).toBe(0);
  const level = await levelId(t, sn);
  const res = await t.post('/api/person/add', {
    pin,
    name: `P${pin}`,
    cardNo,
    accLevelIds: level,
    accStartTime: '2026-01-01 08:00:00',
    accEndTime: '2030-12-31 18:00:00',
  });
  expect(res.body.code).toBe(0);
  await settle(d);
  d.expectAllAcknowledged();
  d.mark();
  return d;
}

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

describe('a panel registers again with changed options', () => {
  it('multi-card turned on: the confirmed state is dropped, a full sync owed, and the card ends up in mulcarduser', async () => {
    const d = await panelWithPerson('DIALECT0001', '10.20.0.1', '2001', '123456', { MulCardUserFunOn: 0 });
    expect(d.sim.user('2001')).toMatchObject({ Pin: '2001', CardNo: '123456' });
    expect(d.sim.table('mulcarduser')).toEqual([]);
    expect(d.sim.evaluateAccess({ cardno: '123456', door: 1 })).toMatchObject({ granted: true, pin: '2001' });

    // The installer turns multi-card on: the panel now reads cards from mulcarduser only (user.CardNo is void).
    await d.sim.reconfigure({ registryExtras: { MulCardUserFunOn: 1 } });
    expect(d.sim.evaluateAccess({ cardno: '123456', door: 1 }).granted).toBe(false);
    // Before any poll: nothing it confirmed is believed, and the owed full sync is queued.
    await reconciler.idle();
    expect(await confirmed('DIALECT0001')).toEqual([]);
    expect(await queued('DIALECT0001')).toEqual(expect.arrayContaining(['DATA DELETE user *', 'DATA DELETE mulcarduser *']));

    await settle(d);
    d.expectAllAcknowledged();
    const sent = await d.since();
    expect(sent.slice(0, 3)).toEqual(['DATA DELETE userauthorize *', 'DATA DELETE user *', 'DATA DELETE mulcarduser *']);
    // The panel's tables are the desired state in the new dialect: the card in mulcarduser (hex), none in the user record.
    expect(d.sim.table('user')).toHaveLength(1);
    expect(d.sim.user('2001')).toMatchObject({ Pin: '2001', CardNo: '', Name: 'P2001' });
    expect(d.sim.table('mulcarduser')).toEqual([expect.objectContaining({ Pin: '2001', CardNo: '1E240' })]);
    expect(d.sim.rightsOf('2001').map((r) => r.doors)).toEqual([[1]]);
    expect(d.sim.evaluateAccess({ cardno: '123456', door: 1 })).toMatchObject({ granted: true, pin: '2001' });
    await expectConverged('DIALECT0001');
    expect(await confirmed('DIALECT0001')).toEqual(expect.arrayContaining([expect.stringMatching(/^card 2001 /), expect.stringMatching(/^user 2001 /)]));
  });

  it('a user count queued before the change, answered after it, does not owe a second full sync', async () => {
    const d = await panelWithPerson('DIALECT0004', '10.20.0.4', '2004', '423456', {});
    // A reconnect like any other: its verification (DATA COUNT user, userauthorize and timezone) is queued; the panel does not poll yet.
    await d.sim.connect();
    await reconciler.idle();
    expect(await queued('DIALECT0004')).toEqual(['DATA COUNT user', 'DATA COUNT userauthorize', 'DATA COUNT timezone']);
    // Then it registers again with multi-card on: the counts (1 user, its rights rows) are answered after the confirmed state is dropped.
    await d.sim.reconfigure({ registryExtras: { MulCardUserFunOn: 1 } });
    await settle(d);
    d.expectAllAcknowledged();
    const sent = await d.since();
    expect(sent.slice(0, 3)).toEqual(['DATA COUNT user', 'DATA COUNT userauthorize', 'DATA COUNT timezone']);
    expect(sent.filter((c) => c === 'DATA DELETE user *')).toHaveLength(1);
    expect(d.sim.table('mulcarduser')).toEqual([expect.objectContaining({ Pin: '2004', CardNo: (423456).toString(16).toUpperCase() })]);
    await expectConverged('DIALECT0004');
  });

  it('a firmware upgrade from templatev10/userpic to biodata/biophoto: the old tables are emptied, nothing of a person who left stays', async () => {
    const oldFirmware = {
      registryPushVersion: 'Ver 2.2.0-20180101',
      multiBioDataSupport: '',
      multiBioPhotoSupport: '',
      registryExtras: { DateFmtFunOn: 0, BioPhotoFun: 0, BioDataFun: 0, PhotoFunOn: 1 },
    };
    const d = await Device.connect(t, 'DIALECT0005', 1, '10.20.0.5', oldFirmware);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'DIALECT0005' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'DIALECT0005', doorName: '10.20.0.5-1' }] })).body.code).toBe(0);
    const level = await levelId(t, 'DIALECT0005');
    const finger = Buffer.from('finger template v10 of 2005 ....').toString('base64');
    for (const pin of ['2005', '2006']) {
      expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level, personPhoto: PHOTO })).body.code).toBe(0);
      expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger, templateNo: '3' })).body.code).toBe(0);
    }
    await settle(d);
    const pinsIn = (table: string) => [...new Set(d.sim.table(table).map((r) => String(r.Pin ?? r.pin ?? r.PIN)))].sort();
    expect(pinsIn('templatev10')).toEqual(['2005', '2006']);
    expect(pinsIn('userpic')).toEqual(['2005', '2006']);

    // The firmware upgrade: unified templates (biodata) and comparison photos (biophoto) from now on.
    await d.sim.reconfigure({ registryPushVersion: 'Ver 3.1.2S-20240809', multiBioDataSupport: '0:1:1:0:0:0:0:0:0:1', multiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1', registryExtras: { BioPhotoFun: 1, BioDataFun: 1, DateFmtFunOn: 1 } });
    await reconciler.idle();
    expect(await queued('DIALECT0005')).toEqual(expect.arrayContaining(['DATA DELETE templatev10 *', 'DATA DELETE userpic pin=2005', 'DATA DELETE userpic pin=2006']));
    // One of them leaves before the panel polls again.
    expect((await t.delete('/api/person/delete/2006')).body.code).toBe(0);
    await settle(d);
    d.expectAllAcknowledged();
    expect(d.sim.table('templatev10')).toEqual([]);
    expect(d.sim.table('userpic')).toEqual([]);
    expect(pinsIn('biodata')).toEqual(['2005']);
    expect(pinsIn('biophoto')).toEqual(['2005']);
    expect(pinsIn('user')).toEqual(['2005']);
    await expectConverged('DIALECT0005');
    expect((await t.get('/api/gateway/devices/DIALECT0005')).body.data.refusedCapabilities).toEqual([]);
  });

  it('a firmware that dropped its old tables refuses their deletes: the new dialect still converges', async () => {
    let upgraded = false;
    const d = await Device.connect(t, 'DIALECT0006', 1, '10.20.0.6', {
      registryPushVersion: 'Ver 2.2.0-20180101',
      multiBioDataSupport: '',
      multiBioPhotoSupport: '',
      registryExtras: { BioPhotoFun: 0, BioDataFun: 0, PhotoFunOn: 1 },
      resultFor: (c) => (upgraded && c.verb === 'DATA DELETE' && (c.table === 'templatev10' || c.table === 'userpic') ? -1004 : undefined),
    });
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'DIALECT0006' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'DIALECT0006', doorName: '10.20.0.6-1' }] })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '2007', name: 'P2007', accLevelIds: await levelId(t, 'DIALECT0006'), personPhoto: PHOTO })).body.code).toBe(0);
    await settle(d);
    upgraded = true;
    await d.sim.reconfigure({ registryPushVersion: 'Ver 3.1.2S-20240809', multiBioDataSupport: '0:1:1:0:0:0:0:0:0:1', multiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1', registryExtras: { BioPhotoFun: 1, BioDataFun: 1 } });
    await settle(d);
    expect(d.sim.table('biophoto').map((r) => String(r.PIN ?? r.Pin))).toEqual(['2007']);
    await expectConverged('DIALECT0006');
  });

  it('only the IP address, firmware version and push interval changed: nothing is owed, nothing rewritten', async () => {
    const d = await panelWithPerson('DIALECT0002', '10.20.0.2', '2002', '223456', {});
    const before = await confirmed('DIALECT0002');
    expect(before.length).toBeGreaterThan(0);
    const tables = JSON.stringify({ user: d.sim.table('user'), userauthorize: d.sim.table('userauthorize'), timezone: d.sim.table('timezone') });

    await d.sim.reconfigure({ ipAddress: '10.20.9.2', firmVer: 'Ver 8.0.5.1-20260101', registryExtras: { TransInterval: 5 } });
    await reconciler.idle();
    expect(await queued('DIALECT0002')).toEqual(['DATA COUNT user', 'DATA COUNT userauthorize', 'DATA COUNT timezone']);
    await settle(d);
    // The registration was taken in (its firmware stored) and judged like any reconnect: counted, nothing else.
    const [row]: Array<{ firm_ver: string; ip_address: string }> = await t.ds.query(`SELECT firm_ver, ip_address FROM device WHERE sn = 'DIALECT0002'`);
    expect(row).toEqual({ firm_ver: 'Ver 8.0.5.1-20260101', ip_address: '10.20.9.2' });
    expect(await d.since()).toEqual(['DATA COUNT user', 'DATA COUNT userauthorize', 'DATA COUNT timezone']);
    expect(await confirmed('DIALECT0002')).toEqual(before);
    expect(JSON.stringify({ user: d.sim.table('user'), userauthorize: d.sim.table('userauthorize'), timezone: d.sim.table('timezone') })).toBe(tables);
    await expectConverged('DIALECT0002');
  });

  it('DateFmtFunOn turned off: the validity is written again as YYYYMMDD', async () => {
    const d = await panelWithPerson('DIALECT0003', '10.20.0.3', '2003', '323456', { DateFmtFunOn: 1 });
    const seconds = d.sim.user('2003')!;
    expect(seconds.StartTime).toMatch(/^\d{9,}$/);
    expect(d.sim.evaluateAccess({ pin: '2003', door: 1 }).granted).toBe(true);

    await d.sim.reconfigure({ registryExtras: { DateFmtFunOn: 0 } });
    // Read as YYYYMMDD, the seconds it holds put the start thousands of years ahead.
    expect(d.sim.evaluateAccess({ pin: '2003', door: 1 })).toMatchObject({ granted: false, event: 29 });
    await reconciler.idle();
    expect(await confirmed('DIALECT0003')).toEqual([]);
    expect(await queued('DIALECT0003')).toContain('DATA DELETE user *');

    await settle(d);
    d.expectAllAcknowledged();
    expect(d.sim.user('2003')).toMatchObject({ Pin: '2003', CardNo: '323456', StartTime: '20260101', EndTime: '20301231' });
    expect(d.sim.evaluateAccess({ pin: '2003', door: 1 })).toMatchObject({ granted: true, event: 0 });
    await expectConverged('DIALECT0003');
  });
});
