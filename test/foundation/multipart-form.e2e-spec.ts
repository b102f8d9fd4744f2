import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * PHP and .NET clients post their forms as multipart/form-data (text fields) where others send JSON or an
 * urlencoded form: on every /api route the fields are the body (src/common/multipart-body.ts).
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

type Field = string | { file: Buffer; name: string; type: string };

async function postForm(path: string, fields: Array<[string, Field]>, query: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of fields) {
    if (typeof v === 'string') form.append(k, v);
    else form.append(k, new Blob([v.file], { type: v.type }), v.name);
  }
  const url = new URL(path, t.baseUrl);
  for (const [k, v] of Object.entries({ access_token: TEST_TOKEN, ...query })) url.searchParams.set(k, v);
  const res = await fetch(url, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as any };
}

async function postRaw(path: string, contentType: string, body: string | Buffer) {
  const res = await fetch(new URL(`${path}?access_token=${TEST_TOKEN}`, t.baseUrl), { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as any };
}

const v2Person = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body;

describe('multipart/form-data text fields are the body', () => {
  it('person/add from a multipart form stores every field, as the JSON form would (more fields than the upload route allows, UTF-8 text)', async () => {
    const r = await postForm('/api/person/add', [
      ['pin', '5001'], ['name', '张三'], ['lastName', 'Zhang'], ['gender', 'M'], ['deptCode', '1'], ['cardNo', '700123'],
      ['accStartTime', '2026-01-01 08:00:00'], ['accEndTime', '2026-12-31T18:00:00'], ['hireDate', '2019/06/10'], ['birthday', '1990-05-01'],
      ['isDisabled', 'false'], ['isSendMail', 'false'], ['certType', '2'], ['certNumber', '123456'], ['mobilePhone', '13800000000'],
      ['email', 'z@example.com'], ['personPwd', '9876'], ['carPlate', 'B12345'], ['ssn', 'X1'], ['idNo', '1'], ['supplyCards', ''],
      ['unknownA', 'ignored'], ['unknownB', 'ignored'], ['unknownC', 'ignored'], ['unknownD', 'ignored'],
    ]);
    expect(r).toEqual({ status: 200, body: { code: 0, message: 'success', data: null } });
    expect((await v2Person('5001')).data).toMatchObject({
      pin: '5001', name: '张三', lastName: 'Zhang', gender: 'M', cardNo: '700123', accStartTime: '2026-01-01 08:00:00', accEndTime: '2026-12-31 18:00:00',
      hireDate: '2019-06-10', birthday: '1990-05-01', isDisabled: false, certType: '2', certNumber: '123456', mobilePhone: '13800000000', personPwd: '9876',
    });
  });

  it('a key sent twice with two values is refused, as in an urlencoded form; twice with one value is that value', async () => {
    expect((await postForm('/api/person/add', [['pin', '5002'], ['name', 'first'], ['name', 'last']])).body).toMatchObject({ code: -400, message: expect.stringMatching(/^name takes one value/) });
    expect((await v2Person('5002')).code).not.toBe(0);
    expect((await postForm('/api/person/add', [['pin', '5002'], ['name', 'last'], ['name', 'last']])).body.code).toBe(0);
    expect((await v2Person('5002')).data.name).toBe('last');
  });

  it('a query-by-body route (getPersonList, v1 and v2) answers a multipart form as it answers the JSON body', async () => {
    const form = await postForm('/api/person/getPersonList', [['pins', '5001,5002'], ['pageNo', '1'], ['pageSize', '10']]);
    expect(form.body.code).toBe(0);
    expect(form.body.data.map((p: { pin: string }) => p.pin).sort()).toEqual(['5001', '5002']);
    expect(form.body).toEqual((await t.post('/api/person/getPersonList', { pins: '5001,5002', pageNo: 1, pageSize: 10 })).body);
    const v2 = await postForm('/api/v2/person/getPersonList', [['pins', '5001'], ['pageNo', '1'], ['pageSize', '1']]);
    expect(v2.body.data).toMatchObject({ total: 1, data: [{ pin: '5001' }] });
  });

  it('inputs split between the query and the form are both read; a path parameter may come as a field', async () => {
    const r = await postForm('/api/person/getPersonList', [['pins', '5002']], { pageNo: '1', pageSize: '5' });
    expect(r.body.data.map((p: { pin: string }) => p.pin)).toEqual(['5002']);
    expect((await postForm('/api/person/delete', [['pin', '5002']])).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await v2Person('5002')).code).not.toBe(0);
  });

  it('field values keep the endpoint\'s own errors (a bad time is -100, a missing pin its code)', async () => {
    expect((await postForm('/api/person/add', [['pin', '5003'], ['accStartTime', '01/01/2026']])).body.code).toBe(-100);
    const noPin = await postForm('/api/person/add', [['name', 'nobody']]);
    expect(noPin.body).toEqual((await t.post('/api/person/add', { name: 'nobody' })).body);
    expect(noPin.body.code).toBeLessThan(0);
  });

  it('an empty multipart form, or no body under the multipart type (inputs in the query), is an empty body', async () => {
    const r = await postRaw('/api/person/getPersonList', 'multipart/form-data; boundary=XYZ', '--XYZ--\r\n');
    expect(r.body).toEqual((await t.post('/api/person/getPersonList', undefined)).body);
    const query = { pins: '5001', pageNo: '1', pageSize: '5' };
    const res = await fetch(new URL(`/api/person/getPersonList?access_token=${TEST_TOKEN}&${new URLSearchParams(query)}`, t.baseUrl), {
      method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: '',
    });
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ code: 0, data: [{ pin: '5001' }] });
    expect(body).toEqual((await t.post('/api/person/getPersonList', undefined, query)).body);
  });
});

describe('a file part for a base64 input (PHP CURLFile, .NET StreamContent) is read as its base64 text', () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, ...Array.from({ length: 300 }, (_, i) => i % 251)]);
  const photoOf = async (pin: string) => ((await t.ds.query(`SELECT photo FROM person WHERE pin = $1`, [pin])) as Array<{ photo: string | null }>)[0]?.photo;

  it('person/add with personPhoto as a file stores the photo the base64 form would', async () => {
    const r = await postForm('/api/person/add', [['pin', '5101'], ['name', 'Photo'], ['personPhoto', { file: jpeg, name: 'me.jpg', type: 'image/jpeg' }]]);
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await photoOf('5101')).toBe(jpeg.toString('base64'));
    expect((await t.post('/api/person/add', { pin: '5102', name: 'Json', personPhoto: jpeg.toString('base64') })).body.code).toBe(0);
    expect(await photoOf('5101')).toBe(await photoOf('5102'));
  });

  it('updatePersonnelPhoto takes the photo as a file; a file that already holds base64 text is kept as sent', async () => {
    const other = Buffer.from(jpeg.map((b, i) => (i < 12 ? b : 255 - b)));
    expect((await postForm('/api/person/updatePersonnelPhoto', [['pin', '5101'], ['personPhoto', { file: other, name: 'new.jpg', type: 'image/jpeg' }]])).body.code).toBe(0);
    expect(await photoOf('5101')).toBe(other.toString('base64'));
    const asText = Buffer.from(`${jpeg.toString('base64').slice(0, 40)}\r\n${jpeg.toString('base64').slice(40)}\r\n`);
    expect((await postForm('/api/person/updatePersonnelPhoto', [['pin', '5101'], ['personPhoto', { file: asText, name: 'b64.txt', type: 'text/plain' }]])).body.code).toBe(0);
    expect(await photoOf('5101')).toBe(jpeg.toString('base64'));
  });

  it("a file that is not a picture gets the field's own error, as the base64 form does", async () => {
    const r = await postForm('/api/person/updatePersonnelPhoto', [['pin', '5101'], ['personPhoto', { file: Buffer.from('%PDF-1.4 not a photo'), name: 'x.pdf', type: 'application/pdf' }]]);
    expect(r.body).toEqual((await t.post('/api/person/updatePersonnelPhoto', { pin: '5101', personPhoto: Buffer.from('%PDF-1.4 not a photo').toString('base64') })).body);
    expect(r.body.code).toBeLessThan(0);
  });

  it('a file beyond the body limit is -413, never a 5xx, and the next request is served', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 0xab);
    const r = await postForm('/api/person/add', [['pin', '5103'], ['personPhoto', { file: big, name: 'big.jpg', type: 'image/jpeg' }], ['name', 'big']]);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe(-413);
    expect((await v2Person('5103')).code).not.toBe(0);
    expect((await postForm('/api/person/add', [['pin', '5103'], ['name', 'small']])).body.code).toBe(0);
  });
});

describe('what a multipart form may not carry', () => {
  it('a file part under any other name is -400 naming it, nothing is written, and the next request is served', async () => {
    const r = await postForm('/api/person/add', [['pin', '5004'], ['name', 'file'], ['attachment', { file: Buffer.alloc(200_000, 1), name: 'a.bin', type: 'application/octet-stream' }], ['cardNo', '5004']]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: -400, message: expect.stringContaining('file part (attachment)'), data: null });
    expect((await v2Person('5004')).code).not.toBe(0);
    expect((await postForm('/api/person/add', [['pin', '5004'], ['name', 'after']])).body.code).toBe(0);
  });

  it.each([
    ['a truncated body', 'multipart/form-data; boundary=XYZ', '--XYZ\r\nContent-Disposition: form-data; name="pin"\r\n\r\n5005'],
    ['no boundary', 'multipart/form-data', '--XYZ\r\nContent-Disposition: form-data; name="pin"\r\n\r\n5005\r\n--XYZ--\r\n'],
    ['a prototype key', 'multipart/form-data; boundary=XYZ', '--XYZ\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{}\r\n--XYZ--\r\n'],
  ])('%s is -400 with a clear message, never a 5xx', async (_what, type, body) => {
    const r = await postRaw('/api/person/add', type, body);
    expect(r.status).toBeLessThan(500);
    expect(r.body).toEqual({ code: -400, message: expect.stringMatching(/^The multipart body could not be read: ./), data: null });
    expect((await v2Person('5005')).code).not.toBe(0);
  });

  it('a form is under the body-shape limits of a JSON body: a JSON field part nested or wide, or more fields than an object may have, is -400 naming its shape, never a 5xx; nothing is written', { timeout: 60_000 }, async () => {
    // @fastify/multipart parses a field part typed application/json: unbounded, it reached class-transformer's
    // recursive walk (a stack overflow) and held the event loop as a JSON body of that shape did before body-shape.ts.
    const raw = (parts: Array<[string, string, string?]>) =>
      parts.map(([name, value, type]) => `--XYZ\r\nContent-Disposition: form-data; name="${name}"\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n${value}\r\n`).join('') + '--XYZ--\r\n';
    const refuse = async (body: string, message: string) => {
      const r = await postRaw('/api/person/add', 'multipart/form-data; boundary=XYZ', body);
      expect(r).toEqual({ status: 400, body: { code: -400, message, data: null } });
    };
    const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    await refuse(raw([['pin', '5007'], ['name', 'deep'], ['extra', deep, 'application/json']]), 'Request body nests arrays or objects more than 64 levels deep');
    await refuse(raw([['pin', '5007'], ['extra', `[${'['.repeat(3000)}${']'.repeat(3000)}]`, 'application/json'], ['name', 'after']]), 'Request body nests arrays or objects more than 64 levels deep');
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])));
    await refuse(raw([['pin', '5007'], ['extra', wide, 'application/json']]), 'Request body has an object of more than 1000 members');
    await refuse(raw([['pin', '5007'], ['extra', JSON.stringify(Array.from({ length: 100_001 }, (_, i) => i)), 'application/json']]), 'Request body has more than 100000 members and items in all');
    // Text fields: 1001 keys, as a JSON or urlencoded body of 1001 keys; and far more (the part limit trips first).
    const fields = (n: number) => [['pin', '5007'], ...Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])] as Array<[string, string]>;
    await refuse(raw(fields(1000)), 'Request body has an object of more than 1000 members');
    await refuse(raw(fields(5000)), 'Request body has an object of more than 1000 members');
    expect((await v2Person('5007')).code).not.toBe(0);
    // A form of the manual's shape with a small JSON part, and one of 1000 fields, are read as before.
    expect((await postRaw('/api/person/add', 'multipart/form-data; boundary=XYZ', raw([['pin', '5007'], ['name', 'json part'], ['extra', '{"a":[{"b":1}]}', 'application/json']]))).body.code).toBe(0);
    expect((await postRaw('/api/person/add', 'multipart/form-data; boundary=XYZ', raw(fields(999)))).body.code).toBe(0);
    expect((await v2Person('5007')).data.name).toBe('json part');
  });

  it('fields beyond the body limit are -413', async () => {
    const r = await postForm('/api/person/add', [['pin', '5006'], ['personPhoto', 'A'.repeat(11 * 1024 * 1024)]]);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe(-413);
  });

  it('the upload route still reads its own parts: adMedia/add takes its file', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    expect((await postForm('/api/adMedia/add', [['mediaName', 'mp1'], ['file', { file: png, name: 'a.png', type: 'image/png' }]])).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/adMedia/get/mp1')).body.data[0]).toMatchObject({ mediaName: 'mp1', mediaSuffix: 'png' });
  });
});
