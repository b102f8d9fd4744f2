import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

// 2.18.10/2.18.11 mark page/pageSize neither required nor optional, unlike every other list of 2.18; the
// example answers page 1, pageSize 10. Real integrators (a visitor system polling "the latest door events") send
// only the filters: they get the first page of 10, newest first, and the bounds of the other transaction lists.
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  const dev = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TXP0000012', doors: 1 });
  await dev.connect();
  const events = Array.from({ length: 12 }, (_, i) => ({
    time: `2024-05-01 08:${String(i).padStart(2, '0')}:00`,
    pin: 700 + i,
    eventaddr: 1,
    event: 0,
    inoutstatus: 0,
    verifytype: 15,
    index: i + 1,
  }));
  await expect(dev.uploadRtlog(events)).resolves.toMatchObject({ status: 200 });
});

afterAll(async () => {
  await t?.close();
});

describe('2.18.10 / 2.18.11 paging defaults', () => {
  it('2.18.10 without pageNo/pageSize answers page 1 of 10, newest first, with the total of all matches', async () => {
    for (const body of [{}, { devSn: 'TXP0000012' }, { pageNo: null, pageSize: null }, { pageNo: '', pageSize: '' }]) {
      const r = await t.post('/api/transaction/getDoorTransactions', body);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ret: 'ok', success: true, page: 1, pageSize: 10, total: 12 });
      expect(r.body.data.map((e: { personPin: string }) => e.personPin)).toEqual(['711', '710', '709', '708', '707', '706', '705', '704', '703', '702']);
    }
    // One value given: the other takes its default.
    const second = await t.post('/api/transaction/getDoorTransactions', { pageNo: '2' });
    expect(second.body).toMatchObject({ ret: 'ok', page: 2, pageSize: 10, total: 12 });
    expect(second.body.data.map((e: { personPin: string }) => e.personPin)).toEqual(['701', '700']);
    const five = await t.post('/api/transaction/getDoorTransactions', { pageSize: 5 });
    expect(five.body).toMatchObject({ ret: 'ok', page: 1, pageSize: 5, total: 12 });
    expect(five.body.data).toHaveLength(5);
    // The table's spelling "page" still counts; the filters still apply.
    const byPage = await t.post('/api/transaction/getDoorTransactions', { page: '2', personPin: '705' });
    expect(byPage.body).toMatchObject({ ret: 'ok', page: 2, pageSize: 10, total: 1, data: [] });
  });

  it('2.18.10 inputs in the query string with an empty body default the same way', async () => {
    const r = await t.request('POST', '/api/transaction/getDoorTransactions', {
      query: { access_token: TEST_TOKEN, devSn: 'TXP0000012' },
      body: 'null',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.body).toMatchObject({ ret: 'ok', page: 1, pageSize: 10, total: 12 });
    expect(r.body.data).toHaveLength(10);
  });

  it('2.18.11 without paging answers the first page object of 10', async () => {
    for (const body of [{}, { content: { devSn: 'TXP0000012' } }]) {
      const r = await t.post('/api/v2/transaction/getDoorTransactions', body);
      expect(r.body).toMatchObject({ ret: 'ok', success: true, data: { page: 0, size: 10, total: 12, offset: 0, lastPage: false } });
      expect(r.body.data.data).toHaveLength(10);
    }
  });

  it('what is given is bounded as on the other transaction lists', async () => {
    const fail = (msg: string) => ({ ret: 'fail', msg, data: null, i18nArgs: null });
    expect((await t.post('/api/transaction/getDoorTransactions', { pageSize: '1001' })).body).toEqual(fail('PageSize is greater than 1000'));
    expect((await t.post('/api/transaction/getDoorTransactions', { pageNo: '0' })).body).toEqual(fail('PageNo or pageSize cannot be set less than or equal to 0'));
    expect((await t.post('/api/v2/transaction/getDoorTransactions', { content: { pageSize: '-1' } })).body).toMatchObject({ ret: 'fail', data: null });
  });
});

describe('2.18.11 content written as JSON text', () => {
  // A form body or the query can only carry the `content` object as text (`content={"personPin":"705"}`), and
  // CVSecurity's own Push Center writes its `content` as a JSON string: each was refused -400 "content must be an object".
  const filter = JSON.stringify({ devSn: 'TXP0000012', personPin: '705', pageNo: '1', pageSize: '5' });
  const expectOne = (body: { ret: string; data: { total: number; data: Array<{ pin: string }> } }, how: string) => {
    expect(body, how).toMatchObject({ ret: 'ok', success: true, data: { total: 1 } });
    expect(body.data.data.map((e) => e.pin), how).toEqual(['705']);
  };

  it('in a form body, the query or a JSON body, it filters as the object does', async () => {
    const form = await t.request('POST', '/api/v2/transaction/getDoorTransactions', {
      query: { access_token: TEST_TOKEN },
      body: `content=${encodeURIComponent(filter)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectOne(form.body, 'form');
    const query = await t.request('POST', '/api/v2/transaction/getDoorTransactions', { query: { access_token: TEST_TOKEN, content: filter }, body: '', headers: {} });
    expectOne(query.body, 'query');
    expectOne((await t.post('/api/v2/transaction/getDoorTransactions', { content: filter })).body, 'JSON string');
    // getDoorTransactionDetail's content the same way: the event it names.
    const id = (await t.post('/api/v2/transaction/getDoorTransactions', { content: { personPin: '705' } })).body.data.data[0].id;
    const detail = await t.request('POST', '/api/transaction/getDoorTransactionDetail', {
      query: { access_token: TEST_TOKEN },
      body: `content=${encodeURIComponent(JSON.stringify({ id }))}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(detail.body).toMatchObject({ ret: 'ok', data: { id, personPin: '705' } });
  });

  it('text that is no JSON object is still refused, not read as no filter', async () => {
    const r = await t.post('/api/v2/transaction/getDoorTransactions', { content: '{"personPin": ' });
    expect(r.body.ret).toBe('fail');
  });
});
