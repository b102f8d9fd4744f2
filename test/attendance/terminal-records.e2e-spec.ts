/**
 * What a terminal uploads besides punches and persons, read back through REST: its operation records (OPERLOG `OPLOG`
 * lines, attendance manual 11.4) and its attendance photos (ATTPHOTO, 11.3), each once however often the terminal
 * sends it, as `GET /api/gateway/attendance/terminals/{sn}/operlogs` and `.../photos`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal } from './attendance-helpers';

let t: TestApp;
let term: AttendanceTerminal;

beforeAll(async () => {
  t = await startTestApp();
  term = await initialisedTerminal(t, { sn: 'ATT-RECORDS' });
});
afterAll(async () => {
  await t?.close();
});

describe('operation records', () => {
  it('are listed newest first, each once after a resend; a bad line costs only itself', async () => {
    const lines = [
      'OPLOG 4\t0\t2026-04-01 08:00:00\t0\t0\t0\t0',
      'OPLOG 6\t0\t2026-04-01 09:30:00\t7001\t0\t0\t0',
      'OPLOG x\tbroken',
      'OPLOG 30\t1\t2026-04-02 10:00:00\t7002\t1\t0\t0',
    ];
    // The records processed (manual 11.4): the broken line is kept raw, not counted; a resend is answered alike.
    expect((await term.uploadOperlog(lines)).body).toBe('OK: 3');
    expect((await term.uploadOperlog(lines)).body).toBe('OK: 3');

    const all = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/operlogs')).body;
    expect(all.code).toBe(0);
    expect(all.data.map((r: { opType: number; opWho: string; opTime: string; operands: string[]; devSn: string }) => [r.devSn, r.opType, r.opWho, r.opTime, r.operands])).toEqual([
      ['ATT-RECORDS', 30, '1', '2026-04-02 10:00:00', ['7002', '1', '0', '0']],
      ['ATT-RECORDS', 6, '0', '2026-04-01 09:30:00', ['7001', '0', '0', '0']],
      ['ATT-RECORDS', 4, '0', '2026-04-01 08:00:00', ['0', '0', '0', '0']],
    ]);

    const day = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/operlogs', { startTime: '2026-04-01 09:00:00', endTime: '2026-04-01 23:59:59' })).body;
    expect(day.data.map((r: { opType: number }) => r.opType)).toEqual([6]);
    const page2 = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/operlogs', { pageNo: 2, pageSize: 2 })).body;
    expect(page2.data.map((r: { opType: number }) => r.opType)).toEqual([4]);
  });

  it('of an SN that is no terminal, or with a bad period, answer a negative code', async () => {
    expect((await t.get('/api/gateway/attendance/terminals/NOPE/operlogs')).body.code).toBeLessThan(0);
    const bad = await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/operlogs', { startTime: '2026-04-02 00:00:00', endTime: '2026-04-01 00:00:00' });
    expect([bad.status, bad.body.code < 0]).toEqual([200, true]);
    expect((await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/operlogs', { pageNo: 0, pageSize: 2 })).body.code).toBeLessThan(0);
  });
});

describe('attendance photos', () => {
  it('are listed with their bytes (base64), PIN and time, each once after a resend; filtered by pin', async () => {
    const jpegA = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 0xff, 0xd9]);
    const jpegB = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 1, 2, 3, 0xff, 0xd9]);
    expect((await term.uploadAttphoto('20260401080000-7001.jpg', jpegA)).status).toBe(200);
    expect((await term.uploadAttphoto('20260401080000-7001.jpg', jpegA)).status).toBe(200);
    expect((await term.uploadAttphoto('20260402081500-7002.jpg', jpegB, { base64: false })).status).toBe(200);

    const all = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/photos')).body;
    expect(all.code).toBe(0);
    expect(all.data.map((p: Record<string, unknown>) => [p.fileName, p.pin, p.photoTime, p.size, p.photoBase64])).toEqual([
      ['20260402081500-7002.jpg', '7002', '2026-04-02 08:15:00', jpegB.length, jpegB.toString('base64')],
      ['20260401080000-7001.jpg', '7001', '2026-04-01 08:00:00', jpegA.length, jpegA.toString('base64')],
    ]);
    const one = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/photos', { pin: '7001' })).body;
    expect(one.data.map((p: { fileName: string }) => p.fileName)).toEqual(['20260401080000-7001.jpg']);
  });
});

describe('records kept as they came', () => {
  it('IDCARD and ERRORLOG records, and a refused ATTLOG line, are listed by table and pin, each once after a resend', async () => {
    const idcard = 'IDCARD PIN=7003\tSNNum=123\tIDNum=210218199105072345\tName=Li Si\tGender=1\n';
    expect((await term.uploadRaw('IDCARD', idcard)).body).toBe('OK: 1');
    expect((await term.uploadRaw('IDCARD', idcard)).body).toBe('OK: 1');
    expect((await term.uploadRaw('ERRORLOG', 'ERRORLOG ErrCode=D09E0001\tErrMsg=other\tDataOrigin=cmd\tCmdId=17\n')).body).toBe('OK');
    expect((await term.uploadAttlog([{ pin: '7003', time: '2026-04-03 08:00:00', status: 0, verify: 1 }])).status).toBe(200);
    expect((await term.uploadRaw('ATTLOG', '7003\tnot a time\t0\t1\n7003\t2026-04-03 17:00:00\t1\t1\n')).body).toBe('OK: 1');

    const ids = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/uploads', { table: 'IDCARD' })).body;
    expect(ids.code).toBe(0);
    expect(ids.data).toHaveLength(1);
    expect(ids.data[0]).toMatchObject({ devSn: 'ATT-RECORDS', table: 'IDCARD', pin: '7003', record: { PIN: '7003', IDNum: '210218199105072345', Name: 'Li Si' } });
    const errs = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/uploads', { table: 'ERRORLOG' })).body;
    expect(errs.data.map((r: { record: Record<string, string> }) => r.record.ErrCode)).toEqual(['D09E0001']);
    const refused = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/uploads', { table: 'ATTLOG.rejected' })).body;
    expect(refused.data.map((r: { record: Record<string, string> }) => r.record.line)).toEqual(['7003\tnot a time\t0\t1']);
    const byPin = (await t.get('/api/gateway/attendance/terminals/ATT-RECORDS/uploads', { pin: '7003' })).body;
    expect(byPin.data.map((r: { table: string }) => r.table)).toEqual(['IDCARD']);
  });
});
