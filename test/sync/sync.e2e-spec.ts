import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, levelId, PHOTO, seedPersons } from './access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let a: Device;
let old: Device;
let outside: Device;
let level: string;

const PERSONS = 1200;

beforeAll(async () => {
  t = await startTestApp();
  a = await Device.connect(t, 'SYNCA0001', 2, '10.5.0.1');
  // An older panel: no BIODATA / biophoto, YYYYMMDD validity, user photos through userpic.
  old = await Device.connect(t, 'SYNCOLD001', 1, '10.5.0.2', {
    registryPushVersion: 'Ver 2.2.0-20180101',
    multiBioDataSupport: '',
    multiBioPhotoSupport: '',
    registryExtras: { DateFmtFunOn: 0, BioPhotoFun: 0, BioDataFun: 0, PhotoFunOn: 1 },
  });
  outside = await Device.connect(t, 'SYNCOUT001', 1, '10.5.0.3');
  await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'All' }] });
  await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'All', doorName: '10.5.0.1-2' }, { levelName: 'All', doorName: '10.5.0.2-1' }] });
  level = await levelId(t, 'All');
  await a.since();
  await old.since();
});
afterAll(async () => {
  await t?.close();
});

describe('dialects', () => {
  it('an older panel gets YYYYMMDD validity, templatev10 deletes and userpic photos', async () => {
    expect((await t.post('/api/person/add', { pin: '9', name: 'Old', accLevelIds: level, accStartTime: '2026-05-06 07:00:00', personPhoto: PHOTO })).body.code).toBe(0);
    expect(await old.since()).toEqual([
      'DATA UPDATE user CardNo=\tPin=9\tPassword=\tStartTime=20260506\tEndTime=0\tName=Old\tPrivilege=0\tDisable=0',
      'DATA UPDATE userauthorize Pin=9\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1',
      `DATA UPDATE userpic pin=9\tsize=${PHOTO.length}\tcontent=${PHOTO}`,
    ]);
    expect((await a.since()).slice(0, 2)).toEqual([
      `DATA UPDATE user CardNo=\tPin=9\tPassword=\tStartTime=${(26 * 372 + 4 * 31 + 5) * 86400 + 7 * 3600}\tEndTime=0\tName=Old\tPrivilege=0\tDisable=0`,
      'DATA UPDATE userauthorize Pin=9\tAuthorizeTimezoneId=1\tAuthorizeDoorId=2',
    ]);
    expect((await t.delete('/api/person/delete/9')).body.code).toBe(0);
    expect(await old.since()).toEqual(['DATA DELETE userauthorize Pin=9', 'DATA DELETE user Pin=9', 'DATA DELETE userpic pin=9']);
    await a.since();
    expect(await outside.since()).toEqual([]);
  });

  it('a panel whose stored capabilities predate the dialect is still planned in the dialect of its registration', async () => {
    // Rows registered before the dialect was stored hold only the raw registration: the planner reads that.
    const [{ caps }] = await t.ds.query(`SELECT capabilities AS caps FROM device WHERE sn = 'SYNCOLD001'`);
    await t.ds.query(`UPDATE device SET capabilities = capabilities - 'dialect' WHERE sn = 'SYNCOLD001'`);
    try {
      expect((await t.post('/api/person/add', { pin: '8', name: 'Older', accLevelIds: level, accStartTime: '2026-05-06 07:00:00' })).body.code).toBe(0);
      expect(await old.since()).toEqual([
        'DATA UPDATE user CardNo=\tPin=8\tPassword=\tStartTime=20260506\tEndTime=0\tName=Older\tPrivilege=0\tDisable=0',
        'DATA UPDATE userauthorize Pin=8\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1',
      ]);
      expect((await t.delete('/api/person/delete/8')).body.code).toBe(0);
      await old.since();
      await a.since();
    } finally {
      await t.ds.query(`UPDATE device SET capabilities = $1::jsonb WHERE sn = 'SYNCOLD001'`, [JSON.stringify(caps)]);
    }
  });
});

describe('full sync of a device (syncDeviceFull), batched', () => {
  it(`sends ${PERSONS} persons in a handful of commands, and the device ends up holding exactly them`, async () => {
    await seedPersons(t, PERSONS, level);
    const res = await t.post('/api/gateway/devices/SYNCA0001/sync');
    expect(res.body.code).toBe(0);
    const sent = await a.since();
    const kinds = sent.map((c) => c.split(' ').slice(0, 3).join(' ') + (c.startsWith('DATA UPDATE') ? ` x${c.split('\n').length}` : ''));
    expect(kinds).toEqual([
      'DATA DELETE userauthorize',
      'DATA DELETE user',
      // The template table, by each Type the panel takes (a spare board's templates must not open as our pins).
      'DATA DELETE biodata',
      'DATA DELETE biodata',
      'DATA DELETE biodata',
      // And its face photos (biophoto Type=9): one the gateway never sent is compared against too.
      'DATA DELETE biophoto',
      'DATA UPDATE timezone x1',
      'DATA DELETE holiday',
      'DATA UPDATE user x500',
      'DATA UPDATE user x500',
      'DATA UPDATE user x200',
      'DATA UPDATE userauthorize x500',
      'DATA UPDATE userauthorize x500',
      'DATA UPDATE userauthorize x200',
    ]);
    expect(sent.slice(0, 2)).toEqual(['DATA DELETE userauthorize *', 'DATA DELETE user *']);
    expect(a.sim.table('user')).toHaveLength(PERSONS);
    expect(a.sim.rightsOf('100001')).toHaveLength(1);
    a.expectAllAcknowledged();
    expect(await outside.since()).toEqual([]);
    expect(outside.sim.table('user')).toHaveLength(0);
    // A second full sync removes persons the device should no longer hold.
    await t.ds.query(`DELETE FROM acc_level_person WHERE person_id = md5('p1')`);
    await t.post('/api/gateway/devices/SYNCA0001/sync');
    const again = await a.since();
    // Cleared with `*` and resent: the person left out is simply not sent again.
    expect(again.slice(0, 2)).toEqual(['DATA DELETE userauthorize *', 'DATA DELETE user *']);
    expect(again.filter((c) => /(^|\n|\t| )Pin=100001(\t|\n|$)/.test(c) && !c.startsWith('DATA DELETE'))).toEqual([]);
    expect(a.sim.table('user')).toHaveLength(PERSONS - 1);
    expect(a.sim.table('user').some((u) => u.Pin === '100001')).toBe(false);
  });

  it('the devices of a person: held (confirmed by the device) or not yet', async () => {
    const r = await t.get('/api/gateway/persons/100002/devices');
    expect(r.body.code).toBe(0);
    // Seeded by SQL and fully synced to SYNCA0001 only: the older panel should hold them and does not.
    expect(r.body.data).toEqual([
      {
        deviceSn: 'SYNCA0001', deviceAlias: '10.5.0.1', state: 'synced', desired: true, holds: true,
        rights: [{ timezoneId: 1, authorizeDoorId: 2 }], confirmedRights: [{ timezoneId: 1, authorizeDoorId: 2 }], unconfirmed: [],
        pendingCommands: 0, lastReturn: null, lastReason: null, lastError: null, refused: [], refusals: [], skipped: null, cannotHold: [], confirmedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/), lastConfirmedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      },
      {
        deviceSn: 'SYNCOLD001', deviceAlias: '10.5.0.2', state: 'divergent', desired: true, holds: false,
        rights: [{ timezoneId: 1, authorizeDoorId: 1 }], confirmedRights: [], unconfirmed: ['user', 'auth'],
        pendingCommands: 0, lastReturn: null, lastReason: null, lastError: null, refused: [], refusals: [], skipped: null, cannotHold: [], confirmedAt: null, lastConfirmedAt: null,
      },
    ]);
    expect((await t.get('/api/gateway/persons/100002/sync')).body.data).toHaveLength(2);
    const dev = await t.get('/api/gateway/devices/SYNCA0001/convergence');
    expect(dev.body.data).toMatchObject({ sn: 'SYNCA0001', state: 'synced', divergent: false, unconfirmedItems: 0, refusedItems: 0, failingItems: 0, pendingCommands: 0, refused: [], refusals: [], skipped: [], owed: [] });
    expect(dev.body.data.desiredItems).toBe(dev.body.data.confirmedItems);
    expect((await t.get('/api/gateway/persons/nobody/sync')).body.code).toBe(-22);
  });
});
