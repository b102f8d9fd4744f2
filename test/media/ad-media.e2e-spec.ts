import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGateway } from '../../src/bootstrap';
import { commandsOf } from '../push/push-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/** 2.6 through HTTP: multipart upload, get, delete, the served file, and the advertising-screen push extension. */
let t: TestApp;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(21 * 1024 - 8, 7)]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

beforeAll(async () => {
  t = await startTestApp({ mediaMaxBytes: 64 * 1024 });
});
afterAll(async () => {
  await t?.close();
});

async function upload(fields: { file?: { name: string; type: string; bytes: Buffer }; mediaName?: string }, url = `/api/adMedia/add?access_token=${TEST_TOKEN}`) {
  const form = new FormData();
  if (fields.mediaName !== undefined) form.append('mediaName', fields.mediaName);
  if (fields.file) form.append('file', new Blob([fields.file.bytes], { type: fields.file.type }), fields.file.name);
  const res = await fetch(new URL(url, t.baseUrl), { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as any };
}

const fetchBytes = async (base: string, path: string) => {
  const res = await fetch(new URL(path, base));
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
};

describe('adMedia (2.6)', () => {
  it('adds a picture, answers it by name in the manual shape and serves the file at mediaPath', async () => {
    expect((await upload({ mediaName: '111', file: { name: 'bayue.png', type: 'image/png', bytes: PNG } })).body).toEqual({ code: 0, message: 'success', data: null });
    const got = await t.get('/api/adMedia/get/111');
    expect(got.body).toEqual({
      code: 0,
      message: 'success',
      data: [{ id: expect.stringMatching(/^[0-9a-f]{32}$/), mediaName: '111', mediaSize: '21KB', mediaSuffix: 'png', mediaType: '1', mediaPath: expect.stringMatching(/^\/upload\/adMedia\/[0-9a-f]{32}\.png$/) }],
    });
    const file = await fetchBytes(t.baseUrl, got.body.data[0].mediaPath);
    expect(file).toMatchObject({ status: 200, type: 'image/png' });
    expect(file.bytes.equals(PNG)).toBe(true);
  });

  it('updates by name (same id, the served URL keeps working) and takes a video', async () => {
    const before = (await t.get('/api/adMedia/get/111')).body.data[0];
    expect((await upload({ mediaName: '111', file: { name: 'new.JPG', type: 'image/jpeg', bytes: JPEG } })).body.code).toBe(0);
    const after = (await t.get('/api/adMedia/get/111')).body.data[0];
    expect(after).toMatchObject({ id: before.id, mediaSuffix: 'jpg', mediaType: '1', mediaSize: '1KB' });
    for (const path of [before.mediaPath, after.mediaPath]) expect((await fetchBytes(t.baseUrl, path)).bytes.equals(JPEG)).toBe(true);
    expect((await upload({ mediaName: 'clip', file: { name: 'clip.mp4', type: 'video/mp4', bytes: Buffer.from('\0\0\0\x18ftypisom') } })).body.code).toBe(0);
    expect((await t.get('/api/adMedia/get/clip')).body.data[0]).toMatchObject({ mediaSuffix: 'mp4', mediaType: '2' });
  });

  it('answers the printed URLs (`&access_token=` without `?`)', async () => {
    expect((await upload({ mediaName: 'printed', file: { name: 'p.png', type: 'image/png', bytes: PNG } }, `/api/adMedia/add&access_token=${TEST_TOKEN}`)).body.code).toBe(0);
    const got = await t.request('GET', `/api/adMedia/get/printed&access_token=${TEST_TOKEN}`);
    expect(got.body.data[0].mediaName).toBe('printed');
    // Its heading says "Post Request URL" and its mode DELETE: POST is served too.
    expect((await t.request('POST', `/api/adMedia/delete/printed&access_token=${TEST_TOKEN}`)).body).toEqual({ code: 0, message: 'success', data: null });
  });

  it('refuses formats a screen cannot show (-71), unknown names (-70) and bad forms', async () => {
    const bad = [
      { mediaName: 'x', file: { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('hello') } },
      { mediaName: 'x', file: { name: 'fake.png', type: 'image/png', bytes: JPEG } },
      { mediaName: 'x', file: { name: 'empty.jpg', type: 'image/jpeg', bytes: Buffer.alloc(0) } },
    ];
    for (const b of bad) expect((await upload(b)).body).toMatchObject({ code: -71, message: expect.stringContaining("Didn't support this format"), data: null });
    expect((await upload({ mediaName: 'big', file: { name: 'big.png', type: 'image/png', bytes: Buffer.concat([PNG, Buffer.alloc(64 * 1024)]) } })).body).toMatchObject({ code: -413, data: null });
    expect((await upload({ file: { name: 'a.png', type: 'image/png', bytes: PNG } })).body).toMatchObject({ code: -400, data: null });
    expect((await upload({ mediaName: 'nofile' })).body).toMatchObject({ code: -400, data: null });
    expect((await t.post('/api/adMedia/add', { mediaName: 'json' })).body).toMatchObject({ code: -400, data: null });
    expect((await t.get('/api/adMedia/get/none')).body).toEqual({ code: -70, message: "Advertisement doesn't exist: none", data: null });
    expect((await t.delete('/api/adMedia/delete/none')).body).toMatchObject({ code: -70, data: null });
    expect((await t.post('/api/adMedia/delete/none')).body).toMatchObject({ code: -70, data: null });
    expect((await t.get('/api/adMedia/get/x')).body.code).toBe(-70);
  });

  it('get and delete take the name in the query or a body too, as mediaName (the name 2.6.1 uploads under) or name', async () => {
    expect((await upload({ mediaName: 'byQuery', file: { name: 'q.png', type: 'image/png', bytes: PNG } })).body.code).toBe(0);
    const item = (await t.get('/api/adMedia/get/byQuery')).body.data[0];
    for (const query of [{ mediaName: 'byQuery' }, { name: 'byQuery' }]) {
      expect((await t.get('/api/adMedia/get', query)).body).toEqual({ code: 0, message: 'success', data: [item] });
    }
    expect((await t.post('/api/adMedia/get', { mediaName: 'byQuery' })).body.data).toEqual([item]);
    expect((await t.get('/api/adMedia/get')).body).toEqual({ code: -400, message: 'mediaName is required', data: null });
    expect((await t.get('/api/adMedia/get', { mediaName: 'none' })).body).toEqual({ code: -70, message: "Advertisement doesn't exist: none", data: null });
    expect((await t.delete('/api/adMedia/delete', { mediaName: 'byQuery' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/adMedia/get/byQuery')).body.code).toBe(-70);
    expect((await fetchBytes(t.baseUrl, item.mediaPath)).status).toBe(404);
    expect((await t.delete('/api/adMedia/delete', { mediaName: 'byQuery' })).body).toMatchObject({ code: -70, data: null });
    expect((await upload({ mediaName: 'byBody', file: { name: 'b.png', type: 'image/png', bytes: PNG } })).body.code).toBe(0);
    expect((await t.post('/api/adMedia/delete', { mediaName: 'byBody' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/adMedia/get/byBody')).body.code).toBe(-70);
    expect((await t.delete('/api/adMedia/delete')).body).toEqual({ code: -400, message: 'mediaName is required', data: null });
  });

  it('deletes by name; the file is gone', async () => {
    const path = (await t.get('/api/adMedia/get/clip')).body.data[0].mediaPath;
    expect((await t.delete('/api/adMedia/delete/clip')).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/adMedia/get/clip')).body.code).toBe(-70);
    expect((await fetchBytes(t.baseUrl, path)).status).toBe(404);
  });

  // Several processes on one database is a PostgreSQL deployment: the embedded database belongs to one process
  // (its directory is locked), and its one PGlite session interleaves a second pool's statements with the first's.
  it.skipIf(inject('testDb').mode === 'embedded')('is served by a second gateway process on the same database', async () => {
    const other = await createGateway({ ...t.config, port: 0 });
    try {
      await other.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(other.app.getHttpServer().address() as { port: number }).port}`;
      const item = ((await (await fetch(`${base}/api/adMedia/get/111?access_token=${TEST_TOKEN}`)).json()) as any).data[0];
      expect((await fetchBytes(base, item.mediaPath)).bytes.equals(JPEG)).toBe(true);
    } finally {
      await other.close();
    }
  }, 60_000);
});

describe('gateway extension: a media item on a channel controller advertising screen', () => {
  it('queues SET ADSCREEN_OPTIONS with the stable URL; the device gets it, acknowledges it, and can download the file', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PSG0000001', doors: 1 });
    await sim.connect();
    expect((await t.post('/api/gateway/devices/PSG0000001/kind', { kind: 'psg' })).body.code).toBe(0);
    await sim.pollUntilIdle();
    const r = await t.post('/api/gateway/adMedia/showOnScreen', { deviceSn: 'PSG0000001', mediaName: '111', inOut: 1, area: 2, playInterval: 15 });
    const path = (await t.get('/api/adMedia/get/111')).body.data[0].mediaPath;
    expect(r.body).toEqual({ code: 0, message: 'success', data: { deviceSn: 'PSG0000001', url: `${t.baseUrl}${path}` } });
    await sim.pollUntilIdle();
    expect(sim.adScreen).toEqual([{ InOut: '1', Area: '2', Type: '1', URL: `${t.baseUrl}${path}`, OutPlayInterval: '15' }]);
    const cmd = (await commandsOf(t, 'PSG0000001')).find((c) => c.command.startsWith('SET ADSCREEN_OPTIONS'));
    expect(cmd).toMatchObject({ state: 'done', return_code: 0 });
    expect((await fetchBytes(t.baseUrl, sim.adScreen[0].URL.slice(t.baseUrl.length))).bytes.equals(JPEG)).toBe(true);
  });

  it('refuses an unknown device, an unknown media and a missing SN', async () => {
    expect((await t.post('/api/gateway/adMedia/showOnScreen', { deviceSn: 'NOPE', mediaName: '111' })).body).toMatchObject({ code: -404, data: null });
    expect((await t.post('/api/gateway/adMedia/showOnScreen', { deviceSn: 'PSG0000001', mediaName: 'none' })).body).toMatchObject({ code: -70, data: null });
    expect((await t.post('/api/gateway/adMedia/showOnScreen', { mediaName: '111' })).body).toMatchObject({ code: -48, data: null });
    expect((await t.post('/api/gateway/adMedia/showOnScreen', { deviceSn: 'PSG0000001', mediaName: '111', inOut: 3 })).body).toMatchObject({ code: -400, data: null });
    const att = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ATT0000001', doors: 1 });
    await att.connect();
    expect((await t.post('/api/gateway/devices/ATT0000001/kind', { kind: 'att' })).body.code).toBe(0);
    expect((await t.post('/api/gateway/adMedia/showOnScreen', { deviceSn: 'ATT0000001', mediaName: '111' })).body).toMatchObject({ code: -409, data: null });
  });
});
