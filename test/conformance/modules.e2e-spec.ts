import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualEndpoint, manualEndpoints } from '../door/cv-examples';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { cameraEvent, uploadMedia } from './modules-calls';

/**
 * Sections 2.3, 2.6, 2.20 and 2.26 against the manual: writes answer the public response (2.3.x, 2.6.1, 2.6.2
 * print no example but "refer to public response result"), and each endpoint's obvious failure answers the
 * appendix code the catalogue expects for it (likelyErrorCodes), or a gateway code where none fits.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const SUCCESS = { code: 0, message: 'success', data: null };
const page = { pageNo: 1, pageSize: 10 };
const park = (op: string, query: Record<string, unknown>) => t.post(`/api/parkAuthorize/${op}`, undefined, query);

describe('the catalogue', () => {
  it('has 11 endpoints in 2.3, 2.6, 2.20 and 2.26, and none answers -501', async () => {
    const sections = manualEndpoints().filter((e) => /^2\.(3|6|20|26)\./.test(e.section));
    expect(sections.map((e) => e.section).sort()).toEqual(['2.20.1', '2.20.2', '2.20.3', '2.26.1', '2.26.2', '2.3.1', '2.3.2', '2.3.3', '2.6.1', '2.6.2', '2.6.3']);
    for (const e of sections) {
      const res = await t.request(e.method, e.likelyPath.replace(/\{\w+\}/g, 'x'), { query: { access_token: t.config.apiToken } });
      expect(res.body.code, `${e.section} ${e.method} ${e.likelyPath}`).not.toBe(-501);
      expect(res.body.code, `${e.section} ${e.method} ${e.likelyPath}`).not.toBe(-404);
    }
  });
});

describe('writes answer the public response', () => {
  it.each([
    ['2.3.1', () => park('addBlackWhite', { type: 0, carNumber: 'A32212', fromTime: '2018-08-17', toTime: '2019-08-16' })],
    ['2.3.3', () => park('editBlackWhite', { type: 0, carNumber: 'A32213', oldCarNumber: 'A32212', fromTime: '2018-08-17', toTime: '2019-08-16' })],
    ['2.3.2', () => park('delBlackWhite', { carNumber: 'A32213' })],
    ['2.6.1', () => uploadMedia(t, 'Media name')],
    ['2.6.2', () => t.delete('/api/adMedia/delete/Media name')],
  ] as Array<[string, () => Promise<HttpResult>]>)('%s', async (section, call) => {
    expect(manualEndpoint(section).response.example).toBeNull();
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.body).toEqual(SUCCESS);
  });
});

/** [section, what fails, call, code, `gateway` when no appendix code fits] */
type Case = [string, string, () => Promise<HttpResult>, number, 'gateway'?];

const paging = (section: string, call: (p: Record<string, unknown>) => Promise<HttpResult>): Case[] => [
  [section, 'no pageNo/pageSize', () => call({}), -92],
  [section, 'pageNo 0', () => call({ pageNo: 0, pageSize: 10 }), -90],
  [section, 'pageSize 1001', () => call({ pageNo: 1, pageSize: 1001 }), -91],
];

const CASES = (): Case[] => [
  ['2.3.1', 'type 2', () => park('addBlackWhite', { type: 2, carNumber: 'A32212' }), -221],
  ['2.3.1', 'a white list entry without dates', () => park('addBlackWhite', { type: 0, carNumber: 'A32212' }), -222],
  ['2.3.1', 'a date that is no date', () => park('addBlackWhite', { type: 1, carNumber: 'A32212', fromTime: '2018-13-01' }), -222],
  ['2.3.1', 'no plate', () => park('addBlackWhite', { type: 1 }), -223],
  ['2.3.1', 'a plate with symbols', () => park('addBlackWhite', { type: 1, carNumber: 'A3$212' }), -223],
  ['2.3.2', 'a plate on no list', () => park('delBlackWhite', { carNumber: 'NOTHERE1' }), -223],
  ['2.3.3', 'type x', () => park('editBlackWhite', { type: 'x', carNumber: 'A32212', oldCarNumber: 'A32212' }), -221],
  ['2.3.3', 'toTime before fromTime', () => park('editBlackWhite', { type: 0, carNumber: 'A32212', oldCarNumber: 'A32212', fromTime: '2019-08-17', toTime: '2019-08-16' }), -222],
  ['2.3.3', 'an old plate on no list', () => park('editBlackWhite', { type: 1, carNumber: 'A32212', oldCarNumber: 'NOTHERE1' }), -223],
  ['2.6.1', 'a text file', () => uploadMedia(t, 'txt', { name: 'a.txt', type: 'text/plain', bytes: Buffer.from('hi') }), -71],
  ['2.6.2', 'an unknown name', () => t.delete('/api/adMedia/delete/nothing'), -70],
  ['2.6.3', 'an unknown name', () => t.get('/api/adMedia/get/nothing'), -70],
  ['2.20.1', 'an unknown record', () => t.get('/api/parkTransaction/getParkRecordPicture', { recordId: 'f'.repeat(32), recordType: 1 }), -404, 'gateway'],
  ['2.20.1', 'no recordId', () => t.get('/api/parkTransaction/getParkRecordPicture', { recordType: 1 }), -400, 'gateway'],
  ...paging('2.20.2', (p) => t.get('/api/v2/parkTransaction/listParkRecordin', p)),
  ...paging('2.20.3', (p) => t.get('/api/v2/parkTransaction/listParkRecordout', p)),
  ...paging('2.26.1', (p) => t.get('/api/hep/transaction/list', p)),
  ['2.26.1', 'a startDate that is no time', () => t.get('/api/hep/transaction/list', { ...page, startDate: 'yesterday' }), -100],
  ['2.26.1', 'startDate after endDate', () => t.get('/api/hep/transaction/list', { ...page, startDate: '2024-03-02 00:00:00', endDate: '2024-03-01 00:00:00' }), -101],
  ['2.26.2', 'no timestamp', () => t.get('/api/hep/transaction/monitor'), -400, 'gateway'],
  ['2.26.2', 'a timestamp that is no number', () => t.get('/api/hep/transaction/monitor', { timestamp: '2024-01-01' }), -100, 'gateway'],
];

describe("the manual's error codes", () => {
  it.each(CASES().map(([section, what, call, code, kind]) => [`${section} ${what} → ${code}`, section, call, code, kind] as const))('%s', async (_name, section, call, code, kind) => {
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.body, res.text.slice(0, 300)).toMatchObject({ code, data: null });
    expect(typeof res.body.message).toBe('string');
    const likely = manualEndpoint(section).likelyErrorCodes;
    if (kind === 'gateway') expect(likely).not.toContain(code);
    else expect(likely.length === 0 || likely.includes(code), `${code} is not among ${section}'s likely codes`).toBe(true);
  });

  it('2.3.3 -220: the new plate already has its own entry', async () => {
    await park('addBlackWhite', { type: 1, carNumber: 'B1' + '0000' });
    await park('addBlackWhite', { type: 1, carNumber: 'B20000' });
    expect((await park('editBlackWhite', { type: 1, carNumber: 'B20000', oldCarNumber: 'B10000' })).body).toMatchObject({ code: -220, data: null });
  });

  it('a multipart body sent to another endpoint still gets an envelope, never a 5xx', async () => {
    const form = new FormData();
    form.append('code', 'm1');
    form.append('name', 'Multipart');
    const res = await fetch(new URL(`/api/department/add?access_token=${t.config.apiToken}`, t.baseUrl), { method: 'POST', body: form });
    expect(res.status).toBeLessThan(500);
    expect(Object.keys((await res.json()) as object).sort()).toEqual(['code', 'data', 'message']);
  });

  it('2.20.1 answers the picture of the record type asked for only', async () => {
    const r = await cameraEvent(t, 'Q1234', 'out');
    expect((await t.get('/api/parkTransaction/getParkRecordPicture', { recordId: r.body.data.recordId, recordType: 2 })).body.code).toBe(0);
    expect((await t.get('/api/parkTransaction/getParkRecordPicture', { recordId: r.body.data.recordId, recordType: 1 })).body.code).toBe(-404);
  });
});
