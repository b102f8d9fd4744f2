import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { lockWaits } from '../support/lock-waits';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';

/**
 * REST writes meeting a concurrent write that the race hunt (race-hunt.e2e-spec.ts) found answered with a
 * program error or a bare -409: each now answers what it would one call later. The other writer is a transaction
 * of the test's own, on its own connection, held open until the gateway's request waits on it, so the order is the
 * same at every run. Not on the embedded database (PGlite): it runs one transaction at a time, so no two writes
 * overlap there.
 */
const onPglite = inject('testDb').mode === 'embedded';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A connection of the test's own, in a transaction, that loses no deadlock to the gateway. */
async function ownTransaction(): Promise<Client> {
  const c = new Client({ connectionString: t.db.url });
  await c.connect();
  await c.query(`SET deadlock_timeout = '60s'`);
  await c.query('BEGIN');
  return c;
}

/** Runs `write` while `sql` (a delete or move of the test's own) is uncommitted, commits it once the write waits on it. */
async function writeDuring<T = HttpResult>(sql: string, write: () => Promise<T>): Promise<T> {
  const other = await ownTransaction();
  try {
    await other.query(sql);
    const answer = write();
    await lockWaits(t.ds, 1);
    await other.query('COMMIT');
    return await answer;
  } finally {
    await other.end();
  }
}

describe.skipIf(onPglite)('REST writes racing each other', () => {
  /**
   * A deadlock: the other side of the cycle does what a concurrent person write does. Its deadlock_timeout is
   * long, so the gateway's request is the one PostgreSQL aborts; it is run again inside (writeTransaction).
   */
  it('department delete meeting a person write that moves persons in and out of it answers -15, not a program error', async () => {
    expect((await t.post('/api/department/add', { code: 'DL1', name: 'Leaving' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '5301', name: 'In', deptCode: 'DL1' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '5302', name: 'Joining', deptCode: '1' })).body.code).toBe(0);
    const writer = await ownTransaction();
    try {
      // A person write (person/add locks the person it edits): 5301, of the department, locked first.
      await writer.query(`SELECT 1 FROM person WHERE pin = '5301' FOR UPDATE`);
      // The delete takes the department's row, then its foreign key check waits on 5301.
      const answer = t.post('/api/department/delete/DL1');
      await lockWaits(t.ds, 1);
      // The same write then moves 5302 into the department: it waits on the delete, which waits on it.
      await writer.query(`UPDATE person SET dept_id = (SELECT id FROM department WHERE code = 'DL1') WHERE pin = '5302'`);
      await writer.query('COMMIT');
      const r = await answer;
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ code: -15 });
    } finally {
      await writer.end();
    }
    expect((await t.get('/api/department/get/DL1')).body.code).toBe(0);
  });

  it('person/add and v2/person/addPersons into a department deleted meanwhile answer -13, not a bare -409', async () => {
    for (const [code, write] of [
      ['DL2', () => t.post('/api/person/add', { pin: '5311', name: 'Late', deptCode: 'DL2' })],
      ['DL3', () => t.post('/api/v2/person/addPersons', [{ pin: '5312', name: 'Late', deptCode: 'DL3' }])],
    ] as const) {
      expect((await t.post('/api/department/add', { code, name: `Closing ${code}` })).body.code).toBe(0);
      const r = await writeDuring(`DELETE FROM department WHERE code = '${code}'`, write);
      expect(JSON.stringify(r.body)).toContain('-13');
    }
    expect(await t.ds.query(`SELECT pin FROM person WHERE pin IN ('5311', '5312')`)).toEqual([]);
  });

  it('a device moved to an area deleted meanwhile answers -80; an area deleted while a device moves in answers that it has devices', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RACEAREA01', doors: 1, ipAddress: '10.7.2.1' });
    await sim.connect();
    for (const code of ['AR1', 'AR2']) expect((await t.post('/api/gateway/areas', { code, name: `Area ${code}` })).body.code).toBe(0);
    const moved = await writeDuring(`DELETE FROM area WHERE code = 'AR1'`, () => t.put(`/api/gateway/devices/${sim.sn}/area`, { areaCode: 'AR1' }));
    expect(moved.body).toMatchObject({ code: -80 });
    const deleted = await writeDuring(`UPDATE device SET area_id = (SELECT id FROM area WHERE code = 'AR2') WHERE sn = '${sim.sn}'`, () => t.delete('/api/gateway/areas/AR2'));
    expect(deleted.body.code).toBeLessThan(0);
    expect(deleted.body.message).toMatch(/still has devices/);
    expect((await t.get(`/api/gateway/areas/AR2`)).body.code).toBe(0);
    // The device deleted while it moves: the move finds no device, and never stores it again.
    const gone = await writeDuring(`DELETE FROM device WHERE sn = '${sim.sn}'`, () => t.put(`/api/gateway/devices/${sim.sn}/area`, { areaCode: 'AR2' }));
    expect(gone.body.code).toBeLessThan(0);
    expect(gone.body.message).toBe(`Device does not exist: ${sim.sn}`);
    expect(await t.ds.query(`SELECT sn FROM device WHERE sn = $1`, [sim.sn])).toEqual([]);
  });

  it('accLevel/addLevel into an area deleted meanwhile answers -80, not a bare -409 (found by the race hunt)', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'AR3', name: 'Area AR3' })).body.code).toBe(0);
    const added = await writeDuring(`DELETE FROM area WHERE code = 'AR3'`, () =>
      t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Race level AR3', areaName: 'Area AR3', timeSegName: '24-Hour Accessible' }] }),
    );
    expect(added.body).toMatchObject({ code: -80 });
    expect(added.body.message).toMatch(/Area AR3/);
  });

  it('an area created with the code of one created meanwhile answers that the code exists, not the bare "The record already exists"', async () => {
    const r = await writeDuring(`INSERT INTO area (id, code, name) VALUES ('${'a'.repeat(32)}', 'AR3', 'First')`, () => t.post('/api/gateway/areas', { code: 'AR3', name: 'Second' }));
    expect(r.body).toMatchObject({ code: -409, message: 'The area code already exists: AR3' });
  });

  it('addLevelDoor of a door deleted meanwhile (with its panel) answers -47, not a bare -409', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RACEDOOR01', doors: 1, ipAddress: '10.7.2.3' });
    await sim.connect();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'RD' }] })).body.code).toBe(0);
    const r = await writeDuring(`DELETE FROM device WHERE sn = '${sim.sn}'`, () =>
      t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'RD', doorName: '10.7.2.3-1' }] }),
    );
    expect(r.body).toMatchObject({ code: -47 });
  });

  it('a panel registering while it is deleted (from another gateway process) is registered anew, not answered an error', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RACEREG001', doors: 1, ipAddress: '10.7.2.4' });
    await sim.connect();
    const r = await writeDuring(`DELETE FROM device WHERE sn = '${sim.sn}'`, () => sim.register());
    expect(r.status).toBe(200);
    expect(r.registered).toBe(true);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM device d JOIN door ON door.device_id = d.id WHERE d.sn = $1 AND d.registry_code IS NOT NULL`, [sim.sn])).toEqual([{ n: 1 }]);
  });

  it('a visitor registered or reserved for a host deleted meanwhile answers -253, not a bare -409', async () => {
    const visit = { certType: '8', visEmpName: 'V', visitorCount: 1, visitReason: 'Meet', startTime: '2030-01-01 09:00:00', endTime: '2030-01-01 18:00:00' };
    const reserve = { certType: '8', visitEmpName: 'V', visitReason: 'Meet', visitDate: '2030-01-02 09:00:00', visitEndDate: '2030-01-02 17:00:00' };
    for (const [pin, write] of [
      ['5321', () => t.post('/api/visRegistration/add', { ...visit, persPersonPin: '5321', certNum: 'RACE1' })],
      ['5322', () => t.post('/api/visReservation/add', { ...reserve, persPersonPin: '5322', certNum: 'RACE2' })],
    ] as const) {
      expect((await t.post('/api/person/add', { pin, name: 'Host' })).body.code).toBe(0);
      const r = await writeDuring(`DELETE FROM person WHERE pin = '${pin}'`, write);
      expect(r.body).toMatchObject({ code: -253 });
    }
  });
});
