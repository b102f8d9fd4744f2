import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, panelInLevel } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Open-ended validity as HR and visitor systems write it ("from 1970", "until 9999"): the panels' ZK seconds cover
 * 2000 to mid-2133 only, and such a person or visitor was never sent to a panel (a warning in the log) while the REST
 * write answered 0. Now the bound is held within the range: the panel gets the user and the door opens.
 */
let t: TestApp;
let a: Device;
let level: string;
// ((2133-2000)*372 + 5*31 + 29) * 86400 + 86399: 2133-06-30 23:59:59, the last second ZK seconds hold in 32 bits.
const LAST = ((2133 - 2000) * 372 + 5 * 31 + 29) * 86400 + 86399;

beforeAll(async () => {
  t = await startTestApp();
  const panel = await panelInLevel(t, 'VALRANGE01', '10.9.1.1', 'Open ended');
  [a, level] = [new Device(panel.sim), panel.level];
  await a.since();
});
afterAll(() => t?.close());

describe('validity outside what a panel encodes (2000-2133)', () => {
  it('a person valid from 1970 until 9999 (person/add, v2/person/addPersons) reaches the panel and is let in', async () => {
    const add = await t.post('/api/person/add', { pin: '7101', name: 'Open', accLevelIds: level, accStartTime: '1970-01-01 00:00:00', accEndTime: '9999-12-31 23:59:59' });
    expect(add.body).toEqual({ code: 0, message: 'success', data: null });
    const v2 = await t.post('/api/v2/person/addPersons', [{ pin: '7102', name: 'Open too', accLevelIds: level, accStartTime: '1999-06-01 08:00:00', accEndTime: '2200-01-01 00:00:00' }]);
    expect(v2.body.code).toBe(0);
    await a.since();
    expect(a.sim.user('7101')).toMatchObject({ Pin: '7101', StartTime: '0', EndTime: String(LAST) });
    expect(a.sim.user('7102')).toMatchObject({ Pin: '7102', StartTime: '0', EndTime: String(LAST) });
    expect((await a.sim.access({ pin: 7101, door: 1 })).decision.granted).toBe(true);
    a.expectAllAcknowledged();
  });

  it('a person whose validity ended before 2000 is on the panel as expired (never as "no limit")', async () => {
    expect((await t.post('/api/person/add', { pin: '7103', name: 'Past', accLevelIds: level, accStartTime: '1990-01-01 00:00:00', accEndTime: '1999-12-31 23:59:59' })).body.code).toBe(0);
    await a.since();
    expect(a.sim.user('7103')).toMatchObject({ StartTime: '0', EndTime: '1' });
    expect((await a.sim.access({ pin: 7103, door: 1 })).decision.granted).toBe(false);
  });

  it('a visitor checked in until 9999 reaches the panel and is let in', async () => {
    await t.post('/api/person/add', { pin: '7104', name: 'Host' });
    const reg = await t.post('/api/visRegistration/add', {
      persPersonPin: '7104',
      certType: '3',
      certNum: 'VR9999',
      visEmpName: 'Far Future',
      visitReason: 'visit',
      visitorCount: '1',
      startTime: '2020-01-01 00:00:00',
      endTime: '9999-12-31 23:59:59',
      cardNo: '7104001',
      visLevels: level,
    });
    expect(reg.body).toEqual({ code: 0, message: 'success', data: null });
    await a.since();
    const pin = (await t.get('/api/gateway/visRegistration/get', { certType: '3', certNum: 'VR9999' })).body.data.pin;
    expect(a.sim.user(pin)).toMatchObject({ CardNo: '7104001', EndTime: String(LAST) });
    expect((await a.sim.access({ cardno: '7104001', door: 1 })).decision.granted).toBe(true);
    a.expectAllAcknowledged();
  });
});
