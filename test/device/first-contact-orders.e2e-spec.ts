/**
 * Every field sample's registration (shared/spec/field-samples.json, kind `registration`) replayed raw, as the device
 * sent it, after a first contact in an unusual order: a bare poll before it, the device's parameters (`table=options`,
 * opt-senseface2a-zam70-3312's body) before it, or the registration twice with changed fields (a new IP address, the
 * model named only the second time). Each ends an access panel listed by the manual's device list endpoints with the
 * model its registration names (`type`), its door made, and the work queued for it (a person of a level on its door)
 * delivered to it at its polls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecJson } from '../fixtures/spec-files';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

interface Sample {
  id: string;
  kind: string;
  request: { path: string | null; query: string | null; body: string | null } | null;
}
const samples = readSpecJson<{ samples: Sample[] }>('field-samples.json').samples;
const registrations = samples.filter((s) => s.kind === 'registration');
const optionsBody = samples.find((s) => s.id === 'opt-senseface2a-zam70-3312')!.request!.body!;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
});
afterAll(async () => {
  await t?.close();
});

const post = (path: string, query: string, body: string) => fetch(`${t.baseUrl}${path}?${query}`, { method: 'POST', body, headers: { 'Content-Type': 'application/push;charset=UTF-8' } });
const modelOf = (body: string) => /(?:^|,)~?DeviceName=([^,]*)/.exec(body)?.[1];

type Order = 'poll first' | 'options first' | 'registry twice';
const ORDERS: Order[] = ['poll first', 'options first', 'registry twice'];

describe.each(ORDERS)('a field sample registration, %s', (order) => {
  it.each(registrations.map((s, i) => [s.id, s, i] as const))('%s: listed as an access panel, its queued work delivered', async (_id, s, i) => {
    const sn = `FCO${ORDERS.indexOf(order)}${String(i).padStart(2, '0')}${order === 'poll first' ? 'p' : 'X'}`.toUpperCase();
    const path = s.request!.path!;
    const body = s.request!.body!;
    if (order === 'poll first') expect(await (await fetch(`${t.baseUrl}/iclock/getrequest?SN=${sn}`)).text()).toBe('OK');
    if (order === 'options first') expect((await post('/iclock/cdata', `SN=${sn}&table=options`, optionsBody)).status).toBe(200);
    if (order === 'registry twice') {
      const first = body.replace(/,?~DeviceName=[^,]*/, '').replace(/IPAddress=[^,]*/, 'IPAddress=10.77.0.1');
      expect(await (await post(path, `SN=${sn}`, first)).text()).toMatch(/^RegistryCode=/);
    }
    expect(await (await post(path, `SN=${sn}`, body)).text()).toMatch(/^RegistryCode=/);

    const detail = (await t.get(`/api/gateway/devices/${sn}`)).body.data;
    expect(detail).toMatchObject({ sn, kind: 'acc', admission: 'admitted' });
    const model = modelOf(body) ?? (order === 'options first' ? 'SenseFace 2A' : null);
    const listed = ((await t.get('/api/device/accList', { pageNo: 1, pageSize: 200 })).body.data as Array<{ sn: string; type: string | null }>).find((d) => d.sn === sn);
    expect(listed?.type ?? null).toBe(model ?? 'acc');
    expect(((await t.get('/api/v2/device/list', { pageNo: 1, pageSize: 200 })).body.data.data as Array<{ sn: string }>).map((d) => d.sn)).toContain(sn);
    expect(((await t.get('/api/device/attList', { pageNo: 1, pageSize: 200 })).body.data as Array<{ sn: string }>).map((d) => d.sn)).not.toContain(sn);

    const door = (detail.doors as Array<{ name: string }>)[0].name;
    const level = `L-${sn}`;
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level, timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: door }] })).body.code).toBe(0);
    const levelId = (await t.get(`/api/v2/accLevel/getByName/${encodeURIComponent(level)}`)).body.data.id as string;
    const pin = `9${ORDERS.indexOf(order)}${String(i).padStart(2, '0')}`;
    expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: levelId })).body.code).toBe(0);
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1 });
    await sim.pollUntil((d) => d.user(pin) !== undefined && d.rightsOf(pin).length > 0, { maxPolls: 40, intervalMs: 50 });
    expect(sim.user(pin)).toMatchObject({ Pin: pin });
    expect(sim.rightsOf(pin).map((r) => r.doors)).toEqual([[1]]);
  });
});
