import fs from 'node:fs';
import { specPath } from '../fixtures/spec-files';
import { expect } from 'vitest';
import { DeviceSimulator, type DeviceSimulatorOptions } from '../simulator/device-simulator';
import type { TestApp } from '../support/test-app';

/** A 1x1 JPEG's first bytes, enough for the gateway's photo check. */
export const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).toString('base64');

/** The 30 timezone fields of a schedule open 00:00-23:59 in segment 1 of all ten day types (tz 1 as seeded). */
export const ALWAYS_OPEN_FIELDS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Hol1', 'Hol2', 'Hol3']
  .map((d) => `${d}Time1=2359\t${d}Time2=0\t${d}Time3=0`)
  .join('\t');

/** A registered simulator whose queue has been drained; `mark()` then `since()` give what a write sent. */
export class Device {
  private from = 0;
  constructor(readonly sim: DeviceSimulator) {}

  static async connect(t: TestApp, sn: string, doors: number, ip: string, extra: Partial<ConstructorParameters<typeof DeviceSimulator>[0]> = {}): Promise<Device> {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors, ipAddress: ip, ...extra });
    await sim.connect();
    await sim.pollUntilIdle();
    const d = new Device(sim);
    d.mark();
    return d;
  }

  mark(): void {
    this.from = this.sim.received.length;
  }

  /** Polls until idle and returns every command text received since the mark (multi-record bodies joined by LF). */
  async since(): Promise<string[]> {
    await this.sim.pollUntilIdle({ maxPolls: 200 });
    const out = this.sim.received.slice(this.from).map((r) => [r.command, ...r.continuation].join('\n'));
    this.mark();
    return out;
  }

  /** Every command received so far was acknowledged with Return >= 0. */
  expectAllAcknowledged(): void {
    const bad = this.sim.received.filter((r) => r.result === undefined || r.result < 0).map((r) => `${r.line} -> ${r.result} ${r.error ?? ''}`);
    expect(bad).toEqual([]);
    const ackIds = new Set(this.sim.acknowledged.map((a) => String(a.id)));
    expect(this.sim.received.filter((r) => !ackIds.has(String(r.id))).map((r) => r.line)).toEqual([]);
  }
}

/** The manual's example for an endpoint, from cvsecurity-api.json. */
export function manualExample(section: string): any {
  const file = specPath('cvsecurity-api.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ep = spec.endpoints.find((e: { section: string }) => e.section === section);
  if (!ep) throw new Error(`no endpoint ${section}`);
  const ex = ep.response.exampleReconstructed ?? ep.response.example;
  if (!ex || typeof ex !== 'object') throw new Error(`no JSON example for ${section}`);
  return ex;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Same key set as the example, recursively (arrays compared through their first item), and the same JSON type
 * for every key whose example value is not null; a value may be null where the example has a string (unknown).
 */
export function expectSameShape(actual: unknown, example: unknown, at = 'data'): void {
  if (example === null) return;
  const ta = typeOf(actual);
  const te = typeOf(example);
  if (ta === 'null' && te === 'string') return;
  expect(`${at}: ${ta}`).toBe(`${at}: ${te}`);
  if (te === 'array') {
    const a = actual as unknown[];
    const e = example as unknown[];
    expect(a.length, `${at} must not be empty for the comparison`).toBeGreaterThan(0);
    if (e.length) expectSameShape(a[0], e[0], `${at}[0]`);
  } else if (te === 'object') {
    const a = actual as Record<string, unknown>;
    const e = example as Record<string, unknown>;
    expect(Object.keys(a).sort(), at).toEqual(Object.keys(e).sort());
    for (const k of Object.keys(e)) expectSameShape(a[k], e[k], `${at}.${k}`);
  }
}

/** The id of a door by name, and the id of a level by name, through the REST API. */
export async function levelId(t: TestApp, name: string): Promise<string> {
  const r = await t.get(`/api/accLevel/getByName/${encodeURIComponent(name)}`);
  expect(r.body.code).toBe(0);
  return r.body.data.id;
}

/** A one-door panel connected and idle, and a new level `name` holding its door: the panel and the level's id. */
export async function panelInLevel(t: TestApp, sn: string, ipAddress: string, name: string, opts: Partial<DeviceSimulatorOptions> = {}): Promise<{ sim: DeviceSimulator; level: string }> {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1, ipAddress, ...opts });
  await sim.connect();
  await sim.pollUntilIdle();
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: name, doorName: `${ipAddress}-1` }] })).body.code).toBe(0);
  return { sim, level: await levelId(t, name) };
}

/** `n` persons inserted straight into the tables (the REST path is covered elsewhere), pins 100001…, all in `level`; ids md5(prefix || g). */
export async function seedPersons(t: Pick<TestApp, 'ds'>, n: number, level: string, prefix = 'p'): Promise<void> {
  await t.ds.query(
    `INSERT INTO person (id, pin, name, dept_id)
     SELECT md5($2 || g), (100000 + g)::text, 'P' || g, (SELECT id FROM department WHERE code = '1') FROM generate_series(1, $1) g`,
    [n, prefix],
  );
  await t.ds.query(`INSERT INTO acc_level_person (level_id, person_id) SELECT $1, md5($3 || g) FROM generate_series(1, $2) g`, [level, n, prefix]);
}

/** Registrations the panel has made (each `/iclock/registry` exchange). */
export const registrations = (d: Device): number => d.sim.exchanges.filter((e) => e.path.startsWith('/iclock/registry')).length;

/** The panel as it would run: it polls every 100 ms (keeping itself online) until `done` or `ms` ran out. */
export async function pollFor(d: Device, ms: number, done: () => boolean | Promise<boolean> = () => false): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await d.sim.poll();
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done();
}

/**
 * Polls a simulated device and runs the reconciler, `rounds` times, until what a fault left owed (a full sync, a
 * retry after its backoff: `pauseMs` between the poll and the reconciler's pass) has reached the device; then
 * drains once more.
 */
export async function settleDevice(
  reconciler: { idle(): Promise<unknown>; runOnce(): Promise<unknown> },
  sim: { pollUntilIdle(o: { maxPolls: number }): Promise<unknown> },
  { rounds = 4, pauseMs = 0 }: { rounds?: number; pauseMs?: number } = {},
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    await reconciler.runOnce();
  }
  await reconciler.idle();
  await sim.pollUntilIdle({ maxPolls: 50 });
}
