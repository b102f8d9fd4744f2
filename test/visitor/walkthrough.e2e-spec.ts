import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { readmeCurls, runCurl } from '../support/readme-commands';
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

/**
 * The JSON bodies of the README's visitor walk-through, by path, read from the README itself so that the
 * steps a newcomer copies are the steps this test runs (a required field missing there fails here).
 */
function readmeBodies(): Map<string, Record<string, unknown>> {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('### A visitor system, from a fresh install');
  const block = readme.slice(readme.indexOf('```sh', start), readme.indexOf('```\n', readme.indexOf('```sh', start) + 5));
  const bodies = new Map<string, Record<string, unknown>>();
  for (const m of block.matchAll(/"\$G(\/api\/[^"?]+)\?\$T"\s*(?:\\\s*)?-d '([^']*)'/g)) bodies.set(m[1], JSON.parse(m[2]));
  return bodies;
}
const readme = readmeBodies();
const body = (p: string) => {
  const b = readme.get(p);
  if (!b) throw new Error(`the README's visitor walk-through has no body for ${p}`);
  return b;
};

const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const ok = { code: 0, message: 'success', data: null };

describe('README walk-through: a visitor system on a fresh install', () => {
  let levelId: string;
  let visitorPin: string;

  it('1. a panel connects and its doors are listed', async () => {
    // The README's simulator, as `npm run simulate` starts it (it reports the address 192.168.1.201).
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LOBBY000001', doors: 1 });
    expect((await panel.connect()).registered).toBe(true);
    await panel.pollUntilIdle();
    const doors = await t.get('/api/door/list', { pageNo: 1, pageSize: 10 });
    expect(doors.body.data.map((d: { name: string }) => d.name)).toEqual(['192.168.1.201-1']);
    expect(body('/api/accLevel/addLevelDoor')).toMatchObject({ accApiLevelAddDoorItems: [{ doorName: '192.168.1.201-1' }] });
  });

  it('2. an access level on the lobby door (CVSecurity Swagger: addLevel, addLevelDoor)', async () => {
    expect((await t.post('/api/accLevel/addLevel', body('/api/accLevel/addLevel'))).body).toEqual(ok);
    expect((await t.post('/api/accLevel/addLevelDoor', body('/api/accLevel/addLevelDoor'))).body).toEqual(ok);
    levelId = (await t.get('/api/accLevel/getByName/Lobby')).body.data.id;
  });

  it('3. it is a visitor level out of the box (2.16.1)', async () => {
    expect((await t.get('/api/visLevel/list', { pageNo: 1, pageSize: 10 })).body).toEqual({ code: 0, message: 'success', data: [{ id: levelId, name: 'Lobby' }] });
  });

  it('4. the host is a person (2.13.1)', async () => {
    expect((await t.post('/api/person/add', body('/api/person/add'))).body).toEqual(ok);
  });

  it('5. the visitor checks in with a card (2.17.1), and the panel receives them', async () => {
    const now = Date.now();
    // The README's body as printed, with the level id filled in and a visit window around now (the README's
    // is in 2030, so that the card would not open the door today).
    const res = await t.post('/api/visRegistration/add', {
      ...body('/api/visRegistration/add'), startTime: fmt(now - 60_000), endTime: fmt(now + 3_600_000), visLevels: levelId,
    });
    expect(res.body).toEqual(ok);
    await panel.pollUntilIdle();
    const user = panel.table('user').find((u) => u.CardNo === '7770001');
    expect(user, 'the visitor is a user of the panel').toBeDefined();
    visitorPin = user!.Pin;
    expect(panel.rightsOf(visitorPin).length).toBeGreaterThan(0);
    expect(panel.evaluateAccess({ cardno: '7770001', door: 1 }).granted).toBe(true);
    expect((await panel.access({ cardno: '7770001', door: 1 })).upload.status).toBe(200);
  });

  it('6. the visitor checks out (2.17.2) and leaves the panel', async () => {
    expect((await t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: 'P1234567' })).body).toEqual(ok);
    await panel.pollUntilIdle();
    expect(panel.user(visitorPin)).toBeUndefined();
    expect(panel.evaluateAccess({ cardno: '7770001', door: 1 }).granted).toBe(false);
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
