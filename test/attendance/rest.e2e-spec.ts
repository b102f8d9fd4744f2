import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUSH_SETTINGS, type PushSettings } from '../../src/push/push-settings';
import { enqueue } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { readSpecJson } from '../fixtures/spec-files';
import { initialisedTerminal, insertPerson, punchesOf } from './attendance-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await insertPerson(t, '1', 'Ann', 'Lee');
});
afterAll(async () => {
  await t?.close();
});

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]).toString('base64');

describe('2.22 / 2.29 attendance devices', () => {
  it('getAtt answers a terminal in the manual shape; an access panel or unknown SN is not an attendance device', async () => {
    await initialisedTerminal(t, { sn: 'CEXB193160012' });
    const res = await t.get('/api/device/getAtt', { sn: 'CEXB193160012' });
    expect(res.body).toEqual({ code: 0, message: 'success', data: { id: expect.stringMatching(/^[0-9a-f]{32}$/), sn: 'CEXB193160012', name: 'CEXB193160012', type: 'SpeedFace-V5L', status: '1', module: 'att' } });
    expect((await t.get('/api/device/getAtt', { sn: 'NOPE' })).body.code).toBeLessThan(0);
    expect((await t.get('/api/device/getAtt')).body.code).toBe(-48);
    const list = (await t.get('/api/device/attList', { pageNo: 1, pageSize: 10 })).body;
    expect(list.data.map((d: { sn: string }) => d.sn)).toEqual(['CEXB193160012']);
    // Access lists show access panels only.
    expect((await t.get('/api/device/accList', { pageNo: 1, pageSize: 10 })).body.data).toEqual([]);
    expect((await t.get('/api/device/attAdDeviceList', { pageNo: 0, pageSize: 10 })).body.code).toBe(-90);
  });

  it('a terminal that never posts its options is named by the result of INFO (12.4.3, field sample cmd-info-biopro-sa40)', async () => {
    const sample = readSpecJson<{ samples: Array<{ id: string; request: { body: string } }> }>('field-samples.json').samples.find((x) => x.id === 'cmd-info-biopro-sa40')!;
    const sn = 'CQZ7231360296';
    expect(await (await fetch(`${t.baseUrl}/iclock/cdata?SN=${sn}&options=all&pushver=2.4.1&language=69`)).text()).toMatch(/^GET OPTION FROM: /);
    expect((await t.get('/api/device/getAtt', { sn })).body.data.type).toBe('');
    expect((await t.post(`/api/gateway/attendance/terminals/${sn}/command`, { action: 'info' })).body.code).toBe(0);
    let id: string | undefined;
    for (let i = 0; i < 20 && !id; i++) {
      const polled = await (await fetch(`${t.baseUrl}/iclock/getrequest?SN=${sn}`)).text();
      const lines = polled.split('\n').filter((l) => l.startsWith('C:'));
      id = /^C:([^:]+):INFO$/m.exec(polled)?.[1];
      const others = lines.map((l) => /^C:([^:]+):/.exec(l)![1]).filter((x) => x !== id);
      if (others.length) await fetch(`${t.baseUrl}/iclock/devicecmd?SN=${sn}`, { method: 'POST', body: others.map((x) => `ID=${x}&Return=0&CMD=DATA`).join('\n') });
    }
    expect(id).toBeDefined();
    const r = await fetch(`${t.baseUrl}/iclock/devicecmd?SN=${sn}`, { method: 'POST', body: sample.request.body.replace('ID=26&', `ID=${id}&`) });
    expect(await r.text()).toBe('OK');
    expect((await t.get('/api/device/getAtt', { sn })).body.data).toMatchObject({ sn, type: 'Biopro SA40', status: '1', module: 'att' });
    expect((await t.get(`/api/gateway/devices/${sn}`)).body.data).toMatchObject({ firmVer: 'Ver 8.0.4.3-20220708', ipAddress: '192.168.100.196' });
  });

  it('a terminal that only polls with INFO shows its firmware and IP address (INFO fields 1 and 5) on the device detail', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-INFO-1', firmware: 'ZAM180-NF50VA-Ver3.4.10' });
    await term.poll(true);
    await term.poll(true);
    const detail = (await t.get('/api/gateway/devices/ATT-INFO-1')).body.data;
    expect(detail).toMatchObject({ firmVer: 'ZAM180-NF50VA-Ver3.4.10', ipAddress: '192.168.1.201' });
  });
});

describe('2.21 listAttTransaction', () => {
  it('lists punches newest first in the printed item shape, with paging, personPin and date filters', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-LIST' });
    await term.uploadAttlog([
      { pin: '1', time: '2026-04-01 08:00:00', status: 0, verify: 1 },
      { pin: '1', time: '2026-04-01 17:00:00', status: 1, verify: 15 },
      { pin: '2', time: '2026-04-02 08:00:00', status: 0, verify: 4 },
    ]);
    const all = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 20 })).body;
    expect(all.code).toBe(0);
    expect(all.data.map((x: { eventTime: string }) => x.eventTime)).toEqual(['2026-04-02 08:00:00', '2026-04-01 17:00:00', '2026-04-01 08:00:00']);
    expect(Object.keys(all.data[1]).sort()).toEqual(
      ['id', 'eventTime', 'pin', 'name', 'lastName', 'deptName', 'areaName', 'cardNo', 'devSn', 'verifyModeName', 'eventName', 'eventPointName', 'readerName', 'accZone', 'devName', 'logId'].sort(),
    );
    expect(all.data[1]).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), pin: '1', name: 'Ann', lastName: 'Lee', devSn: 'ATT-LIST', eventName: 'Check-Out', devName: 'ATT-LIST', readerName: 'others', accZone: null, logId: expect.any(Number) });
    const page2 = (await t.get('/api/transaction/listAttTransaction', { pageNo: 2, pageSize: 2 })).body;
    expect(page2.data.map((x: { eventTime: string }) => x.eventTime)).toEqual(['2026-04-01 08:00:00']);
    const byPin = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 20, personPin: '2' })).body;
    expect(byPin.data.map((x: { pin: string }) => x.pin)).toEqual(['2']);
    const byDate = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 20, startDate: '2026-04-01 12:00:00', endDate: '2026-04-01 23:59:59' })).body;
    expect(byDate.data.map((x: { eventTime: string }) => x.eventTime)).toEqual(['2026-04-01 17:00:00']);

    // The v2 form a payroll integration pages through (data.data until data.lastPage): the same items, a total.
    const v2 = (await t.get('/api/v2/transaction/listAttTransaction', { pageNo: 1, pageSize: 2, startDate: '2026-04-01 00:00:00', endDate: '2026-04-02 23:59:59' })).body;
    expect(v2).toEqual({ code: 0, message: 'success', data: { page: 0, size: 2, total: 3, data: all.data.slice(0, 2), offset: 0, lastPage: false } });
    const v2next = (await t.get('/api/v2/transaction/listAttTransaction', { pageNo: 2, pageSize: 2, startDate: '2026-04-01 00:00:00', endDate: '2026-04-02 23:59:59' })).body;
    expect(v2next.data).toEqual({ page: 1, size: 2, total: 3, data: all.data.slice(2), offset: 2, lastPage: true });
    const v2pin = (await t.get('/api/v2/transaction/listAttTransaction', { pageNo: 1, pageSize: 100, personPin: '1', startDate: '2026-04-01 00:00:00', endDate: '2026-04-01 23:59:59' })).body;
    expect(v2pin.data).toMatchObject({ total: 2, lastPage: true });
    expect(v2pin.data.data.map((x: { eventTime: string }) => x.eventTime)).toEqual(['2026-04-01 17:00:00', '2026-04-01 08:00:00']);
  });

  it('answers the manual paging and time errors', async () => {
    expect((await t.get('/api/transaction/listAttTransaction')).body.code).toBe(-92);
    expect((await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 1001 })).body.code).toBe(-91);
    expect((await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 10, startDate: 'yesterday' })).body.code).toBe(-100);
    expect((await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 10, startDate: '2026-04-02', endDate: '2026-04-01' })).body.code).toBe(-101);
    expect((await t.get('/api/v2/transaction/listAttTransaction')).body.code).toBe(-92);
    expect((await t.get('/api/v2/transaction/listAttTransaction', { pageNo: 1, pageSize: 10, startDate: 'yesterday' })).body.code).toBe(-100);
  });
});

describe('2.23 attApply', () => {
  it('stores the three applications (personPin as a number, as printed) and lists them (gateway extension)', async () => {
    expect((await t.post('/api/attApply/applySign', { personPin: 1, remark: 'api', signDatetime: '2021-11-19 18:00:00' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/attApply/applyOvertime', { endDatetime: '2021-11-19 18:00:00', personPin: 1, remark: 'api', startDatetime: '2021-11-19 13:00:00' })).body.code).toBe(0);
    const img = (await t.post('/api/attApply/uploadLeaveImage', { base64Image: JPEG })).body;
    expect(img).toMatchObject({ code: 0, data: expect.stringMatching(/^\/fileresource\/att\/leave\/image\/\d{4}-\d\d-\d\d\/\d+[0-9a-f]{8}\.jpg$/) });
    const served = await fetch(new URL(img.data, t.baseUrl));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await served.arrayBuffer()).toString('base64')).toBe(JPEG);
    expect((await t.post('/api/attApply/applyLeave', { endDatetime: '2021-11-19 18:00:00', leaveImagePath: img.data, leaveTypeNo: 'L1', personPin: 1, remark: 'api', startDatetime: '2021-11-19 13:00:00' })).body.code).toBe(0);
    const list = (await t.get('/api/gateway/attendance/applications', { personPin: '1' })).body;
    expect(list.data.map((a: { kind: string }) => a.kind).sort()).toEqual(['leave', 'overtime', 'sign']);
    expect(list.data.find((a: { kind: string }) => a.kind === 'leave')).toMatchObject({ startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00', leaveTypeNo: 'L1', leaveImagePath: img.data });
  });

  it('refuses unknown persons, leave types, pictures and bad periods with negative codes', async () => {
    expect((await t.post('/api/attApply/applySign', { personPin: 'nobody', signDatetime: '2021-11-19 18:00:00' })).body.code).toBe(-22);
    expect((await t.post('/api/attApply/applySign', { personPin: '1', signDatetime: 'soon' })).body.code).toBe(-100);
    // A bare date names no time of the missed punch: refused, not stored as a punch at midnight.
    expect((await t.post('/api/attApply/applySign', { personPin: '1', signDatetime: '2021-11-23' })).body).toMatchObject({ code: -100, data: null });
    const signs = (await t.get('/api/gateway/attendance/applications', { personPin: '1' })).body.data.filter((a: { kind: string }) => a.kind === 'sign');
    expect(signs.map((a: { signDatetime: string }) => a.signDatetime)).not.toContain('2021-11-23 00:00:00');
    expect((await t.post('/api/attApply/applyOvertime', { personPin: '1', startDatetime: '2021-11-19 18:00:00', endDatetime: '2021-11-19 13:00:00' })).body.code).toBe(-101);
    expect((await t.post('/api/attApply/applyLeave', { personPin: '1', leaveTypeNo: 'L99', startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00' })).body.code).toBeLessThan(0);
    // The manual's example body (2.23.3), placeholder picture path and all, is a leave like any other.
    expect((await t.post('/api/attApply/applyLeave', { endDatetime: '2021-11-20 18:00:00', leaveImagePath: 'string', leaveTypeNo: 'L1', personPin: 1, remark: 'api', startDatetime: '2021-11-20 13:00:00' })).body.code).toBe(0);
    // A one-day leave given as that date twice is the whole day (a bare end date ends with its day).
    expect((await t.post('/api/attApply/applyLeave', { personPin: '1', leaveTypeNo: 'L1', startDatetime: '2021-11-25', endDatetime: '2021-11-25' })).body.code).toBe(0);
    const day = (await t.get('/api/gateway/attendance/applications', { personPin: '1' })).body.data.find((a: { startDatetime: string }) => a.startDatetime === '2021-11-25 00:00:00');
    expect(day).toMatchObject({ kind: 'leave', endDatetime: '2021-11-25 23:59:59' });
    expect((await t.post('/api/attApply/uploadLeaveImage', { base64Image: 'bm90IGFuIGltYWdl' })).body.code).toBe(-27);
    expect((await fetch(new URL('/fileresource/att/leave/image/2021-01-01/1.jpg', t.baseUrl))).status).toBe(404);
  });

  it('an application sent again (a retry) is stored once and answered success; an overlapping different one is -409', async () => {
    const count = async (kind: string) => ((await t.ds.query(`SELECT count(*)::int AS n FROM att_apply WHERE person_pin = '1' AND kind = $1 AND start_time >= '2022-03-01'::date AND start_time < '2022-04-01'::date`, [kind])) as Array<{ n: number }>)[0].n;
    const leave = { personPin: '1', leaveTypeNo: 'L1', startDatetime: '2022-03-07 09:00:00', endDatetime: '2022-03-07 18:00:00', remark: 'flu' };
    expect((await t.post('/api/attApply/applyLeave', leave)).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/attApply/applyLeave', leave)).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await count('leave')).toBe(1);
    const overlap = (await t.post('/api/attApply/applyLeave', { ...leave, startDatetime: '2022-03-07 17:00:00', endDatetime: '2022-03-08 10:00:00' })).body;
    expect(overlap).toMatchObject({ code: -409, data: null });
    expect(overlap.message).toContain('overlapping');
    expect((await t.post('/api/attApply/applyLeave', { ...leave, remark: 'other reason' })).body.code).toBe(-409);
    // Back to back is no overlap; another kind over the same hours is its own application.
    expect((await t.post('/api/attApply/applyLeave', { ...leave, startDatetime: '2022-03-07 18:00:00', endDatetime: '2022-03-07 20:00:00' })).body.code).toBe(0);
    expect((await t.post('/api/attApply/applyOvertime', { personPin: '1', startDatetime: '2022-03-07 09:00:00', endDatetime: '2022-03-07 18:00:00' })).body.code).toBe(0);
    expect(await count('leave')).toBe(2);
    expect(await count('overtime')).toBe(1);
    // Ten identical requests at once (a client retrying in parallel): one row, every answer success.
    const sign = { personPin: '1', signDatetime: '2022-03-09 08:59:00', remark: 'forgot card' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.post('/api/attApply/applySign', sign)));
    expect(answers.map((a) => a.body.code)).toEqual(Array(10).fill(0));
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM att_apply WHERE person_pin = '1' AND kind = 'sign' AND sign_time = $1`, [new Date('2022-03-09T08:59:00Z')]))[0].n).toBe(1);
    expect((await t.post('/api/attApply/applySign', { ...sign, remark: 'another' })).body.code).toBe(-409);
  });

  it('lists leave types and computes the duration of a period in hours', async () => {
    const types = (await t.get('/api/attApply/getLeaveTypeList')).body;
    expect(types.data.slice(0, 2)).toEqual([
      { leaveTypeNo: 'L1', leaveTypeName: 'personal leave' },
      { leaveTypeNo: 'L2', leaveTypeName: 'marriage leave' },
    ]);
    const r = await t.post('/api/attApply/getApplyTimeLong', { endDatetime: '2021-11-19 18:00:00', leaveImagePath: 'string', leaveTypeNo: 'L1', personPin: 1, remark: 'api', startDatetime: '2021-11-19 13:00:00' });
    expect(r.body).toEqual({ code: 0, message: 'success', data: 5 });
    // The leave type is required, as for applyLeave (2.23.6 marks only leaveImagePath optional), and must exist.
    const period = { personPin: 1, startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00' };
    for (const leaveTypeNo of [undefined, '', null]) {
      expect((await t.post('/api/attApply/getApplyTimeLong', { ...period, leaveTypeNo })).body).toEqual({ code: -400, message: expect.stringMatching(/^leaveTypeNo: /), data: null });
    }
    expect((await t.post('/api/attApply/getApplyTimeLong', { ...period, leaveTypeNo: 'L9' })).body).toEqual({ code: -400, message: 'Leave type does not exist: L9', data: null });
  });
});

describe('2.24.5 editAttPerson', () => {
  it('keeps the settings a call does not send: each call changes only the fields it carries', async () => {
    const settings = async () => {
      const d = (await t.get('/api/gateway/attendance/persons/1')).body.data;
      return [d.isAttendance, d.perDevAuth, d.verifyMode];
    };
    expect((await t.post('/api/attPerson/editAttPerson', { isAttendance: false, perDevAuth: 14, personPin: 1, verifyMode: 15 })).body.code).toBe(0);
    expect(await settings()).toEqual([false, 14, 15]);
    expect((await t.post('/api/attPerson/editAttPerson', { personPin: '1', perDevAuth: 2 })).body.code).toBe(0);
    expect(await settings()).toEqual([false, 2, 15]);
    expect((await t.post('/api/attPerson/editAttPerson', { personPin: '1', verifyMode: 1 })).body.code).toBe(0);
    expect(await settings()).toEqual([false, 2, 1]);
    expect((await t.post('/api/attPerson/editAttPerson', { personPin: '1', isAttendance: true })).body.code).toBe(0);
    expect(await settings()).toEqual([true, 2, 1]);
  });
});

describe('2.8 / 2.28 errors', () => {
  it('answers -80 for an unknown area, -81 without pins, -82 over 500 pins, -22 for an unknown person', async () => {
    expect((await t.post('/api/attAreaPerson/set', { code: 'nope', pins: ['1'] })).body.code).toBe(-80);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: [] })).body.code).toBe(-81);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: Array.from({ length: 501 }, (_, i) => String(i)) })).body.code).toBe(-82);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['ghost'] })).body.code).toBe(-22);
    expect((await t.post('/api/insAreaPerson/setAreaPerson', { pins: '1' })).body.code).toBe(-83);
    // A person who left (2.13.6) is no person for the API: joining an area answers -22 until reinstated.
    await insertPerson(t, 'gone1', 'Gil', 'Gone');
    expect((await t.post('/api/person/leave', { pin: 'gone1', leaveDate: '2026-03-01', leaveType: '1' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['gone1'] })).body.code).toBe(-22);
    expect((await t.post('/api/insAreaPerson/setAreaPerson', { code: '1', pins: ['gone1'] })).body.code).toBe(-22);
    const areas = (await t.get('/api/insAreaPerson/getAreaList', { pageNo: 1, pageSize: 10 })).body;
    expect(areas.data[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), code: '1', name: expect.any(String) });
  });
});

describe('terminal refusals', () => {
  it('an access-panel form queued for a terminal comes back -1004 and is recorded failed', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-REFUSE' });
    await enqueue(t, 'ATT-REFUSE', ['DATA UPDATE user Pin=101\tName=X', 'DATA QUERY tablename=user,fielddesc=*,filter=*']);
    const done = await term.drain();
    expect(done.map((d) => d.returnCode)).toEqual([-1004, -1004]);
    const rows = await t.ds.query(`SELECT state, return_code FROM device_command WHERE device_sn = 'ATT-REFUSE' ORDER BY id`);
    expect(rows.map((r: { return_code: number }) => r.return_code)).toEqual([-1004, -1004]);
    expect(rows.every((r: { state: string }) => r.state === 'failed')).toBe(true);
  });
});

describe('metrics', () => {
  it('counts punches ingested and attendance terminals online', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-METRICS' });
    await term.punch({ pin: '1', time: '2026-05-01 08:00:00', status: 0, verify: 1 });
    const text = await (await fetch(new URL('/metrics', t.baseUrl))).text();
    expect(Number(/^cvgw_att_punches_ingested_total (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^cvgw_att_terminals_online\{kind="att"\} (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
  });
});

describe('terminal commands (gateway extension)', () => {
  it('queues INFO, CLEAR LOG and remote enrolment in the terminal dialect; the terminal answers them', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CMD' });
    await term.drain();
    await term.punch({ pin: '1', time: '2026-05-02 08:00:00', status: 0, verify: 1 });
    for (const body of [{ action: 'info' }, { action: 'enrollFingerprint', pin: '1', fingerId: 6 }, { action: 'clearLog' }]) {
      expect((await t.post('/api/gateway/attendance/terminals/ATT-CMD/command', body)).body.code).toBe(0);
    }
    const done = await term.drain();
    expect(done.map((d) => [d.command, d.returnCode])).toEqual([
      ['INFO', 0],
      ['ENROLL_FP PIN=1\tFID=6\tRETRY=3\tOVERWRITE=1', 0],
      ['CLEAR LOG', 0],
    ]);
    expect(term.log).toEqual([]);
    expect((await t.post('/api/gateway/attendance/terminals/ATT-CMD/command', { action: 'enrollCard' })).body.code).toBe(-20);
    expect((await t.post('/api/gateway/attendance/terminals/ATT-CMD/command', { action: 'format' })).body.code).toBe(-400);
    expect((await t.post('/api/gateway/attendance/terminals/NOPE/command', { action: 'info' })).body.code).toBe(-200);
  });

  it('REBOOT is delivered once: a terminal that restarted before answering polls again without the result, and is not rebooted again', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-REBOOT' });
    await term.drain();
    const settings = t.app.get<PushSettings>(PUSH_SETTINGS);
    const lostReplyMs = settings.lostReplyMs;
    settings.lostReplyMs = 150;
    try {
      term.holdResults((c) => c === 'REBOOT');
      expect((await t.post('/api/gateway/attendance/terminals/ATT-REBOOT/command', { action: 'reboot' })).body.code).toBe(0);
      expect((await term.poll()).map((c) => c.command)).toEqual(['REBOOT']);
      term.dropHeldResults();
      await new Promise((res) => setTimeout(res, 300));
      expect(await term.poll()).toEqual([]);
      const [cmd] = (await t.get('/api/gateway/devices/ATT-REBOOT/commands')).body.data.data;
      expect(cmd).toMatchObject({ command: 'REBOOT', state: 'failed', attempts: 1, error: expect.stringContaining('a restart is not sent again') });
    } finally {
      settings.lostReplyMs = lostReplyMs;
    }
  });

  it('a remote enrolment answered with a positive error code (Appendix 1: 4 failed, 6 cancelled; ENROLL_MF 5 timed out) is failed, not done', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROLL-FAIL' });
    await term.drain();
    term.failCommands((c) => c.startsWith('ENROLL_FP'), 4);
    term.failCommands((c) => c.startsWith('ENROLL_BIO'), 6);
    term.failCommands((c) => c.startsWith('ENROLL_MF'), 5);
    for (const body of [{ action: 'enrollFingerprint', pin: '1', fingerId: 6 }, { action: 'enrollFace', pin: '1' }, { action: 'enrollCard', pin: '1' }, { action: 'info' }]) {
      expect((await t.post('/api/gateway/attendance/terminals/ATT-ENROLL-FAIL/command', body)).body.code).toBe(0);
    }
    expect((await term.drain()).map((d) => d.returnCode)).toEqual([4, 6, 5, 0]);
    const queue = (await t.get('/api/gateway/devices/ATT-ENROLL-FAIL/commands', { pageNo: 1, pageSize: 10 })).body.data.data;
    expect(queue.map((c: { command: string; state: string; returnCode: number; returnMeaning: string; error: string | null }) => [c.command.split(' ')[0], c.state, c.returnCode, c.returnMeaning, c.error])).toEqual([
      ['INFO', 'done', 0, 'Successful', null],
      ['ENROLL_MF', 'failed', 5, 'Card enrolment timed out', 'Return 5: Card enrolment timed out'],
      ['ENROLL_BIO', 'failed', 6, 'Enrolment cancelled at the terminal', 'Return 6: Enrolment cancelled at the terminal'],
      ['ENROLL_FP', 'failed', 4, 'Enrolment failed (poor quality, or the samples did not match)', 'Return 4: Enrolment failed (poor quality, or the samples did not match)'],
    ]);
  });

  it('CHECK hands back ATTLOGStamp=0 at the next initialisation, once (manual 12.3.1); the records sent again are stored once', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CHECK' });
    await term.drain();
    await term.punch({ pin: '1', time: '2026-05-03 08:00:00', status: 0, verify: 1 });
    await term.punch({ pin: '1', time: '2026-05-03 17:00:00', status: 1, verify: 1 });
    expect((await initialisedTerminal(t, { sn: 'ATT-CHECK' })).serverOptions.ATTLOGStamp).toMatch(/^[1-9]\d*$/);
    expect((await t.post('/api/gateway/attendance/terminals/ATT-CHECK/command', { action: 'check' })).body).toMatchObject({ code: 0, data: 'CHECK' });
    // The terminal re-reads its initialisation on CHECK: Stamp 0, so it uploads its records again (the simulator does).
    expect((await term.drain()).map((d) => [d.command, d.returnCode])).toEqual([['CHECK', 0]]);
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
    expect(await punchesOf(t, 'ATT-CHECK')).toHaveLength(2);
    // Once: the initialisation after that hands back the Stamp held, which the re-upload carried forward.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toMatch(/^[1-9]\d*$/);
  });
});
