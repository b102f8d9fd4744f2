import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, heardFrom, type Fixture } from './conformance-support';
import { ALWAYS_OPEN_FIELDS } from '../sync/access-helpers';
import { buildElevatorPassageFixture, type ElevatorPassageFixture } from './elevator-passage-fixture';

/**
 * A parameter sent both in the query string and in the body: the place CVSecurity reads it wins. An endpoint whose
 * manual prints its inputs in the URL ("Request Content None": Spring's @RequestParam) reads the query first, a
 * form body's values joined after the query's; one whose manual shows a JSON body (@RequestBody) reads the body.
 * Either still takes its inputs from the other place when only that place carries them (field notes, REST item 4).
 * Where the endpoint reaches a device, the proof is what the device received: the value CVSecurity reads is the one
 * the door, floor or gate gets, so each such row asserts the command lines the simulated controller polled.
 */
let t: TestApp;
let f: Fixture;
let ep: ElevatorPassageFixture;
/** A level on the panel's door 2 (the fixture's level holds door 1), in the same time zone: a right's door mask tells them apart. */
let secondLevelId: string;

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Query second', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body).toMatchObject({ code: 0 });
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Query second', doorName: f.doors[1].name }] })).body).toMatchObject({ code: 0 });
  secondLevelId = (await t.get('/api/accLevel/getByName/Query second')).body.data.id;
  ep = await buildElevatorPassageFixture(t, f.pin);
  await f.sim.pollUntilIdle({ maxPolls: 200 });
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

/**
 * The call's answer and the commands `sim` received for it, as the controller read them off the wire: each
 * `C:<id>:<command>` line with the id left out (a multi-record body's further records joined by LF), in order.
 */
async function reaching(sim: DeviceSimulator, call: () => Promise<HttpResult>): Promise<{ body: any; lines: string[] }> {
  await sim.pollUntilIdle({ maxPolls: 200 });
  const from = sim.received.length;
  const r = await call();
  await sim.pollUntilIdle({ maxPolls: 200 });
  const got = sim.received.slice(from);
  for (const c of got) expect(c.line).toBe(`C:${c.id}:${c.command}`);
  return { body: r.body, lines: got.map((c) => [c.command, ...c.continuation].join('\n')) };
}

/** A person's sync (syncPerson) sends the time zone of their rights again first: 24-Hour Accessible is time zone 1. */
const ALWAYS_OPEN = `DATA UPDATE timezone TimezoneId=1\t${ALWAYS_OPEN_FIELDS}`;
/** A panel user record and its one right (the fixture's levels are 24-hour, time zone 1): door 1 is mask 1, door 2 mask 2. */
const user = (pin: string, name = 'Query or body') => `DATA UPDATE user CardNo=\tPin=${pin}\tPassword=\tStartTime=0\tEndTime=0\tName=${name}\tPrivilege=0\tDisable=0`;
const right = (pin: string, mask: number) => `DATA UPDATE userauthorize Pin=${pin}\tAuthorizeTimezoneId=1\tAuthorizeDoorId=${mask}`;

/** `path` (a syncPerson) with ?pin=<a> and the JSON body naming <b>, both new persons, the same level: the lines `sim` got. */
async function syncPersonQueryWins(sim: DeviceSimulator, path: string, levelIds: string, a: string, b: string): Promise<string[]> {
  await addPerson(a);
  await addPerson(b);
  const r = await reaching(sim, () => json(path, { pin: a, levelIds }, { pin: b, levelIds }));
  expect(r.body).toEqual({ code: 0, message: 'success', data: null });
  return r.lines;
}

interface Row {
  name: string;
  run: () => Promise<void>;
}

const ROWS: Row[] = [
  {
    name: 'accLevel/syncPerson (query endpoint): ?pin=A&levelIds=L1 with the JSON body {"pin":"B","levelIds":"L2"} grants A L1, and the panel gets A on door 1 only',
    run: async () => {
      await addPerson('QB1');
      await addPerson('QB2');
      const r = await reaching(f.sim, () => json('/api/accLevel/syncPerson', { pin: 'QB1', levelIds: f.levelId }, { pin: 'QB2', levelIds: secondLevelId }));
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(r.lines).toEqual([ALWAYS_OPEN, user('QB1'), right('QB1', 1)]);
      expect(await levelsOf('QB1')).toEqual([f.levelId]);
      expect(await levelsOf('QB2')).toEqual([]);
    },
  },
  {
    name: 'accLevel/addLevelPerson (query endpoint): ?levelIds=L1 with the form body levelIds=L2 grants both, as Spring joins them: the panel gets doors 1 and 2',
    run: async () => {
      await addPerson('QB3');
      const r = await reaching(f.sim, () => form('/api/accLevel/addLevelPerson', { pin: 'QB3', levelIds: f.levelId }, [['levelIds', secondLevelId]]));
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(r.lines).toEqual([user('QB3'), right('QB3', 3)]);
      expect(await levelsOf('QB3')).toEqual([f.levelId, secondLevelId].sort());
    },
  },
  {
    name: 'accLevel/addLevelPerson (query endpoint): ?levelIds=L1 with the multipart form field levelIds=L2 grants both: the panel gets doors 1 and 2',
    run: async () => {
      await addPerson('QB8');
      const boundary = 'qb8boundary';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="levelIds"\r\n\r\n${secondLevelId}\r\n--${boundary}--\r\n`;
      const r = await reaching(f.sim, () => t.request('POST', '/api/accLevel/addLevelPerson', { query: { ...token(), pin: 'QB8', levelIds: f.levelId }, body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }));
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(r.lines).toEqual([user('QB8'), right('QB8', 3)]);
      expect(await levelsOf('QB8')).toEqual([f.levelId, secondLevelId].sort());
    },
  },
  {
    name: 'accLevel/deleteLevel (query endpoint): ?pin=A with the form body pin=B removes the level from both (pin is a list there): the panel drops both',
    run: async () => {
      await addPerson('QB4');
      await addPerson('QB5');
      const granted = await reaching(f.sim, () => json('/api/accLevel/addLevelPerson', { pin: 'QB4,QB5', levelIds: f.levelId }, null));
      expect(granted.body.code).toBe(0);
      expect(granted.lines).toEqual([`${user('QB4')}\n${user('QB5').replace('DATA UPDATE user ', '')}`, `${right('QB4', 1)}\n${right('QB5', 1).replace('DATA UPDATE userauthorize ', '')}`]);
      const r = await reaching(f.sim, () => form('/api/accLevel/deleteLevel', { pin: 'QB4', levelIds: f.levelId }, [['pin', 'QB5']]));
      expect(r.body.code).toBe(0);
      expect(r.lines).toEqual(['DATA DELETE userauthorize Pin=QB4', 'DATA DELETE user Pin=QB4', 'DATA DELETE userauthorize Pin=QB5', 'DATA DELETE user Pin=QB5']);
      expect(await levelsOf('QB4')).toEqual([]);
      expect(await levelsOf('QB5')).toEqual([]);
    },
  },
  {
    name: 'accLevel/syncLevel (query endpoint): ?levelIds=L1 with the JSON body {"levelIds":"L2"} sends L1\'s persons, not L2\'s',
    run: async () => {
      await addPerson('QB10');
      await addPerson('QB11');
      expect((await json('/api/accLevel/addLevelPerson', { pin: 'QB10', levelIds: f.levelId }, null)).body.code).toBe(0);
      expect((await json('/api/accLevel/addLevelPerson', { pin: 'QB11', levelIds: secondLevelId }, null)).body.code).toBe(0);
      await f.sim.pollUntilIdle({ maxPolls: 200 });
      const r = await reaching(f.sim, () => json('/api/accLevel/syncLevel', { levelIds: f.levelId }, { levelIds: secondLevelId }));
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      // The level's persons get their records and rights again (the fixture's and earlier rows' too); L2's do not.
      const records = r.lines.flatMap((l) => {
        const [head, ...more] = l.split('\n');
        const verb = /^DATA \w+ \w+ /.exec(head)?.[0] ?? '';
        return [head, ...more.map((x) => verb + x)];
      });
      expect(records).toContain(right('QB10', 1));
      expect(records).toContain('DATA DELETE userauthorize Pin=QB10');
      expect(records.filter((l) => /(?:^| |\t)Pin=QB11(?:\t|$)/.test(l))).toEqual([]);
    },
  },
  {
    name: 'door/remoteOpenById (query endpoint): ?doorId=<door> with the form body doorId=<another> is refused (one door, two values) and nothing reaches the panel; the same id twice opens door 1',
    run: async () => {
      await heardFrom(f.sim);
      const r = await reaching(f.sim, () => form('/api/door/remoteOpenById', { doorId: f.doors[0].id, interval: '5' }, [['doorId', f.doors[1].id]]));
      expect(r.body).toEqual({ code: -400, message: `doorId takes one value, but was sent 2 times with different values ("${f.doors[0].id}", "${f.doors[1].id}")`, data: null });
      expect(r.lines).toEqual([]);
      const same = await reaching(f.sim, () => form('/api/door/remoteOpenById', { doorId: f.doors[0].id, interval: '5' }, [['doorId', f.doors[0].id]]));
      expect(same.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
      expect(same.lines).toEqual(['CONTROL DEVICE 01010105']);
    },
  },
  {
    name: 'door/remoteOpenById (query endpoint): ?doorId=<door 1>&interval=5 with the JSON body {"doorId":"<door 2>","interval":9} opens door 1 for 5 s',
    run: async () => {
      await heardFrom(f.sim);
      const r = await reaching(f.sim, () => json('/api/door/remoteOpenById', { doorId: f.doors[0].id, interval: 5 }, { doorId: f.doors[1].id, interval: 9 }));
      expect(r.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
      expect(r.lines).toEqual(['CONTROL DEVICE 01010105']);
    },
  },
  {
    name: 'door/remoteOpenById (query endpoint): ?doorId=<door 2> with the JSON body {"interval":7}: the body gives the interval the query lacks',
    run: async () => {
      await heardFrom(f.sim);
      const r = await reaching(f.sim, () => json('/api/door/remoteOpenById', { doorId: f.doors[1].id }, { doorId: f.doors[0].id, interval: 7 }));
      expect(r.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
      expect(r.lines).toEqual(['CONTROL DEVICE 01020107']);
    },
  },
  {
    name: 'door/remoteCloseById (query endpoint): ?doorId=<door 2> with the JSON body {"doorId":"<door 1>"} closes door 2',
    run: async () => {
      await heardFrom(f.sim);
      const r = await reaching(f.sim, () => json('/api/door/remoteCloseById', { doorId: f.doors[1].id }, { doorId: f.doors[0].id }));
      expect(r.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
      expect(r.lines).toEqual(['CONTROL DEVICE 01020100']);
    },
  },
  {
    name: 'floor/remoteOpenById (query endpoint): ?floorId=<floor 1>&interval=6 with the JSON body {"floorId":"<floor 2>","interval":9} releases floor 1 for 6 s',
    run: async () => {
      await ep.heard();
      const floors = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 10 })).body.data as Array<{ id: string }>;
      const other = floors.find((x) => x.id !== ep.floorId)!.id;
      const r = await reaching(ep.ec, () => json('/api/floor/remoteOpenById', { floorId: ep.floorId, interval: 6 }, { floorId: other, interval: 9 }));
      expect(r.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
      // Row 17 (`11`), floor 1 the bitmap's first bit, CC 00, DD the seconds.
      expect(r.lines).toEqual([`CONTROL DEVICE 11${'80'.padEnd(64, '0')}0006`]);
    },
  },
  {
    name: 'psgGate/remoteOpenById (query endpoint): ?gateId=<gate>&openType=1 with the JSON body {"gateId":"<unknown>","openType":2} opens the gate for entry (its lock output)',
    run: async () => {
      await ep.heard();
      const r = await reaching(ep.cc, () => json('/api/psgGate/remoteOpenById', { gateId: ep.gateId, openType: 1 }, { gateId: 'ffffffffffffffffffffffffffffffff', openType: 2 }));
      expect(r.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
      expect(r.lines).toEqual(['CONTROL DEVICE 01010105']);
    },
  },
  {
    name: 'eleLevel/syncPerson (query endpoint): ?pin=A with the JSON body {"pin":"B"}: the elevator controller gets A\'s floors, nothing of B',
    run: async () => {
      // The level's floor (floor 1 of the controller) in time zone 1: AuthorizeFloors lists floor numbers.
      expect(await syncPersonQueryWins(ep.ec, '/api/eleLevel/syncPerson', ep.eleLevelId, 'QB15', 'QB16')).toEqual([ALWAYS_OPEN, user('QB15'), 'DATA UPDATE usereleauthorize Pin=QB15\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=1']);
    },
  },
  {
    name: 'psgLevel/syncPerson (query endpoint): ?pin=A with the JSON body {"pin":"B"}: the channel controller gets A\'s gate, nothing of B',
    run: async () => {
      // The level's gate is the controller's door 1.
      expect(await syncPersonQueryWins(ep.cc, '/api/psgLevel/syncPerson', ep.psgLevelId, 'QB17', 'QB18')).toEqual([ALWAYS_OPEN, user('QB17'), right('QB17', 1)]);
    },
  },
  {
    name: 'visRegistration/exit (query endpoint): ?certType=8&certNum=<A> with the JSON body of visitor B checks A out: the panel drops A, keeps B',
    run: async () => {
      const now = Date.now();
      const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
      expect((await t.post('/api/visRegistration/add', { persPersonPin: f.pin, certType: '8', certNum: '456999', visEmpName: 'Bea', visitEmpPhone: '', company: 'ZK', visitReason: 'visit', visitorCount: '1', startTime: fmt(now - 3600_000), endTime: fmt(now + 3600_000), cardNo: '', visLevels: f.levelId })).body.code).toBe(0);
      const b = (await t.get('/api/gateway/visRegistration/get', { certType: '8', certNum: '456999' })).body.data.pin as string;
      await f.sim.pollUntilIdle({ maxPolls: 200 });
      expect(f.sim.user(f.visitorPin)).toBeDefined();
      expect(f.sim.user(b)).toBeDefined();
      const r = await reaching(f.sim, () => json('/api/visRegistration/exit', { certType: '8', certNum: '456888' }, { certType: '8', certNum: '456999' }));
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(r.lines).toEqual([`DATA DELETE userauthorize Pin=${f.visitorPin}`, `DATA DELETE user Pin=${f.visitorPin}`]);
      expect(f.sim.user(f.visitorPin)).toBeUndefined();
      expect(f.sim.user(b)).toBeDefined();
    },
  },
  {
    name: 'bioTemplate/getFgListByPin/{pin} DELETE (query endpoint): ?templateNo=3 with the JSON body {"templateNo":4} deletes finger 3 on the panel, keeps 4',
    run: async () => {
      await addPerson('QB12');
      expect((await json('/api/accLevel/addLevelPerson', { pin: 'QB12', levelIds: f.levelId }, null)).body.code).toBe(0);
      for (const no of ['3', '4']) expect((await t.post('/api/bioTemplate/add', { personId: 'QB12', validType: '1', template: Buffer.from(`finger ${no} of QB12`).toString('base64'), templateNo: no })).body.code).toBe(0);
      await f.sim.pollUntilIdle({ maxPolls: 200 });
      const r = await reaching(f.sim, () => t.request('DELETE', '/api/bioTemplate/getFgListByPin/QB12', { query: { ...token(), templateNo: 3 }, body: JSON.stringify({ templateNo: 4 }), headers: { 'content-type': 'application/json' } }));
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(r.lines).toEqual(['DATA DELETE biodata Type=1\tPin=QB12\tNo=3']);
      expect(f.sim.table('biodata').filter((x) => String(x.Pin) === 'QB12').map((x) => String(x.No))).toEqual(['4']);
    },
  },
  {
    name: 'bioTemplate/deleteById/* POST (query endpoint): ?pin=A with the JSON body {"pin":"B"} deletes A\'s templates on the panel, not B\'s',
    run: async () => {
      for (const pin of ['QB13', 'QB14']) {
        await addPerson(pin);
        expect((await json('/api/accLevel/addLevelPerson', { pin, levelIds: f.levelId }, null)).body.code).toBe(0);
        expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: Buffer.from(`finger of ${pin}`).toString('base64'), templateNo: '1' })).body.code).toBe(0);
      }
      await f.sim.pollUntilIdle({ maxPolls: 200 });
      const r = await reaching(f.sim, () => json('/api/bioTemplate/deleteById/*', { pin: 'QB13' }, { pin: 'QB14' }));
      expect(r.body).toEqual({ code: 0, message: 'success', data: null });
      expect(r.lines).toEqual(['DATA DELETE biodata Type=1\tPin=QB13\tNo=1']);
      expect(f.sim.table('biodata').filter((x) => ['QB13', 'QB14'].includes(String(x.Pin))).map((x) => String(x.Pin))).toEqual(['QB14']);
    },
  },
  {
    name: 'accLevel/syncPerson (query endpoint): the JSON body still gives what the query lacks: the panel gets door 2',
    run: async () => {
      await addPerson('QB6');
      const r = await reaching(f.sim, () => json('/api/accLevel/syncPerson', { pin: 'QB6' }, { levelIds: secondLevelId }));
      expect(r.body.code).toBe(0);
      expect(r.lines).toEqual([ALWAYS_OPEN, user('QB6'), right('QB6', 2)]);
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
