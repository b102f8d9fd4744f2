/**
 * A terminal whose record numbering starts again while it keeps its users (its attendance records deleted at its
 * menu without an operation log, a firmware upgrade, a new mainboard under the SN): nothing the gateway can count
 * gives it away, only its uploads' Stamps, now below the one held. Manual 5: the server records the mark the
 * terminal uploads and hands it back at initialisation, and the terminal resumes above it. Kept at the old, higher
 * mark, the gateway handed it back at every boot and the terminal skipped what it recorded below it and had not sent
 * (lost punches). An upload that brings new records under a lower Stamp now sets the mark; one that brings nothing
 * new (an upload held up on the way, arriving after later ones) leaves it (it would only make the terminal send
 * those records again).
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { AttendanceTerminal, type TerminalPunch } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

/** A terminal (stampResume, real-time uploads below its mark) holding person `pin`, in its own area. */
async function terminalWith(sn: string, pin: string): Promise<AttendanceTerminal> {
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn, stampResume: true, realtimeBelowMark: true });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
  await settleTerminal(reconciler, term);
  expect([...term.users.keys()]).toEqual([pin]);
  return term;
}

const punch = (pin: string, minute: number): TerminalPunch => ({ pin, time: `2026-03-02 08:${String(minute).padStart(2, '0')}:00`, status: 0, verify: 1 });

/** The punches stored for the SN, each as `pin@HH:MI` with how many rows it has. */
async function storedPunches(sn: string): Promise<Array<{ at: string; n: number }>> {
  return t.ds.query(`SELECT pin || '@' || to_char(event_time, 'HH24:MI') AS at, count(*)::int AS n FROM att_transaction WHERE device_sn = $1 GROUP BY 1 ORDER BY 1`, [sn]);
}

const heldStamps = async (sn: string) =>
  ((await t.ds.query(`SELECT t.stamps FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE d.sn = $1`, [sn]))[0]?.stamps ?? {}) as Record<string, string>;

describe('a terminal whose record numbering starts again, its users kept', () => {
  it('its first upload below the old mark sets the mark: a punch it then fails to send goes up at its next boot, each punch once', async () => {
    const sn = 'ATT-RENUM-1';
    const term = await terminalWith(sn, '7901');
    for (let m = 1; m <= 5; m++) expect((await term.punch(punch('7901', m)))?.body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTLOG).toBe('5');
    term.restartRecordsAtMenu();
    // Its next punch is its record 1 again, uploaded at once under Stamp 1.
    expect((await term.punch(punch('7901', 10)))?.body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTLOG).toBe('1');
    // Record 2, made while its network is down, then a power cut: handed the mark of record 1, it sends record 2.
    term.online = false;
    expect(await term.punch(punch('7901', 11))).toBeNull();
    term.online = true;
    expect(await term.init()).toBe(true);
    expect(term.serverOptions).toMatchObject({ ATTLOGStamp: '1', Stamp: '1' });
    expect(term.uploadedTo).toBe(2);
    // Records 3 to 6 pass the old mark 5 again; a boot then sends nothing twice.
    for (let m = 12; m <= 15; m++) expect((await term.punch(punch('7901', m)))?.body).toMatch(/^OK/);
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('6');
    await settleTerminal(reconciler, term);
    expect(await storedPunches(sn)).toEqual([1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15].map((m) => ({ at: `7901@08:${String(m).padStart(2, '0')}`, n: 1 })));
  });

  it('an earlier upload arriving again after later ones (nothing new in it) does not lower the mark', async () => {
    const sn = 'ATT-RENUM-2';
    const term = await terminalWith(sn, '7902');
    for (let m = 1; m <= 3; m++) expect((await term.punch(punch('7902', m)))?.body).toMatch(/^OK/);
    expect((await term.resendAttlogUpload(0)).body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTLOG).toBe('3');
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('3');
    expect((await storedPunches(sn)).map((r) => r.n)).toEqual([1, 1, 1]);
  });

  it('an upload of the old numbering arriving after the first of the new one does not raise the mark again: a punch left unsent goes up at the next boot', async () => {
    const sn = 'ATT-RENUM-LATE';
    const term = await terminalWith(sn, '7904');
    for (let m = 1; m <= 5; m++) expect((await term.punch(punch('7904', m)))?.body).toMatch(/^OK/);
    term.restartRecordsAtMenu();
    expect((await term.punch(punch('7904', 10)))?.body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTLOG).toBe('1');
    // Its upload of record 5 (Stamp 5, the 08:05 punch) held up on the way, arriving now: nothing new, and older.
    expect((await term.resendAttlogUpload(4)).body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTLOG).toBe('1');
    // Record 2, made while its network is down, then a power cut: handed mark 1 (not 5), it sends record 2.
    term.online = false;
    expect(await term.punch(punch('7904', 11))).toBeNull();
    term.online = true;
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('1');
    expect(term.uploadedTo).toBe(2);
    await settleTerminal(reconciler, term);
    expect(await storedPunches(sn)).toEqual([1, 2, 3, 4, 5, 10, 11].map((m) => ({ at: `7904@08:${String(m).padStart(2, '0')}`, n: 1 })));
    // Served back through REST, each once.
    const listed = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 100, personPin: '7904' })).body.data as Array<{ eventTime: string }>;
    expect(listed.map((x) => x.eventTime.slice(11, 16)).sort()).toEqual(['08:01', '08:02', '08:03', '08:04', '08:05', '08:10', '08:11']);
  });

  it('the same two uploads at once (one write batch, or either first): the mark is the new numbering\'s', async () => {
    const sn = 'ATT-RENUM-BATCH';
    const term = await terminalWith(sn, '7905');
    for (let m = 1; m <= 5; m++) expect((await term.punch(punch('7905', m)))?.body).toMatch(/^OK/);
    term.restartRecordsAtMenu();
    const [fresh, stale] = await Promise.all([term.punch(punch('7905', 10)), term.resendAttlogUpload(4)]);
    expect(fresh?.body).toMatch(/^OK/);
    expect(stale.body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTLOG).toBe('1');
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.ATTLOGStamp).toBe('1');
    expect(await storedPunches(sn)).toEqual([1, 2, 3, 4, 5, 10].map((m) => ({ at: `7905@08:${String(m).padStart(2, '0')}`, n: 1 })));
  });

  it('its attendance photos numbered from 1 again: the lower ATTPHOTO Stamp of a new photo is handed back, not the old one', async () => {
    const sn = 'ATT-RENUM-PHOTO';
    const term = await terminalWith(sn, '7903');
    const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`capture ${n}`), Buffer.from([0xff, 0xd9])]);
    for (let i = 1; i <= 3; i++) expect((await term.uploadAttphoto(`20260302080${i}00-7903.jpg`, jpeg(i))).body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTPHOTO).toBe('3');
    term.restartRecordsAtMenu({ photos: true });
    // The same photo sent again under Stamp 1 brings nothing new: the mark stays.
    expect((await term.uploadAttphoto('20260302080300-7903.jpg', jpeg(3))).body).toMatch(/^OK/);
    expect((await heldStamps(sn)).ATTPHOTO).toBe('3');
    // A new photo under Stamp 2 is its numbering: handed back, not the old 3 (above its photos 1 to 3 to come).
    expect((await term.uploadAttphoto('20260302090000-7903.jpg', jpeg(4))).body).toMatch(/^OK/);
    expect(await term.init()).toBe(true);
    expect(term.serverOptions).toMatchObject({ ATTPHOTOStamp: '2', PhotoStamp: '2' });
  });

  it('an OPERLOG of the old numbering arriving after the first of the new one does not raise the OPERLOG mark again', async () => {
    const sn = 'ATT-RENUM-OPLOG';
    const term = await terminalWith(sn, '7906');
    const oplog = (minute: number) => `OPLOG 4\t0\t2026-03-02 08:${String(minute).padStart(2, '0')}:00\t0\t0\t0\t0`;
    for (let m = 1; m <= 5; m++) expect((await postStamped(sn, 'OPERLOG', m, `${oplog(m)}\n`)).body).toBe('OK: 1');
    expect((await heldStamps(sn)).OPERLOG).toBe('5');
    // Its numbering starts again: operation record 1 of the new numbering, a new operation.
    expect((await postStamped(sn, 'OPERLOG', 1, `${oplog(30)}\n`)).body).toBe('OK: 1');
    expect((await heldStamps(sn)).OPERLOG).toBe('1');
    // Its upload of old record 5 held up on the way, arriving now: nothing new, and older than what the mark holds.
    expect((await postStamped(sn, 'OPERLOG', 5, `${oplog(5)}\n`)).body).toBe('OK: 1');
    // An old record never stored before (its upload lost then, held up now): stored, the mark left.
    expect((await postStamped(sn, 'OPERLOG', 4, `${oplog(4).replace('OPLOG 4', 'OPLOG 5')}\n`)).body).toBe('OK: 1');
    expect((await heldStamps(sn)).OPERLOG).toBe('1');
    expect(await term.init()).toBe(true);
    expect(term.serverOptions.OPERLOGStamp).toBe('1');
    // The new numbering going on past the old mark is taken.
    expect((await postStamped(sn, 'OPERLOG', 7, `${oplog(31)}\n`)).body).toBe('OK: 1');
    expect((await heldStamps(sn)).OPERLOG).toBe('7');
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM att_operlog WHERE device_sn = $1`, [sn]);
    expect(n).toBe(8);
  });

  it('an attendance photo of the old numbering sent again after the first of the new one does not raise the ATTPHOTO mark again', async () => {
    const sn = 'ATT-RENUM-PHOTO-LATE';
    const term = await terminalWith(sn, '7907');
    const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`capture ${n}`), Buffer.from([0xff, 0xd9])]);
    for (let i = 1; i <= 3; i++) expect((await term.uploadAttphoto(`20260302080${i}00-7907.jpg`, jpeg(i))).body).toBe('OK');
    term.restartRecordsAtMenu({ photos: true });
    expect((await term.uploadAttphoto('20260302090000-7907.jpg', jpeg(4))).body).toBe('OK');
    expect((await heldStamps(sn)).ATTPHOTO).toBe('1');
    // Its photo 3 of the old numbering (Stamp 3) arriving again, held up on the way.
    const head = Buffer.from(`PIN=20260302080300-7907.jpg\nSN=${sn}\nsize=${jpeg(3).length}\nCMD=uploadphoto\0`, 'utf8');
    expect((await postStamped(sn, 'ATTPHOTO', 3, Buffer.concat([head, jpeg(3)]))).body).toBe('OK');
    expect((await heldStamps(sn)).ATTPHOTO).toBe('1');
    expect(await term.init()).toBe(true);
    expect(term.serverOptions).toMatchObject({ ATTPHOTOStamp: '1', PhotoStamp: '1' });
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM att_photo WHERE device_sn = $1`, [sn]);
    expect(n).toBe(4);
  });
});

/** `POST /iclock/cdata?SN=&table=&Stamp=` with the body and Stamp given (an upload as it went, arriving late). */
async function postStamped(sn: string, table: string, stamp: number, body: string | Buffer): Promise<{ status: number; body: string }> {
  const r = await fetch(`${t.baseUrl}/iclock/cdata?SN=${sn}&table=${table}&Stamp=${stamp}`, { method: 'POST', body });
  return { status: r.status, body: await r.text() };
}
