import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, punchesOf, recordingFetch, type SeenAnswer } from './attendance-helpers';

/**
 * Names on terminals set to Chinese (attendance manual 1.2: "For Chinese data, the GB2312 encoding is used";
 * Appendix 2: language 83): what the gateway sends them is GBK, with `charset=GBK`, and the simulator reads it as
 * such a terminal does (GBK whatever the header says). Other terminals keep UTF-8.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const ZHANG_SAN_GBK = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]);
const ZHANG_SAN_UTF8 = Buffer.from('张三', 'utf8');

const userInfo = (pin: string, name: string) => `DATA UPDATE USERINFO PIN=${pin}\tName=${name}\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=`;
const nameOf = async (pin: string) => (await t.ds.query(`SELECT name FROM person WHERE pin = $1`, [pin]))[0]?.name;

describe('a person with a Chinese name, added by REST', () => {
  it('reaches a language-83 terminal in GBK (charset=GBK) and intact as it reads it; its punch and its USER line store the same name back', async () => {
    const seen: SeenAnswer[] = [];
    const cn = await initialisedTerminal(t, { sn: 'ATT-CN-83', language: '83', fetch: recordingFetch(seen) });
    expect((await t.post('/api/person/add', { pin: '6001', name: '张三' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6001'] })).body.code).toBe(0);

    const done = await cn.drain();
    expect(done.map((d) => [d.command, d.returnCode])).toEqual([[userInfo('6001', '张三'), 0]]);
    expect(cn.users.get('6001')?.name).toBe('张三');
    const delivery = seen.find((s) => s.path === '/iclock/getrequest' && s.bytes.includes('USERINFO'));
    expect(delivery?.contentType).toBe('text/plain;charset=GBK');
    expect(delivery?.bytes.includes(ZHANG_SAN_GBK)).toBe(true);
    expect(delivery?.bytes.includes(ZHANG_SAN_UTF8)).toBe(false);
    // Every answer to this terminal says GBK, the ASCII ones (OK, the option block) too.
    expect(seen.filter((s) => s.contentType !== 'text/plain;charset=GBK')).toEqual([]);

    await cn.punch({ pin: '6001', time: '2026-03-02 08:59:00', status: 0, verify: 1 });
    expect((await punchesOf(t, 'ATT-CN-83')).map((p: { pin: string; name: string }) => [p.pin, p.name])).toEqual([['6001', '张三']]);

    // The terminal sends the user back as it holds it, in GBK (an edit at its menu, or DATA QUERY USERINFO).
    const upload = await cn.uploadUser('6001');
    expect([upload.status, upload.body]).toEqual([200, 'OK: 1']);
    expect(await nameOf('6001')).toBe('张三');
  });

  it('comes to a language-83 terminal in GBK on remote attendance (manual 14) too', async () => {
    const seen: SeenAnswer[] = [];
    const cn = await initialisedTerminal(t, { sn: 'ATT-CN-REMOTE', language: '83', fetch: recordingFetch(seen) });
    // A person of no attendance area: only remote attendance brings them.
    expect((await t.post('/api/person/add', { pin: '6002', name: '李四' })).body.code).toBe(0);
    expect(await cn.remoteAtt('6002')).toEqual([userInfo('6002', '李四')]);
    expect(cn.users.get('6002')?.name).toBe('李四');
    const reply = seen.find((s) => s.path === '/iclock/cdata' && s.bytes.includes('USERINFO'));
    expect(reply?.contentType).toBe('text/plain;charset=GBK');
    expect(reply?.bytes.includes(Buffer.from([0xc0, 0xee, 0xcb, 0xc4]))).toBe(true); // 李四
  });

  it('still reaches a UTF-8 terminal (language 69) in UTF-8, and a terminal set to English again gets UTF-8 again', async () => {
    const seen: SeenAnswer[] = [];
    const en = await initialisedTerminal(t, { sn: 'ATT-EN-69', language: '69', fetch: recordingFetch(seen) });
    expect((await t.post('/api/person/add', { pin: '6003', name: '张三' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6003'] })).body.code).toBe(0);
    expect((await en.drain()).map((d) => d.command)).toContain(userInfo('6003', '张三'));
    expect(en.users.get('6003')?.name).toBe('张三');
    const delivery = seen.find((s) => s.path === '/iclock/getrequest' && s.bytes.includes('PIN=6003'));
    expect(delivery?.contentType).toBe('text/plain;charset=UTF-8');
    expect(delivery?.bytes.includes(ZHANG_SAN_UTF8)).toBe(true);

    // The same SN set to Chinese, then back to English: its answers follow its last initialisation.
    const asChinese = await initialisedTerminal(t, { sn: 'ATT-EN-69', language: '83' });
    await asChinese.drain();
    const poll = await fetch(`${t.baseUrl}/iclock/getrequest?SN=ATT-EN-69`, { method: 'POST' }); // Fastify's route, not the fast path
    expect(poll.headers.get('content-type')).toBe('text/plain;charset=GBK');
    await initialisedTerminal(t, { sn: 'ATT-EN-69', language: '69' });
    const again = await fetch(`${t.baseUrl}/iclock/getrequest?SN=ATT-EN-69`);
    expect(again.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
  });

  it('a character GBK cannot hold reaches the Chinese terminal as ?, the rest of the name intact; the UTF-8 terminal gets it whole', async () => {
    const cn = await initialisedTerminal(t, { sn: 'ATT-CN-EMOJI', language: '83' });
    const en = await initialisedTerminal(t, { sn: 'ATT-EN-EMOJI', language: '69' });
    expect((await t.post('/api/person/add', { pin: '6004', name: '王😀五' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6004'] })).body.code).toBe(0);
    await cn.drain();
    await en.drain();
    expect(cn.users.get('6004')?.name).toBe('王?五');
    expect(en.users.get('6004')?.name).toBe('王😀五');

    // The Chinese terminal sends the user back as it holds it: that is no rename, the stored name keeps its emoji.
    expect((await cn.uploadUser('6004')).body).toBe('OK: 1');
    expect(await nameOf('6004')).toBe('王😀五');
    // A rename at the terminal is still taken.
    cn.users.get('6004')!.name = '王六';
    expect((await cn.uploadUser('6004')).body).toBe('OK: 1');
    expect(await nameOf('6004')).toBe('王六');
  });

  it('a first and last name sent joined and given back so is no rename: the first name stays the first name', async () => {
    const cn = await initialisedTerminal(t, { sn: 'ATT-CN-LAST', language: '83' });
    expect((await t.post('/api/person/add', { pin: '6005', name: '三', lastName: '张' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6005'] })).body.code).toBe(0);
    await cn.drain();
    expect(cn.users.get('6005')?.name).toBe('三 张');
    expect((await cn.uploadUser('6005')).body).toBe('OK: 1');
    expect((await t.ds.query(`SELECT name, last_name FROM person WHERE pin = '6005'`))[0]).toEqual({ name: '三', last_name: '张' });
  });
});

describe('a Chinese name the terminal cut mid-character at its name field (24 bytes on many models)', () => {
  // 13 characters, 26 bytes in GBK: the terminal's field keeps 23 of them, the last the first half of 孙 (CB EF).
  const LONG = '张三李四王五赵六钱七孙八周';

  it.each([
    ['set to Chinese (language 83)', 'ATT-CN-CUT83', '83', '6011'],
    ['not set to Chinese, sending GBK under charset=UTF-8', 'ATT-CN-CUT69', '69', '6012'],
  ])('a terminal %s sending its USER line back keeps the stored name (no rename to the cut, no replacement character)', async (_what, sn, language, pin) => {
    const term = await initialisedTerminal(t, { sn, language });
    expect((await t.post('/api/person/add', { pin, name: LONG })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] })).body.code).toBe(0);
    await term.drain();
    // The user as the terminal holds it: its name field cut after 23 bytes of the name's GBK.
    const gbk = new AttendanceTerminal({ baseUrl: t.baseUrl, sn, language: '83' }).encode(LONG);
    const line = Buffer.concat([Buffer.from(`USER PIN=${pin}\tName=`), gbk.subarray(0, 23), Buffer.from('\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\n')]);
    const r = await fetch(`${t.baseUrl}/iclock/cdata?SN=${sn}&table=OPERLOG&Stamp=5`, { method: 'POST', body: line, headers: { 'Content-Type': 'application/push;charset=UTF-8' } });
    expect(await r.text()).toBe('OK: 1');
    expect(await nameOf(pin)).toBe(LONG);
  });
});
