import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A JSON boolean sent for a text field of a person write is a client's bug, not one of the forms real clients
 * send (field notes, REST item 9: numbers and strings both): it was stored as the text "true" (and sent to panels
 * as the person's name). Numbers for text fields stay accepted.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const stored = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body;

describe('a wrong JSON type for a text field of a person write', () => {
  it('name: true (addPersonnelBasicInfo, person/add, addPersons) is -400 naming the field; nothing is stored', async () => {
    expect((await t.post('/api/person/add', { pin: '7001', name: 'Anna', lastName: 'Lee' })).body.code).toBe(0);
    for (const [path, body] of [
      ['/api/person/addPersonnelBasicInfo', { pin: '7001', name: true }],
      ['/api/person/add', { pin: '7001', name: false }],
      ['/api/person/add', { pin: '7001', lastName: true, name: 'Other' }],
      ['/api/person/reinstated', { pin: '7001', gender: true }],
      ['/api/v2/person/addPersons', [{ pin: '7001', name: true }]],
    ] as Array<[string, unknown]>) {
      const r = await t.post(path, body);
      expect(r.body.code, path).toBe(-400);
      expect(r.body.message, path).toMatch(/(name|lastName|gender): \S+ must be a string/);
      expect(r.body.data, path).toBeNull();
    }
    expect((await stored('7001')).data).toMatchObject({ name: 'Anna', lastName: 'Lee' });
    expect((await t.post('/api/person/add', { pin: '7002', name: true })).body.code).toBe(-400);
    expect((await stored('7002')).code).not.toBe(0);
  });

  it('numbers for text fields, and words for booleans, as real clients send them, are still stored', async () => {
    const r = await t.post('/api/person/addPersonnelBasicInfo', { pin: 7003, name: 12345, certType: 2, certNumber: 123456, mobilePhone: 13800000000, isDisabled: 'false', isSendMail: 'True' });
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await stored('7003')).data).toMatchObject({ pin: '7003', name: '12345', certType: "2", certNumber: "123456", mobilePhone: "13800000000", isDisabled: false });
  });
});
