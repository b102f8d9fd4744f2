import { expect } from 'vitest';
import { manualEndpoints, type ManualEndpoint } from '../door/cv-examples';
import { DeviceSimulator } from '../simulator/device-simulator';
import type { HttpResult, TestApp } from '../support/test-app';

/** The manual's modules (cvsecurity-api.json `module`) the gateway serves: all of them. */
export const SERVED_MODULES = new Set(['accLevel', 'card', 'department', 'area', 'device', 'door', 'person', 'reader', 'visitor', 'transaction', 'bioTemplate', 'hep', 'media', 'park', 'parkTransaction',
  // Elevator and entrance control, attendance and FaceKiosk.
  'eleLevel', 'eleDevice', 'floor', 'eleTransaction', 'psgDevice', 'psgGate', 'psgLevel', 'psgReader', 'psgTransaction',
  'attAreaPerson', 'attTransaction', 'attDevice', 'attApply', 'attPerson', 'faceKiosk']);

export const servedEndpoints = (): ManualEndpoint[] => manualEndpoints().filter((e) => SERVED_MODULES.has(e.module));
export const unsupportedEndpoints = (): ManualEndpoint[] => manualEndpoints().filter((e) => !SERVED_MODULES.has(e.module));

/** Values for the path parameters the manual leaves as `{name}` without an example. */
const PATH_DEFAULTS: Record<string, string> = { any: '*', templateNo: '3', sn: '5662012052868', deviceSn: '5662012052868', pin: '1234', id: '402856aa6c3bbde1016c3bc2329200ff', code: '1', name: 'public level group' };

/** A path with its `{param}`s filled: the endpoint's own examples first, then the defaults above. */
export function fillPath(e: ManualEndpoint, path: string, values: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const example = e.pathParams.find((p) => p.name === name)?.example;
    return encodeURIComponent(values[name] ?? (example === undefined || example === null ? PATH_DEFAULTS[name] : String(example)));
  });
}

/**
 * Every path an endpoint is served under: the printed path (unless it is really another endpoint's),
 * likelyPath and the routeAliases, as the catalogue's fieldLegend says.
 */
export function pathVariants(e: ManualEndpoint): string[] {
  const all = [...(e.printedPathCollidesWith ? [] : [e.path]), e.likelyPath, ...e.routeAliases];
  return [...new Set(all)];
}

/** The example's query parameters (the token excluded, parameters without an example left out). */
export function exampleQuery(e: ManualEndpoint): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  for (const p of e.query) if (p.name !== 'access_token' && p.example !== undefined && p.example !== null) q[p.name] = p.example;
  return q;
}

/**
 * The printed URL itself, as a client copying the manual sends it: `serverIP:serverPort` and the `{...}`
 * placeholders replaced (by the endpoint's examples, then the defaults), everything else kept, including
 * `acc_token`, a stray `?&` and a literal `*`.
 */
export function printedRequestPath(e: ManualEndpoint, token: string): string {
  const values: Record<string, string> = { apitoken: token, personnelID: PATH_DEFAULTS.pin };
  for (const p of [...e.pathParams, ...e.query]) if (p.example !== undefined && p.example !== null) values[p.name] = String(p.example);
  return e.printedUrl
    .replace(/^https?:\/\/serverIP:serverPort\s*/, '')
    .replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? PATH_DEFAULTS[name] ?? ''));
}

/** One request the manual's way: method, query and (when the endpoint has one) the example's JSON body. */
export function callManual(t: TestApp, e: ManualEndpoint, path: string, opts: { query?: Record<string, unknown>; body?: unknown; token?: boolean } = {}): Promise<HttpResult> {
  const query = { ...(opts.token === false ? {} : { access_token: t.config.apiToken }), ...exampleQuery(e), ...opts.query };
  const body = opts.body !== undefined ? opts.body : e.body?.example;
  return t.request(e.method, path, {
    query,
    ...(body === undefined || body === null || e.method === 'GET' ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

/** The standard envelope: exactly code, message, data; code an integer, message a string. */
export function expectEnvelope(res: HttpResult, label: string): void {
  expect(res.status, `${label}: HTTP status`).toBeLessThan(500);
  expect(res.body !== null && typeof res.body === 'object', `${label}: a JSON object (${res.text.slice(0, 120)})`).toBe(true);
  expect(Object.keys(res.body).sort(), `${label}: envelope keys`).toEqual(['code', 'data', 'message']);
  expect(Number.isInteger(res.body.code), `${label}: integer code`).toBe(true);
  expect(typeof res.body.message, `${label}: message`).toBe('string');
  if (res.body.code !== 0) expect(res.body.data, `${label}: data of a failure`).toBeNull();
  if (res.body.code === 0) {
    expect(res.status, `${label}: success travels with 200`).toBe(200);
    // The manual: "success" on success, word for word (clients compare it).
    expect(res.body.message, `${label}: message of a success`).toBe('success');
  }
}

/** ZKBio's `{ret, msg, data, i18nArgs, success}` envelope of 2.18.10-2.18.12 (2.18.10 adds page, pageSize, total). */
export function expectRetMsg(res: HttpResult, label: string): void {
  expect(res.status, `${label}: HTTP status`).toBeLessThan(500);
  expect(res.body !== null && typeof res.body === 'object', `${label}: a JSON object (${res.text.slice(0, 120)})`).toBe(true);
  expect(['ok', 'fail'], `${label}: ret`).toContain(res.body.ret);
  expect(typeof res.body.msg, `${label}: msg`).toBe('string');
  expect(res.body).toHaveProperty('data');
  expect(res.body).toHaveProperty('i18nArgs');
  const allowed = ['ret', 'msg', 'data', 'i18nArgs', 'success', 'page', 'pageSize', 'total'];
  expect(Object.keys(res.body).filter((k) => !allowed.includes(k)), `${label}: unknown keys`).toEqual([]);
  if (res.body.ret === 'fail') expect(res.body.data, `${label}: data of a failure`).toBeNull();
}

/** The route is there: Nest's unknown-route answer is `-404 No such endpoint`. */
export function expectRouted(res: HttpResult, label: string): void {
  const unrouted = res.status === 404 && typeof res.body?.message === 'string' && res.body.message.startsWith('No such endpoint');
  expect(unrouted, `${label}: no route (${res.text.slice(0, 120)})`).toBe(false);
}

export const HEX32 = /^[0-9a-f]{32}$/;
export const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** A 1x1 JPEG's first bytes, enough for the gateway's photo check. */
export const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).toString('base64');

/** What the fixture created, by the names the manual's endpoints take. */
export interface Fixture {
  sim: DeviceSimulator;
  sn: string;
  deviceId: string;
  doors: Array<{ id: string; name: string; deviceId: string }>;
  readerId: string;
  levelId: string;
  levelName: string;
  deptCode: string;
  pin: string;
  visitorPin: string;
  transactionId: string;
  areaCode: string;
}

/**
 * The devices' heartbeat (GET /iclock/ping), before a call that needs them online: a remote action to a device
 * silent past its online window (33 s) is refused, as it should be. A real device is heard every RequestDelay; a
 * fixture's only when a test makes it talk, and a file under load (CI's 2 cores) reaches its last tests well past
 * the window. The ping takes no command, so what the tests read of the queue is untouched.
 */
export async function heardFrom(...sims: DeviceSimulator[]): Promise<void> {
  for (const sim of sims) expect((await sim.ping()).status).toBe(200);
}

async function okCall(label: string, p: Promise<HttpResult>): Promise<HttpResult> {
  const r = await p;
  expect(r.body, label).toMatchObject({ code: 0 });
  return r;
}

/**
 * A realistic installation built through the API (and the simulator for what devices report): a panel with
 * two doors, a department, a level on door 1, a fully described person with card, photo and fingerprint, a
 * visitor checked in, and access events uploaded by the panel.
 */
export async function buildFixture(t: TestApp): Promise<Fixture> {
  const sn = 'CONF00000001';
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: '10.9.0.1' });
  await sim.connect();
  await sim.pollUntilIdle();
  const deviceId = (await okCall('device', t.get('/api/device/getAcc', { sn }))).body.data.id;
  const doors = (await okCall('doors', t.get('/api/door/list', { pageNo: 1, pageSize: 10 }))).body.data;
  const readerId = (await okCall('readers', t.get('/api/reader/accList', { pageNo: 1, pageSize: 10 }))).body.data[0].id;
  await okCall('department', t.post('/api/department/add', { code: '10', name: 'Engineering', parentCode: '1' }));
  await okCall('addLevel', t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Conformance', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] }));
  await okCall('addLevelDoor', t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Conformance', doorName: doors[0].name }] }));
  const levelId = (await okCall('level', t.get('/api/accLevel/getByName/Conformance'))).body.data.id;
  const pin = '100';
  await okCall(
    'person/add',
    t.post('/api/person/add', {
      pin, deptCode: '10', name: 'Ann', lastName: 'Lee', gender: 'F', cardNo: '9606650', supplyCards: '777001', personPhoto: PHOTO,
      accLevelIds: levelId, accStartTime: '2024-01-01 00:00:00', accEndTime: '2030-12-31 23:59:59', personPwd: '4321', birthday: '1990-05-06',
      hireDate: '2019-06-10', certType: '2', certNumber: '123456', email: 'ann@example.com', mobilePhone: '15123456789', isDisabled: false,
      isSendMail: true, ssn: '111111', carPlate: 'AB123',
    }),
  );
  await okCall('bioTemplate/add', t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: Buffer.from('finger three template').toString('base64'), templateNo: '3' }));
  await okCall('visLevel', t.post('/api/gateway/visLevel/add', undefined, { levelIds: levelId }));
  await okCall(
    'visReservation/add',
    t.post('/api/visReservation/add', { persPersonPin: pin, certType: '3', certNum: '4512', visitEmpName: 'Mary', visitEmpPhone: '13015648651', company: 'ZKTeco', visitReason: 'visit', visitDate: '2030-08-31 14:40:00', visitEndDate: '2030-08-31 23:59:59' }),
  );
  const now = Date.now();
  const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  await okCall(
    'visRegistration/add',
    t.post('/api/visRegistration/add', { persPersonPin: pin, certType: '8', certNum: '456888', visEmpName: 'Max', visitEmpPhone: '', company: 'ZK', visitReason: 'visit', visitorCount: '1', startTime: fmt(now - 3600_000), endTime: fmt(now + 3600_000), cardNo: '', visLevels: levelId }),
  );
  const visitorPin = (await okCall('visit', t.get('/api/gateway/visRegistration/get', { certType: '8', certNum: '456888' }))).body.data.pin;
  await sim.pollUntilIdle({ maxPolls: 200 });
  const up = await sim.uploadRtlog([
    { time: '2024-03-01 08:00:00', pin: 100, cardno: 9606650, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 1 },
    { time: '2024-03-01 18:00:00', pin: 100, eventaddr: 1, event: 0, inoutstatus: 1, verifytype: 1, index: 2 },
    { time: '2024-03-01 12:00:00', pin: 0, eventaddr: 2, event: 8, inoutstatus: 0, verifytype: 200, index: 3 },
  ]);
  expect(up.status).toBe(200);
  const transactionId = (await okCall('transactions', t.get('/api/transaction/person/100', { pageNo: 1, pageSize: 10 }))).body.data[0].id;
  return { sim, sn, deviceId, doors, readerId, levelId, levelName: 'Conformance', deptCode: '10', pin, visitorPin, transactionId, areaCode: '1' };
}
