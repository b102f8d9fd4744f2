import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSim, enqueue } from './push-helpers';
import { dataUpdateUser } from '../../src/push/protocol';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';
import type { DeviceSimulator } from '../simulator/device-simulator';

/**
 * Device bodies through HTTP on a real database, as a black-box probe sent them: any declared content type is
 * read raw (field notes, Devices 2), GB2312/GBK text is stored as text (attendance manual 11.5, field notes 9),
 * tables the gateway does not read and refused rtlog lines are kept raw (field-samples rule 16), and a request
 * without a Host header is served.
 */

let t: TestApp;
let panel: DeviceSimulator;
beforeAll(async () => {
  t = await startTestApp();
  panel = await connectedSim(t, { sn: 'BODY-ACC', doors: 1 });
});
afterAll(async () => {
  await t?.close();
});

interface Raw {
  status: number;
  body: string;
}

/**
 * One request with full control of its bytes and headers. `chunked` sends the body in two chunks (no
 * Content-Length): that always goes through Fastify, never the fast path (device-fast-path.ts).
 */
function send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, opts: { chunked?: boolean; noHost?: boolean } = {}): Promise<Raw> {
  const u = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, agent: false, headers, setHost: !opts.noHost }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    if (bytes !== undefined && opts.chunked) {
      req.write(bytes.subarray(0, 5));
      req.end(bytes.subarray(5));
    } else req.end(bytes);
  });
}

const CONTENT_TYPES: Array<[string, Record<string, string>]> = [
  ['application/json', { 'Content-Type': 'application/json' }],
  ['application/json;charset=UTF-8', { 'Content-Type': 'application/json;charset=UTF-8' }],
  ['multipart/form-data', { 'Content-Type': 'multipart/form-data; boundary=----x' }],
  ['application/x-www-form-urlencoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ['text/plain', { 'Content-Type': 'text/plain' }],
  ['application/octet-stream', { 'Content-Type': 'application/octet-stream' }],
  ['no content type', {}],
];

const rtlogLine = (index: number, time = '2026-05-01 10:00:00') => `time=${time}\tpin=0\tcardno=${index}\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${index}`;
const rtlogStored = async (index: number) => (await t.ds.query(`SELECT 1 FROM acc_transaction WHERE device_sn = 'BODY-ACC' AND log_id = $1`, [index])).length;
const uploads = (sn: string, table: string) =>
  t.ds.query(`SELECT record FROM device_upload WHERE device_sn = $1 AND table_name = $2 ORDER BY id`, [sn, table]) as Promise<Array<{ record: Record<string, string> }>>;

describe('every /iclock POST reads its raw body whatever the content type', () => {
  it.each(CONTENT_TYPES.map(([name, h], i) => [name, h, i] as const))('rtlog with %s, on the fast path and through Fastify', async (_name, headers, i) => {
    const fast = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', rtlogLine(100 + i), headers);
    expect([fast.status, fast.body]).toEqual([200, 'OK']);
    expect(await rtlogStored(100 + i)).toBe(1);
    const viaFastify = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', rtlogLine(200 + i), headers, { chunked: true });
    expect([viaFastify.status, viaFastify.body]).toEqual([200, 'OK']);
    expect(await rtlogStored(200 + i)).toBe(1);
  });

  it.each(CONTENT_TYPES.map(([name, h], i) => [name, h, i] as const))('ATTLOG of a terminal with %s is stored and acknowledged', async (_name, headers, i) => {
    const sn = `BODY-ATT-${i}`;
    await initialisedTerminal(t, { sn });
    const r = await send('POST', `/iclock/cdata?SN=${sn}&table=ATTLOG&Stamp=1`, `1452\t2026-03-01 07:0${i}:00\t0\t1\t\t0\t0\n`, headers);
    expect([r.status, r.body]).toEqual([200, 'OK: 1']);
    expect(await t.ds.query(`SELECT pin FROM att_transaction WHERE device_sn = $1`, [sn])).toEqual([{ pin: '1452' }]);
  });

  it.each(CONTENT_TYPES.map(([name, h], i) => [name, h, i] as const))('a devicecmd result with %s is recorded', async (_name, headers, i) => {
    await enqueue(t, 'BODY-ACC', [dataUpdateUser({ pin: 700 + i, name: 'X' })]);
    const poll = await panel.uploadRaw('/iclock/getrequest', {});
    const id = /^C:(\d+):/.exec(poll.body)?.[1];
    expect(id).toBeDefined();
    const r = await send('POST', '/iclock/devicecmd?SN=BODY-ACC', `ID=${id}&Return=0&CMD=DATA`, headers);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const [row] = await t.ds.query(`SELECT c.state FROM device_command c JOIN device_command_attempt a ON a.command_id = c.id WHERE a.attempt_id = $1`, [id]);
    expect(row.state).toBe('done');
  });

  it('the REST side keeps its own body parsing: JSON is parsed, broken JSON is a 400 envelope', async () => {
    const ok = await fetch(`${t.baseUrl}/api/department/add?access_token=${TEST_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'BODY1', name: 'Bodies', parentCode: '1' }),
    });
    expect(await ok.json()).toMatchObject({ code: 0 });
    const bad = await fetch(`${t.baseUrl}/api/department/add?access_token=${TEST_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ data: null });
  });
});

describe('GB2312/GBK text from devices', () => {
  const ZHANG_SAN_GBK = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三 in GB2312

  const userLine = (pin: string) => Buffer.concat([Buffer.from(`USER PIN=${pin}\tName=`), ZHANG_SAN_GBK, Buffer.from('\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=\n')]);
  const nameOf = async (pin: string) => (await t.ds.query(`SELECT name FROM person WHERE pin = $1`, [pin]))[0]?.name;

  it('a terminal initialised with language=83 that declares UTF-8: its USER line is read as GBK', async () => {
    await initialisedTerminal(t, { sn: 'BODY-CN-1', language: '83' });
    const r = await send('POST', '/iclock/cdata?SN=BODY-CN-1&table=OPERLOG&Stamp=2', userLine('5003'), { 'Content-Type': 'application/push;charset=UTF-8' });
    expect([r.status, r.body]).toEqual([200, 'OK: 1']);
    expect(await nameOf('5003')).toBe('张三');
  });

  it('a body without a charset that is not UTF-8 is read as GBK, from any terminal; declared GB2312 is honoured', async () => {
    await initialisedTerminal(t, { sn: 'BODY-CN-2' });
    expect((await send('POST', '/iclock/cdata?SN=BODY-CN-2&table=OPERLOG&Stamp=2', userLine('5004'), {})).body).toBe('OK: 1');
    expect(await nameOf('5004')).toBe('张三');
    expect((await send('POST', '/iclock/cdata?SN=BODY-CN-2&table=OPERLOG&Stamp=3', userLine('5005'), { 'Content-Type': 'text/plain;charset=GB2312' })).body).toBe('OK: 1');
    expect(await nameOf('5005')).toBe('张三');
  });

  it('older firmware not set to Chinese that declares UTF-8 but sends GBK: the name is read as GBK, and a UTF-8 line beside it as UTF-8', async () => {
    await initialisedTerminal(t, { sn: 'BODY-CN-4', language: '69' });
    const body = Buffer.concat([userLine('5007'), Buffer.from('USER PIN=5008\tName=李四\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=\n', 'utf8')]);
    const r = await send('POST', '/iclock/cdata?SN=BODY-CN-4&table=OPERLOG&Stamp=2', body, { 'Content-Type': 'application/push;charset=UTF-8' });
    expect([r.status, r.body]).toEqual([200, 'OK: 2']);
    expect(await nameOf('5007')).toBe('张三');
    expect(await nameOf('5008')).toBe('李四');
  });

  it('valid UTF-8 stays UTF-8 (a Chinese terminal that sends UTF-8)', async () => {
    await initialisedTerminal(t, { sn: 'BODY-CN-3', language: '83' });
    const body = Buffer.from('USER PIN=5006\tName=李四\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=\n', 'utf8');
    expect((await send('POST', '/iclock/cdata?SN=BODY-CN-3&table=OPERLOG&Stamp=2', body, { 'Content-Type': 'application/push;charset=UTF-8' })).body).toBe('OK: 1');
    expect(await nameOf('5006')).toBe('李四');
  });

  it('a GBK name in an rtlog-adjacent table upload of a panel without charset is stored as text', async () => {
    const body = Buffer.concat([Buffer.from('ERRORLOG ErrCode=D01E0001\tErrMsg='), ZHANG_SAN_GBK, Buffer.from('\tDataOrigin=cmd\tCmdId=1\n')]);
    expect((await send('POST', '/iclock/cdata?SN=BODY-ACC&table=ERRORLOG', body, {})).body).toBe('OK');
    // A panel's error log in the attendance form is kept by its fields, as a terminal's is (it may fail a command).
    expect((await uploads('BODY-ACC', 'ERRORLOG')).map((u) => u.record)).toEqual([{ ErrCode: 'D01E0001', ErrMsg: '张三', DataOrigin: 'cmd', CmdId: '1', meaning: 'Face detection failed' }]);
  });
});

describe('tables the gateway does not read, and refused rtlog lines, are kept raw', () => {
  it('ERRORLOG (11.16) and IDCARD (11.6) of a terminal: kept by their fields, answered as the manual answers, Stamps handed back', async () => {
    const term = await initialisedTerminal(t, { sn: 'BODY-RAW-1' });
    expect(term.serverOptions).toMatchObject({ IDCARDStamp: 'None', ERRORLOGStamp: 'None' });
    const err = await send('POST', '/iclock/cdata?SN=BODY-RAW-1&table=ERRORLOG&Stamp=41', 'ERRORLOG ErrCode=D01E0001\tErrMsg=\tDataOrigin=cmd\tCmdId=123\tAdditional=\n');
    expect([err.status, err.body]).toEqual([200, 'OK']);
    const id = await send('POST', '/iclock/cdata?SN=BODY-RAW-1&table=IDCARD&Stamp=42', 'IDCARD PIN=2\tSNNum=1\tIDNum=2\tName=Zhang San\tPhoto=V0xm\n', { 'Content-Type': 'multipart/form-data; boundary=x' });
    expect([id.status, id.body]).toEqual([200, 'OK: 1']);
    expect((await uploads('BODY-RAW-1', 'ERRORLOG')).map((u) => u.record)).toEqual([
      { ErrCode: 'D01E0001', ErrMsg: '', DataOrigin: 'cmd', CmdId: '123', Additional: '', meaning: 'Face detection failed' },
    ]);
    expect((await uploads('BODY-RAW-1', 'IDCARD')).map((u) => u.record)).toEqual([{ PIN: '2', SNNum: '1', IDNum: '2', Name: 'Zhang San', Photo: 'V0xm' }]);
    const again = await initialisedTerminal(t, { sn: 'BODY-RAW-1' });
    expect(again.serverOptions).toMatchObject({ IDCARDStamp: '42', ERRORLOGStamp: '41' });
  });

  it.each(['WORKCODE', 'SOMETHINGNEW'])('%s from a terminal and from a panel: answered OK and every line kept', async (table) => {
    const sn = `BODY-RAW-${table}`;
    await initialisedTerminal(t, { sn });
    const body = `${table} PIN=1\tx=1\r\n${table} PIN=2\tx=2\r\n`;
    const r = await send('POST', `/iclock/cdata?SN=${sn}&table=${table}&Stamp=5`, body, { 'Content-Type': 'application/push;charset=UTF-8' });
    expect([r.status, r.body]).toEqual([200, 'OK']);
    expect((await uploads(sn, table)).map((u) => u.record.line)).toEqual([`${table} PIN=1\tx=1`, `${table} PIN=2\tx=2`]);
    const p = await send('POST', `/iclock/cdata?SN=BODY-ACC&table=${table}`, body);
    expect([p.status, p.body]).toEqual([200, 'OK']);
    expect(await uploads('BODY-ACC', table)).toHaveLength(2);
  });

  // A terminal's users, templates and photos posted under their own table name are OPERLOG's records (iclock.controller
  // ATTENDANCE_OWN_TABLES): answered with the count enrolled, a line that lacks its record's fields refused and kept
  // as `<table>.rejected`. From an access panel the same upload is no Security PUSH table: answered OK, kept raw.
  it.each([
    ['USERPIC', 0],
    ['BIOPHOTO', 0],
    ['FACE', 0],
    ['FINGERTMP', 0],
    ['USERINFO', 2],
  ] as const)('%s from a terminal is read as its records (OK: %i, a line it cannot read kept as refused); from a panel: answered OK and every line kept', async (table, enrolled) => {
    const sn = `BODY-RAW-${table}`;
    await initialisedTerminal(t, { sn });
    const body = `${table} PIN=1\tx=1\r\n${table} PIN=2\tx=2\r\n`;
    const r = await send('POST', `/iclock/cdata?SN=${sn}&table=${table}&Stamp=5`, body, { 'Content-Type': 'application/push;charset=UTF-8' });
    expect([r.status, r.body]).toEqual([200, `OK: ${enrolled}`]);
    const refused = (await uploads(sn, `${table}.rejected`)).map((u) => u.record.line);
    expect(refused).toEqual(enrolled === 0 ? [`${table} PIN=1\tx=1`, `${table} PIN=2\tx=2`] : []);
    if (enrolled) expect((await t.ds.query(`SELECT pin FROM person WHERE pin = ANY($1) ORDER BY pin`, [['1', '2']])).map((x: { pin: string }) => x.pin)).toEqual(['1', '2']);
    const p = await send('POST', `/iclock/cdata?SN=BODY-ACC&table=${table}`, body);
    expect([p.status, p.body]).toEqual([200, 'OK']);
    expect(await uploads('BODY-ACC', table)).toHaveLength(2);
  });

  it('refused rtlog lines (a bad time, garbage) are kept as rtlog.rejected beside the good event', async () => {
    const body = [rtlogLine(300), rtlogLine(301, '2026-13-45 99:00:00'), 'complete garbage'].join('\r\n');
    const r = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', body);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    expect(await rtlogStored(300)).toBe(1);
    const rejected = await uploads('BODY-ACC', 'rtlog.rejected');
    expect(rejected.map((u) => u.record.line)).toEqual([rtlogLine(301, '2026-13-45 99:00:00'), 'complete garbage']);
    expect(rejected.every((u) => typeof u.record.reason === 'string' && u.record.reason.length > 0)).toBe(true);
    // The device sends the same upload again: nothing is added.
    await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', body);
    expect(await uploads('BODY-ACC', 'rtlog.rejected')).toHaveLength(2);
  });
});

describe('records separated by a lone CR (no LF)', () => {
  it('three rtlog events are all stored, on the fast path and through Fastify', async () => {
    const r = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', [rtlogLine(501), rtlogLine(502), rtlogLine(503)].join('\r'), { 'Content-Type': 'text/plain' });
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const chunked = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', `${[rtlogLine(511), rtlogLine(512), rtlogLine(513)].join('\r')}\r`, {}, { chunked: true });
    expect([chunked.status, chunked.body]).toEqual([200, 'OK']);
    const stored = await t.ds.query(`SELECT log_id FROM acc_transaction WHERE device_sn = 'BODY-ACC' AND log_id BETWEEN 500 AND 599 ORDER BY log_id`);
    expect(stored.map((x: { log_id: number | string }) => Number(x.log_id))).toEqual([501, 502, 503, 511, 512, 513]);
    expect((await uploads('BODY-ACC', 'rtlog.rejected')).filter((u) => /index=5\d\d/.test(u.record.line))).toEqual([]);
  });

  it('a table the gateway does not read keeps each line raw', async () => {
    const r = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=CRONLY', 'CRONLY a=1\rCRONLY a=2\rCRONLY a=3\r');
    expect([r.status, r.body]).toEqual([200, 'OK']);
    expect((await uploads('BODY-ACC', 'CRONLY')).map((u) => u.record.line)).toEqual(['CRONLY a=1', 'CRONLY a=2', 'CRONLY a=3']);
  });
});

describe('a request without a Host header', () => {
  it('is served like any other device request', async () => {
    const r = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', rtlogLine(400), { 'Content-Type': 'text/plain' }, { noHost: true, chunked: true });
    expect([r.status, r.body]).toEqual([200, 'OK']);
    expect(await rtlogStored(400)).toBe(1);
    const fast = await send('POST', '/iclock/cdata?SN=BODY-ACC&table=rtlog', rtlogLine(401), {}, { noHost: true });
    expect([fast.status, fast.body]).toEqual([200, 'OK']);
    expect(await rtlogStored(401)).toBe(1);
  });
});
