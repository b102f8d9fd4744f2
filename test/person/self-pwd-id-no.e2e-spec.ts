import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Person fields the manual's answers show (2.13.9 v2/person/getPersonList, v2/person/get) that the gateway
 * answered empty: `selfPwd`, the self-service password as its MD5 hex (the manual's example,
 * e10adc3949ba59abbe56e057f20f883e, is MD5 of CVSecurity's default 123456), and the ID number some clients send
 * as `idNo`, which the manual's answers carry as `certNumber`.
 */
let t: TestApp;
const OK = { code: 0, message: 'success', data: null };
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const v2 = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body.data;
const listed = async (pin: string) => (await t.post('/api/v2/person/getPersonList', { pins: pin, pageNo: 1, pageSize: 10 })).body.data.data[0];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('selfPwd', () => {
  it('a new person answers the default self-service password 123456 as MD5 hex, in get and in the list, as the manual shows', async () => {
    expect((await t.post('/api/person/add', { pin: '500', name: 'Default' })).body).toEqual(OK);
    expect((await v2('500')).selfPwd).toBe('e10adc3949ba59abbe56e057f20f883e');
    expect((await listed('500')).selfPwd).toBe('e10adc3949ba59abbe56e057f20f883e');
  });

  it('a selfPwd sent in plain text is kept as its MD5 hex; a later write without it (or with "") keeps it', async () => {
    expect((await t.post('/api/person/add', { pin: '501', name: 'Own', selfPwd: '654321' })).body).toEqual(OK);
    expect((await v2('501')).selfPwd).toBe(md5('654321'));
    expect((await t.post('/api/person/add', { pin: '501', name: 'Own again' })).body).toEqual(OK);
    expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '501', selfPwd: '' })).body).toEqual(OK);
    expect((await v2('501')).selfPwd).toBe(md5('654321'));
    expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '501', selfPwd: 'pässword' })).body).toEqual(OK);
    expect((await listed('501')).selfPwd).toBe(md5('pässword'));
  });
});

describe('idNo', () => {
  it('is stored as the person\'s certNumber and answered there, in get and in the list', async () => {
    expect((await t.post('/api/person/add', { pin: '510', name: 'Id', idNo: '110101199001011234' })).body).toEqual(OK);
    expect(await v2('510')).toMatchObject({ certNumber: '110101199001011234' });
    expect(await listed('510')).toMatchObject({ certNumber: '110101199001011234' });
    // addPersonnelBasicInfo (2.13.7) too, with a number as some clients send it.
    expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '511', name: 'Id', idNo: 42424242, certType: 2 })).body).toEqual(OK);
    expect(await v2('511')).toMatchObject({ certType: '2', certNumber: '42424242' });
  });

  it('a certNumber sent beside it wins; a blank idNo (a client sending every field it knows) leaves the stored number', async () => {
    expect((await t.post('/api/person/add', { pin: '512', name: 'Both', idNo: 'X1', certNumber: 'P998877' })).body).toEqual(OK);
    expect((await v2('512')).certNumber).toBe('P998877');
    expect((await t.post('/api/person/add', { pin: '512', name: 'Both', idNo: '' })).body).toEqual(OK);
    expect((await v2('512')).certNumber).toBe('P998877');
  });
});
