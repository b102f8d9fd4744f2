import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

/**
 * The real-time ingest keeps events' device, area, door and reader names in memory (src/push/event-names.ts):
 * whatever changes those rows, through the API or any other writer, the next event is stored with the names
 * the database holds then, exactly as a join would have stored it.
 */
let t: TestApp;
let sim: DeviceSimulator;
let index = 100;
beforeAll(async () => {
  t = await startTestApp();
  sim = await connectedSim(t, { sn: 'NAMES-1', doors: 2, ipAddress: '10.7.7.7' });
});
afterAll(async () => {
  await t?.close();
});

/** One event on `door` (1 or 2), read by its in (0) or out (1) reader; the stored row. */
async function event(door = 1, inOut = 0): Promise<Record<string, unknown>> {
  const i = ++index;
  const r = await sim.uploadRtlog([{ time: '2026-04-01 09:00:00', pin: 0, cardno: 0, eventaddr: door, event: 0, inoutstatus: inOut, verifytype: 1, index: i }]);
  expect([r.status, r.body]).toEqual([200, 'OK']);
  const [row] = await t.ds.query(`SELECT * FROM acc_transaction WHERE device_sn = 'NAMES-1' AND log_id = $1`, [i]);
  return row;
}

/** What joins of device, area, door and reader give for an event of `door`/`inOut` of NAMES-1 now. */
async function joined(door: number, inOut: number): Promise<Record<string, unknown>> {
  const [row] = await t.ds.query(
    `SELECT dv.id AS device_id, dv.sn AS device_sn, dv.alias AS dev_alias, a.name AS area_name, d.id AS door_id, d.name AS door_name,
            d.name AS event_point_name, r.id AS reader_id, r.name AS reader_name
     FROM device dv LEFT JOIN area a ON a.id = dv.area_id LEFT JOIN door d ON d.device_id = dv.id AND d.door_no = $1
     LEFT JOIN reader r ON r.door_id = d.id AND r.in_out = $2 WHERE dv.sn = 'NAMES-1'`,
    [door, inOut],
  );
  return row;
}

const version = async () => Number((await t.ds.query(`SELECT v FROM event_names_version`))[0].v);

describe('event names kept in memory', () => {
  it('stores the names a join gives', async () => {
    expect(await event(2, 1)).toMatchObject({ ...(await joined(2, 1)), dev_alias: '10.7.7.7', door_name: '10.7.7.7-2', reader_name: '10.7.7.7-2-Out', area_name: 'Area Name' });
    expect(await event(9, 0)).toMatchObject({ ...(await joined(9, 0)), door_id: null, door_name: null, reader_id: null });
  });

  it('follows a device renamed through the API', async () => {
    await event();
    const r = await t.put('/api/gateway/devices/NAMES-1/alias', { alias: 'Lobby panel' });
    expect(r.body.code).toBe(0);
    expect(await event()).toMatchObject({ ...(await joined(1, 0)), dev_alias: 'Lobby panel' });
  });

  it('follows a device moved to another area, and the area renamed', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'N2', name: 'North wing' })).body.code).toBe(0);
    await event();
    expect((await t.put('/api/gateway/devices/NAMES-1/area', { areaCode: 'N2' })).body.code).toBe(0);
    expect(await event()).toMatchObject({ area_name: 'North wing' });
    expect((await t.put('/api/gateway/areas/N2', { name: 'North wing, floor 2' })).body.code).toBe(0);
    expect(await event(2, 0)).toMatchObject({ ...(await joined(2, 0)), area_name: 'North wing, floor 2' });
  });

  it('follows a reader renamed through the API and a door renamed by any other writer of the database', async () => {
    await event(1, 1);
    const [reader] = await t.ds.query(
      `SELECT r.id FROM reader r JOIN door d ON d.id = r.door_id JOIN device dv ON dv.id = d.device_id WHERE dv.sn = 'NAMES-1' AND d.door_no = 1 AND r.in_out = 1`,
    );
    expect((await t.post('/api/v2/reader/update', { id: reader.id, name: 'Exit reader' })).body.code).toBe(0);
    expect(await event(1, 1)).toMatchObject({ reader_name: 'Exit reader' });
    await t.ds.query(`UPDATE door SET name = 'Side gate' WHERE name = '10.7.7.7-1'`);
    expect(await event(1, 1)).toMatchObject({ ...(await joined(1, 1)), door_name: 'Side gate', event_point_name: 'Side gate', reader_name: 'Exit reader' });
  });

  it('follows a door removed and added again under the same number (new ids)', async () => {
    await event(2, 0);
    await t.ds.query(`DELETE FROM door WHERE device_id = (SELECT id FROM device WHERE sn = 'NAMES-1') AND door_no = 2`);
    expect(await event(2, 0)).toMatchObject({ door_id: null, door_name: null, reader_id: null, reader_name: null });
    // The panel registers again: its doors and readers are created anew.
    expect((await sim.register()).registered).toBe(true);
    const row = await event(2, 0);
    expect(row).toMatchObject(await joined(2, 0));
    expect(row.door_id).not.toBeNull();
  });

  it('does not move the version for door states, polls or a re-registration that changes nothing', async () => {
    const before = await version();
    expect((await sim.uploadRtstate()).status).toBe(200);
    await sim.poll();
    expect((await sim.register()).registered).toBe(true);
    await event();
    expect(await version()).toBe(before);
  });
});
