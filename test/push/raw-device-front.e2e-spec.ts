import * as net from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSim, enqueue } from './push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Devices' polls and one-event uploads are read straight off the socket (raw-device-front.ts) while a connection's
 * requests are exactly those; anything else hands the connection, with every byte not answered yet, to node:http.
 * What a device sees must not change either way: these speak HTTP over a bare socket, as firmware does, and count
 * the requests node:http saw to tell which way each went.
 */

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A socket that reads HTTP answers one by one (Content-Length bodies). */
class Wire {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  readonly socket: net.Socket;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  async answer(timeoutMs = 10_000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.buf.toString('latin1', 0, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        const length = Number(headers['content-length'] ?? 0);
        if (this.buf.length >= end + 4 + length) {
          const body = this.buf.toString('utf8', end + 4, end + 4 + length);
          this.buf = this.buf.subarray(end + 4 + length);
          return { status: Number(lines[0].split(' ')[1]), headers, body };
        }
      }
      if (this.closed) throw new Error(`connection closed (${this.buf.length} bytes unread)`);
      if (Date.now() > deadline) throw new Error('no answer');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  end(): void {
    this.socket.end();
  }
}

const poll = (sn: string, extra = '') => `GET /iclock/getrequest?SN=${sn} HTTP/1.1\r\nHost: gw\r\nUser-Agent: iClock Proxy/1.09\r\n${extra}\r\n`;
const line = (index: number) => `time=2026-05-01 10:00:${String(index % 60).padStart(2, '0')}\tpin=0\tcardno=${index}\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${index}`;
const upload = (sn: string, body: string, extra = '') =>
  `POST /iclock/cdata?SN=${sn}&table=rtlog&Stamp=9999 HTTP/1.1\r\nHost: gw\r\nContent-Type: application/push;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const stored = async (t: TestApp, sn: string) =>
  ((await t.ds.query(`SELECT log_id FROM acc_transaction WHERE device_sn = $1 ORDER BY log_id`, [sn])) as Array<{ log_id: number }>).map((r) => r.log_id);

describe('raw device front', () => {
  let t: TestApp;
  let port: number;
  let nodeRequests = 0;
  beforeAll(async () => {
    t = await startTestApp();
    port = Number(new URL(t.baseUrl).port);
    (t.app.getHttpServer() as Server).on('request', () => nodeRequests++);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers pipelined polls and uploads in order on one kept-alive connection, without node:http', async () => {
    const sim = await connectedSim(t, { sn: 'RAW-PIPE', doors: 1 });
    await sim.pollUntilIdle();
    const w = new Wire(port);
    const before = nodeRequests;
    w.write(poll('RAW-PIPE') + upload('RAW-PIPE', line(1)) + poll('RAW-PIPE') + upload('RAW-PIPE', line(2)));
    const answers = [await w.answer(), await w.answer(), await w.answer(), await w.answer()];
    expect(answers.map((a) => [a.status, a.body])).toEqual([[200, 'OK'], [200, 'OK'], [200, 'OK'], [200, 'OK']]);
    for (const a of answers) {
      expect(a.headers['content-type']).toMatch(/^text\/plain/);
      expect(a.headers['date']).toMatch(/GMT$/);
      expect(a.headers['x-request-id']).toBeTruthy();
      expect(a.headers['connection']).toBe('keep-alive');
    }
    expect(nodeRequests).toBe(before);
    expect(await stored(t, 'RAW-PIPE')).toEqual([1, 2]);
    // A command queued meanwhile is handed out on the same connection.
    await enqueue(t, 'RAW-PIPE', ['DATA UPDATE user CardNo=\tPin=77\tPassword=\tGroup=0\tStartTime=0\tEndTime=0\tName=\tPrivilege=0']);
    let got = '';
    for (let i = 0; i < 20 && !got.startsWith('C:'); i++) {
      w.write(poll('RAW-PIPE'));
      got = (await w.answer()).body;
    }
    expect(got).toMatch(/^C:\d+:DATA UPDATE user /);
    w.end();
  });

  it('hands the connection to node:http at the first request it does not take, with the bytes after it', async () => {
    await connectedSim(t, { sn: 'RAW-HAND', doors: 1 });
    const w = new Wire(port);
    w.write(poll('RAW-HAND'));
    expect((await w.answer()).status).toBe(200);
    const before = nodeRequests;
    // devicecmd is Fastify's; the upload pipelined behind it follows it there, on the same connection.
    const cmd = 'ID=999999&Return=0&CMD=DATA';
    w.write(`POST /iclock/devicecmd?SN=RAW-HAND HTTP/1.1\r\nHost: gw\r\nContent-Length: ${cmd.length}\r\n\r\n${cmd}` + upload('RAW-HAND', line(5)));
    expect(await w.answer()).toMatchObject({ status: 200, body: 'OK' });
    expect(await w.answer()).toMatchObject({ status: 200, body: 'OK' });
    expect(nodeRequests).toBe(before + 2);
    w.write(poll('RAW-HAND'));
    expect(await w.answer()).toMatchObject({ status: 200, body: 'OK' });
    expect(nodeRequests).toBe(before + 3);
    expect(await stored(t, 'RAW-HAND')).toEqual([5]);
    w.end();
  });

  it('reads a body sent after its head, and hands over a request left incomplete', async () => {
    await connectedSim(t, { sn: 'RAW-SPLIT', doors: 1 });
    const w = new Wire(port);
    const whole = upload('RAW-SPLIT', line(7));
    const cut = whole.indexOf('\r\n\r\n') + 4;
    w.write(whole.slice(0, cut));
    await new Promise((r) => setTimeout(r, 200));
    w.write(whole.slice(cut));
    expect(await w.answer()).toMatchObject({ status: 200, body: 'OK' });
    expect(await stored(t, 'RAW-SPLIT')).toEqual([7]);
    // Stalled past the reader's patience (2 s): node:http gets it, and answers once the rest arrives.
    const before = nodeRequests;
    const next = upload('RAW-SPLIT', line(8));
    w.write(next.slice(0, 40));
    await new Promise((r) => setTimeout(r, 2_600));
    w.write(next.slice(40));
    expect(await w.answer()).toMatchObject({ status: 200, body: 'OK' });
    expect(nodeRequests).toBe(before + 1);
    expect(await stored(t, 'RAW-SPLIT')).toEqual([7, 8]);
    w.end();
  });

  it('honours Connection: close, and a half-closed connection as node:http does: carried out, not answered, closed', async () => {
    await connectedSim(t, { sn: 'RAW-CLOSE', doors: 1 });
    const a = new Wire(port);
    a.write(poll('RAW-CLOSE', 'Connection: close\r\n'));
    const answer = await a.answer();
    expect(answer).toMatchObject({ status: 200, body: 'OK' });
    expect(answer.headers['connection']).toBe('close');
    expect(await a.closedWithin(10_000)).toBe(true);
    const b = new Wire(port);
    b.write(upload('RAW-CLOSE', line(9)));
    b.end();
    // node:http's server ends a half-closed connection at once: the upload is stored, its answer never sent.
    expect(await b.closedWithin(10_000)).toBe(true);
    await expect(b.answer(100)).rejects.toThrow(/connection closed \(0 bytes/);
    for (const end = Date.now() + 20_000; (await stored(t, 'RAW-CLOSE')).length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(await stored(t, 'RAW-CLOSE')).toEqual([9]);
  });

  it('leaves HTTP/1.0, malformed heads and duplicated lengths to node:http, answered as before', async () => {
    await connectedSim(t, { sn: 'RAW-ODD', doors: 1 });
    const before = nodeRequests;
    const old = new Wire(port);
    old.write('GET /iclock/getrequest?SN=RAW-ODD HTTP/1.0\r\n\r\n');
    expect(await old.answer()).toMatchObject({ status: 200, body: 'OK' });
    expect(nodeRequests).toBe(before + 1);
    // Two Content-Lengths: node's parser refuses the request (400) before any route.
    const dup = new Wire(port);
    dup.write(`POST /iclock/cdata?SN=RAW-ODD&table=rtlog HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`);
    expect((await dup.answer()).status).toBe(400);
    const fold = new Wire(port);
    fold.write('GET /iclock/getrequest?SN=RAW-ODD HTTP/1.1\r\nBroken header\r\n\r\n');
    expect((await fold.answer()).status).toBe(400);
    // Bare LF line ends: node:http's, decided from the request line alone, and refused by its parser as before.
    const lf = new Wire(port);
    lf.write('GET /iclock/getrequest?SN=RAW-ODD HTTP/1.1\nHost: gw\n\n');
    expect(await lf.answer()).toMatchObject({ status: 400, body: expect.stringMatching(/^ERROR: .*malformed HTTP/) });
    expect(nodeRequests).toBe(before + 1);
    expect(await stored(t, 'RAW-ODD')).toEqual([]);
  });

  it('lets the server close with kept-alive device connections open', async () => {
    const own = await startTestApp();
    const idle = new Wire(Number(new URL(own.baseUrl).port));
    idle.write(poll('RAW-SHUT'));
    expect((await idle.answer()).status).toBe(200);
    // A connection the server does not know is idle would hold close() for its keep-alive timeout (72 s), and stay
    // open well past the 10 s allowed here.
    await own.close();
    expect(await idle.closedWithin(10_000)).toBe(true);
  });
});
