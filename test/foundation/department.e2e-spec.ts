import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('department (2.5)', () => {
  it('seeds the fresh-install department', async () => {
    expect((await t.get('/api/department/get/1')).body).toEqual({ code: 0, message: 'success', data: { name: 'Department Name', code: '1', parentCode: null } });
  });

  it('adds, updates by code, and reads with the parent code', async () => {
    expect((await t.post('/api/department/add', { name: 'Parent', code: '100' })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { name: 'Child', code: '101', parentCode: '100' })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { name: 'Child renamed', code: 101, parentCode: 100 })).body.code).toBe(0);
    expect((await t.get('/api/department/get/101')).body.data).toEqual({ name: 'Child renamed', code: '101', parentCode: '100' });
    expect((await t.get('/api/v2/department/get', { code: '101' })).body.data).toEqual({ name: 'Child renamed', code: '101', parentCode: '100' });
    // An update naming no parent keeps it; an empty parentCode makes the department top-level.
    expect((await t.post('/api/department/add', { name: 'Child again', code: '101' })).body.code).toBe(0);
    expect((await t.get('/api/department/get/101')).body.data).toEqual({ name: 'Child again', code: '101', parentCode: '100' });
    expect((await t.post('/api/department/add', { name: 'Child again', code: '101', parentCode: '' })).body.code).toBe(0);
    expect((await t.get('/api/department/get/101')).body.data).toEqual({ name: 'Child again', code: '101', parentCode: null });
    expect((await t.post('/api/department/add', { name: 'Child renamed', code: '101', parentCode: '100' })).body.code).toBe(0);
  });

  it('refuses an unknown parent, a cycle and an unknown code with the manual codes', async () => {
    expect((await t.post('/api/department/add', { name: 'Orphan', code: '200', parentCode: 'nope' })).body.code).toBe(-13);
    expect((await t.post('/api/department/add', { name: 'Parent', code: '100', parentCode: '101' })).body.code).toBe(-14);
    expect((await t.get('/api/department/get/none')).body).toEqual({ code: -13, message: 'The department number does not exist: none', data: null });
  });

  it('refuses a duplicate name under the same parent', async () => {
    expect((await t.post('/api/department/add', { name: 'Same', code: '300' })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { name: 'Same', code: '301' })).body.code).toBe(-12);
  });

  it('lists with and without paging, in the v2 page object clients read (data.data)', async () => {
    const all = await t.post('/api/department/getDepartmentList', null);
    expect(all.body.code).toBe(0);
    expect(Object.keys(all.body.data).sort()).toEqual(['data', 'lastPage', 'offset', 'page', 'size', 'total']);
    expect(all.body.data.data.map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(['1', '100', '101', '300']));
    expect(all.body.data).toMatchObject({ page: 0, offset: 0, lastPage: true, total: all.body.data.data.length });
    const page = await t.post('/api/department/getDepartmentList', { pageNo: 1, pageSize: 2 });
    expect(page.body.data).toMatchObject({ page: 0, size: 2, total: all.body.data.total, offset: 0, lastPage: false });
    expect(page.body.data.data).toHaveLength(2);
    expect((await t.post('/api/department/getDepartmentList', { pageNo: 0, pageSize: 2 })).body.code).toBe(-90);
    expect((await t.post('/api/department/getDepartmentList', { pageNo: 1, pageSize: 2147483648 })).body.code).toBe(-91);
  });

  it('getDepartmentList by department codes (its Swagger description): only those, with the total of that selection', async () => {
    const codesOf = (r: { body: { data: { data: Array<{ code: string }> } } }) => r.body.data.data.map((d) => d.code).sort();
    const two = await t.post('/api/department/getDepartmentList', { deptCodes: '100,300', pageNo: 1, pageSize: 10 });
    expect(two.body.data).toMatchObject({ page: 0, size: 10, total: 2, offset: 0, lastPage: true });
    expect(codesOf(two)).toEqual(['100', '300']);
    // As an array, in the query (as the Swagger lists its inputs), and without paging; an unknown code adds nothing.
    expect(codesOf(await t.post('/api/department/getDepartmentList', { deptCodes: ['300', 'none'] }))).toEqual(['300']);
    const query = await t.post('/api/department/getDepartmentList', null, { deptCodes: '100', pageNo: 1, pageSize: 10 });
    expect(query.body.data).toMatchObject({ total: 1, data: [expect.objectContaining({ code: '100' })] });
    expect((await t.post('/api/department/getDepartmentList', { deptCodes: 'none', pageNo: 1, pageSize: 10 })).body.data).toMatchObject({ total: 0, data: [], lastPage: true });
  });

  it('getDepartmentList items carry sortNo (a number), as a later manual\'s example shows them; department/get keeps the 2.5.3 keys', async () => {
    expect((await t.post('/api/department/add', { code: '310', name: 'Sorted', sortNo: '7' })).body.code).toBe(0);
    const items = (await t.post('/api/department/getDepartmentList', { pageNo: 1, pageSize: 1000 })).body.data.data as Array<Record<string, unknown>>;
    for (const d of items) expect(Object.keys(d)).toEqual(['name', 'code', 'sortNo', 'parentCode']);
    expect(items.find((d) => d.code === '1')).toEqual({ name: 'Department Name', code: '1', sortNo: 1, parentCode: null });
    expect(items.find((d) => d.code === '310')).toEqual({ name: 'Sorted', code: '310', sortNo: 7, parentCode: null });
    // Added without a sortNo: 99999, as the later manual's example lists such a department.
    expect(items.find((d) => d.code === '100')).toMatchObject({ code: '100', sortNo: 99999 });
    // Listed in sortNo order.
    const sortNos = items.map((d) => d.sortNo as number);
    expect(sortNos).toEqual([...sortNos].sort((a, b) => a - b));
    expect(Object.keys((await t.get('/api/department/get/310')).body.data)).toEqual(['name', 'code', 'parentCode']);
    // A sortNo that is no whole number is refused, not read as 10 (Number('1e1')); its department unchanged.
    expect((await t.post('/api/department/add', { code: '310', name: 'Sorted', sortNo: '1e1' })).body.code).toBe(-400);
    expect((await t.post('/api/department/add', { code: '310', name: 'Sorted', sortNo: ' 8 ' })).body.code).toBe(0);
    const again = (await t.post('/api/department/getDepartmentList', { pageNo: 1, pageSize: 1000 })).body.data.data as Array<Record<string, unknown>>;
    expect(again.find((d) => d.code === '310')).toMatchObject({ sortNo: 8 });
    // A string fraction is refused; a JSON number with a fraction is truncated, as Jackson reads an Integer; "7.0" is
    // 7; a blank string is no value (sortNo kept).
    expect((await t.post('/api/department/add', { code: '310', name: 'Sorted', sortNo: '7.9' })).body.code).toBe(-400);
    expect((await t.post('/api/department/add', { code: '310', name: 'Sorted', sortNo: 7.9 })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { code: '310', name: 'Sorted', sortNo: '7.0' })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { code: '310', name: 'Sorted', sortNo: '  ' })).body.code).toBe(0);
    const kept = (await t.post('/api/department/getDepartmentList', { pageNo: 1, pageSize: 1000 })).body.data.data as Array<Record<string, unknown>>;
    expect(kept.find((d) => d.code === '310')).toMatchObject({ sortNo: 7 });
  });

  it('refuses to delete a department with children, then deletes leaf and parent', async () => {
    expect((await t.delete('/api/department/delete/100')).body.code).toBe(-15);
    // The manual's mode is DELETE; CVSecurity's own Swagger says POST: both.
    expect((await t.post('/api/department/delete/100')).body.code).toBe(-15);
    expect((await t.post('/api/department/delete/101')).body.code).toBe(0);
    expect((await t.get('/api/department/get/101')).body.code).toBe(-13);
    expect((await t.post('/api/v2/department/delete', undefined, { code: '100' })).body.code).toBe(0);
    expect((await t.get('/api/department/get/100')).body.code).toBe(-13);
    expect((await t.delete('/api/department/delete/100')).body.code).toBe(-13);
  });

  it('calls at once keep the rules of calls one after the other: one name once (-12), one code added or edited', async () => {
    const names = await Promise.all(Array.from({ length: 10 }, (_, i) => t.post('/api/department/add', { name: 'RaceDept', code: `97${i}` })));
    expect(names.map((r) => r.body.code).sort()).toEqual([...Array(9).fill(-12), 0]);
    const sameCode = await Promise.all(Array.from({ length: 8 }, (_, i) => t.post('/api/department/add', { name: `Race code ${i}`, code: '960' })));
    expect(sameCode.map((r) => r.body.code)).toEqual(Array(8).fill(0));
    const all = (await t.post('/api/department/getDepartmentList', { pageNo: 1, pageSize: 1000 })).body.data.data as Array<{ name: string; code: string }>;
    expect(all.filter((d) => d.name === 'RaceDept')).toHaveLength(1);
    expect(all.filter((d) => d.code === '960')).toHaveLength(1);
  });

  it('deletes at once: one success and -13 after; a delete racing a sub-department add or a person moved in never leaves an orphan', async () => {
    expect((await t.post('/api/department/add', { name: 'Doomed', code: '950' })).body.code).toBe(0);
    const deletes = await Promise.all(Array.from({ length: 6 }, () => t.delete('/api/department/delete/950')));
    expect(deletes.map((r) => r.body.code).sort()).toEqual([-13, -13, -13, -13, -13, 0]);
    for (let i = 0; i < 5; i++) {
      const code = `94${i}`;
      expect((await t.post('/api/department/add', { name: `Racy ${i}`, code })).body.code).toBe(0);
      const [del, child, person] = await Promise.all([
        t.delete(`/api/department/delete/${code}`),
        t.post('/api/department/add', { name: `Racy child ${i}`, code: `${code}1`, parentCode: code }),
        t.post('/api/person/add', { pin: `94${i}77`, name: 'Mover', deptCode: code }),
      ]);
      for (const r of [del, child, person]) expect(r.status).toBeLessThan(500);
      const kept = (await t.get(`/api/department/get/${code}`)).body.code === 0;
      // Deleted: nothing was added under it. Kept: the delete said why (-15), or ran before the others (-13 for them).
      if (!kept) expect([del.body.code, child.body.code, person.body.code]).toEqual([0, -13, expect.any(Number)]);
      if (kept) expect(del.body.code).toBe(-15);
      const orphans = await t.ds.query(`SELECT count(*)::int AS n FROM department c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM department p WHERE p.id = c.parent_id)`);
      expect(orphans[0].n).toBe(0);
      // A person added answers success only in the department, which then stays.
      if (person.body.code === 0) expect([kept, (await t.get('/api/v2/person/get', { pin: `94${i}77` })).body.data.deptCode]).toEqual([true, code]);
    }
  });

  it('reads a body in the charset it declares (GBK from Chinese clients), and refuses bytes it cannot read instead of storing replacement characters', async () => {
    const q = { access_token: TEST_TOKEN };
    const form = await t.request('POST', '/api/department/add', { query: q, body: 'name=%D5%C5%C8%FD&code=806', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=GBK' } });
    expect(form.body.code).toBe(0);
    expect((await t.get('/api/department/get/806')).body.data.name).toBe('张三');
    const gbkJson = Buffer.concat([Buffer.from('{"code":"807","name":"'), Buffer.from([0xc0, 0xee, 0xcb, 0xc4]), Buffer.from('"}')]);
    const json = await t.request('POST', '/api/department/add', { query: q, body: gbkJson as unknown as string, headers: { 'content-type': 'application/json;charset=GBK' } });
    expect(json.body.code).toBe(0);
    expect((await t.get('/api/department/get/807')).body.data.name).toBe('李四');
    // The same bytes declared (or taken) as UTF-8 are not UTF-8: refused, nothing stored.
    const wrong = await t.request('POST', '/api/department/add', { query: q, body: Buffer.from(gbkJson.toString('latin1').replace('807', '808'), 'latin1') as unknown as string, headers: { 'content-type': 'application/json' } });
    expect([wrong.status, wrong.body.code]).toEqual([400, -400]);
    expect((await t.get('/api/department/get/808')).body.code).toBe(-13);
    const unknown = await t.request('POST', '/api/department/add', { query: q, body: 'name=x&code=809', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=x-klingon' } });
    expect(unknown.body).toMatchObject({ code: -400, message: expect.stringContaining('charset') });
  });
});
