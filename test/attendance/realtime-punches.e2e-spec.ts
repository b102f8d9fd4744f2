import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, insertPerson } from './attendance-helpers';

/**
 * Push 3.x face terminals set to T&A post their verifications as real-time logs (`table=rtlog`, the Security PUSH
 * form: field samples rtlog-senseface2a-punch, opt-senseface2a-zam70-3312), some as well as ATTLOG. Such a punch is
 * an attendance record: it lands once in listAttTransaction (2.21), with its state and verify mode, and not among
 * the access transactions; sent again, or also as ATTLOG, it is still one record. What is no punch (a refused
 * verification, an event of no person) stays an event.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await insertPerson(t, '7101', 'Rita', 'Moreno');
  await insertPerson(t, '7102', 'Ana', null);
});
afterAll(async () => {
  await t?.close();
});

const attList = async (pin: string) =>
  (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 20, personPin: pin })).body.data as Array<Record<string, unknown>>;
const accEventsOf = async (sn: string) => (await t.get(`/api/transaction/device/${sn}`, { pageNo: 1, pageSize: 20 })).body.data as Array<Record<string, unknown>>;

describe('an attendance terminal that posts rtlog', () => {
  it('has its punch listed once by listAttTransaction, as a check-out by face, and not as an access event', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-RT-1' });
    const r = await term.punchRealtime({ pin: '7101', time: '2026-05-04 17:30:05', status: 1, verify: 15, index: 40 });
    expect([r.status, r.body]).toEqual([200, 'OK']);

    const list = await attList('7101');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      pin: '7101',
      name: 'Rita',
      lastName: 'Moreno',
      devSn: 'ATT-RT-1',
      eventTime: '2026-05-04 17:30:05',
      eventName: 'Check-Out',
      verifyModeName: 'Face',
    });
    expect(await accEventsOf('ATT-RT-1')).toEqual([]);
  });

  it('keeps one record when the terminal sends the rtlog again and the same punch as ATTLOG', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-RT-2' });
    const punch = { pin: '7101', time: '2026-05-05 08:01:00', status: 0, verify: 1, index: 7 };
    await term.punchRealtime(punch, { alsoAttlog: true });
    expect((await term.punchRealtime(punch)).body).toBe('OK');
    // A terminal asked for its log (DATA QUERY ATTLOG, a recovery) sends it as ATTLOG too.
    expect((await term.uploadAttlog([punch])).body).toBe('OK: 1');
    const rows = await t.ds.query(`SELECT pin, status, verify_mode_no FROM att_transaction WHERE device_sn = 'ATT-RT-2'`);
    expect(rows).toEqual([{ pin: '7101', status: 0, verify_mode_no: 1 }]);
    expect(await accEventsOf('ATT-RT-2')).toEqual([]);
  });

  it('keeps one record, in the ATTLOG state, when the rtlog of the same punch says In or Out and the ATTLOG another state', async () => {
    // The rtlog's inoutstatus is the Security PUSH In/Out (0 In, 1 Out); the ATTLOG status is the attendance state.
    const term = await initialisedTerminal(t, { sn: 'ATT-RT-5' });
    const overtime = { pin: '7101', time: '2026-05-09 19:00:00', status: 4, verify: 15, inOut: 0 };
    expect((await term.punchRealtime(overtime, { alsoAttlog: true })).body).toBe('OK');
    // The terminal's log first, its real-time report after (a resend, or firmware posting ATTLOG first).
    const checkOut = { pin: '7102', time: '2026-05-09 17:30:00', status: 1, verify: 1 };
    expect((await term.uploadAttlog([checkOut])).body).toBe('OK: 1');
    expect((await term.punchRealtime({ ...checkOut, inOut: 0 })).body).toBe('OK');
    // A break punch the terminal reported as rtlog only keeps the rtlog's reading until its log comes (a recovery).
    expect((await term.punchRealtime({ pin: '7101', time: '2026-05-09 12:00:00', status: 2, verify: 15, inOut: 1 })).body).toBe('OK');
    const rows = () =>
      t.ds.query(`SELECT pin, to_char(event_time AT TIME ZONE 'UTC', 'HH24:MI') AS at, status, via FROM att_transaction WHERE device_sn = 'ATT-RT-5' ORDER BY event_time`);
    expect((await rows()).map((r: Record<string, unknown>) => [r.pin, r.status, r.via])).toEqual([
      ['7101', 1, 'rtlog'],
      ['7102', 1, 'ATTLOG'],
      ['7101', 4, 'ATTLOG'],
    ]);
    expect((await t.post('/api/gateway/attendance/terminals/ATT-RT-5/recover', { startTime: '2026-05-09 00:00:00', endTime: '2026-05-09 23:59:59' })).body.code).toBe(0);
    await term.drain();
    const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 20, startDate: '2026-05-09 00:00:00', endDate: '2026-05-09 23:59:59' })).body.data as Array<Record<string, unknown>>;
    expect(list.filter((r) => r.devSn === 'ATT-RT-5').map((r) => [r.pin, r.eventTime, r.eventName])).toEqual([
      ['7101', '2026-05-09 19:00:00', 'Overtime-In'],
      ['7102', '2026-05-09 17:30:00', 'Check-Out'],
      ['7101', '2026-05-09 12:00:00', 'Break-Out'],
    ]);
    // Each punch went to the live stream (and Push Center) once: a state taken from ATTLOG is no new punch.
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM att_transaction_feed f JOIN att_transaction a ON a.id = f.transaction_id WHERE a.device_sn = 'ATT-RT-5'`,
    );
    expect(n).toBe(3);
    expect(await accEventsOf('ATT-RT-5')).toEqual([]);
  });

  it('lists the punch of a Push 3.x terminal that also registers the Security PUSH way (DeviceType=att) as a punch', async () => {
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-RT-P3', pushver: '3.1.2', registers: true, language: '69' });
    expect(await term.init()).toBe(true);
    expect(await term.init()).toBe(true);
    expect((await term.punchRealtime({ pin: '7101', time: '2026-05-08 07:58:00', status: 0, verify: 15 })).body).toBe('OK');
    expect((await attList('7101')).filter((r) => r.devSn === 'ATT-RT-P3').map((r) => [r.eventTime, r.eventName])).toEqual([['2026-05-08 07:58:00', 'Check-In']]);
    expect(await accEventsOf('ATT-RT-P3')).toEqual([]);
  });

  it('stores what is no punch as the event it is: a refused verification and an event of no person', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-RT-3' });
    // 27: the user is not registered (pin 0); 20: the operation interval is too short (a person's, but no punch).
    expect((await term.punchRealtime({ pin: '0', time: '2026-05-06 09:00:00', status: 0, verify: 1, event: 27 })).body).toBe('OK');
    expect((await term.punchRealtime({ pin: '7101', time: '2026-05-06 09:00:03', status: 0, verify: 15, event: 20 })).body).toBe('OK');
    expect(await t.ds.query(`SELECT 1 FROM att_transaction WHERE device_sn = 'ATT-RT-3'`)).toEqual([]);
    const events = await t.ds.query(`SELECT event_no, pin FROM acc_transaction WHERE device_sn = 'ATT-RT-3' ORDER BY event_time`);
    expect(events).toEqual([
      { event_no: 27, pin: null },
      { event_no: 20, pin: '7101' },
    ]);
  });

  it('is not acknowledged while the terminal is not admitted, so it keeps the punch', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-RT-4' });
    expect((await t.post('/api/gateway/devices/ATT-RT-4/disable', {})).body.code).toBe(0);
    const r = await term.punchRealtime({ pin: '7101', time: '2026-05-07 08:00:00', status: 0, verify: 15 });
    expect(r.body).not.toBe('OK');
    expect(await t.ds.query(`SELECT 1 FROM att_transaction WHERE device_sn = 'ATT-RT-4'`)).toEqual([]);
  });

  it('any mix of rtlog, ATTLOG, both, resends and a recovery of a period lists each punch exactly once, and none as an access event', { timeout: 120_000 }, async () => {
    let run = 0;
    const punch = fc.record({
      minute: fc.integer({ min: 0, max: 4 }),
      pin: fc.constantFrom('7101', '7102'),
      status: fc.integer({ min: 0, max: 5 }),
      // What the rtlog says in inoutstatus: the attendance state, or the door's In/Out (0, 1).
      inOut: fc.constantFrom(undefined, 0, 1),
      verify: fc.constantFrom(1, 15),
      via: fc.constantFrom('rtlog' as const, 'attlog' as const, 'both' as const, 'rtlog twice' as const),
    });
    const NAMES = ['Check-In', 'Check-Out', 'Break-Out', 'Break-In', 'Overtime-In', 'Overtime-Out'];
    await fc.assert(
      fc.asyncProperty(fc.array(punch, { minLength: 1, maxLength: 8 }), fc.boolean(), async (punches, recover) => {
        const sn = `ATT-RT-PROP-${++run}`;
        // A day of its own per run: listAttTransaction (2.21) filters by person and period, not by device.
        const day = new Date(Date.UTC(2027, 0, 1) + run * 86_400_000).toISOString().slice(0, 10);
        const term = await initialisedTerminal(t, { sn });
        // A person's punch at one second has one attendance state and verify mode (the terminal records no second
        // one then; one whose clock went back does, clock-set-back.e2e-spec.ts); the punch is reported again
        // (resends, rtlog and ATTLOG) with them. What is listed: its ATTLOG state once the terminal's log reported it
        // (ATTLOG, both, a recovery), else what its first rtlog said.
        const state = new Map<string, number>();
        const verifyOf = new Map<string, number>();
        const want = new Map<string, number>();
        const fromLog = new Set<string>();
        for (const p of punches) {
          const key = `${p.pin} ${day} 08:0${p.minute}:00`;
          if (!state.has(key)) [state, verifyOf].forEach((m, i) => m.set(key, [p.status, p.verify][i]));
          const at = { pin: p.pin, time: `${day} 08:0${p.minute}:00`, status: state.get(key)!, verify: verifyOf.get(key)! };
          const rt = { ...at, inOut: p.inOut };
          if (p.via === 'attlog') expect((await term.punch(at))?.body).toBe('OK: 1');
          else expect((await term.punchRealtime(rt, { alsoAttlog: p.via === 'both' })).body).toBe('OK');
          if (p.via === 'rtlog twice') expect((await term.punchRealtime({ ...rt, index: 1000 + punches.indexOf(p) })).body).toBe('OK');
          if (p.via === 'attlog' || p.via === 'both') fromLog.add(key);
          if (fromLog.has(key)) want.set(key, at.status);
          else if (!want.has(key)) want.set(key, p.inOut ?? at.status);
        }
        if (recover) {
          expect((await t.post(`/api/gateway/attendance/terminals/${sn}/recover`, { startTime: `${day} 00:00:00`, endTime: `${day} 23:59:59` })).body.code).toBe(0);
          await term.drain();
          for (const key of want.keys()) want.set(key, state.get(key)!);
        }
        const expected = [...want].map(([key, s]) => `${key} ${NAMES[s]}`).sort();
        const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 100, startDate: `${day} 00:00:00`, endDate: `${day} 23:59:59` })).body
          .data as Array<Record<string, string>>;
        const got = list.map((r) => `${r.pin} ${r.eventTime} ${r.eventName}`).sort();
        expect(new Set(list.map((r) => r.devSn))).toEqual(new Set([sn]));
        expect(got).toEqual(expected);
        expect(await accEventsOf(sn)).toEqual([]);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 15), seed: Number(process.env.FC_SEED ?? 20261129) },
    );
  });
});
