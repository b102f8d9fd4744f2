/**
 * A terminal whose records restart (a factory reset, a fresh unit under the same SN, "clear data" at its menu) and
 * the Stamps it is handed (attendance manual 5: the server hands back the marks of the last upload, and the terminal
 * resumes from them; 12.3.1: only Stamp 0 makes it upload again). The simulator keeps a Stamp per record and uploads
 * what lies above the mark it is handed (stampResume). Once the gateway knows the terminal's records were cleared,
 * the next initialisation must hand Stamp 0, and what it then uploads again is stored once; the gateway's own CHECK,
 * which makes that initialisation happen, owes no user count (no loop, no work owed again).
 */
import { describe, expect, it } from 'vitest';
import { AttendanceTerminalService, CLEARED_CHECKS_MAX, type UserCountListener } from '../../src/push/attendance/attendance-terminal.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf, sleep } from '../push/push-helpers';
import { AttendanceTerminal, type TerminalPunch } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const settle = (term: AttendanceTerminal) => settleTerminal(reconciler, term);

/** A stampResume terminal in its own area, holding `pins`. */
async function terminalWith(sn: string, pins: string[]): Promise<AttendanceTerminal> {
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn, stampResume: true });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  for (const pin of pins) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
  if (pins.length) expect((await t.post('/api/attAreaPerson/set', { code: sn, pins })).body.code).toBe(0);
  await settle(term);
  expect([...term.users.keys()].sort()).toEqual(pins);
  return term;
}

const punch = (pin: string, minute: number): TerminalPunch => ({ pin, time: `2026-03-02 08:${String(minute).padStart(2, '0')}:00`, status: 0, verify: 1 });

/** The punches stored for the SN, each as `pin@time` with how many rows it has. */
async function storedPunches(sn: string): Promise<Array<{ pin: string; n: number }>> {
  return t.ds.query(`SELECT pin || '@' || to_char(event_time, 'HH24:MI') AS pin, count(*)::int AS n FROM att_transaction WHERE device_sn = $1 GROUP BY 1 ORDER BY 1`, [sn]);
}

const terminalRow = async (sn: string) =>
  (await t.ds.query(`SELECT t.count_due, t.stamps FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE d.sn = $1`, [sn]))[0] as { count_due: boolean; stamps: Record<string, string> | null };
const checksRun = (term: AttendanceTerminal) => term.executed.filter((e) => e.command === 'CHECK').length;

/** Punches made while its uploads fail (network down), then a power cut: it boots and resumes from the Stamp it is handed. */
async function punchUnsentThenPowerCut(term: AttendanceTerminal, punches: TerminalPunch[]): Promise<void> {
  term.online = false;
  for (const p of punches) expect(await term.punch(p)).toBeNull();
  term.online = true;
  expect(await term.init()).toBe(true);
}

describe('a factory reset noticed from the INFO after its initialisation (0 users where it confirmed some)', () => {
  it('is sent CHECK and handed Stamp 0; what it records and fails to send is uploaded at its next boot, each punch once', async () => {
    const term = await terminalWith('ATT-ST-RESET', ['7101']);
    for (let i = 1; i <= 5; i++) await term.punch(punch('7101', i));
    expect(term.uploadedTo).toBe(5);
    // A reboot without a reset: handed its mark, it sends nothing again.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('5');

    expect(await term.factoryReset()).toBe(true);
    // The gateway cannot know yet: the initialisation of the reset hands the old mark.
    expect(term.serverOptions.ATTLOGStamp).toBe('5');
    await term.poll(true);
    await settle(term);
    expect([...term.users.keys()]).toEqual(['7101']);
    // It was sent CHECK once, behind its users, and read Stamp 0 for every table.
    expect(checksRun(term)).toBe(1);
    expect(term.serverOptions).toMatchObject({ ATTLOGStamp: '0', OPERLOGStamp: '0', ATTPHOTOStamp: '0', BIODATAStamp: '0', Stamp: '0' });
    // That initialisation was its reading our CHECK: no user count owed, nothing owed again.
    expect((await terminalRow('ATT-ST-RESET')).count_due).toBe(false);
    expect(await t.ds.query(`SELECT o.kind FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = 'ATT-ST-RESET'`)).toEqual([]);

    // Two punches its uploads never carried, then a power cut: it is handed no mark above them, so they go up.
    await punchUnsentThenPowerCut(term, [punch('7101', 20), punch('7101', 21)]);
    expect(term.uploadedTo).toBe(2);
    expect(await storedPunches('ATT-ST-RESET')).toEqual([
      ...[1, 2, 3, 4, 5].map((m) => ({ pin: `7101@08:0${m}`, n: 1 })),
      { pin: '7101@08:20', n: 1 },
      { pin: '7101@08:21', n: 1 },
    ]);
    // And from then on it resumes from its new mark: nothing sent again, nothing lost.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('2');
    await term.punch(punch('7101', 22));
    expect((await storedPunches('ATT-ST-RESET')).map((r) => r.n)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    await settle(term);
    expect(checksRun(term)).toBe(1);
  });
});

/**
 * A reset terminal holding users `pins` and one uploaded punch (mark 1), a punch made after the reset (its record 1
 * again: not sent) and the first person edited before the terminal reports its user count, so that the put lands on
 * it first: `then` plays how, up to an INFO reporting the one user the put wrote. Then it settles and boots; answers
 * the punches stored and the CHECKs it ran.
 */
async function resetThenPutLands(
  sn: string,
  pins: string[],
  then: (term: AttendanceTerminal) => Promise<void>,
): Promise<{ stored: Array<{ pin: string; n: number }>; checks: number }> {
  const term = await terminalWith(sn, pins);
  // Its INFO reports the one record: the reset's INFO reports as many, so only its user count gives the reset away.
  await term.punch(punch(pins[0], 1));
  expect(term.uploadedTo).toBe(1);
  await term.poll(true);
  await settle(term);
  expect(await term.factoryReset()).toBe(true);
  expect(term.serverOptions.ATTLOGStamp).toBe('1');
  expect(await term.punch(punch(pins[pins.length - 1], 30))).toBeNull();
  expect((await t.post('/api/person/add', { pin: pins[0], name: 'Renamed' })).body.code).toBe(0);
  await reconciler.idle();
  await then(term);
  await settle(term);
  expect([...term.users.keys()].sort()).toEqual(pins);
  expect(await term.init()).toBe(true);
  expect(term.serverOptions.ATTLOGStamp).toBe('1');
  return { stored: await storedPunches(sn), checks: checksRun(term) };
}

/** The put of `pin` rides the poll whose INFO reports 0 users (the count waits for it); the next INFO reports the user it wrote. */
const putRidesTheInfoPoll = (pin: string) => async (term: AttendanceTerminal) => {
  expect((await term.poll(true)).map((e) => e.command.split('\t')[0])).toEqual([`DATA UPDATE USERINFO PIN=${pin}`]);
  expect(term.users.size).toBe(1);
  await term.poll(true);
};

describe('a factory reset whose user count is judged after a put of ours landed on it (a person edited meanwhile)', () => {
  // Holding none but what the gateway wrote since its count was owed, it was reset: sent CHECK (once), it read Stamp 0
  // and sent the punch; a boot then hands it its new mark. Taken for a terminal that lost a user at its menu, it was
  // sent no CHECK, every boot handed it the old mark 1, and the punch, its record 1, was never sent.
  const expected = { stored: [{ pin: '7151@08:01', n: 1 }, { pin: '7152@08:30', n: 1 }], checks: 1 };

  it('the put riding the poll whose INFO reports 0 users (the count waits for it): handed Stamp 0, the punch below its old mark is stored', async () => {
    const got = await resetThenPutLands('ATT-ST-RESET-PUT', ['7151', '7152'], putRidesTheInfoPoll('7151'));
    expect(got).toEqual(expected);
  });

  it('the put taken by a poll without INFO, then a boot before the count: the count is still measured from the reset', async () => {
    const got = await resetThenPutLands('ATT-ST-RESET-PUT-BOOT', ['7151', '7152'], async (term) => {
      expect((await term.drain()).map((e) => e.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=7151']);
      expect(await term.init()).toBe(true);
      expect(term.serverOptions.ATTLOGStamp).toBe('1');
      await term.poll(true);
    });
    expect(got).toEqual(expected);
  });
});

describe('a factory reset whose every user came back through a put of ours before its user count was judged', () => {
  // Its count then matches what it confirmed (no full sync owed), yet it holds nothing older than what the gateway
  // wrote since the count was owed: a reset. Taken for a terminal that kept its users, it was sent no CHECK, every boot
  // handed it the old mark 1, and the punch made after the reset, its record 1, was never sent.
  it('is sent CHECK and handed Stamp 0: the punch below its old mark is stored once', async () => {
    const got = await resetThenPutLands('ATT-ST-RESET-ALL-PUT', ['7161'], putRidesTheInfoPoll('7161'));
    expect(got).toEqual({ stored: [{ pin: '7161@08:01', n: 1 }, { pin: '7161@08:30', n: 1 }], checks: 1 });
  });
});

/**
 * A reset terminal (one uploaded punch, mark 1; a punch made after the reset, its record 1 again: not sent) whose user
 * `pin` came back through an enrolment at its keypad before its user count was judged, the USER line uploaded (OPERLOG):
 * its INFO then counts that one user. Then it settles and boots; answers the punches stored, the CHECKs it ran and the users it holds.
 */
async function resetThenKeypadEnrolment(term: AttendanceTerminal, sn: string, pin: string): Promise<{ stored: Array<{ pin: string; n: number }>; checks: number; users: string[] }> {
  await term.punch(punch(pin, 1));
  expect(term.uploadedTo).toBe(1);
  await term.poll(true);
  await settle(term);
  expect(await term.factoryReset()).toBe(true);
  expect(term.serverOptions.ATTLOGStamp).toBe('1');
  expect(await term.punch(punch(pin, 30))).toBeNull();
  expect((await term.enrollUser({ pin, name: `P${pin}` })).body).toMatch(/^OK/);
  await term.poll(true);
  await settle(term);
  expect(await term.init()).toBe(true);
  return { stored: await storedPunches(sn), checks: checksRun(term), users: [...term.users.keys()].sort() };
}

describe('a factory reset whose user came back through an enrolment at its keypad before its user count was judged', () => {
  // The enrolment is a user it got since its count was owed, as a put of ours is: holding nothing else, it was reset.
  // Where the line changed nothing the gateway believed the terminal held (the same person, enrolled alike), it was
  // recorded as no new confirmation: counting only the users confirmed since, the count (1) was taken for a terminal
  // that kept its users, no CHECK went, every boot handed the old mark 1 and the punch, its record 1, was never sent.
  const expected = (pin: string, users = [pin]) => ({ stored: [{ pin: `${pin}@08:01`, n: 1 }, { pin: `${pin}@08:30`, n: 1 }], checks: 1, users });

  it('a user of ours enrolled again alike: handed Stamp 0, the punch below its old mark is stored once', async () => {
    const term = await terminalWith('ATT-ST-RESET-KEY', ['7171']);
    expect(await resetThenKeypadEnrolment(term, 'ATT-ST-RESET-KEY', '7171')).toEqual(expected('7171'));
  });

  it('a user first enrolled at that keypad, enrolled again with the same line after the reset: the same', async () => {
    const term = await terminalWith('ATT-ST-RESET-KEY2', []);
    expect((await term.enrollUser({ pin: '7172', name: 'P7172' })).body).toMatch(/^OK/);
    await settle(term);
    expect(await resetThenKeypadEnrolment(term, 'ATT-ST-RESET-KEY2', '7172')).toEqual(expected('7172'));
  });

  it('a new user enrolled after the reset: the same', async () => {
    const term = await terminalWith('ATT-ST-RESET-KEY3', ['7173']);
    expect(await resetThenKeypadEnrolment(term, 'ATT-ST-RESET-KEY3', '7174')).toEqual(expected('7174', ['7173', '7174']));
  });
});

describe('a factory reset whose initialisation lands while the user count of the boot before it is being judged', () => {
  // The count is judged (its listener's transaction), then the count is cleared as owed (a second one): the reset's
  // initialisation between the two made its own count owed, and the clearing took that away. Its next INFO (1 user, a
  // put of ours landed; as many records as before) was then judged as a drop only, measured from that INFO: a full
  // sync, no CHECK, every boot handed the old mark 1 and the punch made after the reset, its record 1, never sent.
  it('keeps the count its initialisation owes: the reset is noticed, handed Stamp 0, the punch below its old mark stored once', { timeout: 120_000 }, async () => {
    const sn = 'ATT-ST-RESET-RACE';
    const term = await terminalWith(sn, ['7181', '7182']);
    await term.punch(punch('7181', 1));
    expect(term.uploadedTo).toBe(1);
    await term.poll(true);
    await settle(term);
    // A boot owes a user count; its INFO's count is judged, and the reset's initialisation lands right after that.
    expect(await term.init()).toBe(true);
    const terminals = t.app.get(AttendanceTerminalService) as unknown as { countListener: UserCountListener };
    const judge = terminals.countListener;
    let resetAt: Promise<boolean> | undefined;
    terminals.countListener = async (e, n, fingers) => {
      const judged = await judge(e, n, fingers);
      if (judged && e.sn === sn && !resetAt) await (resetAt = term.factoryReset());
      return judged;
    };
    try {
      await term.poll(true);
    } finally {
      terminals.countListener = judge;
    }
    expect(await resetAt).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('1');
    expect(await term.punch(punch('7182', 30))).toBeNull();
    expect((await t.post('/api/person/add', { pin: '7181', name: 'Renamed' })).body.code).toBe(0);
    await reconciler.idle();
    expect((await term.drain()).map((e) => e.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=7181']);
    await term.poll(true);
    await settle(term);
    expect([...term.users.keys()].sort()).toEqual(['7181', '7182']);
    expect(await term.init()).toBe(true);
    expect({ stored: await storedPunches(sn), checks: checksRun(term) }).toEqual({ stored: [{ pin: '7181@08:01', n: 1 }, { pin: '7182@08:30', n: 1 }], checks: 1 });
  });
});

describe('a fresh unit under the same SN, holding no users of ours (its record count drops)', () => {
  it('its uploads with lower Stamps are taken, and a reboot hands it its own mark, not the old unit\'s', async () => {
    const old = await terminalWith('ATT-ST-FRESH', []);
    for (let i = 1; i <= 6; i++) await old.punch(punch('7201', i));
    await old.poll(true);
    await sleep(50);

    const fresh = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-ST-FRESH', stampResume: true });
    expect(await fresh.init()).toBe(true);
    expect(fresh.serverOptions.ATTLOGStamp).toBe('6');
    await fresh.punch(punch('7202', 30));
    await fresh.poll(true);
    await settle(fresh);
    expect(checksRun(fresh)).toBe(1);
    // The CHECK's initialisation handed 0: it sent its one punch again (stored once).
    expect(fresh.serverOptions.ATTLOGStamp).toBe('0');
    expect((await terminalRow('ATT-ST-FRESH')).count_due).toBe(false);
    await fresh.punch(punch('7202', 31));
    await punchUnsentThenPowerCut(fresh, [punch('7202', 32)]);
    expect(fresh.serverOptions.ATTLOGStamp).toBe('2');
    const fresher = (await storedPunches('ATT-ST-FRESH')).filter((r) => r.pin.startsWith('7202'));
    expect(fresher).toEqual([
      { pin: '7202@08:30', n: 1 },
      { pin: '7202@08:31', n: 1 },
      { pin: '7202@08:32', n: 1 },
    ]);
  });
});

describe('a terminal deleting its oldest records when its log is full (its record count drops by less than half)', () => {
  it('is not taken for a cleared one: no CHECK, its Stamp kept', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'ATT-ST-FULL', name: 'ATT-ST-FULL' })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn: 'ATT-ST-FULL' });
    for (let i = 1; i <= 10; i++) await term.punch(punch('7601', i));
    await term.poll(true);
    const held = (await terminalRow('ATT-ST-FULL')).stamps?.ATTLOG;
    expect(held).toMatch(/^[1-9]\d*$/);
    term.log.splice(0, 4);
    await term.poll(true);
    await settle(term);
    expect(checksRun(term)).toBe(0);
    expect((await terminalRow('ATT-ST-FULL')).stamps?.ATTLOG).toBe(held);
    // Down to 0 (CLEAR LOG at its menu, not uploaded): cleared.
    term.log.splice(0);
    await term.poll(true);
    await settle(term);
    expect(checksRun(term)).toBe(1);
  });
});

describe('"clear data" at the menu of a terminal that stays connected (OPLOG 13)', () => {
  it('is handed Stamp 0 through one CHECK; the upload sent again (its reply lost) sends no second CHECK', async () => {
    const term = await terminalWith('ATT-ST-MENU', ['7301']);
    for (let i = 1; i <= 4; i++) await term.punch(punch('7301', i));
    // Cleared at its menu: users and records gone, the operation uploaded twice (the first reply lost).
    term.deleteUserLocally('7301');
    term.clearDataAtMenu();
    const oplog = 'OPLOG 13\t0\t2026-03-02 09:00:00\t0\t0\t0\t0\n';
    expect((await term.uploadRaw('OPERLOG', oplog)).status).toBe(200);
    expect((await term.uploadRaw('OPERLOG', oplog)).status).toBe(200);
    await term.poll(true);
    await settle(term);
    expect([...term.users.keys()]).toEqual(['7301']);
    expect(checksRun(term)).toBe(1);
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
    await punchUnsentThenPowerCut(term, [punch('7301', 40)]);
    expect((await storedPunches('ATT-ST-MENU')).map((r) => r.pin)).toContain('7301@08:40');
  });
});

describe('"delete entry and exit records" at the menu (OPLOG 23)', () => {
  it('is handed Stamp 0 through one CHECK, its users untouched and no user count owed', async () => {
    const term = await terminalWith('ATT-ST-OP23', ['7701']);
    for (let i = 1; i <= 3; i++) await term.punch(punch('7701', i));
    term.log.splice(0);
    expect((await term.uploadRaw('OPERLOG', 'OPLOG 23\t0\t2026-03-02 09:30:00\t0\t0\t0\t0\n')).status).toBe(200);
    await settle(term);
    expect(checksRun(term)).toBe(1);
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
    expect((await terminalRow('ATT-ST-OP23')).count_due).toBe(false);
    expect([...term.users.keys()]).toEqual(['7701']);
  });
});

describe('the CHECK for cleared records refused (-1002: busy at its menu)', () => {
  it('is sent again clearedCheckAgainMs on (5 minutes), and the punch below its old mark arrives', async () => {
    const term = await terminalWith('ATT-ST-REFUSE', ['7501']);
    for (let i = 1; i <= 4; i++) await term.punch(punch('7501', i));
    term.clearDataAtMenu();
    expect((await term.uploadRaw('OPERLOG', 'OPLOG 13\t0\t2026-03-02 09:00:00\t0\t0\t0\t0\n')).status).toBe(200);
    term.failCommands((c) => c === 'CHECK', -1002, 1);
    await term.poll(true);
    await settle(term);
    expect(term.executed.filter((e) => e.command === 'CHECK').map((e) => e.returnCode)).toEqual([-1002]);
    // Its mark is still the old one (4): a punch it records now (stamp 1) lies below it and is not sent.
    await term.punch(punch('7501', 50));
    expect((await storedPunches('ATT-ST-REFUSE')).map((r) => r.pin)).not.toContain('7501@08:50');
    // Not before the interval (set long here, so a slow machine cannot outrun it)…
    Object.assign(settingsOf(t), { clearedCheckAgainMs: 600_000 });
    await term.poll();
    expect(term.executed.filter((e) => e.command === 'CHECK')).toHaveLength(1);
    // …and again once it has passed.
    Object.assign(settingsOf(t), { clearedCheckAgainMs: 400 });
    await sleep(450);
    await term.poll();
    await settle(term);
    expect(term.executed.filter((e) => e.command === 'CHECK').map((e) => e.returnCode)).toEqual([-1002, 0]);
    expect((await storedPunches('ATT-ST-REFUSE')).map((r) => r.pin)).toContain('7501@08:50');
    // Read: no CHECK again.
    await sleep(450);
    await term.poll();
    await settle(term);
    expect(term.executed.filter((e) => e.command === 'CHECK')).toHaveLength(2);
  });
});

describe('a terminal that only polls with INFO, whose record count halves (its log cleared at its menu)', () => {
  it('is sent CHECK once: having run it without reading an initialisation, it is not sent CHECK again; its punches still arrive once', async () => {
    Object.assign(settingsOf(t), { clearedCheckAgainMs: 100 });
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-ST-INFOONLY', infoOnly: true });
    await term.poll(true);
    for (let i = 1; i <= 4; i++) expect((await term.punch(punch('7601', i)))?.status).toBe(200);
    await term.poll(true);
    term.clearDataAtMenu();
    await term.poll(true);
    await settle(term);
    expect(term.executed.filter((e) => e.command === 'CHECK').map((e) => e.returnCode)).toEqual([0]);
    expect((await terminalRow('ATT-ST-INFOONLY')).stamps).toHaveProperty('cleared');
    // Polls for many times the retry interval (doubled each time, 100 ms at first): no CHECK again.
    for (let i = 0; i < 30; i++) {
      await sleep(60);
      await term.poll(true);
    }
    await settle(term);
    expect(checksRun(term)).toBe(1);
    // What it records now is stored, once, though its upload sent again.
    await term.punch(punch('7601', 30));
    await term.uploadAttlog([punch('7601', 30)]);
    expect(await storedPunches('ATT-ST-INFOONLY')).toContainEqual({ pin: '7601@08:30', n: 1 });
    // Should it ever initialise, it is handed Stamp 0.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
  });

  it('refusing every CHECK (-1005, busy), is sent at most CLEARED_CHECKS_MAX of them, further and further apart', async () => {
    Object.assign(settingsOf(t), { clearedCheckAgainMs: 20 });
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-ST-INFOBUSY', infoOnly: true });
    term.failCommands((c) => c === 'CHECK', -1005, 'always');
    await term.poll(true);
    for (let i = 1; i <= 4; i++) await term.punch(punch('7602', i));
    await term.poll(true);
    term.clearDataAtMenu();
    await term.poll(true);
    // 20, 40, 80, 160 and 320 ms apart: polled until the last one came (generous limit), then for as long again.
    for (let i = 0; i < 400 && checksRun(term) < CLEARED_CHECKS_MAX; i++) {
      await sleep(20);
      await term.poll(true);
    }
    expect(checksRun(term)).toBe(CLEARED_CHECKS_MAX);
    for (let i = 0; i < 40; i++) {
      await sleep(20);
      await term.poll(true);
    }
    expect(term.executed.filter((e) => e.command === 'CHECK').map((e) => e.returnCode)).toEqual(Array(CLEARED_CHECKS_MAX).fill(-1005));
  });
});

describe("the gateway's own CHECK", () => {
  it('owes no user count and no check: the terminal is not asked for INFO, nothing is owed, and no CHECK follows', async () => {
    const term = await terminalWith('ATT-ST-OWN', ['7401']);
    await term.poll(true);
    await settle(term);
    expect((await t.post('/api/gateway/attendance/terminals/ATT-ST-OWN/command', { action: 'check' })).body.code).toBe(0);
    await term.drain();
    expect(checksRun(term)).toBe(1);
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
    expect((await terminalRow('ATT-ST-OWN')).count_due).toBe(false);
    expect(await t.ds.query(`SELECT o.kind FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = 'ATT-ST-OWN'`)).toEqual([]);
    // Polls without INFO a poll interval on: no INFO command, since no count is owed.
    Object.assign(settingsOf(t), { requestDelay: 0 });
    await term.poll();
    await sleep(20);
    await settle(term);
    expect(term.executed.filter((e) => e.command === 'INFO')).toEqual([]);
    // A reboot of its own still owes its count.
    expect(await term.init()).toBe(true);
    expect((await terminalRow('ATT-ST-OWN')).count_due).toBe(true);
  });
});

describe('CLEAR PHOTO queued for a terminal (12.2.2: its attendance photos cleared)', () => {
  const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`capture ${n}`), Buffer.from([0xff, 0xd9])]);

  it('drops its ATTPHOTO Stamp alone: the photos it takes afterwards, under Stamps from 1 again, are handed back at its next boot', async () => {
    const sn = 'ATT-ST-CLRPHOTO';
    const term = await terminalWith(sn, ['7801']);
    await term.punch(punch('7801', 1));
    for (let i = 1; i <= 3; i++) expect((await term.uploadAttphoto(`20260302080${i}00-7801.jpg`, jpeg(i))).status).toBe(200);
    const before = (await terminalRow(sn)).stamps!;
    expect(before.ATTPHOTO).toBe('3');
    expect((await t.post(`/api/gateway/attendance/terminals/${sn}/command`, { action: 'clearPhoto' })).body).toMatchObject({ code: 0, data: 'CLEAR PHOTO' });
    await settle(term);
    expect(term.executed.filter((e) => e.command === 'CLEAR PHOTO').map((e) => e.returnCode)).toEqual([0]);
    // Its other tables' Stamps and its users are untouched (the time of the photo whose Stamp was held goes with it).
    expect(before.attphotoStampAt).toBe('2026-03-02T08:03:00.000Z');
    const { ATTPHOTO: _dropped, attphotoStampAt: _at, ...others } = before;
    expect((await terminalRow(sn)).stamps).toEqual(others);
    expect([...term.users.keys()]).toEqual(['7801']);
    expect((await term.uploadAttphoto('20260302090000-7801.jpg', jpeg(4))).status).toBe(200);
    expect(await term.init()).toBe(true);
    // Handed the new photo's Stamp, not the old 3 (a resuming terminal would skip its new photos 1 to 3).
    expect(term.serverOptions).toMatchObject({ ATTPHOTOStamp: '1', ATTLOGStamp: before.ATTLOG });
    const stored = await t.ds.query(`SELECT file_name FROM att_photo WHERE device_sn = $1 ORDER BY file_name`, [sn]);
    expect(stored.map((r: { file_name: string }) => r.file_name)).toContain('20260302090000-7801.jpg');
  });
});

describe('CLEAR LOG queued while the terminal is away, which initialises before it runs it', () => {
  it('is handed Stamp 0 again once the clear has run (its Return): the punch it records afterwards and fails to send is uploaded at its next boot', async () => {
    const sn = 'ATT-ST-CLRLOG-LATE';
    const term = await terminalWith(sn, []);
    await term.punch(punch('7901', 1));
    await term.punch(punch('7901', 2));
    expect((await terminalRow(sn)).stamps).toMatchObject({ ATTLOG: '2' });
    // Queued while it is away: the gateway drops its Stamps then.
    term.online = false;
    expect((await t.post(`/api/gateway/attendance/terminals/${sn}/command`, { action: 'clearLog' })).body).toMatchObject({ code: 0, data: 'CLEAR LOG' });
    term.online = true;
    // Back, it boots before polling: handed Stamp 0 for the clear not yet run, it uploads its old log again under Stamp 2.
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
    await settle(term);
    expect(term.executed.filter((e) => e.command === 'CLEAR LOG').map((e) => e.returnCode)).toEqual([0]);
    // Its records start again at 1 now. A punch it fails to send, then a power cut: it resumes from what it is handed.
    await punchUnsentThenPowerCut(term, [punch('7901', 30)]);
    // Handed the old log's Stamp 2, it would skip its new record 1 for ever.
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
    await settle(term);
    expect(await storedPunches(sn)).toEqual([
      { pin: '7901@08:01', n: 1 },
      { pin: '7901@08:02', n: 1 },
      { pin: '7901@08:30', n: 1 },
    ]);
  });
});
