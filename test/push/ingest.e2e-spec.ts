import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/common/ids';
import { verifyModeName } from '../../src/push/protocol';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

let t: TestApp;
let sim: DeviceSimulator;
beforeAll(async () => {
  // +05:30 all year: device wall-clock times must come back as the right instants.
  t = await startTestApp({ timeZone: 'Asia/Kolkata' });
  sim = await connectedSim(t, { sn: 'ING-1', doors: 2, ipAddress: '10.9.9.9' });
});
afterAll(async () => {
  await t?.close();
});

const events = (sn: string) =>
  t.ds.query(`SELECT *, id::text AS id FROM acc_transaction WHERE device_sn = $1 ORDER BY log_id NULLS LAST, acc_transaction.id`, [sn]);

describe('rtlog', () => {
  it('tells the device its zone and converts its wall-clock times with it', async () => {
    // The manual's integer form: minutes for a half-hour zone (attendance manual, TimeZone option). Firmware reads
    // an integer: `5.5` set its clock to +05:00, and every event it logged came back half an hour off.
    expect(sim.serverOptions.TimeZone).toBe('330');
    const [d] = await t.ds.query(`SELECT time_zone FROM device WHERE sn = 'ING-1'`);
    expect(d.time_zone).toBe('Asia/Kolkata');
    // An event the panel logs now, on the clock it set from the Date header and that option, is stored as now.
    const before = Date.now();
    expect((await sim.uploadRtlog([{ pin: 0, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 1, index: 9001 }])).body).toBe('OK');
    const [e] = await t.ds.query(`SELECT event_time FROM acc_transaction WHERE device_sn = 'ING-1' AND log_id = 9001`);
    expect(Math.abs(new Date(e.event_time).getTime() - before), `stored ${new Date(e.event_time).toISOString()}`).toBeLessThan(5_000);
    await t.ds.query(`DELETE FROM acc_transaction WHERE device_sn = 'ING-1' AND log_id = 9001`);
  });

  it('stores each event with the device, door, reader, event, verify mode, card and pin', async () => {
    const [dept] = await t.ds.query(`SELECT id FROM department WHERE code = '1'`);
    const person = { id: newId() };
    await t.ds.query(`INSERT INTO person (id, pin, name, last_name, dept_id) VALUES ($1, '1001', 'Ann', 'Lee', $2)`, [person.id, dept.id]);
    const r = await sim.uploadRtlog([
      { time: '2026-03-01 10:00:00', pin: 1001, cardno: 123456, eventaddr: 2, event: 0, inoutstatus: 1, verifytype: 4, index: 11 },
      { time: '2026-03-01 10:00:05', pin: 0, cardno: 0, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 1, index: 12 },
      { time: '2026-03-01 10:00:09', pin: 2002, eventaddr: 1, event: 6010, inoutstatus: 0, verifytype: '0000100000000000', index: 13, temperature: '36.6' },
    ]);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const rows = await events('ING-1');
    expect(rows).toHaveLength(3);
    const [dev] = await t.ds.query(`SELECT id FROM device WHERE sn = 'ING-1'`);
    const doors = await t.ds.query(
      `SELECT d.door_no, d.id, d.name, r.in_out, r.id AS reader_id, r.name AS reader_name FROM door d JOIN reader r ON r.door_id = d.id WHERE d.device_id = $1`,
      [dev.id],
    );
    const door = (no: number, io: number) => doors.find((x: { door_no: number; in_out: number }) => x.door_no === no && x.in_out === io);
    expect(rows[0]).toMatchObject({
      unique_key: 'ING-1_11_2026-03-01 10:00:00',
      device_id: dev.id,
      device_sn: 'ING-1',
      dev_alias: '10.9.9.9',
      log_id: 11,
      event_time: new Date('2026-03-01T04:30:00Z'),
      pin: '1001',
      person_id: person.id,
      name: 'Ann',
      last_name: 'Lee',
      dept_code: '1',
      dept_name: 'Department Name',
      card_no: '123456',
      door_id: door(2, 1).id,
      door_no: 2,
      door_name: '10.9.9.9-2',
      reader_id: door(2, 1).reader_id,
      reader_name: '10.9.9.9-2-Out',
      reader_state: 1,
      event_no: 0,
      event_name: 'Normal Verify Open',
      event_level: 0,
      event_point_name: '10.9.9.9-2',
      verify_mode_no: 4,
      verify_mode_name: verifyModeName(4),
      area_name: 'Area Name',
      temperature: null,
    });
    // A non-person event is stored, never linked to a person.
    expect(rows[1]).toMatchObject({ pin: null, person_id: null, card_no: null, event_no: 27, event_name: 'card is not registered', reader_name: '10.9.9.9-1-In' });
    // An unknown pin stays a pin; a new-style verify bit string is named, never read as a number.
    expect(rows[2]).toMatchObject({ pin: '2002', person_id: null, event_no: 6010, event_level: 2, verify_mode_no: null, verify_mode_name: 'Card', temperature: '36.6' });
  });

  it('adds nothing when the device re-sends the same upload', async () => {
    const before = (await events('ING-1')).length;
    const last = sim.uploads.filter((u) => u.query.includes('table=rtlog')).at(-1)!;
    for (let i = 0; i < 3; i++) {
      const r = await sim.uploadRaw('/iclock/cdata', last.query, last.body);
      expect([r.status, r.body]).toEqual([200, 'OK']);
    }
    expect(await events('ING-1')).toHaveLength(before);
  });

  it('keys events without an index by time, pin, event and door', async () => {
    const line = 'time=2026-03-02 08:00:00\tpin=3003\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1';
    await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=rtlog', `${line}\n${line}\n`);
    await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=rtlog', `${line}\r\n`);
    const rows = (await events('ING-1')).filter((r: { pin: string }) => r.pin === '3003');
    expect(rows.map((r: { unique_key: string; log_id: number | null }) => [r.unique_key, r.log_id])).toEqual([['ING-1_2026-03-02 08:00:00_3003_0_1__0', null]]);
  });

  it('keeps two index-less events of one second and door apart when their card or in/out differ', async () => {
    // Two unregistered cards at door 1 in one second (pin 0, event 27), and one person's in and out: four events.
    const lines = [
      'time=2026-03-02 09:00:00\tpin=0\tcardno=7001\teventaddr=1\tevent=27\tinoutstatus=0\tverifytype=1',
      'time=2026-03-02 09:00:00\tpin=0\tcardno=7002\teventaddr=1\tevent=27\tinoutstatus=0\tverifytype=1',
      'time=2026-03-02 09:00:00\tpin=3004\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1',
      'time=2026-03-02 09:00:00\tpin=3004\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=1\tverifytype=1',
    ];
    await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=rtlog', `${lines.join('\n')}\n`);
    // Re-sent, line by line: still four.
    for (const l of lines) await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=rtlog', `${l}\n`);
    const rows = (await events('ING-1')).filter((r: { event_time: Date }) => r.event_time.toISOString() === '2026-03-02T03:30:00.000Z');
    expect(rows.map((r: { card_no: string | null; pin: string | null; reader_state: number }) => [r.pin, r.card_no, r.reader_state]).sort()).toEqual([
      ['3004', null, 0],
      ['3004', null, 1],
      [null, '7001', 0],
      [null, '7002', 0],
    ].sort());
  });

  it('stores text exactly as the device sent it: quotes, backslashes, commas, parentheses, braces and spaces', async () => {
    // The batch statement takes its events as one array of rows (pg-array.ts recordArray): each of these
    // characters is syntax at one of its two levels, and an escaping mistake would change or refuse the row.
    const pins = ['a"b', 'c\\d', 'e,f', '(g)', '{h}', ' i j ', 'NULL', '""', '\\"', 'k\\\\"l'];
    const lines = pins.map((pin, i) => `time=2026-03-03 08:00:0${i}\tpin=${pin}\tcardno=${pin}\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${500 + i}`);
    const r = await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=rtlog', `${lines.join('\n')}\n`);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const rows = (await events('ING-1')).filter((x: { log_id: number }) => x.log_id >= 500 && x.log_id < 510);
    expect(rows.map((x: { pin: string; card_no: string }) => [x.pin, x.card_no])).toEqual(pins.map((p) => [p.trim(), p.trim()]));
  });

  it('skips malformed lines with their reason and stores the good lines of the same body', async () => {
    const good1 = 'time=2026-03-03 09:00:00\tpin=4004\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=41';
    const good2 = 'time=2026-03-03 09:00:01\tpin=4005\tcardno=0\teventaddr=2\tevent=1\tinoutstatus=1\tverifytype=1\tindex=42';
    const body = [
      good1,
      'time=2026-02-30 09:00:00\tpin=1\tevent=0\tindex=43',
      'garbage without fields',
      'time=2026-03-03 09:00:02\tpin=1\tevent=abc\tindex=44',
      `time=2026-03-03 09:00:03\tpin=${'9'.repeat(300)}\tevent=99999999999\tindex=45`,
      '\0\0\0',
      good2,
    ].join('\n');
    const r = await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=rtlog', body);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const rows = (await events('ING-1')).filter((x: { log_id: number }) => x.log_id >= 41 && x.log_id <= 45);
    expect(rows.map((x: { log_id: number; pin: string }) => [x.log_id, x.pin])).toEqual([
      [41, '4004'],
      [42, '4005'],
    ]);
  });
});

describe('door states', () => {
  const states = () =>
    t.ds.query(
      `SELECT d.door_no, d.sensor_state, d.relay_state, d.alarm_state, d.door_state_at FROM door d JOIN device dv ON dv.id = d.device_id WHERE dv.sn = 'ING-1' ORDER BY d.door_no`,
    );

  it('reflects rtstate in the doors: sensor, relay, alarm and the time', async () => {
    const r = await sim.uploadRtstate({ time: '2026-03-04 12:00:00', sensor: '09', relay: '01', alarm: '0002000000000000' });
    expect([r.status, r.body]).toEqual([200, 'OK']);
    expect(await states()).toEqual([
      { door_no: 1, sensor_state: 1, relay_state: 1, alarm_state: '00', door_state_at: new Date('2026-03-04T06:30:00Z') },
      { door_no: 2, sensor_state: 2, relay_state: 0, alarm_state: '02', door_state_at: new Date('2026-03-04T06:30:00Z') },
    ]);
  });

  it('never lets an older report overwrite a newer one', async () => {
    await sim.uploadRtstate({ time: '2026-03-04 11:00:00', sensor: '00', relay: '00', alarm: '0000000000000000' });
    expect((await states())[1]).toMatchObject({ sensor_state: 2, alarm_state: '02' });
  });

  it('takes a door-state row that arrives on table=rtlog', async () => {
    const r = await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=rtlog', 'time=2026-03-04 13:00:00\tsensor=06\trelay=00\talarm=0100000000000000\tdoor=01\r\n');
    expect(r.body).toBe('OK');
    expect(await states()).toMatchObject([
      { door_no: 1, sensor_state: 2, relay_state: 0, alarm_state: '01' },
      { door_no: 2, sensor_state: 1, relay_state: 0, alarm_state: '00' },
    ]);
    expect(await t.ds.query(`SELECT 1 FROM acc_transaction WHERE device_sn = 'ING-1' AND event_time = '2026-03-04T07:30:00Z'`)).toEqual([]);
  });

  it('follows the simulated doors', async () => {
    sim.setDoorSensor(1, 'closed');
    await sim.uploadRtstate({ time: '2026-03-04 14:00:00' });
    expect((await states())[0]).toMatchObject({ sensor_state: 1 });
  });
});

describe('table uploads', () => {
  const b64 = (n: number) => 'QUJD'.repeat(Math.ceil(n / 4)).slice(0, n);

  it.each([
    ['user', [{ uid: 1, cardno: '123', pin: '5001', password: '', group: 1, starttime: 0, endtime: 0, name: 'Zoë', privilege: 0, disable: 0, verify: 0 }], '5001'],
    ['biodata', [{ pin: '5002', no: 0, index: 0, valid: 1, duress: 0, type: 9, majorver: 58, minorver: 0, format: 0, tmp: b64(400) }], '5002'],
    ['templatev10', [{ size: 100, uid: 1, pin: '5003', fingerid: 6, valid: 1, template: b64(100), resverd: '', endtag: '' }], '5003'],
    ['userpic', [{ pin: '5004', filename: '5004.jpg', size: 64, content: b64(64) }], '5004'],
    ['biophoto', [{ pin: '5005', filename: '5005.jpg', type: 9, size: 64, content: b64(64) }], '5005'],
    ['idcard', [{ pin: '5006', SN_Num: '1', ID_Num: '110', Name: 'Zhang San', Gender: 1 }], '5006'],
    ['errorlog', [{ errcode: 'D01E0001', errmsg: 'bad', dataorigin: 'cmd', cmdid: 7, additional: 'e30=' }], null],
  ])('stores %s records and acknowledges them by count', async (table, records, pin) => {
    const r = await sim.uploadTable(table, records as never);
    expect([r.status, r.body]).toEqual([200, `${table}=${records.length}`]);
    const stored = table === 'idcard' ? 'identitycard' : table;
    const mine = await t.ds.query(`SELECT pin, record FROM device_upload WHERE device_sn = 'ING-1' AND table_name = $1`, [stored]);
    expect(mine).toHaveLength(1);
    expect(mine[0].pin).toBe(pin);
    expect(Object.keys(mine[0].record).sort()).toEqual(Object.keys(records[0]).sort());
    // Re-sent: acknowledged again, stored once.
    const again = await sim.uploadTable(table, records as never);
    expect(again.body).toBe(`${table}=${records.length}`);
    const count = await t.ds.query(`SELECT count(*)::int AS n FROM device_upload WHERE device_sn = 'ING-1' AND table_name = $1`, [stored]);
    expect(count[0].n).toBe(1);
  });

  it('counts rejected lines in the acknowledgement so the device stops resending, and stores the good ones', async () => {
    const body = `user uid=9\tpin=6001\tname=A\nuser uid=10\tname=no pin\nuser uid=11\tpin=6002\tname=B`;
    const r = await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=tabledata&tablename=user&count=3', body);
    expect(r.body).toBe('user=3');
    const pins = await t.ds.query(`SELECT pin FROM device_upload WHERE device_sn = 'ING-1' AND table_name = 'user' AND pin IN ('6001', '6002') ORDER BY pin`);
    expect(pins).toEqual([{ pin: '6001' }, { pin: '6002' }]);
  });

  it('takes a panel user whose card field is garbage or NUL-padded, without that card', async () => {
    // The card runs into the next fields (no TAB), or its C buffer's garbage follows a NUL: never a card number.
    const body = `user uid=12\tpin=6003\tcardno=2026-01-01 00:00:00&time=\0&x\tname=C\nuser uid=13\tpin=6004\tcardno=445566\0\u0001zz\tname=D`;
    const r = await sim.uploadRaw('/iclock/cdata', 'SN=ING-1&table=tabledata&tablename=user&count=2', body);
    expect([r.status, r.body]).toEqual([200, 'user=2']);
    const persons = await t.ds.query(`SELECT pin, name, card_no FROM person WHERE pin IN ('6003', '6004') ORDER BY pin`);
    expect(persons).toEqual([
      { pin: '6003', name: 'C', card_no: null },
      { pin: '6004', name: 'D', card_no: '445566' },
    ]);
  });

  it('stores the options upload', async () => {
    const r = await sim.uploadOptions(['~DeviceName', 'LockCount']);
    expect(r.body).toBe('OK');
    const [row] = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'ING-1' AND table_name = 'options'`);
    expect(row.record).toEqual({ '~DeviceName': 'SIM-2Door', LockCount: '2' });
  });
});
