/**
 * Base64 fields (photo, picture, template) read per transport.
 * A form body (application/x-www-form-urlencoded) or a query string reads a raw `+` as a space. Real clients put a
 * photo or a template in such a form without encoding it, and Spring, behind the real CVSecurity, takes the form:
 * the space where a `+` was is read back as the `+` (base64 has no space), never dropped, which shifted every byte
 * after it and stored a broken template or photo with success. A final `+` is kept too (it was trimmed away).
 * A JSON body keeps its `+`: a space or line break there is MIME-style wrapping, dropped, never read as a `+`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
// Base64 with `+` inside and at the end, and `/`: what a form without encoding garbles.
const TEMPLATE = Buffer.from([0x10, 0xfb, 0xef, 0xbe, 0x20, 0x30, 0xfb, 0xff, 0x00, 0x11]).toString('base64');
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xfb, 0xef, 0xbe, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).toString('base64');

// The same kinds of bytes, ending on a `+` (no padding).
const TEMPLATE_END_PLUS = Buffer.from([0x10, 0x20, 0x30, 0xfb, 0xef, 0xbe]).toString('base64');
const PHOTO_END_PLUS = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xfb, 0xef, 0xbe]).toString('base64');

const form = (path: string, body: string) =>
  t.request('POST', path, { query: { access_token: TEST_TOKEN }, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

beforeAll(async () => {
  t = await startTestApp();
  expect(TEMPLATE).toBe('EPvvviAw+/8AEQ==');
  expect(PHOTO).toBe('/9j/4AAQ++++SkZJRgAB');
  expect(TEMPLATE_END_PLUS).toBe('ECAw++++');
  expect(PHOTO_END_PLUS).toBe('/9j/4AAQ++++');
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

it('a final raw `+` in a form or a query string stays in a photo or a template (the space it became was trimmed)', async () => {
  expect((await form('/api/person/add', `pin=6103&name=Trail&personPhoto=${PHOTO_END_PLUS}`)).body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.get('/api/person/get/6103')).body.data.personPhoto).toBe(PHOTO_END_PLUS);
  expect((await form('/api/bioTemplate/add', `personId=6103&validType=1&templateNo=1&template=${TEMPLATE_END_PLUS}`)).body).toEqual({ code: 0, message: 'success', data: null });
  const q = await t.request('POST', `/api/bioTemplate/add?access_token=${TEST_TOKEN}&personId=6103&validType=1&templateNo=2&template=${TEMPLATE_END_PLUS}`);
  expect(q.body).toEqual({ code: 0, message: 'success', data: null });
  const stored = (await t.get('/api/bioTemplate/getFgListByPin/6103')).body.data;
  expect(stored.map((r: { templateNo: string; template: string }) => [r.templateNo, r.template])).toEqual([
    ['1', TEMPLATE_END_PLUS],
    ['2', TEMPLATE_END_PLUS],
  ]);
});

it('a JSON body: spaces and line breaks wrapping the base64 are dropped (not read as `+`), a data: URI prefix too', async () => {
  const wrapped = `${PHOTO.slice(0, 8)} ${PHOTO.slice(8, 16)}\r\n ${PHOTO.slice(16)}`;
  expect((await t.post('/api/person/add', { pin: '6104', name: 'Wrapped', personPhoto: wrapped })).body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.get('/api/person/get/6104')).body.data.personPhoto).toBe(PHOTO);
  expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '6104', personPhoto: `data:image/jpeg;base64,${PHOTO.slice(0, 12)} ${PHOTO.slice(12)}` })).body.code).toBe(0);
  expect((await t.get('/api/person/get/6104')).body.data.personPhoto).toBe(PHOTO);
  const template = `${TEMPLATE.slice(0, 4)} ${TEMPLATE.slice(4, 8)} ${TEMPLATE.slice(8)}`;
  expect((await t.post('/api/bioTemplate/add', { personId: '6104', validType: '1', templateNo: '1', template })).body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.get('/api/bioTemplate/getFgListByPin/6104')).body.data.map((r: { template: string }) => r.template)).toEqual([TEMPLATE]);
});
