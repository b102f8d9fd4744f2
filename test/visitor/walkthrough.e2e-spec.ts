import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { curlRunner, readmeCurls, readmeSection, readmeShellLines, runCurl } from '../support/readme-commands';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * The README's visitor walk-through, step by step: a fresh install (auto admission) to a checked-in visitor
 * whose card opens the door of a simulated panel, then checked out, with CVSecurity's own endpoints only
 * (the manual's, and addLevel/addLevelDoor from CVSecurity's Swagger); no /api/gateway/ extension.
 */
let t: TestApp;
let panel: DeviceSimulator;

beforeAll(async () => {
  t = await startTestApp({ deviceAdmission: 'auto' });
});
afterAll(async () => {
  await t?.close();
});

const VISITOR = '### A visitor system, from a fresh install';
const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const ok = { code: 0, message: 'success', data: null };

/**
 * Every step as the README writes it: its `curl` lines (only `$G` pointed at this file's gateway, and the level id
 * the README says to copy filled in) and its `npm run simulate` line's panel, so that a step a newcomer copies that
 * answers otherwise (a parameter missing, a wrong door name) fails here.
 */
describe('README walk-through: a visitor system on a fresh install', () => {
  let curls: ReturnType<typeof curlRunner>;
  let levelId: string;
  let visitorPin: string;

  beforeAll(() => {
    const vars = { G: t.baseUrl, T: `access_token=${TEST_TOKEN}` };
    // The section's own token and address, as its first line sets them: the walk-through's token on npm start's port.
    expect(readmeSection(VISITOR)).toMatch(/^T='access_token=change-me-please'; G=http:\/\/localhost:8088$/m);
    curls = curlRunner(readmeCurls(VISITOR, vars));
    const sim = readmeShellLines(VISITOR, vars).filter((l) => l.words.slice(0, 4).join(' ') === 'npm run simulate --');
    expect(sim.map((l) => l.line)).toHaveLength(1);
    const arg = (name: string) => sim[0].words[sim[0].words.indexOf(name) + 1];
    expect(arg('--url')).toBe(t.baseUrl);
    // The README's simulator, as `npm run simulate` starts it (it reports the address 192.168.1.201).
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: arg('--sn'), doors: Number(arg('--doors')) });
  });

  it('1. a panel connects and its doors are listed', async () => {
    expect((await panel.connect()).registered).toBe(true);
    await panel.pollUntilIdle();
    const doors = await curls.json('/api/door/list?');
    expect(doors.data.map((d: { name: string }) => d.name)).toEqual(['192.168.1.201-1']);
    expect(curls.find('/api/accLevel/addLevelDoor?').body).toContain('"doorName":"192.168.1.201-1"');
  });

  it('2. an access level on the lobby door (CVSecurity Swagger: addLevel, addLevelDoor)', async () => {
    expect(await curls.json('/api/accLevel/addLevel?')).toEqual(ok);
    expect(await curls.json('/api/accLevel/addLevelDoor?')).toEqual(ok);
    levelId = (await t.get('/api/accLevel/getByName/Lobby')).body.data.id;
  });

  it('3. it is a visitor level out of the box (2.16.1)', async () => {
    expect(await curls.json('/api/visLevel/list?')).toEqual({ code: 0, message: 'success', data: [{ id: levelId, name: 'Lobby' }] });
  });

  it('4. the host is a person (2.13.1)', async () => {
    expect(await curls.json('/api/person/add?')).toEqual(ok);
  });

  it('5. the visitor checks in with a card (2.17.1), and the panel receives them', async () => {
    const now = Date.now();
    // The README's line as printed, with the level id filled in and a visit window around now (the README's is
    // in 2030, so that the card would not open the door today).
    const body = curls.find('/api/visRegistration/add?').body!;
    expect(body).toContain('"startTime":"2030-01-01 09:00:00"');
    expect(body).toContain('"endTime":"2030-01-01 18:00:00"');
    const res = await curls.json('/api/visRegistration/add?', {
      '<the level id>': levelId, '2030-01-01 09:00:00': fmt(now - 60_000), '2030-01-01 18:00:00': fmt(now + 3_600_000),
    });
    expect(res).toEqual(ok);
    await panel.pollUntilIdle();
    const user = panel.table('user').find((u) => u.CardNo === '7770001');
    expect(user, 'the visitor is a user of the panel').toBeDefined();
    visitorPin = user!.Pin;
    expect(panel.rightsOf(visitorPin).length).toBeGreaterThan(0);
    expect(panel.evaluateAccess({ cardno: '7770001', door: 1 }).granted).toBe(true);
    expect((await panel.access({ cardno: '7770001', door: 1 })).upload.status).toBe(200);
  });

  it('6. the visitor checks out (2.17.2) and leaves the panel', async () => {
    expect(await curls.json('/api/visRegistration/exit?')).toEqual(ok);
    await panel.pollUntilIdle();
    expect(panel.user(visitorPin)).toBeUndefined();
    expect(panel.evaluateAccess({ cardno: '7770001', door: 1 }).granted).toBe(false);
    expect(curls.notRun(), 'every curl line of the visitor walk-through ran').toEqual([]);
  });
});

describe("README: a real device, its approval and its requests tried with curl (DEVICE_ADMISSION=manual)", () => {
  let m: TestApp;
  let curls: ReturnType<typeof readmeCurls>;
  const find = (part: string) => {
    const c = curls.filter((x) => x.line.includes(part));
    if (c.length !== 1) throw new Error(`the README's "A real device" has ${c.length} curl lines with ${part}`);
    return c[0];
  };
  const json = async (part: string, sn?: string) => {
    const c = find(part);
    const r = await runCurl(sn ? { ...c, url: c.url.replace('<SN>', sn) } : c);
    expect(r.status, c.line).toBe(200);
    return JSON.parse(r.text);
  };
  const text = async (part: string) => (await runCurl(find(part))).text;

  beforeAll(async () => {
    m = await startTestApp({ deviceAdmission: 'manual' });
    curls = readmeCurls('### A real device', { G: m.baseUrl, T: `access_token=${TEST_TOKEN}` });
    // Ada, as the walk-through's step 3 adds her (pin 2001, card 123456), whose card the rtlog line carries.
    expect((await m.post('/api/person/add', { pin: '2001', name: 'Ada', cardNo: '123456' })).body).toEqual(ok);
  });
  afterAll(async () => {
    await m?.close();
  });

  it('a new device is told to register later (OK) and its registry refused (406) while pending, and listed as pending', async () => {
    expect(await text('/iclock/cdata?SN=CURL000001&options=all')).toBe('OK');
    expect(await text('/iclock/registry?SN=CURL000001')).toBe('406');
    const pending = await json('admission=pending');
    expect(pending).toMatchObject({ code: 0, data: [{ sn: 'CURL000001', admission: 'pending' }] });
  });

  // The RegistryCode is 16 random base64url characters (device-registry.service.ts): letters, digits, "_" and "-".
  it('approved by its SN, it registers and gets the registry block, its commands, and its event is stored', async () => {
    expect(await json('/approve?', 'CURL000001')).toMatchObject({ code: 0, data: { sn: 'CURL000001', admission: 'admitted' } });
    expect(await text('/iclock/registry?SN=CURL000001')).toMatch(/^RegistryCode=[\w-]+/);
    const handshake = await text('/iclock/cdata?SN=CURL000001&options=all');
    expect(handshake, handshake).toMatch(/^RegistryCode=[\w-]+$/m);
    expect(handshake).toMatch(/^ServerVersion=/m);
    const queued = await text('/iclock/getrequest?SN=CURL000001');
    expect(queued, queued).toMatch(/^(OK$|C:\d+:[A-Z]+ )/);
    expect(await text('table=rtlog')).toBe('OK');
    const events = await json('/api/transaction/list?');
    expect(events, JSON.stringify(events)).toMatchObject({
      code: 0,
      data: [{ pin: '2001', name: 'Ada', cardNo: '123456', devSn: 'CURL000001', eventPointName: 'CURL000001-1', eventTime: '2026-11-27 12:40:00' }],
    });
  });

  it('a device added by its SN before it connects is admitted at once, and a second add is refused -409', async () => {
    expect(await json('/api/gateway/devices?$T"')).toMatchObject({ code: 0, data: { sn: '0564140100195', alias: 'Lobby panel', admission: 'admitted' } });
    expect(await json('/api/gateway/devices?$T"')).toMatchObject({ code: -409 });
  });
});
