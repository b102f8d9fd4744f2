import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * Requests node's HTTP parser refuses before any route sees them: the answer is still the gateway's own format
 * (the envelope on /api, plain text on /iclock), never the framework's `{"error":"Bad Request"...}`.
 */

/** Sends raw bytes, waits for the server to answer and close; the status line, headers and body. */
function rawRequest(port: number, bytes: Buffer): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') });
    });
  });
}

const request = (target: Buffer | string, headers = 'Host: gateway\r\n') =>
  Buffer.concat([Buffer.from('GET '), Buffer.isBuffer(target) ? target : Buffer.from(target), Buffer.from(` HTTP/1.1\r\n${headers}\r\n`)]);

describe('requests the HTTP parser refuses', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp();
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('raw non-ASCII bytes in a URL (curl sends them so) are served as if percent-encoded, as CVSecurity serves them', async () => {
    await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Fröntdoor 前门', timeSegName: '24-Hour Accessible' }] });
    const encoded = await t.get(`/api/accLevel/getByName/${encodeURIComponent('Fröntdoor 前门')}`);
    expect(encoded.body).toMatchObject({ code: 0, data: { name: 'Fröntdoor 前门' } });
    const r = await rawRequest(port, request(Buffer.from(`/api/accLevel/getByName/Fröntdoor%20前门?access_token=${TEST_TOKEN}`, 'utf8'), 'Host: gateway\r\nConnection: close\r\n'));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual(encoded.body);
    const q = await rawRequest(port, request(Buffer.from(`/api/accLevel/getByName?name=Fröntdoor%20前门&access_token=${TEST_TOKEN}`, 'utf8'), 'Host: gateway\r\nConnection: close\r\n'));
    expect(JSON.parse(q.body)).toEqual(encoded.body);
  });

  it('raw non-ASCII bytes in a later request of a kept-alive connection: 400 with the envelope, telling the client to percent-encode', async () => {
    const first = request(`/api/person/get/1?access_token=${TEST_TOKEN}`);
    const second = request(Buffer.from(`/api/accLevel/getByName/Fröntdoor?access_token=${TEST_TOKEN}`, 'utf8'));
    // The second request is sent once the first one's answer has arrived.
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      let sent = false;
      const s = net.connect(port, '127.0.0.1', () => s.write(first));
      s.on('data', (c: Buffer) => {
        got += c.toString('utf8');
        if (!sent && /\r\n\r\n\{.*\}$/s.test(got)) {
          sent = true;
          s.write(second);
        }
      });
      s.on('error', reject);
      s.on('close', () => resolve(got));
    });
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.slice(9, 12))).toEqual(['200', '400']);
    expect(answers[1]).toContain('"code":-400');
    expect(answers[1]).toMatch(/percent-encode/);
  });

  it('a malformed header or Content-Length on /api: the envelope', async () => {
    for (const headers of ['Host: gateway\r\nBad Header: x\r\n', 'Host: gateway\r\nContent-Length: abc\r\n']) {
      const r = await rawRequest(port, request(`/api/person/get/1?access_token=${TEST_TOKEN}`, headers));
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ code: -400, data: null });
    }
  });

  it('on /iclock: plain text a device can read', async () => {
    const r = await rawRequest(port, request('/iclock/cdata?SN=ABC&options=all', 'Host: gateway\r\nBad Header: x\r\n'));
    expect(r.status).toBe(400);
    expect(r.headers).toMatch(/content-type: text\/plain/i);
    expect(r.body).toMatch(/^ERROR: /);
  });

  it('oversized headers: 431 in the same format', async () => {
    const r = await rawRequest(port, request(`/api/person/get/1?access_token=${TEST_TOKEN}`, `Host: gateway\r\nX-Big: ${'a'.repeat(20_000)}\r\n`));
    expect(r.status).toBe(431);
    expect(JSON.parse(r.body)).toMatchObject({ code: -400, data: null });
  });
});

describe('a connection that has sent nothing yet', () => {
  it('does not hold up the gateway closing (it would wait for the headers timeout, a minute)', { timeout: 30_000 }, async () => {
    const app = await startTestApp();
    const idle = net.connect(Number(new URL(app.baseUrl).port), '127.0.0.1');
    await new Promise<void>((resolve) => idle.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    await app.close();
    await closed;
  });
});
