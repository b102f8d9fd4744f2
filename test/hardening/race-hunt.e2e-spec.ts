/**
 * A randomized race hunt: several integrators (HR, visitor, parking systems) fire conflicting REST writes at
 * once over a few pins, cards, levels, doors, departments and areas, while two simulated panels poll. Afterwards:
 * every request was answered with an envelope (never a 5xx, never a "Program error" such as a leaked deadlock),
 * the REST reads agree with each other (one holder per card, no membership of a deleted person), and each panel
 * holds exactly what the database grants (its user and userauthorize tables), with the convergence view saying
 * synced. RACE_HUNT_MS (default 4000) sets how long the writers run; RACE_HUNT_SEED repeats a run's choices.
 * Each bug it found has a deterministic test in write-races.e2e-spec.ts. On PostgreSQL only: the embedded database
 * (PGlite) runs one transaction at a time, so the writes it hunts do not overlap there (one run there did answer a
 * panel's registration with HTTP 500 while the panel was deleted: the row read back after its insert was gone,
 * fixed with src/push/device-registry-deleted.spec.ts).
 * It runs only when RACE_HUNT_MS is set (e.g. RACE_HUNT_MS=4000): its timing differs on every run, so a race it has
 * not met yet would fail the suite at random instead of as a finding; every race it found is in
 * write-races.e2e-spec.ts, which always runs.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { sharedCardValues } from '../support/card-holders';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { Device, levelId } from '../sync/access-helpers';
import { claimsSynced, convergenceOf, settleConverged } from '../sync/fault-helpers';

const RUN_MS = Number(process.env.RACE_HUNT_MS ?? 0);
let seed = Number(process.env.RACE_HUNT_SEED ?? Date.now() % 100000);
/** A small deterministic generator, so a failing run's seed repeats its choices (not its timing). */
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (n: number) => Math.floor(rand() * n);
const any = <T>(xs: readonly T[]): T => xs[pick(xs.length)];

let t: TestApp;
let reconciler: SyncReconciler;
const panels: Device[] = [];
/** A panel deleted and registered again during the run (its door leaves and rejoins levels' reach). */
let spare: Device;
const levels: string[] = [];
const LEVELS = ['RH0', 'RH1', 'RH2'];
const DOORS = ['10.7.1.1-1', '10.7.1.1-2', '10.7.1.2-1', '10.7.1.2-2', '10.7.1.3-1'];
const PINS = Array.from({ length: 8 }, (_, i) => String(8100 + i));
const CARDS = Array.from({ length: 5 }, (_, i) => String(990001 + i));
const DEPTS = ['RHA', 'RHB'];
const AREAS = ['RHX', 'RHY'];
/** The host visitors name; never deleted. */
const HOST = '8199';

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 100, syncRetryMaxMs: 200, syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  panels.push(await Device.connect(t, 'RACEHUNT01', 2, '10.7.1.1'), await Device.connect(t, 'RACEHUNT02', 2, '10.7.1.2'));
  spare = await Device.connect(t, 'RACEHUNT03', 1, '10.7.1.3');
  for (const name of LEVELS) expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] })).body.code).toBe(0);
  for (const name of LEVELS) levels.push(await levelId(t, name));
  for (const code of AREAS) expect((await t.post('/api/gateway/areas', { code, name: `Area ${code}` })).body.code).toBe(0);
  for (const pin of [...PINS, HOST]) expect((await t.post('/api/person/add', { pin, name: `Start ${pin}` })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

const someLevels = () => [...new Set(Array.from({ length: 1 + pick(2) }, () => any(levels)))].join(',');
const person = () => ({
  pin: any(PINS),
  name: `N${pick(9)}`,
  ...(pick(3) ? { deptCode: any([...DEPTS, '1']) } : {}),
  ...(pick(2) ? { accLevelIds: someLevels() } : {}),
  ...(pick(2) ? { cardNo: any(CARDS) } : {}),
});

const writes: Array<[string, () => Promise<HttpResult>]> = [
  ['person/add', () => t.post('/api/person/add', person())],
  ['person/delete', () => t.post(`/api/person/delete/${any(PINS)}`)],
  ['v2/person/addPersons', () => t.post('/api/v2/person/addPersons', [person(), person(), person()])],
  ['card/set', () => t.post('/api/card/set', { pin: any(PINS), cardNo: any(CARDS), cardType: 0 })],
  ['accLevel/syncPerson', () => t.post('/api/accLevel/syncPerson', undefined, { pin: any(PINS), levelIds: someLevels() })],
  ['accLevel/deleteLevel', () => t.post('/api/accLevel/deleteLevel', undefined, { pin: any(PINS), levelIds: someLevels() })],
  ['accLevel/addLevelDoor', () => t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: any(LEVELS), doorName: any(DOORS) }] })],
  ['department/add', () => t.post('/api/department/add', { code: any(DEPTS), name: `Dept ${pick(3)}` })],
  ['department/delete', () => t.post(`/api/department/delete/${any(DEPTS)}`)],
  ['device area', () => t.put(`/api/gateway/devices/${any(panels).sim.sn}/area`, { areaCode: any(AREAS) })],
  ['area delete', () => t.delete(`/api/gateway/areas/${any(AREAS)}`)],
  ['area create', () => t.post('/api/gateway/areas', { code: any(AREAS), name: `Area ${pick(3)}` })],
  ['visRegistration/add', () => t.post('/api/visRegistration/add', { persPersonPin: pick(3) ? HOST : any(PINS), certType: '8', certNum: `RH${pick(3)}`, visEmpName: 'V', visitorCount: 1, visitReason: 'Meet', startTime: '2030-01-01 09:00:00', endTime: '2030-01-01 18:00:00', ...(pick(2) ? { cardNo: any(CARDS) } : {}) })],
  ['device delete', () => t.delete(`/api/gateway/devices/${spare.sim.sn}`)],
  ['device register', async () => {
    const r = await spare.sim.register();
    return { status: r.status, body: { code: r.status === 200 ? 0 : -r.status, message: r.body } } as HttpResult;
  }],
  ['accLevel/addLevel', () => t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `RHL${pick(3)}`, areaName: `Area ${any(AREAS)}` }] })],
  ['visRegistration/exit', () => t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: `RH${pick(3)}` })],
];

/** What the database grants on a panel: "pin:doorNo" rows, sorted. */
async function granted(sn: string): Promise<string[]> {
  const rows: Array<{ pin: string; door_no: number }> = await t.ds.query(
    `SELECT DISTINCT p.pin, d.door_no FROM person p JOIN acc_level_person ap ON ap.person_id = p.id JOIN acc_level_door ad ON ad.level_id = ap.level_id
       JOIN door d ON d.id = ad.door_id JOIN device dv ON dv.id = d.device_id WHERE dv.sn = $1`,
    [sn],
  );
  return rows.map((r) => `${r.pin}:${r.door_no}`).sort();
}

function held(d: Device): string[] {
  return d.sim.table('userauthorize').flatMap((r) => {
    const mask = Number(r.AuthorizeDoorId);
    return [1, 2].filter((n) => mask & (1 << (n - 1))).map((n) => `${r.Pin}:${n}`);
  }).sort();
}

it.skipIf(inject('testDb').mode === 'embedded' || !(RUN_MS > 0))('answers every colliding write with an envelope, stores a consistent state, and the panels converge to it', async () => {
  const startSeed = seed;
  const odd: string[] = [];
  const tally = new Map<string, number>();
  const until = Date.now() + RUN_MS;
  let stop = false;
  const poller = (async () => {
    while (!stop) for (const p of panels) await p.sim.pollUntilIdle({ maxPolls: 5 }).catch(() => undefined);
  })();
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (Date.now() < until) {
        // A burst: two to four writes sent together.
        const burst = Array.from({ length: 2 + pick(3) }, () => any(writes));
        const answers = await Promise.all(burst.map(([, w]) => w()));
        answers.forEach((r, i) => {
          const key = `${burst[i][0]} ${r.body?.code}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          if (r.status >= 500 || typeof r.body?.code !== 'number' || r.body.code === -1 || /program error|^The record (already exists|is referenced)/i.test(r.body.message ?? '')) {
            odd.push(`${burst[i][0]}: ${r.status} ${JSON.stringify(r.body)}`);
          }
        });
      }
    }),
  );
  stop = true;
  await poller;
  console.log(`race hunt seed ${startSeed}:`, Object.fromEntries([...tally].sort()));
  expect(odd).toEqual([]);

  // One holder per card value.
  expect(await sharedCardValues(t.ds)).toEqual([]);
  // The REST reads agree: each stored person reads back with the levels and department stored for them.
  for (const pin of PINS) {
    const r = await t.get(`/api/person/get/${pin}`);
    const rows: Array<{ n: number }> = await t.ds.query(`SELECT count(*)::int AS n FROM person WHERE pin = $1`, [pin]);
    expect(r.body.code === 0 ? 1 : 0, `person ${pin}: ${JSON.stringify(r.body)}`).toBe(rows[0].n);
  }

  // The panels converge to exactly the database, and only then say synced.
  for (const p of panels) {
    await settleConverged(t, reconciler, p.sim, 40);
    expect(claimsSynced(await convergenceOf(t, p.sim.sn)), p.sim.sn).toBe(true);
    expect(held(p), p.sim.sn).toEqual(await granted(p.sim.sn));
    const users = p.sim.table('user').map((u) => String(u.Pin)).sort();
    const grantedPins = [...new Set((await granted(p.sim.sn)).map((g) => g.split(':')[0]))].sort();
    expect(users.filter((u) => !PINS.includes(u) || grantedPins.includes(u)).length, `${p.sim.sn} users ${users} granted ${grantedPins}`).toBe(users.length);
    for (const pin of grantedPins) {
      const card: Array<{ card_no: string | null }> = await t.ds.query(`SELECT card_no FROM person WHERE pin = $1`, [pin]);
      expect(String(p.sim.user(pin)?.CardNo ?? ''), `${p.sim.sn} card of ${pin}`).toBe(card[0]?.card_no ?? '');
    }
  }
});
