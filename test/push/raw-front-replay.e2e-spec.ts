import * as net from 'node:net';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Devices must not see any difference from the raw device front (raw-device-front.ts). Real device traffic
 * (shared/spec/field-samples.json's registration, push-vectors.json's rtlog/rtstate/getrequest heads, the forms of
 * field-notes.md) is replayed byte for byte over bare sockets, the way firmware writes it (one write, split at
 * every interesting offset, keep-alive sequences, pipelined, Connection: close, HTTP/1.0, odd header case, no
 * Host, GBK, .aspx, comm key, half-closed), against two apps: one with the front, one without it (every request
 * through node:http, as before the front). Each answer (status line, headers but Date and x-request-id, body
 * bytes), the way the connection ends, and the rows stored must be the same on both.
 */

const SPEC = '/work/shared/spec';
const fieldSamples = JSON.parse(readFileSync(`${SPEC}/field-samples.json`, 'utf8')) as { samples: Array<{ id: string; request: any }> };
const vectors = JSON.parse(readFileSync(`${SPEC}/push-vectors.json`, 'utf8')) as { vectors: Array<{ id: string; request: any }> };
const vector = (id: string) => vectors.vectors.find((v) => v.id === id)!.request;

/** A captured request's bytes with this SN (and query), its headers as the device sent them, in its order. */
function deviceRequest(
  method: string,
  path: string,
  query: string,
  headers: Array<[string, string]>,
  body?: Buffer | string,
  version = 'HTTP/1.1',
): Buffer {
  const b = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let head = `${method} ${path}?${query} ${version}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${k.toLowerCase() === 'content-length' && b ? b.length : v}\r\n`;
  head += '\r\n';
  return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}

/** push-vectors 8.1 (a real getrequest head: Cookie, Host, iClock Proxy, `Connection: starting`). */
const POLL_HEADERS: Array<[string, string]> = Object.entries(vector('8.1-getrequest').headers as Record<string, string>);
/** push-vectors 7.2 (a real rtlog head, Content-Length recomputed). */
const UPLOAD_HEADERS: Array<[string, string]> = Object.entries(vector('7.2-rtlog').headers as Record<string, string>);
const RTLOG_BODY: string = vector('7.2-rtlog').body;
const RTSTATE_BODY: string = vector('7.3-rtstate').body;
const REGISTRY_BODY: string = fieldSamples.samples.find((s) => s.id === 'reg-senseface2a-acc')!.request.body;

const poll = (sn: string, headers = POLL_HEADERS, path = '/iclock/getrequest', version?: string) => deviceRequest('GET', path, `SN=${sn}`, headers, undefined, version);
const rtlog = (sn: string, index: number, headers = UPLOAD_HEADERS, path = '/iclock/cdata') =>
  deviceRequest('POST', path, `SN=${sn}&table=rtlog`, headers, RTLOG_BODY.replace('index=21', `index=${index}`).replace('cardno=0', `cardno=${index}`));
/** The vector's door state as the panel reports it now (the test app's zone is UTC): a state dated 2017 is a clock far off, which the gateway sets again. */
const rtstateNow = () => RTSTATE_BODY.replace(/time=[^\t]*/, `time=${new Date().toISOString().slice(0, 19).replace('T', ' ')}`);
const rtstate = (sn: string, headers = UPLOAD_HEADERS) => deviceRequest('POST', '/iclock/cdata', `SN=${sn}&table=rtstate`, headers, rtstateNow());
const registry = (sn: string) => deviceRequest('POST', '/iclock/registry', `SN=${sn}`, UPLOAD_HEADERS, REGISTRY_BODY.replace('NYU7251601501', sn));
const devicecmd = (sn: string, id: string) => deviceRequest('POST', '/iclock/devicecmd', `SN=${sn}`, UPLOAD_HEADERS, `ID=${id}&Return=0&CMD=DATA`);

interface Replay {
  /** Each answer: status line, headers (Date, x-request-id, Set-Cookie values masked), then the body (latin1). */
  answers: string[];
  /** The server closed the connection (after the answers). */
  closed: boolean;
}

/** Parses answers off raw bytes (Content-Length bodies); the rest when incomplete. */
function parseAnswers(buf: Buffer): { answers: string[]; rest: Buffer } {
  const answers: string[] = [];
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const cl = lines.find((l) => /^content-length:/i.test(l));
    const length = cl ? Number(cl.slice(cl.indexOf(':') + 1)) : 0;
    if (buf.length < end + 4 + length) break;
    // Fresh per answer either way: the time, the request id, a session cookie, a registry code.
    const masked = lines.map((l) => l.replace(/^(date|x-request-id|set-cookie):.*$/i, (_, name: string) => `${name}: *`));
    const body = buf.subarray(end + 4, end + 4 + length).toString('latin1').replace(/^RegistryCode=.*$/, 'RegistryCode=*');
    answers.push([...masked, body].join('\n'));
    buf = buf.subarray(end + 4 + length);
  }
  return { answers, rest: buf };
}

/**
 * Writes the chunks one by one (a pause between, so each arrives as its own segment), the device half-closing
 * after the last when asked, and reads until `expect` answers and then `settleMs` of quiet, or the close.
 */
async function replay(port: number, chunks: Buffer[], expected: number, opts: { halfClose?: boolean; gapMs?: number; settleMs?: number } = {}): Promise<Replay> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (c: Buffer) => (buf = Buffer.concat([buf, c])));
  socket.on('error', () => undefined);
  const done = new Promise<void>((r) => socket.on('close', () => ((closed = true), r())));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  for (let i = 0; i < chunks.length; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, opts.gapMs ?? 25));
    socket.write(chunks[i]);
  }
  if (opts.halfClose) socket.end();
  const deadline = Date.now() + 10_000;
  while (!closed && parseAnswers(buf).answers.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // Anything more (an extra answer, a close) shows within this. A half-closed connection is ended by the server
  // (both ways, as node:http ends it): its close is waited for, as on a loaded machine it can come after the quiet.
  await Promise.race([done, new Promise((r) => setTimeout(r, opts.halfClose ? 10_000 : (opts.settleMs ?? 150)))]);
  const { answers, rest } = parseAnswers(buf);
  if (rest.length) answers.push(`unparsed: ${rest.toString('latin1')}`);
  const serverClosed = closed;
  socket.destroy();
  await done;
  return { answers, closed: serverClosed };
}

/** Both ways: the front app's replay, node:http's replay, and how many requests node:http saw in the front app. */
async function both(pair: Pair, chunks: Buffer[], expected: number, opts?: Parameters<typeof replay>[3]) {
  const before = pair.nodeRequests;
  const front = await replay(pair.portFront, chunks, expected, opts);
  const viaNode = pair.nodeRequests - before;
  const plain = await replay(pair.portPlain, chunks, expected, opts);
  return { front, plain, viaNode };
}

/** The rows stored for an SN, without the columns each database numbers, stamps or keys itself (random ids). */
async function rows(t: TestApp, sn: string): Promise<unknown[]> {
  const r = (await t.ds.query(`SELECT to_jsonb(a) AS row FROM acc_transaction a WHERE device_sn = $1 ORDER BY log_id, event_time`, [sn])) as Array<{ row: Record<string, unknown> }>;
  return r.map(({ row }) => Object.fromEntries(Object.entries(row).filter(([k]) => k === 'log_id' || !/^(id|xid)$|_id$|_at$|^created|^received|^updated/.test(k))));
}

/** Split points in a request: inside the request line, a header name, a header value, \r|\n, head|body, inside the body. */
function splitOffsets(req: Buffer): number[] {
  const head = req.indexOf('\r\n\r\n');
  const firstLf = req.indexOf('\n');
  const s = req.toString('latin1');
  const out = [1, 4, 10, firstLf - 3, firstLf - 1, firstLf, firstLf + 1, firstLf + 3, s.indexOf(':', firstLf) + 1, s.indexOf('\r\n', firstLf + 1) + 1, head, head + 1, head + 2, head + 3, head + 4];
  if (req.length > head + 4) out.push(head + 5, req.length - 1);
  return [...new Set(out)].filter((o) => o > 0 && o < req.length).sort((a, b) => a - b);
}

interface Pair {
  front: TestApp;
  plain: TestApp;
  portFront: number;
  portPlain: number;
  nodeRequests: number;
}

async function startPair(overrides: Parameters<typeof startTestApp>[0] = {}): Promise<Pair> {
  const front = await startTestApp(overrides);
  const plain = await startTestApp(overrides, { rawDeviceFront: false });
  const pair: Pair = { front, plain, portFront: Number(new URL(front.baseUrl).port), portPlain: Number(new URL(plain.baseUrl).port), nodeRequests: 0 };
  (front.app.getHttpServer() as Server).on('request', () => pair.nodeRequests++);
  return pair;
}

/** Registers the SN on both (through node:http either way) and polls until its first commands are taken. */
async function register(pair: Pair, sn: string) {
  const r = await both(pair, [registry(sn)], 1);
  expect(r.front).toEqual(r.plain);
  for (let i = 0; i < 30; i++) {
    const p = await both(pair, [poll(sn)], 1);
    expect(p.front).toEqual(p.plain);
    const body = p.front.answers[0].split('\n').pop()!;
    if (body === 'OK') return;
    // Acknowledge every command handed out, identically on both.
    const ids = [...body.matchAll(/C:(\d+):/g)].map((m) => m[1]);
    for (const id of ids) {
      const c = await both(pair, [devicecmd(sn, id)], 1);
      expect(c.front).toEqual(c.plain);
    }
  }
  throw new Error(`${sn} never idle`);
}

describe('raw device front: replayed device traffic gets the same answers as through node:http', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  }, 60_000);
  afterAll(async () => {
    await pair?.front.close();
    await pair?.plain.close();
  });

  it('a poll, an rtlog and an rtstate, in one write and split at every interesting offset', { timeout: 120_000 }, async () => {
    const sn = 'RPL-SPLIT';
    await register(pair, sn);
    let index = 100;
    for (const make of [() => poll(sn), () => rtlog(sn, ++index), () => rtstate(sn)]) {
      const whole = make();
      const w = await both(pair, [whole], 1);
      expect(w.front).toEqual(w.plain);
      expect(w.viaNode).toBe(0);
      for (const at of splitOffsets(whole)) {
        const req = make();
        const r = await both(pair, [req.subarray(0, at), req.subarray(at)], 1);
        expect({ at, ...r.front }).toEqual({ at, ...r.plain });
        expect({ at, viaNode: r.viaNode }).toEqual({ at, viaNode: 0 });
      }
    }
    expect(await rows(pair.front, sn)).toEqual(await rows(pair.plain, sn));
    expect((await rows(pair.front, sn)).length).toBe(index - 100);
  });

  it('a kept-alive session: registration, polls, uploads, devicecmd, polls again; then the same pipelined', async () => {
    const sn = 'RPL-SESSION';
    const session = [registry(sn), poll(sn), poll(sn), rtlog(sn, 1), rtstate(sn), rtlog(sn, 2), devicecmd(sn, '424242'), poll(sn), rtlog(sn, 3), poll(sn)];
    const sequential = async (port: number) => {
      const out: string[] = [];
      const socket = net.connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      socket.on('data', (c: Buffer) => (buf = Buffer.concat([buf, c])));
      for (const req of session) {
        const want = out.length + 1;
        socket.write(req);
        while (parseAnswers(buf).answers.length < want) await new Promise((r) => setTimeout(r, 5));
        out.length = 0;
        out.push(...parseAnswers(buf).answers);
      }
      socket.destroy();
      return out;
    };
    const before = pair.nodeRequests;
    const front = await sequential(pair.portFront);
    const viaNode = pair.nodeRequests - before;
    const plain = await sequential(pair.portPlain);
    expect(front).toEqual(plain);
    // registry and devicecmd are node:http's; the registry is first, so the whole connection is.
    expect(viaNode).toBe(session.length);
    // The same session after registration: polls and uploads raw until devicecmd, node:http's from there.
    const later = [poll(sn), rtlog(sn, 4), poll(sn), rtstate(sn), devicecmd(sn, '424243'), poll(sn), rtlog(sn, 5), poll(sn)];
    const b2 = pair.nodeRequests;
    const f2 = await replay(pair.portFront, later, later.length, { gapMs: 0 });
    const v2 = pair.nodeRequests - b2;
    const p2 = await replay(pair.portPlain, later, later.length, { gapMs: 0 });
    expect(f2).toEqual(p2);
    expect(v2).toBe(4);
    // Pipelined in one write.
    const pipelined = Buffer.concat([poll(sn), rtlog(sn, 6), rtlog(sn, 7), poll(sn), rtstate(sn)]);
    const r = await both(pair, [pipelined], 5);
    expect(r.front).toEqual(r.plain);
    expect(r.viaNode).toBe(0);
    // Pipelined, split inside the second request's head and inside the fourth's body.
    const reqs = [rtlog(sn, 8), poll(sn), rtlog(sn, 9), rtlog(sn, 10)];
    const all = Buffer.concat(reqs);
    const a = reqs[0].length + 30;
    const b = reqs[0].length + reqs[1].length + reqs[2].length + reqs[3].length - 7;
    const s = await both(pair, [all.subarray(0, a), all.subarray(a, b), all.subarray(b)], 4);
    expect(s.front).toEqual(s.plain);
    expect(s.viaNode).toBe(0);
    expect(await rows(pair.front, sn)).toEqual(await rows(pair.plain, sn));
    expect((await rows(pair.front, sn)).map((x: any) => x.log_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('Connection: close, HTTP/1.0, odd header case, extra spaces, no Host, .aspx, GBK, a device that half-closes', async () => {
    const sn = 'RPL-FORMS';
    await register(pair, sn);
    const cases: Array<[string, Buffer[], number, { halfClose?: boolean }?]> = [
      ['close', [poll(sn, [...POLL_HEADERS.filter(([k]) => k !== 'Connection'), ['Connection', 'close']])], 1],
      ['close upload', [rtlog(sn, 201, [...UPLOAD_HEADERS.filter(([k]) => k !== 'Connection'), ['Connection', 'Close']])], 1],
      ['keep-alive explicit', [poll(sn, [...POLL_HEADERS.filter(([k]) => k !== 'Connection'), ['Connection', 'keep-alive']])], 1],
      ['HTTP/1.0', [poll(sn, POLL_HEADERS, '/iclock/getrequest', 'HTTP/1.0')], 1],
      ['HTTP/1.0 keep-alive', [deviceRequest('GET', '/iclock/getrequest', `SN=${sn}`, [['Connection', 'Keep-Alive']], undefined, 'HTTP/1.0')], 1],
      ['odd case', [poll(sn, POLL_HEADERS.map(([k, v]) => [k.toUpperCase(), v]))], 1],
      ['odd case upload', [rtlog(sn, 202, UPLOAD_HEADERS.map(([k, v]) => [k.toLowerCase() === 'content-length' ? 'content-LENGTH' : k.toLowerCase(), v]))], 1],
      ['extra spaces', [rtlog(sn, 203, UPLOAD_HEADERS.map(([k, v]) => [k, `  ${v}  `]))], 1],
      ['tab in value', [poll(sn, POLL_HEADERS.map(([k, v]) => [k, `\t${v}`]))], 1],
      // Only SP and HTAB are a value's padding; anything else at its ends is node:http's to judge.
      ['form feed after a value', [poll(sn, POLL_HEADERS.map(([k, v]) => [k, k === 'Host' ? `${v}\f` : v]))], 1],
      ['vertical tab before a value', [poll(sn, POLL_HEADERS.map(([k, v]) => [k, k === 'Accept' ? `\v${v}` : v]))], 1],
      ['NBSP after a length', [rtlog(sn, 215).toString('latin1').replace(/(Content-Length: \d+)/, '$1\xa0')].map((x) => Buffer.from(x, 'latin1')), 1],
      ['NBSP after a type', [rtlog(sn, 216, UPLOAD_HEADERS.map(([k, v]) => [k, k === 'Content-Type' ? `${v}\xa0` : v]))], 1],
      ['no headers', [Buffer.from(`GET /iclock/getrequest?SN=${sn} HTTP/1.1\r\n\r\n`)], 1],
      ['no Host', [rtlog(sn, 204, UPLOAD_HEADERS.filter(([k]) => k !== 'Host'))], 1],
      ['.aspx poll', [poll(sn, POLL_HEADERS, '/iclock/getrequest.aspx')], 1],
      ['.aspx upload', [rtlog(sn, 205, UPLOAD_HEADERS, '/iclock/cdata.aspx')], 1],
      ['no content-type', [rtlog(sn, 206, UPLOAD_HEADERS.filter(([k]) => k !== 'Content-Type'))], 1],
      [
        'GBK',
        [
          deviceRequest(
            'POST',
            '/iclock/cdata',
            `SN=${sn}&table=rtlog`,
            UPLOAD_HEADERS.map(([k, v]) => [k, k === 'Content-Type' ? 'application/push;charset=GBK' : v]),
            Buffer.concat([Buffer.from(RTLOG_BODY.replace('index=21', 'index=207').replace('pin=0', 'pin=5'), 'latin1'), Buffer.from('\tname=', 'latin1'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd])]),
          ),
        ],
        1,
      ],
      ['half-closed poll', [poll(sn)], 1, { halfClose: true }],
      ['half-closed upload', [rtlog(sn, 208)], 1, { halfClose: true }],
      ['half-closed pipelined', [Buffer.concat([poll(sn), rtlog(sn, 209)])], 2, { halfClose: true }],
      ['half-closed inside the head', [rtlog(sn, 212).subarray(0, 60)], 1, { halfClose: true }],
      ['half-closed inside the body', [rtlog(sn, 213).subarray(0, rtlog(sn, 213).length - 5)], 1, { halfClose: true }],
      ['half-closed after a poll, inside the next', [Buffer.concat([poll(sn), rtlog(sn, 214).subarray(0, 70)])], 2, { halfClose: true }],
      ['close after pipelined', [Buffer.concat([poll(sn, [...POLL_HEADERS.filter(([k]) => k !== 'Connection'), ['Connection', 'close']]), rtlog(sn, 210)])], 2],
      ['keep-alive, close', [poll(sn, [...POLL_HEADERS.filter(([k]) => k !== 'Connection'), ['Connection', 'Keep-Alive, Close']])], 1],
      ['length with leading zeros', [rtlog(sn, 217).toString('latin1').replace(/Content-Length: (\d+)/, 'Content-Length: 00$1')].map((x) => Buffer.from(x, 'latin1')), 1],
      ['empty value, no space', [poll(sn, [['Host', ''], ['Accept', 'application/push']]).toString('latin1').replace('Accept: ', 'Accept:')].map((x) => Buffer.from(x, 'latin1')), 1],
      ['fragment in the target', [deviceRequest('GET', '/iclock/getrequest', `SN=${sn}#x`, POLL_HEADERS)], 1],
      ['lowercase method', [Buffer.from(poll(sn).toString('latin1').replace(/^GET/, 'get'), 'latin1')], 1],
      ['absolute target', [Buffer.from(poll(sn).toString('latin1').replace(/^GET \//, 'GET http://gw/'), 'latin1')], 1],
      ['two spaces in the request line', [Buffer.from(poll(sn).toString('latin1').replace(/^GET /, 'GET  '), 'latin1')], 1],
      ['GET with a length', [poll(sn, [...POLL_HEADERS, ['Content-Length', '0']])], 1],
      ['query SN late', [deviceRequest('GET', '/iclock/getrequest', `INFO=x&SN=${sn}`, POLL_HEADERS)], 1],
      ['no SN', [deviceRequest('GET', '/iclock/getrequest', `sn=${sn}`, POLL_HEADERS)], 1],
      ['empty body upload', [deviceRequest('POST', '/iclock/cdata', `SN=${sn}&table=rtlog`, [['Content-Length', '0']])], 1],
      ['Expect', [rtlog(sn, 211, [...UPLOAD_HEADERS, ['Expect', '100-continue']])], 2],
    ];
    const differ: unknown[] = [];
    const viaNode: string[] = [];
    for (const [name, chunks, expected, opts] of cases) {
      const r = await both(pair, chunks, expected, opts);
      if (JSON.stringify(r.front) !== JSON.stringify(r.plain)) differ.push({ name, front: r.front, plain: r.plain });
      if (r.viaNode > 0) viaNode.push(name);
    }
    expect(differ).toEqual([]);
    // Everything else was read by the front itself (so the comparison above compared it).
    expect(viaNode).toEqual([
      'HTTP/1.0',
      'HTTP/1.0 keep-alive',
      'close after pipelined',
      'absolute target',
      'two spaces in the request line',
      'GET with a length',
      'empty body upload',
      'Expect',
    ]);
    // The one known difference, kept on purpose: a raw non-ASCII byte in the URL of a later request on a kept-alive
    // connection. node:http alone refuses it (raw-url-bytes.ts percent-encodes only a connection's first chunk);
    // behind the front, the hand-off makes it that first chunk, so it is accepted as it would be on a new connection
    // (where the device retries after the 400 anyway). More lenient, never less.
    const raw = Buffer.concat([poll(sn), Buffer.from(`GET /iclock/getrequest?SN=${sn}&INFO=`), Buffer.from('名'), Buffer.from(' HTTP/1.1\r\nHost: gw\r\n\r\n')]);
    const later = await both(pair, [raw], 2);
    expect(later.front.answers.map((a) => a.split('\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(later.plain.answers.map((a) => a.split('\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request']);
    expect(await rows(pair.front, sn)).toEqual(await rows(pair.plain, sn));
    // Each stored once; none of the requests cut short, the one after `Connection: close` or the odd length (refused).
    expect((await rows(pair.front, sn)).map((x: any) => x.log_id)).toEqual([201, 202, 203, 204, 205, 206, 207, 208, 209, 211, 216, 217]);
  });

  it('an idle connection the device closes, and one it opens and never uses', async () => {
    const r = await both(pair, [poll('RPL-IDLE')], 1, { halfClose: true });
    expect(r.front).toEqual(r.plain);
    // Opened, nothing sent, half-closed: ended at once both ways, as node:http ends it (raw-url-bytes.ts held it
    // open until the headers timeout before).
    const nothing = await both(pair, [Buffer.alloc(0)], 0, { halfClose: true, settleMs: 300 });
    expect(nothing.front).toEqual(nothing.plain);
    expect(nothing.plain.closed).toBe(true);
  });
});

describe('raw device front with a comm key: same answers as through node:http', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ deviceCommKey: 'k3y-123' });
  }, 60_000);
  afterAll(async () => {
    await pair?.front.close();
    await pair?.plain.close();
  });

  it('with the key in the query or the header, a wrong key, and none', async () => {
    const sn = 'RPL-KEY';
    const reg = await both(pair, [deviceRequest('POST', '/iclock/registry', `SN=${sn}&CommKey=k3y-123`, UPLOAD_HEADERS, REGISTRY_BODY)], 1);
    expect(reg.front).toEqual(reg.plain);
    const cases: Array<[string, Buffer]> = [
      ['query key', deviceRequest('GET', '/iclock/getrequest', `SN=${sn}&CommKey=k3y-123`, POLL_HEADERS)],
      ['header key', poll(sn, [...POLL_HEADERS, ['X-Comm-Key', 'k3y-123']])],
      ['header key lower', poll(sn, [...POLL_HEADERS, ['x-comm-key', 'k3y-123']])],
      ['wrong key', deviceRequest('GET', '/iclock/getrequest', `SN=${sn}&CommKey=nope`, POLL_HEADERS)],
      ['no key', poll(sn)],
      ['upload with key', deviceRequest('POST', '/iclock/cdata', `SN=${sn}&table=rtlog&CommKey=k3y-123`, UPLOAD_HEADERS, RTLOG_BODY)],
      ['upload without key', rtlog(sn, 31)],
      ['upload wrong header key', rtlog(sn, 32, [...UPLOAD_HEADERS, ['X-Comm-Key', 'nope']])],
    ];
    for (const [name, req] of cases) {
      const r = await both(pair, [req], 1);
      expect({ name, ...r.front }).toEqual({ name, ...r.plain });
    }
    expect(await rows(pair.front, sn)).toEqual(await rows(pair.plain, sn));
    expect((await rows(pair.front, sn)).length).toBe(1);
  });
});
