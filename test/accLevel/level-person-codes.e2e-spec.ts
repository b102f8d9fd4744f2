import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { heldLevels, LEVEL_MODULES, levelsAndPersons, SUCCESS, type LevelModule } from './level-person-fixture';

/**
 * The appendix codes of the calls that give persons levels and take them away (2.1.1 deleteLevel, 2.1.6
 * syncPerson, addLevelPerson, and the elevator and entrance-control twins 2.2.1/2.2.6, 2.32.1/2.32.6):
 * -42 "Personnel ID or access level id is null" for a pin or levelIds missing or empty, -40 "Authorize access
 * failure" for a grant that fails and -41 "Delete access level failure" for a removal that fails, where no other code
 * names the failure. A failure is made real here by a trigger that refuses the membership row, as the database
 * refusing the write for a reason the gateway does not expect would.
 */
let t: TestApp;
let levels: Record<LevelModule, string[]>;
const success = SUCCESS;
const MODULES = LEVEL_MODULES;

beforeAll(async () => {
  t = await startTestApp();
  levels = await levelsAndPersons(t, ['Codes A', 'Codes B'], ['400', '401', '402']);
});
afterAll(async () => {
  await t?.close();
});

const held = (module: LevelModule, pin: string) => heldLevels(t, module, pin);

/** A trigger refusing inserts (or deletes) into the table while `body` runs. */
async function refusing<T>(table: string, op: 'INSERT' | 'DELETE', body: () => Promise<T>): Promise<T> {
  await t.ds.query(`CREATE OR REPLACE FUNCTION refuse_membership() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'membership refused by test'; END $$`);
  await t.ds.query(`CREATE TRIGGER refuse_membership BEFORE ${op} ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_membership()`);
  try {
    return await body();
  } finally {
    await t.ds.query(`DROP TRIGGER refuse_membership ON ${table}`);
  }
}


describe('-42: a pin or levelIds missing or empty', () => {
  const NULL42 = { code: -42, message: expect.stringMatching(/^Personnel ID or access level id is null/), data: null };
  it.each(MODULES)('%s: deleteLevel and syncPerson without a pin, without levelIds, with empty or separator-only ones', async (m, path) => {
    const calls = [`/api/${path}/deleteLevel`, `/api/${path}/syncPerson`, ...(m === 'acc' ? ['/api/accLevel/addLevelPerson'] : [])];
    for (const call of calls) {
      for (const query of [{ levelIds: levels[m][0] }, { pin: '400' }, { pin: '', levelIds: levels[m][0] }, { pin: '400', levelIds: '' }, { pin: '400', levelIds: ' ; , ' }, { pin: ' ; ', levelIds: levels[m][0] }]) {
        const res = await t.post(call, undefined, query);
        expect(res.status).toBe(200);
        expect(res.body, `${call} ${JSON.stringify(query)}`).toEqual(NULL42);
      }
      // The same from a JSON body.
      expect((await t.post(call, { levelIds: [levels[m][0]] })).body).toEqual(NULL42);
    }
    expect(await held(m, '400')).toEqual([]);
  });

  it('syncLevel, which takes no pin, keeps -43 for a level id left out', async () => {
    expect((await t.post('/api/accLevel/syncLevel', undefined, { levelIds: ' ; ' })).body).toMatchObject({ code: -43, data: null });
  });
});

describe('-40 / -41: a grant or a removal that fails', () => {
  it.each(MODULES)('%s: syncPerson (and addLevelPerson) answer -40 "Authorize access failure", HTTP 200, and nothing is granted', async (m, path) => {
    const calls = [`/api/${path}/syncPerson`, ...(m === 'acc' ? ['/api/accLevel/addLevelPerson'] : [])];
    await refusing(`${m}_level_person`, 'INSERT', async () => {
      for (const call of calls) {
        const res = await t.post(call, undefined, { pin: '401', levelIds: levels[m][0] });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toEqual({ code: -40, message: 'Authorize access failure', data: null });
      }
    });
    expect(await held(m, '401')).toEqual([]);
    // With the database taking the row again, the same call succeeds.
    expect((await t.post(calls[0], undefined, { pin: '401', levelIds: levels[m][0] })).body).toEqual(success);
    expect(await held(m, '401')).toEqual([levels[m][0]]);
  });

  it.each(MODULES)('%s: deleteLevel answers -41 "Delete access level failure", HTTP 200, and the level stays held', async (m, path) => {
    expect((await t.post(`/api/${path}/syncPerson`, undefined, { pin: '402', levelIds: levels[m][1] })).body).toEqual(success);
    await refusing(`${m}_level_person`, 'DELETE', async () => {
      const res = await t.post(`/api/${path}/deleteLevel`, undefined, { pin: '402', levelIds: levels[m][1] });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ code: -41, message: 'Delete access level failure', data: null });
    });
    expect(await held(m, '402')).toEqual([levels[m][1]]);
    expect((await t.post(`/api/${path}/deleteLevel`, undefined, { pin: '402', levelIds: levels[m][1] })).body).toEqual(success);
    expect(await held(m, '402')).toEqual([]);
  });

  it('failures with codes of their own keep them: -22 for an unknown pin, -24 for an unknown level', async () => {
    expect((await t.post('/api/accLevel/syncPerson', undefined, { pin: 'nobody', levelIds: levels.acc[0] })).body.code).toBe(-22);
    expect((await t.post('/api/accLevel/deleteLevel', undefined, { pin: '400', levelIds: 'f'.repeat(32) })).body.code).toBe(-24);
  });
});
