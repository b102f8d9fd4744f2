/**
 * Elevator and channel controllers meeting what the random writes of module-convergence-property.e2e-spec.ts do not
 * play (one kind and one controller each there): a panel registering again as an elevator controller with door rights
 * still queued or unanswered, a level's floors moved to another controller while the first one's result is lost, a
 * level with no member moved to another controller, an elevator controller or a channel controller declared an access
 * panel, an access panel declared a channel controller. Once they have polled enough, their tables equal the
 * database, nothing stays pending, and the convergence answer says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ELEVATOR_FUN_LIST, ElevatorControllerSimulator } from '../simulator/elevator';
import { pauseBetweenPolls } from '../sync/retry-waits';
import { startTestApp, type TestApp } from '../support/test-app';
import { floorsOf, gatesOf } from './controller-tables';

let t: TestApp;
let reconciler: SyncReconciler;
let ec: ElevatorControllerSimulator;
let floorIds: Map<number, string>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The longest retry backoff of this file's gateway (syncRetryMaxMs below), and a margin. */
const BACKOFF_MS = 1100;

const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
const personDevices = async (pin: string) => (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data;

/** Polls and runs the reconciler until the device holds `want` and nothing is pending for it. */
async function settle<S extends DeviceSimulator>(sim: S, tables: (s: S) => Record<string, string[]>, want: Record<string, string[]>, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    const c = await convergence(sim.sn);
    if (JSON.stringify(tables(sim)) === JSON.stringify(want) && c.pendingCommands === 0 && !c.divergent && c.unconfirmedItems === 0) return;
    await pauseBetweenPolls(t, sim.sn, 400, BACKOFF_MS);
    await reconciler.runOnce();
  }
  expect(tables(sim)).toEqual(want);
  expect(await convergence(sim.sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0 });
}

const level = async (module: 'ele' | 'psg', name: string, pointIds: string[]) => {
  const r = await t.post(`/api/gateway/${module}Level/save`, { name, pointIds });
  expect(r.body.code).toBe(0);
  return r.body.data.id as string;
};

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 500, syncRetryMaxMs: 1000, syncReconcileIntervalMs: 0, logLevel: 'error' } as never);
  settingsOf(t).ackTimeoutMs = 800;
  reconciler = t.app.get(SyncReconciler);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FAULT1', floors: 6, ipAddress: '10.9.3.1' });
  await ec.connect();
  await reconciler.idle();
  await ec.pollUntilIdle();
  const floors: Array<{ id: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
  floorIds = new Map(floors.map((f) => [f.floorNo, f.id]));
});
afterAll(async () => {
  await t?.close();
});

describe('kind change with old-kind commands outstanding', () => {
  const cases = [
    { when: 'queued', sn: 'ACCTOELE02', ip: '10.9.3.10', pin: '1302' },
    { when: 'sent, result held', sn: 'ACCTOELE03', ip: '10.9.3.11', pin: '1303' },
    { when: 'sent, result posted after the table was cleared', sn: 'ACCTOELE04', ip: '10.9.3.12', pin: '1304' },
  ] as const;
  for (const { when, sn, ip, pin } of cases) {
    it(`an access panel's door rights ${when} when it registers again as an elevator controller`, async () => {
      const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: ip });
      await panel.connect();
      await reconciler.idle();
      await panel.pollUntilIdle();
      await settle(panel, gatesOf, {});
      expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `KIND-${sn}` }] })).body.code).toBe(0);
      expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: `KIND-${sn}`, doorName: `${ip}-1` }] })).body.code).toBe(0);
      const acc = (await t.get(`/api/accLevel/getByName/KIND-${sn}`)).body.data.id;
      if (when !== 'queued') panel.holdResults((c) => c.verb === 'DATA UPDATE' && c.table === 'userauthorize');
      expect((await t.post('/api/person/add', { pin, name: 'K', accLevelIds: acc })).body.code).toBe(0);
      if (when !== 'queued') await panel.pollUntilIdle();
      await panel.reconfigure({ deviceName: 'EC10', doors: 0, auxOut: 3, accSupportFunList: ELEVATOR_FUN_LIST });
      if (when === 'sent, result held') await panel.releaseResults();
      if (when === 'sent, result posted after the table was cleared') {
        const cleared = () => panel.received.some((c) => c.command === 'DATA DELETE userauthorize *');
        for (let i = 0; i < 40 && !cleared(); i++) {
          await reconciler.idle();
          await panel.pollUntilIdle();
          if (!cleared()) await pauseBetweenPolls(t, sn, 250, BACKOFF_MS);
        }
        expect(cleared()).toBe(true);
        await panel.releaseResults();
      }
      panel.stopHoldingResults();
      await settle(panel, gatesOf, {});
      expect(panel.table('usereleauthorize')).toEqual([]);
      for (const d of await personDevices(pin)) expect(d).toMatchObject({ desired: false, holds: false, state: 'synced', confirmedRights: [] });
    });
  }
});

describe('a level moved between controllers', () => {
  it("an elevator level's floors moved to another controller while the first one's removal result is lost", async () => {
    const ec2 = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FAULT2', floors: 4, ipAddress: '10.9.3.21' });
    await ec2.connect();
    await reconciler.idle();
    await ec2.pollUntilIdle();
    const floors: Array<{ id: string; floorNo: number; name: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
    const f2 = floors.find((f) => f.name === '10.9.3.21-2')!;
    const lv = await level('ele', 'F-move', [floorIds.get(1)!]);
    expect((await t.post('/api/person/add', { pin: '1401', name: 'M' })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '1401', levelIds: lv })).body.code).toBe(0);
    await settle(ec, floorsOf, { '1401': ['1:1'] });
    ec.holdResults();
    await level('ele', 'F-move', [f2.id]);
    await ec.pollUntilIdle();
    ec.dropHeldResults();
    ec.stopHoldingResults();
    await settle(ec2, floorsOf, { '1401': ['1:2'] });
    await settle(ec, floorsOf, {});
    // The level's time zone left the first controller with its last right there.
    expect(ec.table('timezone')).toEqual([]);
    expect(ec2.table('timezone').map((r) => r.TimezoneId)).toEqual(['1']);
  });
});




describe("a level with no member moved to another controller", () => {
  const tzs = (sim: DeviceSimulator) => sim.table('timezone').map((r) => Number(r.TimezoneId)).sort((a, b) => a - b);
  const cases = [
    { module: 'ele' as const, make: (sn: string, ip: string) => new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn, floors: 2, ipAddress: ip }), list: '/api/floor/list' },
    { module: 'psg' as const, make: (sn: string, ip: string) => new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn, gates: 2, ipAddress: ip }), list: '/api/psgGate/list' },
  ];
  for (const [i, { module, make, list }] of cases.entries()) {
    it(`the controller its points left loses its time zone, and is not left divergent (${module})`, async () => {
      const [a, b] = [make(`TZMOVE${module}1`, `10.9.4.${10 * i + 1}`), make(`TZMOVE${module}2`, `10.9.4.${10 * i + 2}`)];
      for (const sim of [a, b]) await sim.connect();
      await reconciler.idle();
      for (const sim of [a, b]) await settle(sim, gatesOf, {});
      const seg = await t.post('/api/gateway/timeSegments', { name: `Nights ${module}`, schedule: { mon: [['20:00', '23:00']] } });
      expect(seg.body.code).toBe(0);
      const tz = Number(seg.body.data.tzId);
      const points: Array<{ id: string; name: string }> = (await t.get(list, { pageNo: 1, pageSize: 100 })).body.data;
      const point = (name: string) => points.find((p) => p.name === name)!.id;
      expect((await t.post(`/api/gateway/${module}Level/save`, { name: `Night ${module}`, timeSegName: `Nights ${module}`, pointIds: [point(`10.9.4.${10 * i + 1}-1`)] })).body.code).toBe(0);
      await settle(a, gatesOf, {});
      expect(tzs(a)).toContain(tz);
      expect((await t.post(`/api/gateway/${module}Level/save`, { name: `Night ${module}`, pointIds: [point(`10.9.4.${10 * i + 2}-1`)] })).body.code).toBe(0);
      await settle(b, gatesOf, {});
      expect(tzs(b)).toContain(tz);
      await settle(a, gatesOf, {});
      expect(tzs(a)).not.toContain(tz);
    });
  }
});



describe('a controller of another kind now keeps no time zone of its old kind', () => {
  it('an elevator controller an operator declares an access panel loses the time zone of its elevator level', async () => {
    const e = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10KIND01', floors: 2, ipAddress: '10.9.6.1' });
    await e.connect();
    await reconciler.idle();
    await settle(e, floorsOf, {});
    const seg = await t.post('/api/gateway/timeSegments', { name: 'Kind nights', schedule: { mon: [['20:00', '23:00']] } });
    const tz = String(seg.body.data.tzId);
    const floors: Array<{ id: string; name: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
    const lv = (await t.post('/api/gateway/eleLevel/save', { name: 'Kind lift', timeSegName: 'Kind nights', pointIds: [floors.find((f) => f.name === '10.9.6.1-1')!.id] })).body.data.id;
    expect((await t.post('/api/person/add', { pin: '1501', name: 'Z' })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '1501', levelIds: lv })).body.code).toBe(0);
    await settle(e, floorsOf, { '1501': [`${tz}:1`] });
    expect(e.table('timezone').map((r) => r.TimezoneId)).toContain(tz);
    expect((await t.post('/api/gateway/devices/EC10KIND01/kind', { kind: 'acc' })).body.code).toBe(0);
    await settle(e, floorsOf, {});
    expect(e.table('usereleauthorize')).toEqual([]);
    expect(e.table('timezone').map((r) => r.TimezoneId)).not.toContain(tz);
    // Its floors are no elevator's floors any more: not listed, and not opened by their old ids either (CONTROL
    // DEVICE 11 is the elevator's command; an access panel would read it as something else).
    const old = floors.find((f) => f.name === '10.9.6.1-1')!.id;
    expect((await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data.map((f: { id: string }) => f.id)).not.toContain(old);
    expect((await t.post('/api/floor/remoteOpenById', undefined, { floorId: old, interval: 5 })).body.code).toBe(-404);
    expect((await t.post('/api/floor/remoteCloseById', undefined, { floorId: old })).body.code).toBe(-404);
    // Nor can an elevator level take it: the level would name a floor that grants nothing.
    expect((await t.post('/api/gateway/eleLevel/save', { name: 'Kind lift 2', pointIds: [old] })).body.code).toBe(-404);
    expect((await convergence('EC10KIND01')).pendingCommands).toBe(0);
  });
});

describe('an access panel declared a channel controller', () => {
  it('loses the time zone of the access level still on its doors (an access level grants a controller nothing)', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACCPSG0001', doors: 2, ipAddress: '10.9.7.1' });
    await panel.connect();
    await reconciler.idle();
    await settle(panel, gatesOf, {});
    const seg = await t.post('/api/gateway/timeSegments', { name: 'Panel nights', schedule: { mon: [['20:00', '23:00']] } });
    const tz = String(seg.body.data.tzId);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'PANELTZ', timeSegName: 'Panel nights' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'PANELTZ', doorName: '10.9.7.1-1' }] })).body.code).toBe(0);
    const acc = (await t.get('/api/accLevel/getByName/PANELTZ')).body.data.id;
    expect((await t.post('/api/person/add', { pin: '1601', name: 'P', accLevelIds: acc })).body.code).toBe(0);
    await settle(panel, gatesOf, { '1601': [`${tz}:1`] });
    expect(panel.table('timezone').map((r) => r.TimezoneId)).toContain(tz);
    expect((await t.post('/api/gateway/devices/ACCPSG0001/kind', { kind: 'psg' })).body.code).toBe(0);
    await settle(panel, gatesOf, {});
    expect(panel.table('timezone').map((r) => r.TimezoneId)).not.toContain(tz);
  });
});



describe('a channel controller declared an access panel', () => {
  it('loses its pass rule, which the database gives a channel controller only', async () => {
    const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGKIND0002', gates: 2, ipAddress: '10.9.9.1' });
    await cc.connect();
    await reconciler.idle();
    await settle(cc, gatesOf, {});
    expect((await t.post('/api/gateway/timeSegments', { name: 'Gate kind hours', schedule: { mon: [['08:00', '12:00']] } })).body.code).toBe(0);
    expect((await t.post('/api/gateway/psgDevice/PGKIND0002/passRule', { timeSegName: 'Gate kind hours', passMode: 2 })).body.code).toBe(0);
    await settle(cc, gatesOf, {});
    expect(cc.table('gatepassrule')).toHaveLength(1);
    expect((await t.post('/api/gateway/devices/PGKIND0002/kind', { kind: 'acc' })).body.code).toBe(0);
    await settle(cc, gatesOf, {});
    expect(cc.table('gatepassrule')).toEqual([]);
  });
});

describe('several pins granted and removed at once under faults', () => {
  it('a lost reply, a refusal and a factory reset: the controller ends holding what the database says, both persons', async () => {
    const ec2 = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10PINS01', floors: 4, ipAddress: '10.9.10.1' });
    await ec2.connect();
    await reconciler.idle();
    await ec2.pollUntilIdle();
    const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'EC10PINS01'`);
    let floors: Array<{ id: string; floorNo: number; deviceId: string }> = [];
    for (const end = Date.now() + 20_000; floors.length < 4 && Date.now() < end; await sleep(50)) {
      floors = ((await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 })).body.data as typeof floors).filter((f) => f.deviceId === deviceId);
    }
    const lvl = await level('ele', 'PINS 2-3', floors.filter((f) => f.floorNo === 2 || f.floorNo === 3).map((f) => f.id));
    for (const pin of ['1701', '1702']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
    await settle(ec2, floorsOf, {});

    // The reply carrying the grant is lost, and the rights command is refused once when it comes again.
    const lostBefore = ec2.lostReplies.length;
    ec2.loseNextReply(1);
    const refusal = ec2.failCommands((c) => c.table === 'usereleauthorize', -1002, 1);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '1701,1702', levelIds: lvl })).body.code).toBe(0);
    await settle(ec2, floorsOf, { '1701': ['1:2.3'], '1702': ['1:2.3'] });
    expect(ec2.lostReplies.length).toBe(lostBefore + 1);
    expect(refusal.used).toBe(1);

    // Wiped by a factory reset: brought back to the same.
    expect((await ec2.factoryReset()).registered).toBe(true);
    await settle(ec2, floorsOf, { '1701': ['1:2.3'], '1702': ['1:2.3'] });

    // Both removed in one call (a JSON array), the reply lost again: neither is left on the controller.
    ec2.loseNextReply(1);
    expect((await t.post('/api/eleLevel/deleteLevel', { pin: ['1701', '1702'], levelIds: lvl })).body.code).toBe(0);
    await settle(ec2, floorsOf, {});
  });
});

describe("a level's floors and a person's level changed back before the controller answered", () => {
  let ecl: ElevatorControllerSimulator;
  let lvl: string;
  let fl: Map<number, string>;
  /** The person's rights on the controller, in floorsOf's form, as the database has them now (none: not on it). */
  const wanted = async (pin: string): Promise<string[] | undefined> => {
    const d = ((await personDevices(pin)) as Array<{ deviceSn: string; desired: boolean; rights: Array<{ timezoneId: number; floors: number[] }> }>).find((x) => x.deviceSn === ecl.sn);
    return d?.desired ? d.rights.map((r) => `${r.timezoneId}:${r.floors.join('.')}`) : undefined;
  };
  /** Never 'synced' nor `holds` while the controller holds anything else of the person than the database says. */
  const noEarlyClaim = async (pin: string) => {
    const d = ((await personDevices(pin)) as Array<{ deviceSn: string; state: string; holds: boolean }>).find((x) => x.deviceSn === ecl.sn);
    if (d && (d.state === 'synced' || d.holds)) expect(floorsOf(ecl)[pin]).toEqual(await wanted(pin));
  };
  /** Polls (checking noEarlyClaim at every step) until the controller holds `want` of the person and says so. */
  async function settleChecked(pin: string, want: string[] | undefined, rounds = 20): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await noEarlyClaim(pin);
      await reconciler.idle();
      await ecl.poll();
      await noEarlyClaim(pin);
      const c = await convergence(ecl.sn);
      if (JSON.stringify(floorsOf(ecl)[pin]) === JSON.stringify(want) && c.pendingCommands === 0 && !c.divergent) break;
      await pauseBetweenPolls(t, ecl.sn, 300, BACKOFF_MS);
      await reconciler.runOnce();
    }
    expect(floorsOf(ecl)[pin]).toEqual(want);
    expect(await wanted(pin)).toEqual(want);
    const d = ((await personDevices(pin)) as Array<{ deviceSn: string; state: string }>).find((x) => x.deviceSn === ecl.sn);
    if (want) expect(d).toMatchObject({ state: 'synced', holds: true });
    else if (d) expect(d.state).toBe('synced');
    expect(await convergence(ecl.sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0 });
  }

  beforeAll(async () => {
    ecl = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10BACK01', floors: 4, ipAddress: '10.9.11.1' });
    await ecl.connect();
    await reconciler.idle();
    await ecl.pollUntilIdle();
    const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'EC10BACK01'`);
    let floors: Array<{ id: string; floorNo: number; deviceId: string }> = [];
    for (const end = Date.now() + 20_000; floors.length < 4 && Date.now() < end; await sleep(50)) {
      floors = ((await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 })).body.data as typeof floors).filter((f) => f.deviceId === deviceId);
    }
    fl = new Map(floors.map((f) => [f.floorNo, f.id]));
    lvl = await level('ele', 'BACK 1-2', [fl.get(1)!, fl.get(2)!]);
    expect((await t.post('/api/person/add', { pin: '1801', name: 'B' })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '1801', levelIds: lvl })).body.code).toBe(0);
    await settleChecked('1801', ['1:1.2']);
  });

  it('a floor removed from the level (reply lost) then added back: the controller holds both floors', async () => {
    ecl.loseNextReply(1);
    await level('ele', 'BACK 1-2', [fl.get(1)!]);
    await ecl.poll();
    expect(floorsOf(ecl)['1801']).toEqual(['1:1.2']);
    await level('ele', 'BACK 1-2', [fl.get(1)!, fl.get(2)!]);
    await settleChecked('1801', ['1:1.2']);
  });

  it('a floor removed (run, its result lost) then added back', async () => {
    ecl.holdResults((c) => c.table === 'usereleauthorize');
    await level('ele', 'BACK 1-2', [fl.get(1)!]);
    await ecl.poll();
    expect(floorsOf(ecl)['1801']).toEqual(['1:1']);
    await noEarlyClaim('1801');
    ecl.dropHeldResults();
    ecl.stopHoldingResults();
    await level('ele', 'BACK 1-2', [fl.get(1)!, fl.get(2)!]);
    await settleChecked('1801', ['1:1.2']);
  });

  it("a person's level deleted while its add awaits its Return (result posted late)", async () => {
    expect((await t.post('/api/person/add', { pin: '1802', name: 'C' })).body.code).toBe(0);
    await settleChecked('1802', undefined);
    ecl.holdResults((c) => c.table === 'usereleauthorize' || c.table === 'user');
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '1802', levelIds: lvl })).body.code).toBe(0);
    await ecl.poll();
    expect(floorsOf(ecl)['1802']).toEqual(['1:1.2']);
    await noEarlyClaim('1802');
    ecl.stopHoldingResults();
    expect((await t.post('/api/eleLevel/deleteLevel', { pin: '1802', levelIds: lvl })).body.code).toBe(0);
    await noEarlyClaim('1802');
    await ecl.releaseResults();
    await settleChecked('1802', undefined);
    await settleChecked('1801', ['1:1.2']);
  });

  it("a person's level deleted while its add's reply is lost", async () => {
    ecl.loseNextReply(1);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '1802', levelIds: lvl })).body.code).toBe(0);
    await ecl.poll();
    expect((await t.post('/api/eleLevel/deleteLevel', { pin: '1802', levelIds: lvl })).body.code).toBe(0);
    await settleChecked('1802', undefined);
  });
});

describe('remote floor and gate actions answer truthfully', () => {
  it('an offline, a disabled controller and an unknown floor or gate get a negative code, and nothing is queued', async () => {
    const e = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10REMOTE1', floors: 2, ipAddress: '10.9.12.1' });
    const g = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGREMOTE01', gates: 2, ipAddress: '10.9.12.2' });
    for (const sim of [e, g]) await sim.connect();
    await reconciler.idle();
    await settle(e, floorsOf, {});
    await settle(g, gatesOf, {});
    const floors: Array<{ id: string; name: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 })).body.data;
    const floorId = floors.find((f) => f.name === '10.9.12.1-1')!.id;
    const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 1000 })).body.data;
    const gateId = gates.find((x) => x.name === '10.9.12.2-1')!.id;
    const queuedActions = async () =>
      Number((await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = ANY($1) AND command LIKE 'CONTROL DEVICE%'`, [[e.sn, g.sn]]))[0].n);
    const actions = () => [
      t.post('/api/floor/remoteOpenById', undefined, { floorId, interval: 5 }),
      t.post('/api/floor/remoteCloseById', undefined, { floorId }),
      t.post('/api/psgGate/remoteOpenById', undefined, { gateId, openType: 1 }),
      t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: '10.9.12.2-1', openType: 2 }),
    ];

    // Unknown floor and gate: -404, nothing queued.
    expect((await t.post('/api/floor/remoteOpenById', undefined, { floorId: '0123456789abcdef0123456789abcdef', interval: 5 })).body.code).toBe(-404);
    expect((await t.post('/api/floor/remoteCloseById', undefined, { floorId: '0123456789abcdef0123456789abcdef' })).body.code).toBe(-404);
    expect((await t.post('/api/psgGate/remoteOpenById', undefined, { gateId: '0123456789abcdef0123456789abcdef', openType: 1 })).body.code).toBe(-404);
    expect(await queuedActions()).toBe(0);

    // Offline: silent past its online window (shortened here: the RequestDelay of the gateway, 50 ms, in place of
    // the one they registered with), the answer says so and nothing waits to run when they come back.
    const s = settingsOf(t);
    const [delay, floor] = [s.requestDelay, s.onlineFloorMs];
    await t.ds.query(`UPDATE device SET request_delay = NULL WHERE sn = ANY($1)`, [[e.sn, g.sn]]);
    const registry = t.app.get(DeviceRegistryService);
    for (const sn of [e.sn, g.sn]) registry.forget(sn);
    try {
      s.requestDelay = 0.05;
      s.onlineFloorMs = 100;
      await sleep(400);
      for (const [i, r] of (await Promise.all(actions())).entries()) {
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ code: -1, message: `Device ${i < 2 ? e.sn : g.sn} is offline: the command was not sent`, data: null });
      }
    } finally {
      s.requestDelay = delay;
      s.onlineFloorMs = floor;
    }
    expect(await queuedActions()).toBe(0);
    for (const sim of [e, g]) await sim.pollUntilIdle();
    expect(e.received.filter((c) => c.command.startsWith('CONTROL DEVICE'))).toEqual([]);
    expect(g.received.filter((c) => c.command.startsWith('CONTROL DEVICE'))).toEqual([]);

    // Disabled: a negative code naming it, nothing queued.
    for (const sn of [e.sn, g.sn]) expect((await t.post(`/api/gateway/devices/${sn}/disable`)).body.code).toBe(0);
    for (const [i, r] of (await Promise.all(actions())).entries()) {
      const sn = i < 2 ? e.sn : g.sn;
      expect(r.body.code).toBeLessThan(0);
      expect(r.body.message).toContain(sn);
    }
    expect(await queuedActions()).toBe(0);
  });
});
