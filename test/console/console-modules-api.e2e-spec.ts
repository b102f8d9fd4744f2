import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CvCode } from '../../src/common/cv-error';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';
import { createOperator, lastSeenLongAgo, signIn, type ConsoleClient } from './console-helpers';
import { gradientPng } from './png';
import { PreparedQueryService } from '../../src/database/prepared-query.service';
import { TransactionRepository } from '../../src/transaction/transaction.repository';

/**
 * The console API of the module pages through HTTP: the session and CSRF token are required for every change,
 * the manual's error codes come back in the envelope, every change is audited, lists page, the dashboard's
 * "not converged" comes from the convergence view, and deleting a device takes its queued commands and doors.
 */
let t: TestApp;
let op: ConsoleClient;
let ec: ElevatorControllerSimulator;
let cc: ChannelControllerSimulator;

const audit = async (action: string) =>
  t.ds.query(`SELECT target, outcome, detail FROM console_audit WHERE action = $1 ORDER BY id DESC LIMIT 1`, [action]).then((r: any[]) => r[0]);

/** A one-door panel, connected, and an access level of its door (24 hours): the level's id. */
async function panelOnLevel(sn: string, ipAddress: string, levelName: string): Promise<{ panel: DeviceSimulator; level: string }> {
  const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1, ipAddress });
  await panel.connect();
  await panel.pollUntilIdle();
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: levelName, timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName, doorName: `${ipAddress}-1` }] })).body.code).toBe(0);
  return { panel, level: (await t.get(`/api/accLevel/getByName/${encodeURIComponent(levelName)}`)).body.data.id };
}

/**
 * Commits `write` between two reads of one console answer, the moment that pairs them wrong when they are apart: at the
 * start of a read snapshot (REPEATABLE READ, READ ONLY) that follows a read of the person or visit (`FROM person`,
 * `FROM vis_registration`) in another statement. A snapshot started before any such read (the one that reads them
 * itself) goes on at once; a later one waits, up to 5 s, for the other's read. Nothing is written when the answer's
 * reads are one snapshot taken first. Armed until `write` starts (its own reads are not stopped), or `restore()`.
 */
function writeBetweenReads(write: () => Promise<void>): { restore: () => void; wrote: () => boolean } {
  const ds = t.ds;
  const create = ds.createQueryRunner.bind(ds);
  let armed = true;
  let wrote = false;
  let snapshots = 0;
  let subjectRead = false;
  const runWrite = async () => {
    armed = false;
    wrote = true;
    await write();
  };
  ds.createQueryRunner = ((...args: Parameters<typeof create>) => {
    const qr = create(...args);
    const query = qr.query.bind(qr);
    qr.query = (async (sql: string, ...rest: unknown[]) => {
      if (armed && /^START TRANSACTION ISOLATION LEVEL REPEATABLE READ/i.test(sql)) {
        const first = snapshots++ === 0;
        if (!first) for (let i = 0; i < 100 && !subjectRead; i++) await new Promise((r) => setTimeout(r, 50));
        if (subjectRead && armed) await runWrite();
      }
      const out = await (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
      if (/\bFROM\s+"?(person|vis_registration)\b/i.test(sql)) subjectRead = true;
      return out;
    }) as typeof qr.query;
    return qr;
  }) as typeof ds.createQueryRunner;
  return { restore: () => ((armed = false), (ds.createQueryRunner = create)), wrote: () => wrote };
}

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  await createOperator(t, 'olga', 'operator', 'olga-password-1');
  op = await signIn(t, 'olga', 'olga-password-1');
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'ECAPI0001', floors: 2, ipAddress: '10.41.0.1' });
  await ec.connect();
  await ec.pollUntilIdle();
  cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PSGAPI0001', gates: 1, ipAddress: '10.41.0.2' });
  await cc.connect();
  await cc.pollUntilIdle();
  for (let i = 0; i < 100; i++) {
    if ((await op.call('GET', 'elevator/floors')).body.data.rows.length === 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('console API of the module pages', () => {
  it('needs the CSRF token to open a floor, queues CONTROL DEVICE with it, and audits both', async () => {
    const [floor] = (await op.call('GET', 'elevator/floors')).body.data.rows;
    expect(floor).toMatchObject({ floorNo: 1, sn: 'ECAPI0001', name: '10.41.0.1-1' });
    const forged = await op.call('POST', `elevator/floors/${floor.id}/open`, {}, { 'x-csrf-token': 'forged' });
    expect(forged.status).toBe(403);
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = 'ECAPI0001' AND command LIKE 'CONTROL DEVICE 11%'`))[0].n;
    const r = await op.call('POST', `elevator/floors/${floor.id}/open`, { interval: 7 });
    expect(r.body).toMatchObject({ code: 0, data: { deviceSn: 'ECAPI0001' } });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = 'ECAPI0001' AND command LIKE 'CONTROL DEVICE 11%'`))[0].n).toBe(before + 1);
    // The floor by its name too, as the operator knows it (the id alone told the log's reader nothing).
    expect(await audit('floor.control')).toMatchObject({ target: `${floor.id} open`, outcome: 'ok', detail: { floor: '10.41.0.1-1', interval: 7 } });
    // The answer names the command, so the page follows it to the controller's Return: done, or refused.
    const one = async (id: string) => (await op.call('GET', `devices/ECAPI0001/commands?id=${id}&size=1`)).body.data.rows[0];
    expect(r.body.data.commandId).toMatch(/^\d+$/);
    expect(await one(r.body.data.commandId)).toMatchObject({ state: 'pending' });
    await ec.pollUntilIdle();
    expect(await one(r.body.data.commandId)).toMatchObject({ state: 'done', returnCode: 0 });
    ec.failCommands((c) => c.verb === 'CONTROL DEVICE', -11, 1);
    const refused = await op.call('POST', `elevator/floors/${floor.id}/close`, {});
    await ec.pollUntilIdle();
    expect(await one(refused.body.data.commandId)).toMatchObject({ state: 'failed', returnCode: -11 });
    // An interval out of the manual's range: refused with its code, nothing queued, audited as failed.
    const bad = await op.call('POST', `elevator/floors/${floor.id}/open`, { interval: 999 });
    expect(bad.status).toBe(200);
    expect(bad.body.code).toBeLessThan(0);
    expect(await audit('floor.control')).toMatchObject({ outcome: 'failed', detail: { code: bad.body.code, floor: '10.41.0.1-1' } });
    expect((await op.call('POST', `elevator/floors/${floor.id}/sideways`, {})).body).toMatchObject({ code: CvCode.InvalidParameter, message: 'action must be open, close, normalOpen or cancelNormalOpen' });
  });

  it('opens a gate in a direction and refuses an unknown direction with the manual code -266', async () => {
    const [gate] = (await op.call('GET', 'entrance/gates')).body.data;
    expect(gate).toMatchObject({ name: '10.41.0.2-1', sn: 'PSGAPI0001', connect: '1' });
    const bad = await op.call('POST', `entrance/gates/${gate.id}/open`, { direction: 'sideways' });
    expect(bad.body).toMatchObject({ code: -266, message: 'Open Gate Type incorrect' });
    const empty = await op.call('POST', `entrance/gates/${gate.id}/open`, {});
    expect(empty.body.code).toBe(-265);
    const opened = await op.call('POST', `entrance/gates/${gate.id}/open`, { direction: 'exit' });
    expect(opened.body).toMatchObject({ code: 0, data: { deviceSn: 'PSGAPI0001', commandId: expect.stringMatching(/^\d+$/) } });
    await cc.pollUntilIdle();
    expect((await op.call('GET', `devices/PSGAPI0001/commands?id=${opened.body.data.commandId}&size=1`)).body.data.rows[0]).toMatchObject({ state: 'done', returnCode: 0 });
    expect(cc.openings.at(-1)).toMatchObject({ gate: 1, direction: 'exit' });
    expect(await audit('gate.open')).toMatchObject({ target: `${gate.id} exit`, outcome: 'ok', detail: { gate: '10.41.0.2-1', direction: 'exit' } });
    // The counters the controller reports are on the controller's row.
    cc.counters.incount = 3;
    await cc.uploadIrstate();
    const [ctl] = (await op.call('GET', 'entrance/controllers')).body.data;
    expect(ctl).toMatchObject({ sn: 'PSGAPI0001', counters: { inCount: 3 } });
  });

  it("refuses a bad pass rule, counter or department with the code that says why, never a 5xx, and stores nothing", async () => {
    const rule = (body: unknown, sn = 'PSGAPI0001') => op.call('POST', `entrance/controllers/${sn}/pass-rules`, body);
    expect((await rule({ timeSegName: '24-Hour Accessible', passMode: 300 })).body).toMatchObject({ code: CvCode.InvalidParameter, message: 'passMode: a whole number from 0 to 255' });
    expect((await rule({ timeSegName: '24-Hour Accessible', passMode: 1.5 })).body.code).toBe(CvCode.InvalidParameter);
    expect((await rule({ passMode: 1 })).body).toMatchObject({ code: CvCode.InvalidParameter, message: 'timeSegName: choose a time segment' });
    expect((await rule({ timeSegName: 'No such segment', passMode: 1 })).body).toMatchObject({ code: CvCode.InvalidParameter, message: 'The time segment does not exist: No such segment' });
    expect((await rule({ timeSegName: '24-Hour Accessible', passMode: 1 }, 'NOSUCHSN')).body.code).toBe(CvCode.NotFound);
    expect((await op.call('GET', 'entrance/controllers/PSGAPI0001/pass-rules')).body).toMatchObject({ code: 0, data: [] });
    const reset = await op.call('POST', 'entrance/controllers/PSGAPI0001/reset-counters', { counter: 'sideways' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ code: CvCode.InvalidParameter, message: 'counter must be in, out, alarm or all' });
    expect(await audit('psgDevice.resetCounters')).toMatchObject({ outcome: 'failed' });
    const level = (await op.call('POST', 'entrance/levels', { name: 'Dept gate' })).body.data.id;
    expect((await op.call('POST', `entrance/levels/${level}/departments`, {})).body).toMatchObject({ code: CvCode.InvalidParameter, message: 'deptCode: choose a department' });
    expect((await op.call('POST', `entrance/levels/${level}/departments`, { deptCode: 'NOPE' })).body.code).toBe(CvCode.DeptNotExist);
    expect((await op.call('POST', `elevator/levels/${level}/departments`, { deptCode: '1' })).body.code).toBeLessThan(0);
    expect((await op.call('POST', `entrance/levels/${level}/departments`, { deptCode: '1' })).body).toMatchObject({ code: 0 });
  });

  it('uploads, lists and deletes media; a file of another format is refused with -71; the file is not in the audit log', async () => {
    const png = gradientPng(8, 8, [0, 0, 0], [255, 255, 255]);
    const saved = await op.call('POST', 'media', { mediaName: 'Logo', fileName: 'logo.png', mimeType: 'image/png', content: png.toString('base64') });
    expect(saved.body).toMatchObject({ code: 0, data: { mediaName: 'Logo', mediaSuffix: 'png', mediaType: '1' } });
    const list = (await op.call('GET', 'media')).body.data;
    expect(list.map((m: any) => m.mediaName)).toEqual(['Logo']);
    const served = await fetch(`${t.baseUrl}${list[0].mediaPath}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    expect((await audit('media.save')).detail).toMatchObject({ mediaName: 'Logo', content: '(hidden)' });
    const txt = await op.call('POST', 'media', { mediaName: 'Notes', fileName: 'notes.txt', content: Buffer.from('hello').toString('base64') });
    expect(txt.body.code).toBe(-71);
    expect((await op.call('POST', 'media', { mediaName: 'X', content: 'not base64!' })).body.code).toBeLessThan(0);
    expect((await op.call('DELETE', 'media/Logo')).body.code).toBe(0);
    expect((await op.call('DELETE', 'media/Logo')).body.code).toBeLessThan(0);
    expect((await op.call('GET', 'media')).body.data).toEqual([]);
  });

  it('keeps the plate lists with the manual codes, and pages entry records with their pictures', async () => {
    expect((await op.call('POST', 'parking/lists', { type: '0', carNumber: 'K-1' })).body.code).toBe(CvCode.ParkTime);
    expect((await op.call('POST', 'parking/lists', { type: '0', carNumber: 'K-1', fromTime: '2026-01-01', toTime: '2026-12-31' })).body.code).toBe(0);
    expect((await op.call('POST', 'parking/lists', { type: '7', carNumber: 'K-2' })).body.code).toBeLessThan(0);
    expect((await op.call('PUT', 'parking/lists/K-1', { type: '1', carNumber: 'K-11' })).body.code).toBe(0);
    expect((await op.call('GET', 'parking/lists')).body.data).toEqual([{ carNumber: 'K-11', type: 1, fromTime: null, toTime: null }]);
    expect((await op.call('DELETE', 'parking/lists/NOPE-1')).body.code).toBeLessThan(0);
    const pic = gradientPng(4, 4, [10, 10, 10], [200, 200, 200]);
    for (let i = 0; i < 3; i++) {
      expect((await t.post('/api/gateway/parking/cameraEvent', { carNumber: `P-${i}`, direction: 'in', eventTime: `2026-11-20 08:0${i}:00`, picture: pic.toString('base64') })).body.code).toBe(0);
    }
    const first = (await op.call('GET', 'parking/records?direction=1&size=2')).body.data;
    expect(first.rows.map((r: any) => r.carNumber)).toEqual(['P-2', 'P-1']);
    expect(first.more).toBe(true);
    const second = (await op.call('GET', 'parking/records?direction=1&size=2&page=2')).body.data;
    expect(second).toMatchObject({ page: 2, more: false });
    expect(second.rows.map((r: any) => r.carNumber)).toEqual(['P-0']);
    expect((await op.call('GET', 'parking/records?direction=2')).body.data.rows).toEqual([]);
    const b64 = (await op.call('GET', `parking/records/${second.rows[0].id}/picture?direction=1`)).body.data;
    expect(Buffer.from(b64, 'base64').equals(pic)).toBe(true);
    expect((await op.call('GET', 'parking/records?direction=1&from=tomorrow')).body.code).toBeLessThan(0);
  });

  it('lists a device with owed work and an empty queue as not converged: the convergence view, not the queue', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OWEDAPI001', doors: 1, ipAddress: '10.41.0.3' });
    await panel.connect();
    await panel.pollUntilIdle();
    const sns = () => op.call('GET', 'dashboard').then((r) => r.body.data.notConverged.map((d: any) => d.sn));
    expect(await sns()).not.toContain('OWEDAPI001');
    await t.ds.query(`INSERT INTO sync_owed (device_id, kind, cursor) SELECT id, 'full', '' FROM device WHERE sn = 'OWEDAPI001'`);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = 'OWEDAPI001' AND state IN ('pending', 'sent')`))[0].n).toBe(0);
    const dash = (await op.call('GET', 'dashboard')).body.data.notConverged.find((d: any) => d.sn === 'OWEDAPI001');
    const view = (await t.get('/api/gateway/devices/OWEDAPI001/convergence')).body.data;
    expect(dash).toMatchObject({ divergent: true, owed: ['full'], desiredItems: view.desiredItems, confirmedItems: view.confirmedItems, pendingCommands: 0 });
    // The console's convergence of a device is the API's, with the device's connection (commands for an offline one wait for its poll).
    const { online, ...mine } = (await op.call('GET', 'devices/OWEDAPI001/convergence')).body.data;
    expect(online).toBe(true);
    expect({ ...mine, oldestUnconfirmedAgeSeconds: null }).toEqual({ ...view, oldestUnconfirmedAgeSeconds: null });
  });

  it('deletes a device with its doors and queued commands, audited; an unknown SN is -404', async () => {
    await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Del' }] });
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Del', doorName: '10.41.0.3-1' }] })).body.code).toBe(0);
    const level = (await t.get('/api/accLevel/getByName/Del')).body.data.id;
    expect((await t.post('/api/person/add', { pin: '77', name: 'Queued', accLevelIds: level })).body.code).toBe(0);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = 'OWEDAPI001' AND state = 'pending'`))[0].n).toBeGreaterThan(0);
    expect((await op.call('DELETE', 'devices/OWEDAPI001', undefined, { 'x-csrf-token': '' })).status).toBe(403);
    // A confirmed item of the device goes with it (a trigger on device since migration 1763700003750, no foreign key).
    await t.ds.query(`INSERT INTO sync_item (device_id, kind, key, hash) SELECT id, 'user', '77', 'h' FROM device WHERE sn = 'OWEDAPI001' ON CONFLICT DO NOTHING`);
    expect((await op.call('DELETE', 'devices/OWEDAPI001')).body.code).toBe(0);
    for (const sql of [
      `SELECT count(*)::int AS n FROM device WHERE sn = 'OWEDAPI001'`,
      `SELECT count(*)::int AS n FROM door WHERE name = '10.41.0.3-1'`,
      `SELECT count(*)::int AS n FROM device_command WHERE device_sn = 'OWEDAPI001' AND state IN ('pending', 'sent')`,
      `SELECT count(*)::int AS n FROM sync_owed o LEFT JOIN device d ON d.id = o.device_id WHERE d.id IS NULL`,
      `SELECT count(*)::int AS n FROM sync_item s LEFT JOIN device d ON d.id = s.device_id WHERE d.id IS NULL`,
    ]) {
      expect((await t.ds.query(sql))[0].n, sql).toBe(0);
    }
    expect(await audit('device.delete')).toMatchObject({ target: 'OWEDAPI001', outcome: 'ok' });
    expect((await op.call('DELETE', 'devices/OWEDAPI001')).body.code).toBe(-404);
    expect((await op.call('GET', 'dashboard')).body.data.notConverged.map((d: any) => d.sn)).not.toContain('OWEDAPI001');
  });

  it('starts every CSV export with a UTF-8 byte order mark, so Excel shows names beyond ASCII as written', async () => {
    for (const path of ['transactions/csv', 'attendance/punches/csv']) {
      const res = await fetch(`${t.baseUrl}/console/api/${path}`, { headers: { cookie: op.cookie } });
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.subarray(3, 13).toString()).toBe('eventTime,');
    }
  });

  it('filters transactions by level (0 normal, 1 warning, 2 alarm) and refuses another level with its code', async () => {
    expect((await op.call('GET', 'transactions?eventLevel=2')).body).toMatchObject({ code: 0, data: { rows: [] } });
    expect((await op.call('GET', 'transactions?eventLevel=alarm')).body).toMatchObject({ code: CvCode.InvalidParameter, message: 'eventLevel must be 0 (normal), 1 (warning) or 2 (alarm)' });
  });

  it('finds a person by the number a card stands for, main or secondary, leading zeros or not', async () => {
    expect((await t.post('/api/person/add', { pin: '6101', name: 'Cardholder', cardNo: '00998877', supplyCards: '0555111' })).body.code).toBe(0);
    for (const q of ['998877', '00998877', '555111', '0555111', '000555111']) {
      const rows = (await op.call('GET', `persons?q=${q}`)).body.data.rows;
      expect(rows.map((r: any) => r.pin), q).toEqual(['6101']);
    }
    expect((await op.call('GET', 'persons?q=99887')).body.data.rows.map((r: any) => r.pin)).toEqual([]);
  });

  it('finds a person by the full name the list shows ("first last"), or last name first', async () => {
    expect((await t.post('/api/person/add', { pin: '6102', name: 'Grace', lastName: 'Hopper' })).body.code).toBe(0);
    for (const q of ['Grace Hopper', 'grace hopper', 'Hopper Grace', 'ace Hop', 'Hopper']) {
      const rows = (await op.call('GET', `persons?q=${encodeURIComponent(q)}`)).body.data.rows;
      expect(rows.map((r: any) => r.pin), q).toEqual(['6102']);
    }
    expect((await op.call('GET', `persons?q=${encodeURIComponent('Grace Lovelace')}`)).body.data.rows).toEqual([]);
  });

  it('filters transactions by person name (as the list shows it) and by the number a card stands for', async () => {
    expect((await t.post('/api/person/add', { pin: '6201', name: 'Lin', lastName: 'Wei', cardNo: '0770011' })).body.code).toBe(0);
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TXAPI0001', doors: 1, ipAddress: '10.41.0.3' });
    await panel.connect();
    await panel.pollUntilIdle();
    expect((await panel.uploadRtlog([
      { time: '2026-11-20 09:00:00', pin: 6201, cardno: '0770011', eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 1 },
      { time: '2026-11-20 09:01:00', pin: 0, cardno: '880022', eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 4, index: 2 },
    ])).status).toBe(200);
    const times = async (query: string) => (await op.call('GET', `transactions?sn=TXAPI0001&${query}`)).body.data.rows.map((r: any) => r.eventTime);
    for (const name of ['Lin Wei', 'wei lin', 'Wei', 'lin']) expect(await times(`name=${encodeURIComponent(name)}`), name).toEqual(['2026-11-20 09:00:00']);
    expect(await times('name=Nobody')).toEqual([]);
    // The card an unknown badge carried, found with or without the leading zeros a reader may drop.
    for (const card of ['880022', '00880022']) expect(await times(`cardNo=${card}`), card).toEqual(['2026-11-20 09:01:00']);
    for (const card of ['770011', '0770011']) expect(await times(`cardNo=${card}`), card).toEqual(['2026-11-20 09:00:00']);
    expect(await times('cardNo=77001')).toEqual([]);
    // The export takes the same filters.
    const csv = await op.call('GET', `transactions/csv?sn=TXAPI0001&name=Wei`);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('6201');
  });

  it("filters transactions by door: the door's events, newest first, the same rows the door alone selects, read from its panel's index (issue 11)", async () => {
    const two = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TXDOOR001', doors: 2, ipAddress: '10.41.0.5' });
    const one = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TXDOOR002', doors: 1, ipAddress: '10.41.0.6' });
    for (const panel of [two, one]) {
      await panel.connect();
      await panel.pollUntilIdle();
    }
    // Door 1 of the first panel busy, its door 2 seldom used, the other panel's door 1 at the same times as door 2.
    const busy = Array.from({ length: 12 }, (_, i) => ({ time: `2026-11-21 08:${String(i).padStart(2, '0')}:00`, pin: 6401, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 + i }));
    expect((await two.uploadRtlog([...busy, { time: '2026-11-21 08:03:00', pin: 6402, eventaddr: 2, event: 0, inoutstatus: 0, verifytype: 15, index: 20 }, { time: '2026-11-21 07:00:00', pin: 0, eventaddr: 2, event: 8, inoutstatus: 0, verifytype: 200, index: 21 }])).status).toBe(200);
    expect((await one.uploadRtlog([{ time: '2026-11-21 08:03:00', pin: 6403, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 }])).status).toBe(200);
    const doors: Array<{ id: string; sn: string; door_no: number }> = await t.ds.query(
      `SELECT o.id, v.sn, o.door_no FROM door o JOIN device v ON v.id = o.device_id WHERE v.sn IN ('TXDOOR001', 'TXDOOR002') ORDER BY v.sn, o.door_no`,
    );
    expect(doors.map((d) => `${d.sn}-${d.door_no}`)).toEqual(['TXDOOR001-1', 'TXDOOR001-2', 'TXDOOR002-1']);
    const listed = async (doorId: string, query = '') => {
      const r = (await op.call('GET', `transactions?doorId=${doorId}&size=5${query}`)).body;
      expect(r.code).toBe(0);
      return { total: r.data.total as number, rows: (r.data.rows as any[]).map((row) => `${row.eventTime} ${row.pin}`) };
    };
    for (const door of doors) {
      const want: Array<{ t: string; pin: string | null; n: string }> = await t.ds.query(
        `SELECT to_char(event_time AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS') AS t, pin, count(*) OVER ()::text AS n FROM acc_transaction WHERE door_id = $1 ORDER BY event_time DESC, id DESC`,
        [door.id, t.config.timeZone],
      );
      const rows = want.map((w) => `${w.t} ${w.pin ?? ''}`);
      expect(await listed(door.id), `${door.sn}-${door.door_no}`).toEqual({ total: want.length, rows: rows.slice(0, 5) });
      expect(await listed(door.id, '&page=2'), `${door.sn}-${door.door_no} page 2`).toEqual({ total: want.length, rows: rows.slice(5, 10) });
    }
    expect((await listed(doors[1].id)).rows).toEqual(['2026-11-21 08:03:00 6402', '2026-11-21 07:00:00 ']);
    // With the panel's SN the same; with another panel's SN none; a door that is no door's lists nothing.
    expect(await listed(doors[1].id, '&sn=TXDOOR001')).toEqual(await listed(doors[1].id));
    expect(await listed(doors[1].id, '&sn=TXDOOR002')).toEqual({ total: 0, rows: [] });
    expect(await listed('0123456789abcdef0123456789abcdef')).toEqual({ total: 0, rows: [] });
    // The export too.
    const csv = (await op.call('GET', `transactions/csv?doorId=${doors[1].id}`)).text.trim().split(/\r?\n/);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['2026-11-21 08:03:00', '2026-11-21 07:00:00']);

    // The page's statement, planned with sequential scans priced out: the door's panel is an index condition of the
    // (device_sn, event_time) index, not a filter on the whole table read in time order (a full scan for a quiet door).
    let sql = '';
    let params: unknown[] = [];
    const capture = new TransactionRepository(t.ds, { query: async (_m: unknown, s: string, p: unknown[]) => ((sql = s), (params = p), []) } as unknown as PreparedQueryService);
    await capture.findPage({ doorId: doors[1].id }, 0, 50);
    const plan = await t.ds.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      return ((await m.query(`EXPLAIN (COSTS OFF) ${sql}`, params)) as Array<Record<string, string>>).map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/ix_acc_transaction_sn_time on acc_transaction k\n\s+Index Cond: \(\(device_sn\)::text = /);
  });

  it('checks a visitor in with the host given by name, as an operator knows them, and lists visits with the host\'s name', async () => {
    expect((await t.post('/api/person/add', { pin: '6301', name: 'Maria', lastName: 'Santos' })).body.code).toBe(0);
    const visit = { visEmpName: 'Guest One', certType: '8', certNum: 'HN-1', visitReason: 'meeting', visitorCount: '1', startTime: '2030-01-01 09:00:00', endTime: '2030-01-01 18:00:00' };
    expect((await op.call('POST', 'visitors/checkin', { ...visit, persPersonPin: 'maria santos' })).body).toMatchObject({ code: 0 });
    const [stored] = await t.ds.query(`SELECT host_pin FROM vis_registration WHERE cert_num = 'HN-1'`);
    expect(stored.host_pin).toBe('6301');
    const listed = (await op.call('GET', 'visitors?q=HN-1')).body.data.visits;
    expect(listed).toEqual([expect.objectContaining({ hostPin: '6301', hostName: 'Maria Santos' })]);
    // Two persons of one name: the pin decides, and the answer names them.
    expect((await t.post('/api/person/add', { pin: '6302', name: 'Maria', lastName: 'Santos' })).body.code).toBe(0);
    const twice = (await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'HN-2', persPersonPin: 'Maria Santos' })).body;
    expect(twice.code).toBeLessThan(0);
    expect(twice.message).toMatch(/6301.*6302/);
    // A pin is a pin, and a name nobody has is the manual's -253, as before.
    expect((await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'HN-3', persPersonPin: '6302' })).body.code).toBe(0);
    const nobody = (await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'HN-4', persPersonPin: 'Nobody Here' })).body;
    expect(nobody).toMatchObject({ code: -253, message: 'The employee does not exist: no person in service has the pin or name Nobody Here' });
  });

  it('takes the host by first or last name alone when one person in service is so named, and names the pins when several are', async () => {
    expect((await t.post('/api/person/add', { pin: '6311', name: 'Ada', lastName: 'Lovelace' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '6312', name: 'Alan', lastName: 'Turing' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '6313', name: 'Alan', lastName: 'Kay' })).body.code).toBe(0);
    const visit = { visEmpName: 'Guest Two', certType: '8', visitReason: 'meeting', visitorCount: '1', startTime: '2030-01-02 09:00:00', endTime: '2030-01-02 18:00:00' };
    const hostOf = async (certNum: string) => (await t.ds.query(`SELECT host_pin FROM vis_registration WHERE cert_num = $1`, [certNum]))[0]?.host_pin;
    expect((await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'FN-1', persPersonPin: 'ada' })).body).toMatchObject({ code: 0 });
    expect(await hostOf('FN-1')).toBe('6311');
    expect((await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'FN-2', persPersonPin: 'Turing' })).body).toMatchObject({ code: 0 });
    expect(await hostOf('FN-2')).toBe('6312');
    // Two Alans: neither is guessed; the full name still finds each.
    const two = (await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'FN-3', persPersonPin: 'Alan' })).body;
    expect(two).toMatchObject({ code: -253, message: 'The employee does not exist: several persons are named Alan (pins 6312, 6313); give the host\'s pin' });
    expect(await hostOf('FN-3')).toBeUndefined();
    expect((await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'FN-4', persPersonPin: 'Alan Kay' })).body).toMatchObject({ code: 0 });
    expect(await hostOf('FN-4')).toBe('6313');
    // A reservation takes the host the same way.
    expect((await op.call('POST', 'visitors/reservations', { ...visit, certNum: 'FN-5', persPersonPin: 'Lovelace', visitDate: '2030-01-03 09:00:00', visitEndDate: '2030-01-03 12:00:00' })).body).toMatchObject({ code: 0 });
    expect(await t.ds.query(`SELECT host_pin FROM vis_reservation WHERE cert_num = 'FN-5'`)).toEqual([{ host_pin: '6311' }]);
  });

  it("chooses the levels offered to visitors (CVSecurity's Visitor Levels): every level until one is offered, then only those, audited", async () => {
    const add = (name: string) => t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] });
    expect((await add('Visitor lobby')).body.code).toBe(0);
    expect((await add('Server room')).body.code).toBe(0);
    const choices = async () => (await op.call('GET', 'visitors/level-choices')).body.data as { narrowed: boolean; levels: Array<{ id: string; name: string; kind: string; offered: boolean }> };
    const before = await choices();
    expect(before.narrowed).toBe(false);
    const lobby = before.levels.find((l) => l.name === 'Visitor lobby')!;
    const server = before.levels.find((l) => l.name === 'Server room')!;
    expect([lobby, server]).toEqual([expect.objectContaining({ kind: 'access', offered: true }), expect.objectContaining({ kind: 'access', offered: true })]);

    // Offered: the check-in form's list holds the lobby alone, and a check-in with the server room is refused.
    const offered = (await op.call('POST', 'visitors/levels/offer', { levelIds: [lobby.id] })).body;
    expect(offered).toMatchObject({ code: 0, data: { narrowed: true } });
    expect(offered.data.levels.filter((l: { offered: boolean }) => l.offered).map((l: { name: string }) => l.name)).toEqual(['Visitor lobby']);
    expect((await op.call('GET', 'visitors/levels')).body.data.map((l: { name: string }) => l.name)).toEqual(['Visitor lobby']);
    const visit = { visEmpName: 'Guest Lv', certType: '8', visitReason: 'meeting', visitorCount: '1', persPersonPin: '6301', startTime: '2030-01-01 09:00:00', endTime: '2030-01-01 18:00:00' };
    expect((await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'LV-1', visLevels: server.id })).body.code).toBe(-24);
    expect((await op.call('POST', 'visitors/checkin', { ...visit, certNum: 'LV-2', visLevels: lobby.id })).body.code).toBe(0);
    expect(await audit('visitor.level.offer')).toMatchObject({ target: lobby.id, outcome: 'ok' });

    // A level that does not exist: the manual's -24, nothing changed; a viewer may not choose.
    expect((await op.call('POST', 'visitors/levels/offer', { levelIds: ['nosuchlevel'] })).body.code).toBe(-24);
    await createOperator(t, 'vic', 'viewer', 'vic-password-1');
    const viewer = await signIn(t, 'vic', 'vic-password-1');
    expect((await viewer.call('POST', 'visitors/levels/offer', { levelIds: [server.id] })).body.code).toBeLessThan(0);
    expect((await choices()).levels.find((l) => l.id === server.id)!.offered).toBe(false);

    // Withdrawn, the last one: every level is offered again, as on a fresh install.
    expect((await op.call('POST', 'visitors/levels/withdraw', { levelIds: [lobby.id] })).body).toMatchObject({ code: 0, data: { narrowed: false } });
    expect((await choices()).levels.every((l) => l.offered)).toBe(true);
    expect(await audit('visitor.level.withdraw')).toMatchObject({ target: lobby.id, outcome: 'ok' });
  });

  it("lists each visit's panels as the sync status says: pending until the panel confirms the visitor, removed after check-out only once it confirms", async () => {
    const { panel, level } = await panelOnLevel('VISAPI0001', '10.41.0.9', 'Visit sync');
    await panel.pollUntilIdle();
    expect((await t.post('/api/person/add', { pin: '6391', name: 'Vera', lastName: 'Host' })).body.code).toBe(0);
    const visit = { visEmpName: 'Synced Guest', certType: '8', certNum: 'VS-1', persPersonPin: '6391', visitReason: 'meeting', visitorCount: '1', cardNo: '5550101', visLevels: level, startTime: '2020-01-01 09:00:00', endTime: '2040-01-01 18:00:00' };
    expect((await op.call('POST', 'visitors/checkin', visit)).body.code).toBe(0);
    const row = async () => (await op.call('GET', 'visitors?q=VS-1')).body.data.visits[0];
    const { visitorPin } = await row();
    // The visitor's user is queued for the panel, not confirmed: pending, as GET /api/gateway/persons/{pin}/devices says.
    expect((await row()).sync).toEqual({ state: 'pending', devices: 1, pending: 1, refused: 0 });
    expect((await t.get(`/api/gateway/persons/${visitorPin}/devices`)).body.data).toEqual([expect.objectContaining({ deviceSn: 'VISAPI0001', state: 'pending' })]);
    await panel.pollUntilIdle();
    expect(panel.user(visitorPin)).toBeDefined();
    expect((await row()).sync).toEqual({ state: 'synced', devices: 1, pending: 0, refused: 0 });
    // Checked out: the removal is on its way, not done, until the panel confirms it.
    expect((await op.call('POST', 'visitors/checkout', { certType: '8', certNum: 'VS-1' })).body.code).toBe(0);
    expect((await row())).toMatchObject({ state: 'out', sync: { state: 'pending', devices: 1, pending: 1 } });
    await panel.pollUntilIdle();
    expect(panel.user(visitorPin)).toBeUndefined();
    expect((await row()).sync).toEqual({ state: 'removed', devices: 0, pending: 0, refused: 0 });
    // A panel refusing the removal: refused, not removed. The visitor comes back (same pin) and leaves again.
    expect((await op.call('POST', 'visitors/checkin', visit)).body.code).toBe(0);
    await panel.pollUntilIdle();
    const rows = async () => (await op.call('GET', 'visitors?q=VS-1')).body.data.visits as Array<{ state: string; sync: unknown }>;
    // The earlier visit's visitor is on site again: the visit on site speaks for the pin, the ended one says nothing.
    expect((await rows()).map((v) => [v.state, v.sync]).sort()).toEqual([
      ['in', { state: 'synced', devices: 1, pending: 0, refused: 0 }],
      ['out', null],
    ]);
    panel.failCommands((c) => c.verb === 'DATA DELETE', -1004, 'always');
    expect((await op.call('POST', 'visitors/checkout', { certType: '8', certNum: 'VS-1' })).body.code).toBe(0);
    await panel.pollUntilIdle();
    expect(panel.user(visitorPin)).toBeDefined();
    expect((await rows()).map((v) => v.sync)).toEqual([expect.objectContaining({ state: 'refused' }), expect.objectContaining({ state: 'refused' })]);
    panel.clearFaults();
  });

  it("says a disabled person's panel holds them disabled (Disable=1) only once it confirmed, the disable pending until then", async () => {
    const { panel, level } = await panelOnLevel('DISAPI0001', '10.41.0.10', 'Disable sync');
    const person = { pin: '6392', name: 'Dana', lastName: 'Off', cardNo: '5550202', accLevelIds: level };
    expect((await t.post('/api/person/add', person)).body.code).toBe(0);
    await panel.pollUntilIdle();
    const device = async () => (await op.call('GET', 'persons/6392')).body.data.devices.find((d: { deviceSn: string }) => d.deviceSn === 'DISAPI0001');
    // Not disabled: nothing to say about it.
    expect(await device()).toMatchObject({ state: 'synced', holds: true, holdsDisabled: null });
    expect((await t.post('/api/person/add', { ...person, isDisabled: true })).body.code).toBe(0);
    // The disable is queued, not confirmed: the panel still holds the enabled user.
    expect(panel.user('6392')).toMatchObject({ Disable: '0' });
    expect(await device()).toMatchObject({ state: 'pending', holds: false, holdsDisabled: false });
    await panel.pollUntilIdle();
    expect(panel.user('6392')).toMatchObject({ Disable: '1' });
    expect(await device()).toMatchObject({ state: 'synced', holds: true, holdsDisabled: true });
    // Enabled again: no longer said.
    expect((await t.post('/api/person/add', { ...person, isDisabled: false })).body.code).toBe(0);
    await panel.pollUntilIdle();
    expect(await device()).toMatchObject({ state: 'synced', holds: true, holdsDisabled: null });
  });

  it('reads a disabled person and their panels in one snapshot: an enable committing meanwhile is either wholly seen or not at all', async () => {
    const { panel, level } = await panelOnLevel('DISAPI0002', '10.41.0.11', 'Disable snapshot');
    const person = { pin: '6393', name: 'Dirk', lastName: 'Off', cardNo: '5550203', accLevelIds: level, isDisabled: true };
    expect((await t.post('/api/person/add', person)).body.code).toBe(0);
    await panel.pollUntilIdle();
    expect(panel.user('6393')).toMatchObject({ Disable: '1' });
    // Enabled between the read of the person and the read of their panels (when those are two reads).
    const race = writeBetweenReads(async () => void expect((await t.post('/api/person/add', { ...person, isDisabled: false })).body.code).toBe(0));
    let data: any;
    try {
      data = (await op.call('GET', 'persons/6393')).body.data;
    } finally {
      race.restore();
    }
    const d = data.devices.find((x: { deviceSn: string }) => x.deviceSn === 'DISAPI0002');
    // Before the enable: disabled, held disabled. After it: enabled, its record on its way. Never a disabled person whose
    // panel has the enable on its way, shown "disable on its way".
    expect([
      { isDisabled: true, state: 'synced', holdsDisabled: true },
      { isDisabled: false, state: 'pending', holdsDisabled: null },
    ]).toContainEqual({ isDisabled: data.person.isDisabled, state: d.state, holdsDisabled: d.holdsDisabled });
    if (!race.wrote()) expect((await t.post('/api/person/add', { ...person, isDisabled: false })).body.code).toBe(0);
    await panel.pollUntilIdle();
  });

  it("reads the visits and their panels' states in one snapshot: a check-out committing meanwhile is either wholly seen or not at all", async () => {
    const { panel, level } = await panelOnLevel('VISAPI0002', '10.41.0.12', 'Visit snapshot');
    expect((await t.post('/api/person/add', { pin: '6394', name: 'Hal', lastName: 'Host' })).body.code).toBe(0);
    const visit = { visEmpName: 'Snapshot Guest', certType: '8', certNum: 'VS-2', persPersonPin: '6394', visitReason: 'meeting', visitorCount: '1', cardNo: '5550104', visLevels: level, startTime: '2020-01-01 09:00:00', endTime: '2040-01-01 18:00:00' };
    expect((await op.call('POST', 'visitors/checkin', visit)).body.code).toBe(0);
    await panel.pollUntilIdle();
    const checkout = async () => void expect((await op.call('POST', 'visitors/checkout', { certType: '8', certNum: 'VS-2' })).body.code).toBe(0);
    const race = writeBetweenReads(checkout);
    let row: any;
    try {
      row = (await op.call('GET', 'visitors?q=VS-2')).body.data.visits[0];
    } finally {
      race.restore();
    }
    // On site and held, or checked out with the removal on its way; never on site with "pending" (the removal's).
    expect([
      { state: 'in', sync: { state: 'synced', devices: 1, pending: 0, refused: 0 } },
      { state: 'out', sync: { state: 'pending', devices: 1, pending: 1, refused: 0 } },
    ]).toContainEqual({ state: row.state, sync: row.sync });
    if (!race.wrote()) await checkout();
    await panel.pollUntilIdle();
  });

  it('filters attendance punches by the person name the list shows, in the list and the export', async () => {
    expect((await t.post('/api/person/add', { pin: '6401', name: 'Ines', lastName: 'Ortega' })).body.code).toBe(0);
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATTAPI0001' });
    expect(await term.init()).toBe(true);
    for (const [pin, time] of [['6401', '2026-11-20 08:00:00'], ['6499', '2026-11-20 08:05:00']] as const) {
      expect((await term.punch({ pin, time, status: 0, verify: 1 }))?.status).toBe(200);
    }
    const pins = async (query: string) => (await op.call('GET', `attendance/punches?sn=ATTAPI0001&${query}`)).body.data.rows.map((r: any) => r.pin);
    for (const name of ['Ines Ortega', 'ortega ines', 'Orte']) expect(await pins(`name=${encodeURIComponent(name)}`), name).toEqual(['6401']);
    expect(await pins('name=Nobody')).toEqual([]);
    expect((await op.call('GET', 'attendance/punches?sn=ATTAPI0001&name=Ines')).body.data.total).toBe(1);
    const lines = (await op.call('GET', 'attendance/punches/csv?sn=ATTAPI0001&name=Ines')).text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('6401');
  });

  it("lists each attendance terminal's sync and its area's members against the users it confirmed, and filters punches by department", async () => {
    expect((await t.post('/api/department/add', { code: 'ATTD', name: 'Payroll' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '6501', name: 'Jon', lastName: 'Berg', deptCode: 'ATTD' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '6502', name: 'Kim', lastName: 'Lund', deptCode: '1' })).body.code).toBe(0);
    expect((await t.post('/api/gateway/areas', { code: 'ATTAREA2', name: 'Plant two' })).body.code).toBe(0);
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATTAPI0002' });
    expect(await term.init()).toBe(true);
    expect((await op.call('PUT', 'devices/ATTAPI0002/area', { areaCode: 'ATTAREA2' })).body.code).toBe(0);
    // The answer names the area's terminals that are offline now: none.
    expect((await op.call('POST', 'attendance/area-persons', { code: 'ATTAREA2', pins: ['6501', '6502'] })).body).toEqual({ code: 0, message: 'success', data: { offlineReceivers: [] } });
    const row = async () => (await op.call('GET', 'attendance/devices')).body.data.find((d: any) => d.sn === 'ATTAPI0002');
    // Queued, nothing confirmed: two members, none held, the commands waiting.
    let d = await row();
    expect(d).toMatchObject({ kind: 'terminal', areaName: 'Plant two', online: true, members: { members: 2, held: 0, toRemove: 0 } });
    expect(d.lastSeen).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(d.sync.pendingCommands).toBeGreaterThan(0);
    expect(d.sync.confirmedItems).toBe(0);
    // The terminal refuses one user for good (-1004): held 1 of 2, the user table refused until its probe.
    term.failCommands((c) => c.includes('PIN=6502'), -1004, 'always');
    await term.drain();
    d = await row();
    expect(d.members).toEqual({ members: 2, held: 1, toRemove: 0 });
    expect(d.sync).toMatchObject({ state: 'refused', divergent: false, refusedItems: 1, refusals: [{ what: 'DATA UPDATE USERINFO', returnCode: -1004, items: 1 }] });
    term.clearFaults();
    // One leaves the area: the terminal still holds them until it confirms the removal (the one it refused is held by none).
    // Taken off while the terminal is offline: the answer names it, as it still holds them until it polls again.
    await lastSeenLongAgo(t, 'ATTAPI0002');
    expect((await op.call('POST', 'attendance/area-persons', { code: 'ATTAREA2', pins: ['6502'] })).body.data).toEqual({ offlineReceivers: [{ sn: 'ATTAPI0002', alias: 'ATTAPI0002' }] });
    expect((await op.call('POST', 'attendance/area-persons/remove', { code: 'ATTAREA2', pins: ['6501'] })).body.data).toEqual({ offlineHolders: [{ sn: 'ATTAPI0002', alias: 'ATTAPI0002' }] });
    expect((await row()).members).toEqual({ members: 1, held: 0, toRemove: 1 });
    await term.drain();
    expect((await row()).members).toEqual({ members: 1, held: 0, toRemove: 0 });

    for (const [pin, time] of [['6501', '2026-11-21 08:00:00'], ['6502', '2026-11-21 08:02:00']] as const) {
      expect((await term.punch({ pin, time, status: 0, verify: 1 }))?.status).toBe(200);
    }
    const page = async (query: string) => (await op.call('GET', `attendance/punches?sn=ATTAPI0002&${query}`)).body.data;
    expect((await page('deptCode=ATTD')).rows.map((r: any) => [r.pin, r.deptName])).toEqual([['6501', 'Payroll']]);
    expect((await page('deptCode=ATTD')).total).toBe(1);
    expect((await page('deptCode=1')).rows.map((r: any) => r.pin)).toEqual(['6502']);
    expect((await page('deptCode=NOPE')).total).toBe(0);
    const lines = (await op.call('GET', 'attendance/punches/csv?sn=ATTAPI0002&deptCode=ATTD')).text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('6501');
  });

  it('pages temperature and mask events and attendance punches; filters in the wrong format come back with the code', async () => {
    expect((await op.call('GET', 'hep/events?size=1')).body.data).toEqual({ rows: [], page: 1, size: 1, more: false });
    expect((await op.call('GET', 'attendance/punches?sn=NOPE')).body.data).toEqual({ rows: [], total: 0, page: 1, size: 50 });
    expect((await op.call('GET', 'attendance/punches?size=501')).body.code).toBeLessThan(0);
    const bad = (await op.call('GET', 'elevator/events?to=12:00')).body;
    expect(bad.code).toBeLessThan(0);
    expect(bad.message).toMatch(/to must be yyyy-MM-dd HH:mm:ss/);
  });
});
