import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, TEST_TOKEN, type HttpResult, type TestApp } from '../support/test-app';

/**
 * A list of objects in a form body (client-forms.ts, indexedObjects): `accApiLevelAddItems[0][name]=…`, as PHP's
 * http_build_query, Guzzle's form_params and jQuery's `$.post(url, {accApiLevelAddItems: [...]})` write it, and
 * `accApiLevelAddItems[0].name=…`, as Spring's and ASP.NET's form binders name it. Before, such keys were dropped:
 * accLevel/addLevel answered -43 and addLevelDoor -46 ("should not be empty") though every item was there, and
 * v2/person/addPersons -20. Each form is checked by its effect (the level read back, the panel's commands).
 */
let t: TestApp;
let sim: DeviceSimulator;
let doors: Array<{ id: string; name: string }>;

beforeAll(async () => {
  t = await startTestApp();
  sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'FORMOBJ00001', doors: 2 });
  await sim.connect();
  await sim.pollUntilIdle();
  doors = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data;
  expect(doors).toHaveLength(2);
});
afterAll(async () => {
  await t?.close();
});

const form = (path: string, body: string): Promise<HttpResult> =>
  t.request('POST', path, { query: { access_token: TEST_TOKEN }, body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } });
const enc = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();
/** The commands queued for the panel, oldest first. */
const queued = async (): Promise<string[]> => (await t.get('/api/gateway/devices/FORMOBJ00001/commands', { pageNo: 1, pageSize: 200 })).body.data.data.map((c: { command: string }) => c.command).reverse();

describe('a list of objects as indexed form keys', () => {
  it('accLevel/addLevel stores every item of `[i][field]` and `[i].field` keys', async () => {
    const php = await form('/api/accLevel/addLevel', enc([
      ['accApiLevelAddItems[1][name]', 'Form Level B'],
      ['accApiLevelAddItems[0][name]', 'Form Level A'],
      ['accApiLevelAddItems[0][areaName]', 'Area Name'],
      ['accApiLevelAddItems[0][timeSegName]', '24-Hour Accessible'],
    ]));
    expect(php.body).toEqual({ code: 0, message: 'success', data: null });
    for (const name of ['Form Level A', 'Form Level B']) expect((await t.get(`/api/accLevel/getByName/${encodeURIComponent(name)}`)).body.data, name).toMatchObject({ name });
    const spring = await form('/api/accLevel/addLevel', enc([['accApiLevelAddItems[0].name', 'Form Level C'], ['accApiLevelAddItems[0].timeSegName', '24-Hour Accessible']]));
    expect(spring.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/accLevel/getByName/Form Level C')).body.data).toMatchObject({ name: 'Form Level C' });
    // An item that fails is refused as in JSON, naming what is wrong; nothing of the call is stored.
    const bad = await form('/api/accLevel/addLevel', enc([['accApiLevelAddItems[0][name]', 'Form Level D'], ['accApiLevelAddItems[0][areaName]', 'no such area']]));
    expect(bad.body).toMatchObject({ code: -80, data: null });
    expect((await t.get('/api/accLevel/getByName/Form Level D')).body.code).toBe(-24);
  });

  it('accLevel/addLevelDoor puts the door of each item in its level: a member is authorised on that door', async () => {
    const r = await form('/api/accLevel/addLevelDoor', enc([['accApiLevelAddDoorItems[0][levelName]', 'Form Level A'], ['accApiLevelAddDoorItems[0][doorName]', doors[1].name]]));
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    const levelId = (await t.get('/api/accLevel/getByName/Form Level A')).body.data.id;
    expect((await t.post('/api/person/add', { pin: '8801', name: 'Form', accLevelIds: levelId })).body.code).toBe(0);
    expect((await queued()).filter((c) => c.startsWith('DATA UPDATE userauthorize Pin=8801'))).toEqual([expect.stringContaining('AuthorizeDoorId=2')]);
    // A door that does not exist is -47 naming it, as in JSON (before: -46, the item unread).
    expect((await form('/api/accLevel/addLevelDoor', enc([['accApiLevelAddDoorItems[0][levelName]', 'Form Level A'], ['accApiLevelAddDoorItems[0][doorName]', 'no such door']]))).body).toMatchObject({ code: -47 });
  });

  it('v2/person/addPersons stores every person of `persons[i][field]` keys', async () => {
    const r = await form('/api/v2/person/addPersons', enc([
      ['persons[0][pin]', '8802'],
      ['persons[0][name]', 'Zoë'],
      ['persons[1][pin]', '8803'],
      ['persons[1][name]', 'Li 李'],
      ['persons[1][deptCode]', '1'],
    ]));
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/person/get/8802')).body.data).toMatchObject({ pin: '8802', name: 'Zoë' });
    expect((await t.get('/api/person/get/8803')).body.data).toMatchObject({ pin: '8803', name: 'Li 李', deptCode: '1' });
  });

  it('indexed keys of a list of scalars keep their meaning; a JSON body that carries the list is unchanged', async () => {
    const json = await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Json Level' }], 'accApiLevelAddItems[0][name]': 'Ignored' });
    expect(json.body.code).toBe(0);
    expect((await t.get('/api/accLevel/getByName/Ignored')).body.code).toBe(-24);
    expect((await form('/api/person/getPersonList', enc([['pins[0]', '8802'], ['pins[1]', '8803'], ['pageNo', '1'], ['pageSize', '10']]))).body.data.map((p: { pin: string }) => p.pin).sort()).toEqual(['8802', '8803']);
  });
});
