/**
 * A terminal whose clock went back (a dead clock battery, a clock set back at its menu, a wrong time zone put
 * right) records a second punch of one person at a second it already holds a punch at. An ATTLOG line carries no
 * record number, so the gateway tells the two apart only by what the lines say: a terminal sends one record the
 * same way every time (a resend, a recovery, a query answer), so a line of the same PIN and time whose state, verify
 * mode, work code or reserved fields differ (and is not the front of the other, as a line an upload cut mid-body
 * brings) is another punch. Lines alike in every field stay one punch: a resend cannot be told from them, and they
 * say nothing a payroll would count twice.
 */
import { describe, expect, it } from 'vitest';
import type { TerminalPunch } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

/** The punches listed by 2.21.1 for the PIN, oldest first, as `HH:MI:SS <state>`. */
async function listed(pin: string): Promise<string[]> {
  const r = await t.get('/api/transaction/listAttTransaction', { personPin: pin, pageNo: 1, pageSize: 100, startDate: '2026-03-01 00:00:00', endDate: '2026-03-03 00:00:00' });
  expect(r.body.code).toBe(0);
  return (r.body.data as Array<{ eventTime: string; eventName: string }>).map((p) => `${p.eventTime.slice(11)} ${p.eventName}`).reverse();
}

const at = (pin: string, time: string, status: number, verify = 1): TerminalPunch => ({ pin, time: `2026-03-02 ${time}`, status, verify });

describe('a terminal whose clock went back', () => {
  it('keeps a second punch of one person at a second it holds already, in another state; every resend of either adds nothing', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CLOCKBACK-1', stampResume: true });
    expect((await term.punch(at('8101', '08:00:00', 0)))?.body).toBe('OK: 1');
    expect((await term.punch(at('8101', '08:30:00', 2)))?.body).toBe('OK: 1');
    // Its clock goes back half an hour: the check-out lands on the second of the morning's check-in.
    expect((await term.punch(at('8101', '08:00:00', 1)))?.body).toBe('OK: 1');
    expect(await listed('8101')).toEqual(['08:00:00 Check-In', '08:00:00 Check-Out', '08:30:00 Break-Out']);
    // Each upload again as it went (lost replies), then the whole log in one body (a recovery, a query answer).
    for (const i of [0, 1, 2]) expect((await term.resendAttlogUpload(i)).body).toBe('OK: 1');
    expect((await term.uploadAttlog([at('8101', '08:00:00', 0), at('8101', '08:30:00', 2), at('8101', '08:00:00', 1)])).body).toBe('OK: 3');
    expect(await listed('8101')).toEqual(['08:00:00 Check-In', '08:00:00 Check-Out', '08:30:00 Break-Out']);
  });

  it('keeps both when the two come in one upload first, and in either order later', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CLOCKBACK-2' });
    expect((await term.uploadAttlog([at('8102', '09:00:00', 0), at('8102', '09:00:00', 1, 15)])).body).toBe('OK: 2');
    expect((await term.uploadAttlog([at('8102', '09:00:00', 1, 15)])).body).toBe('OK: 1');
    expect((await term.uploadAttlog([at('8102', '09:00:00', 1, 15), at('8102', '09:00:00', 0)])).body).toBe('OK: 2');
    expect(await listed('8102')).toEqual(['09:00:00 Check-In', '09:00:00 Check-Out']);
    const rows = await t.ds.query(`SELECT status, verify_mode_no FROM att_transaction WHERE device_sn = 'ATT-CLOCKBACK-2' ORDER BY status`);
    expect(rows).toEqual([{ status: 0, verify_mode_no: 1 }, { status: 1, verify_mode_no: 15 }]);
  });

  it('keeps lines alike in every field as one punch, and a cut line with its whole one as one', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CLOCKBACK-3' });
    expect((await term.uploadAttlog([at('8103', '10:00:00', 0)])).body).toBe('OK: 1');
    expect((await term.uploadAttlog([at('8103', '10:00:00', 0), at('8103', '10:00:00', 0)])).body).toMatch(/^OK: [12]$/);
    // The same punch's line cut after its state (the body ends inside it), then sent whole.
    expect((await term.uploadRaw('ATTLOG', '8103\t2026-03-02 11:00:00\t1')).body).toBe('OK: 1');
    expect((await term.uploadRaw('ATTLOG', '8103\t2026-03-02 11:00:00\t1\t15\t0\t0\t0\n')).body).toBe('OK: 1');
    expect(await listed('8103')).toEqual(['10:00:00 Check-In', '11:00:00 Check-Out']);
    const [cut] = await t.ds.query(`SELECT verify_mode_no FROM att_transaction WHERE device_sn = 'ATT-CLOCKBACK-3' AND status = 1`);
    expect(cut.verify_mode_no).toBe(15);
  });

  it('an rtlog of a punch and its ATTLOG line stay one punch; the other punch of that second is kept beside it', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CLOCKBACK-4' });
    // The punch as rtlog (its In/Out, 0, as inoutstatus), then its ATTLOG line with the overtime state, then the other punch.
    expect((await term.punchRealtime({ ...at('8104', '12:00:00', 4, 15), inOut: 0, index: 1 })).status).toBe(200);
    expect((await term.uploadAttlog([at('8104', '12:00:00', 4, 15)])).body).toBe('OK: 1');
    expect((await term.uploadAttlog([at('8104', '12:00:00', 5, 15)])).body).toBe('OK: 1');
    expect((await term.punchRealtime({ ...at('8104', '12:00:00', 4, 15), inOut: 0, index: 1 })).status).toBe(200);
    expect(await listed('8104')).toEqual(['12:00:00 Overtime-In', '12:00:00 Overtime-Out']);
  });
});
