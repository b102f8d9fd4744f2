/**
 * A terminal's initialisation reads the marks its row holds (a CHECK queued: Stamp 0 owed; its records cleared)
 * and consumes them in one statement (HANDSHAKE_UPSERT). A write of such a mark committing while that statement
 * waited on the terminal's row (an operator's CHECK queued as the terminal reboots) was consumed by the update,
 * which sees the newest row, yet not answered: the marks came from the statement's snapshot, taken before it. The
 * terminal was handed its old Stamps, and the CHECK's own re-read found nothing owed: what it was to upload again
 * never came. Here the write is held open on a second connection while the terminal initialises.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AttendanceTerminalService } from '../../src/push/attendance/attendance-terminal.service';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TerminalPunch } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { lockWaits } from '../support/lock-waits';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let ds: DataSource;
let terminals: AttendanceTerminalService;
let reconciler: SyncReconciler;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  ds = t.app.get(DataSource);
  terminals = t.app.get(AttendanceTerminalService);
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

const punch = (minute: number): TerminalPunch => ({ pin: '7601', time: `2026-03-02 08:${String(minute).padStart(2, '0')}:00`, status: 0, verify: 1 });

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('an initialisation while a CHECK is being queued', () => {
  it('hands Stamp 0 for the CHECK whose mark committed while it waited on the row', { timeout: 60_000 }, async () => {
    const sn = 'ATT-INIT-RACE';
    const term = await initialisedTerminal(t, { sn, stampResume: true });
    for (let i = 1; i <= 3; i++) await term.punch(punch(i));
    await settleTerminal(reconciler, term);
    const [{ id, stamp }] = await ds.query(`SELECT d.id, t.stamps->>'ATTLOG' AS stamp FROM device d JOIN att_terminal t ON t.device_id = d.id WHERE d.sn = $1`, [sn]);
    expect(stamp).not.toBeNull();

    // The operator's CHECK (its mark on the terminal's row) is written and not committed yet; the terminal reboots.
    const write = ds.createQueryRunner();
    await write.connect();
    await write.startTransaction();
    await terminals.markCheck(write.manager, id);
    const init = term.init();
    await lockWaits(ds, 1);
    await write.commitTransaction();
    await write.release();
    expect(await init).toBe(true);

    // The mark was answered by this initialisation: Stamp 0, so the terminal uploads its records again.
    expect(term.serverOptions.ATTLOGStamp).toBe('0');
  });
});
