import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim, enqueue } from './push-helpers';
import { dataUpdateUser } from '../../src/push/protocol';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { TEST_TOKEN } from '../support/test-app';

let t: TestApp;
let sim: DeviceSimulator;
beforeAll(async () => {
  t = await startTestApp();
  sim = await connectedSim(t, { sn: 'HTTP-1', doors: 1 });
});
afterAll(async () => {
  await t?.close();
});

const rtlogLine = (index: number) => `time=2026-05-01 10:00:00\tpin=77\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${index}`;
const stored = async (index: number) => (await t.ds.query(`SELECT 1 FROM acc_transaction WHERE device_sn = 'HTTP-1' AND log_id = $1`, [index])).length;

describe('request bodies', () => {
  it.each([
    ['application/push;charset=UTF-8', { 'Content-Type': 'application/push;charset=UTF-8' }, 1],
    ['text/plain', { 'Content-Type': 'text/plain' }, 2],
    ['no content type', { 'Content-Type': null }, 3],
    ['application/x-www-form-urlencoded (never decoded as a form)', { 'Content-Type': 'application/x-www-form-urlencoded' }, 4],
    ['Expect: 100-continue', { Expect: '100-continue' }, 5],
  ])('reads the raw body with %s', async (_name, headers, index) => {
    const r = await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(index), headers as Record<string, string | null>);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    expect(await stored(index)).toBe(1);
  });

  it.each([
    ['gzip', gzipSync, 11],
    ['x-gzip', gzipSync, 12],
    ['deflate', deflateSync, 13],
    ['br', brotliCompressSync, 14],
  ])('reads a body sent with Content-Encoding: %s as if sent plain', async (encoding, pack, index) => {
    const r = await fetch(`${t.baseUrl}/iclock/cdata?SN=HTTP-1&table=rtlog`, { method: 'POST', body: pack(Buffer.from(rtlogLine(index))), headers: { 'content-encoding': encoding } });
    expect([r.status, await r.text()]).toEqual([200, 'OK']);
    expect(await stored(index)).toBe(1);
  });

  it('refuses a compressed body that does not decompress (400), an unknown encoding (415) and one over the limit once decompressed (413), never with a 5xx', async () => {
    const post = (body: Buffer, encoding: string) => fetch(`${t.baseUrl}/iclock/cdata?SN=HTTP-1&table=rtlog`, { method: 'POST', body, headers: { 'content-encoding': encoding } });
    const damaged = await post(gzipSync(Buffer.from(rtlogLine(15))).subarray(0, 15), 'gzip');
    expect(damaged.status).toBe(400);
    expect(await damaged.text()).toMatch(/decompress/);
    expect((await post(Buffer.from(rtlogLine(16)), 'compress')).status).toBe(415);
    const bomb = await post(gzipSync(Buffer.alloc(11 * 1024 * 1024, 0x41)), 'gzip');
    expect(bomb.status).toBe(413);
    expect(await stored(15)).toBe(0);
    expect(await stored(16)).toBe(0);
  });

  it('reads a REST body sent gzip-compressed (a client library set to compress requests)', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ name: 'Zipped', code: 'gz1' })));
    const r = await fetch(`${t.baseUrl}/api/department/add?access_token=${TEST_TOKEN}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(await r.json()).toMatchObject({ code: 0 });
    expect((await t.get('/api/department/get/gz1')).body.data).toMatchObject({ name: 'Zipped' });
    const bad = await fetch(`${t.baseUrl}/api/department/add?access_token=${TEST_TOKEN}`, { method: 'POST', body: Buffer.from('not gzip'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: -400, message: expect.stringMatching(/decompress/) });
  });

  it('takes a 9.9 MB photo upload and refuses a body over 10 MB without a 5xx', async () => {
    const content = 'A'.repeat(9.9 * 1024 * 1024);
    const ok = await sim.uploadRaw('/iclock/cdata', { table: 'tabledata', tablename: 'biophoto', count: 1 }, `biophoto pin=88\tfilename=88.jpg\ttype=9\tsize=${content.length}\tcontent=${content}`);
    expect([ok.status, ok.body]).toEqual([200, 'biophoto=1']);
    const big = await sim.uploadRaw('/iclock/cdata', { table: 'tabledata', tablename: 'biophoto', count: 1 }, 'x'.repeat(10 * 1024 * 1024 + 10));
    expect(big.status).toBe(413);
    expect(big.body).not.toMatch(/^\s*\{/);
  });
});

describe('paths and replies', () => {
  it('serves the legacy .aspx paths', async () => {
    const hs = await sim.uploadRaw('/iclock/cdata.aspx', { options: 'all', pushver: '2.4.1' });
    expect(hs.body).toMatch(/^registry=ok\nRegistryCode=/);
    await enqueue(t, 'HTTP-1', [dataUpdateUser({ pin: 5, name: 'Aspx' })]);
    const poll = await sim.uploadRaw('/iclock/getrequest.aspx', {});
    const m = /^C:(\d+):DATA UPDATE user /.exec(poll.body);
    expect(m).not.toBeNull();
    const ack = await sim.uploadRaw('/iclock/devicecmd.aspx', {}, `ID=${m![1]}&Return=0&CMD=DATA`);
    expect(ack.body).toBe('OK');
    expect((await t.ds.query(`SELECT state FROM device_command WHERE device_sn = 'HTTP-1'`))[0].state).toBe('done');
    const up = await sim.uploadRaw('/iclock/cdata.aspx', { table: 'rtlog' }, rtlogLine(20));
    expect(up.body).toBe('OK');
    expect(await stored(20)).toBe(1);
  });

  it('refuses the encryption exchange (4.2, 4.3) it does not speak: 404 and the reason, never OK, with the plain-text PushProtVer', async () => {
    for (const [type, body] of [['publickey', 'PublicKey=abc'], ['factors', 'Factors=def']]) {
      const r = await sim.uploadRaw('/iclock/exchange', { type }, body);
      expect([r.status, r.body]).toEqual([404, 'ERROR: communication encryption is not supported; this server speaks PushProtVer 3.0.1 in plain text']);
      expect(r.body).not.toMatch(/^(OK|PublicKey=|Factors=)/);
      expect(r.headers['date']).toMatch(/ GMT$/);
      expect(r.headers['content-type']).toBe('text/plain;charset=UTF-8');
    }
  });

  it('answers OK to ping and unknown paths; 200 text with a GMT Date on all', async () => {
    const replies = [
      await sim.uploadRaw('/iclock/ping', {}),
      await sim.uploadRaw('/iclock/ping', {}, ''),
      await sim.uploadRaw('/iclock/something/new', {}, 'x=1'),
      await sim.uploadRaw('/iclock/getrequest', 'no-sn=1'),
      await sim.uploadRaw('/iclock/cdata', { table: 'irstate' }, 'irstate=1\tincount=2\r\n'),
      await sim.uploadRaw('/iclock/cdata', { table: 'mystery' }, 'a=b'),
    ];
    for (const r of replies) {
      expect([r.status, r.body]).toEqual([200, 'OK']);
      expect(r.headers['date']).toMatch(/ GMT$/);
      expect(r.headers['content-type']).toBe('text/plain;charset=UTF-8');
    }
  });

  it('gives the clock on /iclock/rtdata?type=time', async () => {
    const r = await sim.uploadRaw('/iclock/rtdata', { type: 'time' });
    expect(r.body).toMatch(/^DateTime=\d+,ServerTZ=\+0000$/);
  });

  it('answers the configuration to GET and POST on /iclock/push', async () => {
    for (const method of ['GET', 'POST']) {
      const r = await sim.uploadRaw('/iclock/push', {}, method === 'POST' ? '' : undefined, {}, { method });
      expect(r.body).toMatch(/^ServerVersion=.*\nPushProtVer=3\.0\.1\n/s);
    }
  });
});
