import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, punchesOf, recordingFetch, type SeenAnswer } from './attendance-helpers';

/**
 * Names from older firmware that is not set to Chinese and keeps them in its menu language's code page, Latin-1
 * (windows-1252) for English, not the UTF-8 of the manual (1.2): they are stored as the names they are, not with
 * replacement characters nor read as GBK, and the terminal is answered in its code page from then on, so that a name
 * it sent comes back to it as it holds it. A terminal that writes UTF-8 keeps getting UTF-8.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const nameOf = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body.data?.name;

describe('an attendance terminal whose names are Latin-1', () => {
  it('has a user enrolled at its menu stored under the right name, its punch listed so, and the user sent back in Latin-1 after a REST edit', async () => {
    const seen: SeenAnswer[] = [];
    const term = await initialisedTerminal(t, { sn: 'ATT-LATIN-1', language: '69', latin1: true, fetch: recordingFetch(seen) });
    expect((await term.enrollUser({ pin: '6101', name: 'José Müller' })).body).toMatch(/^OK: /);
    expect(await nameOf('6101')).toBe('José Müller');

    await term.punch({ pin: '6101', time: '2026-03-02 08:59:00', status: 0, verify: 1 });
    expect((await punchesOf(t, 'ATT-LATIN-1')).map((p: { name: string }) => p.name)).toEqual(['José Müller']);

    // A REST edit (a card) sends the record back: in windows-1252, the name as the terminal holds it.
    expect((await t.post('/api/person/add', { pin: '6101', name: 'José Müller', cardNo: '880061' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6101'] })).body.code).toBe(0);
    await term.drain();
    expect(term.users.get('6101')).toMatchObject({ name: 'José Müller', card: '880061' });
    const delivery = seen.find((s) => s.path === '/iclock/getrequest' && s.bytes.includes('PIN=6101'));
    expect(delivery?.contentType).toBe('text/plain;charset=windows-1252');
    expect(delivery?.bytes.includes(Buffer.from('Jos\xe9 M\xfcller', 'latin1'))).toBe(true);

    // Sent back by the terminal as it holds it: the same name, no rename.
    expect((await term.uploadUser('6101')).body).toBe('OK: 1');
    expect(await nameOf('6101')).toBe('José Müller');

    // Initialised again with the same language it keeps its code page; with another one it is asked nothing of it any more.
    await initialisedTerminal(t, { sn: 'ATT-LATIN-1', language: '69', latin1: true });
    expect((await fetch(`${t.baseUrl}/iclock/getrequest?SN=ATT-LATIN-1`)).headers.get('content-type')).toBe('text/plain;charset=windows-1252');
    await initialisedTerminal(t, { sn: 'ATT-LATIN-1', language: '82' });
    expect((await fetch(`${t.baseUrl}/iclock/getrequest?SN=ATT-LATIN-1`)).headers.get('content-type')).toBe('text/plain;charset=UTF-8');
  });

  it('a person added by REST with an accented name reaches it intact once it showed it writes Latin-1', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-LATIN-2', language: '69', latin1: true });
    expect((await term.enrollUser({ pin: '6102', name: 'Hélène' })).body).toMatch(/^OK: /);
    expect((await t.post('/api/person/add', { pin: '6103', name: 'Renée', lastName: 'Çelik' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6103'] })).body.code).toBe(0);
    await term.drain();
    expect(term.users.get('6103')?.name).toBe('Renée Çelik');
  });

  it('a terminal that writes UTF-8 keeps getting UTF-8', async () => {
    const seen: SeenAnswer[] = [];
    const term = await initialisedTerminal(t, { sn: 'ATT-UTF8-1', language: '69', fetch: recordingFetch(seen) });
    expect((await term.enrollUser({ pin: '6104', name: 'Zoë' })).body).toMatch(/^OK: /);
    expect(await nameOf('6104')).toBe('Zoë');
    // A stray byte that is no UTF-8 in an upload of no users (an error log) is read, and changes nothing of its encoding.
    const stray = await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-UTF8-1&table=ERRORLOG&Stamp=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/push;charset=UTF-8' },
      body: Buffer.from('ERRORLOG ErrCode=1\tErrMsg=caf\xe9\n', 'latin1'),
    });
    expect(stray.status).toBe(200);
    expect((await t.post('/api/person/add', { pin: '6104', name: 'Zoë', cardNo: '880064' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6104'] })).body.code).toBe(0);
    await term.drain();
    expect(term.users.get('6104')).toMatchObject({ name: 'Zoë', card: '880064' });
    expect(seen.filter((s) => s.contentType !== 'text/plain;charset=UTF-8')).toEqual([]);
  });

  it('a UTF-8 terminal that cut a long name mid-character at its name field is still a UTF-8 terminal', async () => {
    const seen: SeenAnswer[] = [];
    const term = await initialisedTerminal(t, { sn: 'ATT-UTF8-2', language: '69', fetch: recordingFetch(seen) });
    // 'Abcdefghijklmnopqrstuvwé' cut at 24 bytes: the first byte of é alone before the TAB.
    const name = Buffer.concat([Buffer.from('Abcdefghijklmnopqrstuvw'), Buffer.from('é', 'utf8').subarray(0, 1)]);
    const upload = await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-UTF8-2&table=OPERLOG&Stamp=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/push;charset=UTF-8' },
      body: Buffer.concat([Buffer.from('USER PIN=6105\tName='), name, Buffer.from('\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\n')]),
    });
    expect(upload.status).toBe(200);
    expect(await nameOf('6105')).toBe('Abcdefghijklmnopqrstuvw');
    expect((await t.post('/api/person/add', { pin: '6106', name: 'Zoë Çelik' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6106'] })).body.code).toBe(0);
    await term.drain();
    expect(term.users.get('6106')?.name).toBe('Zoë Çelik');
    expect(seen.filter((s) => s.contentType !== 'text/plain;charset=UTF-8')).toEqual([]);
  });
});

describe('a Latin-1 terminal whose firmware was upgraded to UTF-8', () => {
  const codePage = async (sn: string) =>
    (await t.ds.query(`SELECT t.code_page FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE d.sn = $1`, [sn]))[0]?.code_page ?? null;
  // Last: a bare poll is handed the terminal's commands, which the test's terminal then never gets.
  const contentType = async (sn: string) => (await fetch(`${t.baseUrl}/iclock/getrequest?SN=${sn}`)).headers.get('content-type');

  it('is answered in UTF-8 again once it uploads a user in UTF-8, and gets accented names intact', async () => {
    const old = await initialisedTerminal(t, { sn: 'ATT-LATIN-UP-1', language: '69', latin1: true });
    expect((await old.enrollUser({ pin: '6121', name: 'José' })).body).toMatch(/^OK: /);
    expect(await codePage('ATT-LATIN-UP-1')).toBe('windows-1252');
    // The same unit after the upgrade (same language, same firmware string as far as the gateway knows): UTF-8.
    const seen: SeenAnswer[] = [];
    const upgraded = await initialisedTerminal(t, { sn: 'ATT-LATIN-UP-1', language: '69', fetch: recordingFetch(seen) });
    expect((await upgraded.enrollUser({ pin: '6122', name: 'Zoë' })).body).toMatch(/^OK: /);
    expect(await nameOf('6122')).toBe('Zoë');
    expect(await codePage('ATT-LATIN-UP-1')).toBeNull();
    expect((await t.post('/api/person/add', { pin: '6123', name: 'Renée', lastName: 'Çelik' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6123'] })).body.code).toBe(0);
    await upgraded.drain();
    expect(upgraded.users.get('6123')?.name).toBe('Renée Çelik');
    const polls = seen.filter((a) => a.path === '/iclock/getrequest');
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.filter((a) => a.contentType !== 'text/plain;charset=UTF-8')).toEqual([]);
  });

  it('is answered in UTF-8 again once its INFO names another firmware, and gets accented names intact', async () => {
    const old = await initialisedTerminal(t, { sn: 'ATT-LATIN-UP-2', language: '69', latin1: true, firmware: 'Ver 6.60 May 19 2023' });
    expect((await old.enrollUser({ pin: '6124', name: 'Jürgen' })).body).toMatch(/^OK: /);
    await old.poll(true);
    expect(await codePage('ATT-LATIN-UP-2')).toBe('windows-1252');
    // The same firmware named again keeps the page.
    await old.poll(true);
    expect(await codePage('ATT-LATIN-UP-2')).toBe('windows-1252');
    // Upgraded: a reboot, then INFO with the new firmware.
    const upgraded = await initialisedTerminal(t, { sn: 'ATT-LATIN-UP-2', language: '69', firmware: 'Ver 8.0.4.3-20230515' });
    await upgraded.poll(true);
    expect(await codePage('ATT-LATIN-UP-2')).toBeNull();
    expect((await t.post('/api/person/add', { pin: '6124', name: 'Jürgen', lastName: 'Groß' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6124'] })).body.code).toBe(0);
    await upgraded.drain();
    expect(upgraded.users.get('6124')?.name).toBe('Jürgen Groß');
  });

  it('is answered in UTF-8 again once its options say Encoding=UTF-8', async () => {
    const old = await initialisedTerminal(t, { sn: 'ATT-LATIN-UP-3', language: '69', latin1: true });
    expect((await old.enrollUser({ pin: '6125', name: 'Søren' })).body).toMatch(/^OK: /);
    expect(await codePage('ATT-LATIN-UP-3')).toBe('windows-1252');
    const r = await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-LATIN-UP-3&table=options`, { method: 'POST', body: '~DeviceName=iFace950,Encoding=UTF-8' });
    expect(r.status).toBe(200);
    expect(await codePage('ATT-LATIN-UP-3')).toBeNull();
    expect(await contentType('ATT-LATIN-UP-3')).toBe('text/plain;charset=UTF-8');
  });
});
