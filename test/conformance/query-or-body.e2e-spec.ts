import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildFixture, heardFrom, type Fixture } from './conformance-support';

/**
 * A parameter sent both in the query string and in the body: the place CVSecurity reads it wins. An endpoint whose
 * manual prints its inputs in the URL ("Request Content None": Spring's @RequestParam) reads the query first, a
 * form body's values joined after the query's; one whose manual shows a JSON body (@RequestBody) reads the body.
 * Either still takes its inputs from the other place when only that place carries them (field notes, REST item 4).
 */
let t: TestApp;
let f: Fixture;
let secondLevelId: string;

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Query second', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body).toMatchObject({ code: 0 });
  secondLevelId = (await t.get('/api/accLevel/getByName/Query second')).body.data.id;
});
afterAll(async () => {
  await t?.close();
});

const token = () => ({ access_token: t.config.apiToken });
const json = (path: string, query: Record<string, unknown>, body: unknown) =>
  t.request('POST', path, { query: { ...token(), ...query }, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const form = (path: string, query: Record<string, unknown>, fields: Array<[string, string]>) =>
  t.request('POST', path, { query: { ...token(), ...query }, body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function addPerson(pin: string, name = 'Query or body'): Promise<void> {
  expect((await t.post('/api/person/add', { pin, name })).body).toMatchObject({ code: 0 });
}
async function levelsOf(pin: string): Promise<string[]> {
  const r = await t.get('/api/v2/person/get', { pin });
  expect(r.body.code, JSON.stringify(r.body)).toBe(0);
  return (r.body.data.accLevelIds as string).split(',').filter(Boolean).sort();
}

interface Row {
  name: string;
  run: () => Promise<void>;
}

const ROWS: Row[] = [
  {
    name: 'accLevel/syncPerson (query endpoint): ?pin=A with the JSON body {"pin":"B"} grants A, not B',
    run: async () => {
      await addPerson('QB1');
      await addPerson('QB2');
      const r = await json('/api/accLevel/syncPerson', { pin: 'QB1', levelIds: f.levelId }, { pin: 'QB2', levelIds: f.levelId });
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(await levelsOf('QB1')).toEqual([f.levelId]);
      expect(await levelsOf('QB2')).toEqual([]);
    },
  },
  {
    name: 'accLevel/addLevelPerson (query endpoint): ?levelIds=L1 with the form body levelIds=L2 grants both, as Spring joins them',
    run: async () => {
      await addPerson('QB3');
      const r = await form('/api/accLevel/addLevelPerson', { pin: 'QB3', levelIds: f.levelId }, [['levelIds', secondLevelId]]);
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(await levelsOf('QB3')).toEqual([f.levelId, secondLevelId].sort());
    },
  },
  {
    name: 'accLevel/addLevelPerson (query endpoint): ?levelIds=L1 with the multipart form field levelIds=L2 grants both',
    run: async () => {
      await addPerson('QB8');
      const boundary = 'qb8boundary';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="levelIds"\r\n\r\n${secondLevelId}\r\n--${boundary}--\r\n`;
      const r = await t.request('POST', '/api/accLevel/addLevelPerson', { query: { ...token(), pin: 'QB8', levelIds: f.levelId }, body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(await levelsOf('QB8')).toEqual([f.levelId, secondLevelId].sort());
    },
  },
  {
    name: 'accLevel/deleteLevel (query endpoint): ?pin=A with the form body pin=B removes the level from both (pin is a list there)',
    run: async () => {
      await addPerson('QB4');
      await addPerson('QB5');
      expect((await json('/api/accLevel/addLevelPerson', { pin: 'QB4,QB5', levelIds: f.levelId }, null)).body.code).toBe(0);
      expect((await form('/api/accLevel/deleteLevel', { pin: 'QB4', levelIds: f.levelId }, [['pin', 'QB5']])).body.code).toBe(0);
      expect(await levelsOf('QB4')).toEqual([]);
      expect(await levelsOf('QB5')).toEqual([]);
    },
  },
  {
    name: 'door/remoteOpenById (query endpoint): ?doorId=<door> with the form body doorId=<another> is refused (one door, two values); the same id twice opens',
    run: async () => {
      await heardFrom(f.sim);
      const r = await form('/api/door/remoteOpenById', { doorId: f.doors[0].id, interval: '5' }, [['doorId', f.doors[1].id]]);
      expect(r.body).toEqual({ code: -400, message: `doorId takes one value, but was sent 2 times with different values ("${f.doors[0].id}", "${f.doors[1].id}")`, data: null });
      const same = await form('/api/door/remoteOpenById', { doorId: f.doors[0].id, interval: '5' }, [['doorId', f.doors[0].id]]);
      expect(same.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
    },
  },
  {
    name: 'door/remoteOpenById (query endpoint): ?doorId=<door> with the JSON body {"doorId":"<unknown>"} opens the door',
    run: async () => {
      await heardFrom(f.sim);
      const r = await json('/api/door/remoteOpenById', { doorId: f.doors[0].id, interval: 5 }, { doorId: 'ffffffffffffffffffffffffffffffff', interval: 5 });
      expect(r.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
    },
  },
  {
    name: 'accLevel/syncPerson (query endpoint): the JSON body still gives what the query lacks',
    run: async () => {
      await addPerson('QB6');
      expect((await json('/api/accLevel/syncPerson', { pin: 'QB6' }, { levelIds: secondLevelId })).body.code).toBe(0);
      expect(await levelsOf('QB6')).toEqual([secondLevelId]);
    },
  },
  {
    name: 'person/add (JSON body endpoint): ?name=Query with the body {"name":"Body"} stores Body',
    run: async () => {
      expect((await json('/api/person/add', { pin: 'QB7', name: 'Query' }, { pin: 'QB7', name: 'Body' })).body.code).toBe(0);
      expect((await t.get('/api/v2/person/get', { pin: 'QB7' })).body.data).toMatchObject({ pin: 'QB7', name: 'Body' });
    },
  },
  {
    name: 'v2/person/getPersonList (JSON body endpoint): the body\'s pins and paging win over the query\'s',
    run: async () => {
      const r = await json('/api/v2/person/getPersonList', { pins: 'nobody', pageNo: 9, pageSize: 9 }, { pins: f.pin, pageNo: 1, pageSize: 5 });
      expect(r.body.data).toMatchObject({ page: 0, size: 5, total: 1 });
    },
  },
];

describe('a parameter in the query and in the body: the place CVSecurity reads wins', () => {
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_, row) => {
    await row.run();
  });
});
