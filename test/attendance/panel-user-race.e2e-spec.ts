/**
 * A user a device uploads while a REST write creates the same pin: a panel's `tabledata user` (security 7.5) or a
 * terminal's OPERLOG USER line (attendance 11.5). The upload's insert waits on the REST write's new row, and meets
 * its unique pin once that commits. The upload is answered as any other: the person the REST write made takes the
 * device's line (as a later upload would), and nothing is stored twice.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { lockWaits } from '../support/lock-waits';
import { startTestApp, type TestApp } from '../support/test-app';
import { levelId, panelInLevel } from '../sync/access-helpers';
import { initialisedTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  t = await startTestApp();
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

/**
 * `person/add` of `pin` in `level`, held after inserting its person, before its level membership (whose key the level
 * row, locked here, must give), while `upload` sends the same pin: it then waits on that person's row. Answers both.
 */
async function uploadWhileAdded<U>(level: string, pin: string, upload: () => Promise<U>): Promise<[{ body: { code: number; message?: string } }, U]> {
  const hold = t.ds.createQueryRunner();
  await hold.connect();
  await hold.startTransaction();
  let rest: Promise<{ body: { code: number; message?: string } }> | undefined;
  let sent: Promise<U> | undefined;
  try {
    await hold.query(`SELECT 1 FROM acc_level WHERE id = $1 FOR UPDATE`, [level]);
    rest = t.post('/api/person/add', { pin, name: 'Rest', accLevelIds: level });
    await lockWaits(t.ds, 1);
    sent = upload();
    await lockWaits(t.ds, 2);
  } finally {
    await hold.commitTransaction();
    await hold.release();
  }
  const [r, u] = await Promise.all([rest!, sent!]);
  expect(r.body.code, r.body.message).toBe(0);
  return [r, u];
}

const personOf = (pin: string) => t.ds.query(`SELECT name, card_no FROM person WHERE pin = $1`, [pin]);

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('a device uploads a user while a REST write creates the same pin', () => {
  it('a panel: the upload is answered with its count, the person is stored once with the panel line taken', { timeout: 60_000 }, async () => {
    const { sim, level } = await panelInLevel(t, 'PUR-PANEL-1', '10.9.1.1', 'PUR');

    const [, u] = await uploadWhileAdded(level, '990001', () => sim.enrollUserLocally({ uid: 1, pin: '990001', name: 'Panel', cardno: '7700001' }));
    expect(u.status, String(u.body)).toBe(200);
    expect(u.body).toBe('user=1');

    expect(await personOf('990001')).toEqual([{ name: 'Panel', card_no: '7700001' }]);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').filter((x) => x.Pin === '990001').map((x) => [x.Name, x.CardNo])).toEqual([['Panel', '7700001']]);
    expect(sim.table('userauthorize').filter((x) => x.Pin === '990001')).toHaveLength(1);
  });

  it('an attendance terminal: its OPERLOG is answered OK, the person is stored once with the USER line taken', { timeout: 60_000 }, async () => {
    const term = await initialisedTerminal(t, { sn: 'PUR-TERM-1' });
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'PUR-T' }] })).body.code).toBe(0);
    const level = await levelId(t, 'PUR-T');

    const [, u] = await uploadWhileAdded(level, '990002', () => term.uploadOperlog(['USER PIN=990002\tName=Terminal\tPri=0\tPasswd=\tCard=7700002\tGrp=1\tTZ=0000000000000000\tVerify=-1']));
    expect(u.status, String(u.body)).toBe(200);
    expect(u.body).toBe('OK: 1');
    expect(await personOf('990002')).toEqual([{ name: 'Terminal', card_no: '7700002' }]);
  });
});
