/**
 * An ATTLOG upload cut short (the terminal's power or link gone mid-body, a body clipped at its size limit) and then
 * sent again whole, as the terminal does with an upload it holds unconfirmed. Its last line arrives as a prefix of
 * itself: the PIN and time with the state and verify mode missing (or a field cut), and it is a punch all the same
 * (a line needs only a PIN and a time). The whole line sent again is the same punch (SN, PIN, time): listed once by
 * listAttTransaction, and with the state and verify mode the whole line carries, not the cut one's blanks. A shorter
 * copy sent after it changes nothing. The cut upload and the whole one landing in one group-commit batch (uploads
 * in flight together share one statement) leave the same.
 */
import { describe, expect, it } from 'vitest';
import { flushAttlog, type PunchRow } from '../../src/push/attendance/attlog-batch';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const listed = async (sn: string) =>
  ((await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 100 })).body.data as Array<Record<string, string>>)
    .filter((x) => x.devSn === sn)
    .map((x) => ({ pin: x.pin, eventTime: x.eventTime, eventName: x.eventName, verifyModeName: x.verifyModeName }));

const WHOLE = ['9301\t2026-11-27 08:00:00\t0\t1\t\t0\t0\t', '9302\t2026-11-27 17:01:00\t1\t15\t\t0\t0\t'];

describe('an ATTLOG upload cut mid-body, then sent again whole', () => {
  it.each([
    ['after the time', '9302\t2026-11-27 17:01:00\t'],
    ['inside the verify mode', '9302\t2026-11-27 17:01:00\t1\t1'],
    ['inside the reserved fields', '9302\t2026-11-27 17:01:00\t1\t15\t\t0'],
  ])('cut %s: the punch is listed once, with the state and verify mode of the whole line', async (where, cut) => {
    const sn = `ATT-CUT-${where.split(' ').pop()!.toUpperCase()}`;
    const term = await initialisedTerminal(t, { sn });
    expect((await term.uploadRaw('ATTLOG', `${WHOLE[0]}\r\n${cut}`)).body).toBe('OK: 2');
    expect((await term.uploadRaw('ATTLOG', `${WHOLE.join('\r\n')}\r\n`)).body).toBe('OK: 2');
    const whole = [
      { pin: '9302', eventTime: '2026-11-27 17:01:00', eventName: 'Check-Out', verifyModeName: 'Face' },
      { pin: '9301', eventTime: '2026-11-27 08:00:00', eventName: 'Check-In', verifyModeName: 'Fingerprint only' },
    ];
    expect(await listed(sn)).toEqual(whole);
    // The cut copy again (a stale retry): the whole reading stays.
    expect((await term.uploadRaw('ATTLOG', `${cut}\n`)).body).toBe('OK: 1');
    expect(await listed(sn)).toEqual(whole);
    // Stored as the whole line reads: its reserved fields too (which the list does not show).
    const rows = await t.ds.query(`SELECT pin, status, verify_mode_no AS verify, reserved FROM att_transaction WHERE device_sn = $1 ORDER BY pin`, [sn]);
    expect(rows).toEqual([
      { pin: '9301', status: 0, verify: 1, reserved: ['0', '0'] },
      { pin: '9302', status: 1, verify: 15, reserved: ['0', '0'] },
    ]);
  });
});

describe('the cut upload and the whole one in one ATTLOG batch', () => {
  it('the punch is stored once, with the whole line\'s reading, whichever came first', async () => {
    const sn = 'ATT-CUT-BATCH';
    await initialisedTerminal(t, { sn });
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
    const punch = (pin: string, reading: Partial<PunchRow>): PunchRow => ({
      key: `${sn}_${pin}_2026-11-27 17:01:00`,
      at: '2026-11-27T17:01:00Z',
      pin,
      status: null,
      verify: null,
      verifyName: null,
      workCode: null,
      reserved: null,
      ...reading,
    });
    const whole = { status: 1, verify: 15, verifyName: 'Face', reserved: '["0","0"]' };
    const db = { query: <R>(_: string, text: string, values: unknown[]) => t.ds.query(text, values) as Promise<R[]> };
    const item = (p: PunchRow) => ({ deviceId: id, punches: [p], via: 'ATTLOG' as const, stamp: null, lastPunchAt: null });
    // Cut first, then whole; and whole first, then cut (a stale retry of the cut body).
    expect(await flushAttlog(db, [item(punch('9311', {})), item(punch('9311', whole))])).toEqual([1, 0]);
    expect(await flushAttlog(db, [item(punch('9312', whole)), item(punch('9312', { status: 1, verify: 1, verifyName: 'Fingerprint only' }))])).toEqual([1, 0]);
    expect(await t.ds.query(`SELECT pin, status, verify_mode_no AS verify, reserved FROM att_transaction WHERE device_sn = $1 ORDER BY pin`, [sn])).toEqual([
      { pin: '9311', status: 1, verify: 15, reserved: ['0', '0'] },
      { pin: '9312', status: 1, verify: 15, reserved: ['0', '0'] },
    ]);
  });
});
