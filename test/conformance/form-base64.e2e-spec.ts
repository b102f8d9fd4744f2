/**
 * A form body (application/x-www-form-urlencoded) or a query string reads a raw `+` as a space. Real clients put a
 * photo or a template in such a form without encoding it, and Spring, behind the real CVSecurity, takes the form:
 * the space where a `+` was is read back as the `+` (base64 has no space), never dropped, which shifted every byte
 * after it and stored a broken template or photo with success.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
// Base64 with `+` inside and at the end, and `/`: what a form without encoding garbles.
const TEMPLATE = Buffer.from([0x10, 0xfb, 0xef, 0xbe, 0x20, 0x30, 0xfb, 0xff, 0x00, 0x11]).toString('base64');
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xfb, 0xef, 0xbe, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).toString('base64');

const form = (path: string, body: string) =>
  t.request('POST', path, { query: { access_token: TEST_TOKEN }, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

beforeAll(async () => {
  t = await startTestApp();
  expect(TEMPLATE).toBe('EPvvviAw+/8AEQ==');
  expect(PHOTO).toBe('/9j/4AAQ++++SkZJRgAB');
});
afterAll(async () => {
  await t?.close();
});

it('person/add and updatePersonnelPhoto: a photo sent in a form with raw `+` is stored as sent', async () => {
  expect((await form('/api/person/add', `pin=6101&name=Form&deptCode=1&personPhoto=${PHOTO}`)).body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.get('/api/person/get/6101')).body.data.personPhoto).toBe(PHOTO);
  expect((await t.post('/api/person/add', { pin: '6102', name: 'Json' })).body.code).toBe(0);
  expect((await form('/api/person/updatePersonnelPhoto', `pin=6102&personPhoto=${PHOTO}`)).body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.get('/api/person/get/6102')).body.data.personPhoto).toBe(PHOTO);
});

it('bioTemplate/add: a template in a form with raw `+`, or in the query string, is stored as sent; line breaks still go', async () => {
  expect((await form('/api/bioTemplate/add', `personId=6101&validType=1&templateNo=1&template=${TEMPLATE}`)).body).toEqual({ code: 0, message: 'success', data: null });
  // The query string reads `+` as a space too (URLSearchParams writes it %2B: the raw text goes in by hand).
  const q = await t.request('POST', `/api/bioTemplate/add?access_token=${TEST_TOKEN}&personId=6101&validType=1&templateNo=2&template=${TEMPLATE}`);
  expect(q.body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.post('/api/bioTemplate/add', { personId: '6101', validType: '1', templateNo: '3', template: `${TEMPLATE.slice(0, 8)}\r\n${TEMPLATE.slice(8)}` })).body.code).toBe(0);
  const stored = (await t.get('/api/bioTemplate/getFgListByPin/6101')).body.data;
  expect(stored.map((r: { templateNo: string; template: string }) => [r.templateNo, r.template])).toEqual([
    ['1', TEMPLATE],
    ['2', TEMPLATE],
    ['3', TEMPLATE],
  ]);
});
