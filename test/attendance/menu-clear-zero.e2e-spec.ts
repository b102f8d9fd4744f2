/**
 * "Clear all data" at an attendance terminal's menu, with no OPLOG uploaded and no reboot: the only sign is its next
 * INFO reporting 0 users. When the INFO before it said 0 as well (reported before its users were written, which came
 * in polls without INFO), no count dropped between two INFOs, and no count was owed: the deleted users came back only
 * at the hourly verification, while the terminal refused them and the status said it synced. A 0 is judged against
 * the users it confirmed at any INFO; a terminal that holds no users, and one whose count always reads 0, cost nothing
 * more than once.
 */
import { describe, expect, it, vi } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { sleep } from '../push/push-helpers';
import { AttendanceTerminal, type AttendanceTerminalOptions } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const settle = (term: AttendanceTerminal) => settleTerminal(reconciler, term);
const pinsOn = (term: AttendanceTerminal) => [...term.users.keys()].sort();
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
const userWrites = (term: AttendanceTerminal) => term.executed.filter((e) => e.command.startsWith('DATA UPDATE USERINFO')).length;

/** What the database puts on the terminal (its area's members), by pin. */
const wantedPins = async (code: string): Promise<string[]> =>
  (
    await t.ds.query(
      `SELECT p.pin FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id AND p.status = 'active'
        WHERE ap.module = 'att' AND a.code = $1 ORDER BY p.pin`,
      [code],
    )
  ).map((r: { pin: string }) => r.pin);

/**
 * A terminal in its own area whose first INFO (0 users, judged as its initialisation owed) came before its users,
 * which then reached it through polls without INFO.
 */
async function terminalCountedEmpty(sn: string, pins: string[], opts: Partial<AttendanceTerminalOptions> = {}): Promise<AttendanceTerminal> {
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn, ...opts });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  await settle(term);
  await term.poll(true);
  await settle(term);
  const [due] = await t.ds.query(`SELECT t.count_due FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE d.sn = $1`, [sn]);
  expect(due.count_due).toBe(false);
  for (const pin of pins) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
  if (pins.length) expect((await t.post('/api/attAreaPerson/set', { code: sn, pins })).body.code).toBe(0);
  await settle(term);
  expect(pinsOn(term)).toEqual(pins);
  return term;
}

describe('"clear all data" at the menu, no OPLOG, no reboot, the INFO before it also at 0 users', () => {
  it('the poll whose INFO reports 0 users brings the users back, and later INFOs send nothing again', async () => {
    const sn = 'ATT-ZERO-CLR';
    const term = await terminalCountedEmpty(sn, ['9601', '9602']);
    term.clearDataAtMenu();
    expect(term.info().split(',')[1]).toBe('0');
    await term.poll(true);
    await settle(term);
    expect(pinsOn(term)).toEqual(await wantedPins(sn));
    expect(pinsOn(term)).toEqual(['9601', '9602']);
    await reconciler.idle();
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, owed: [] });
    // Its INFO now counts 2: nothing more is owed or sent.
    const before = userWrites(term);
    for (let i = 0; i < 3; i++) {
      await term.poll(true);
      await sleep(50);
      await settle(term);
    }
    expect(userWrites(term)).toBe(before);
    expect(pinsOn(term)).toEqual(await wantedPins(sn));
  });
});

describe('a terminal that holds no users, as the database says', () => {
  it('its INFOs reporting 0 users owe nothing and send nothing', async () => {
    const sn = 'ATT-ZERO-EMPTY';
    const term = await terminalCountedEmpty(sn, []);
    const ran = term.executed.length;
    for (let i = 0; i < 3; i++) {
      await term.poll(true);
      await sleep(50);
      await settle(term);
    }
    expect(term.executed.length).toBe(ran);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, owed: [] });
  });
});

describe('firmware whose INFO user count always reads 0', () => {
  it('is sent its users again at most once, not at every INFO', async () => {
    const sn = 'ATT-ZERO-LIAR';
    const term = await terminalCountedEmpty(sn, ['9611'], { userCountZero: true });
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await term.poll(true);
      await sleep(50);
      await settle(term);
      counts.push(userWrites(term));
    }
    // The first 0 after it confirmed a user is judged (a full sync, harmless on a terminal that kept its users); the
    // rest are not believed until its INFO reports a user again.
    expect(counts[4] - counts[0]).toBe(0);
    expect(pinsOn(term)).toEqual(['9611']);
  });
});

describe('an empty terminal polling with INFO all day', () => {
  it('asks the database whether it confirmed users once, not at every INFO; users confirmed later still bring the menu clear back', async () => {
    const sn = 'ATT-ZERO-IDLE';
    const term = await terminalCountedEmpty(sn, []);
    const statements: string[] = [];
    const query = t.ds.query.bind(t.ds);
    const spy = vi.spyOn(t.ds, 'query').mockImplementation((sql: string, ...rest: unknown[]) => {
      if (/sync_item/.test(sql)) statements.push(sql);
      return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest) as never;
    });
    try {
      for (let i = 0; i < 8; i++) {
        expect(term.info().split(',')[1]).toBe('0');
        expect(await term.poll(true)).toEqual([]);
      }
    } finally {
      spy.mockRestore();
    }
    // Before, each of the 8 INFOs read sync_item; one read is all it takes.
    expect(statements.length).toBeLessThanOrEqual(1);
    // Users come through polls without INFO (commands queued for it forget what was learnt); the menu clear is found.
    for (const pin of ['9621', '9622']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['9621', '9622'] })).body.code).toBe(0);
    await settle(term);
    expect(pinsOn(term)).toEqual(['9621', '9622']);
    term.clearDataAtMenu();
    expect(term.info().split(',')[1]).toBe('0');
    await term.poll(true);
    await settle(term);
    expect(pinsOn(term)).toEqual(['9621', '9622']);
    expect(pinsOn(term)).toEqual(await wantedPins(sn));
  });
});
