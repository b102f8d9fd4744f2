import { expect } from 'vitest';
import type { HttpResult, TestApp } from '../support/test-app';

/** The three level modules whose calls give persons levels (syncPerson, addLevelPerson) and take them (deleteLevel). */
export type LevelModule = 'acc' | 'ele' | 'psg';
export const LEVEL_MODULES = [
  ['acc', 'accLevel'],
  ['ele', 'eleLevel'],
  ['psg', 'psgLevel'],
] as const;

export const SUCCESS = { code: 0, message: 'success', data: null };

async function okBody(what: string, p: Promise<HttpResult>): Promise<HttpResult> {
  const r = await p;
  expect(r.body?.code, `${what}: ${r.text.slice(0, 200)}`).toBe(0);
  return r;
}

/** A level of each module under each name (ids by module, in the names' order), and persons with these pins. */
export async function levelsAndPersons(t: TestApp, names: string[], pins: string[]): Promise<Record<LevelModule, string[]>> {
  const levels: Record<LevelModule, string[]> = { acc: [], ele: [], psg: [] };
  for (const name of names) {
    await okBody('addLevel', t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] }));
    levels.acc.push((await okBody('level', t.get(`/api/accLevel/getByName/${name}`))).body.data.id);
    for (const m of ['ele', 'psg'] as const) levels[m].push((await okBody(`${m}Level`, t.post(`/api/gateway/${m}Level/save`, { name, pointIds: [] }))).body.data.id);
  }
  for (const pin of pins) await okBody('person/add', t.post('/api/person/add', { pin, name: `P${pin}` }));
  return levels;
}

/** The ids of the module's levels the person holds, as stored. */
export async function heldLevels(t: TestApp, module: LevelModule, pin: string): Promise<string[]> {
  const rows: Array<{ level_id: string }> = await t.ds.query(
    `SELECT x.level_id FROM ${module}_level_person x JOIN person p ON p.id = x.person_id WHERE p.pin = $1 ORDER BY 1`,
    [pin],
  );
  return rows.map((r) => r.level_id);
}
