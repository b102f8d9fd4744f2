/**
 * An OPERLOG upload cut mid-body inside its last OPLOG line (after the time, or inside the operands: `9402\t0` of
 * `9402\t0\t0\t0`, or one digit into the seconds), then sent again whole, as the terminal does with an upload it holds
 * unconfirmed. The operation record is keyed by its fields, so the cut copy was stored as a record of its own: the
 * terminal's operation records (GET /api/gateway/attendance/terminals/{sn}/operlogs) listed the operation twice, once
 * with operands or a time it never had (and a "clear data" cut so was taken twice). An OPLOG line written with TABs has
 * its seven fields (type, who, time, three values, reserved); the body's last line, when the body ends inside it with
 * fewer, is a cut: refused (kept raw as refused, and acknowledged, as any refused line), and the whole upload stores
 * the one record. A line with its seven fields, or one that ends with its line, is read as before.
 */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const operlogsOf = async (sn: string) =>
  ((await t.get(`/api/gateway/attendance/terminals/${sn}/operlogs`)).body.data as Array<{ opType: number; opTime: string; operands: string[] }>).map((r) => [r.opType, r.opTime, r.operands]);

const FIRST = 'OPLOG 4\t0\t2026-11-27 08:00:00\t0\t0\t0\t0';
const LAST = 'OPLOG 6\t0\t2026-11-27 17:01:35\t9402\t0\t0\t0';

describe('an OPERLOG upload cut inside its last OPLOG line, then sent again whole', () => {
  it.each([
    ['inside the operands', LAST.slice(0, LAST.indexOf('9402') + 6)],
    ['after the time', LAST.slice(0, LAST.indexOf('9402'))],
    ['one digit into the seconds', LAST.slice(0, LAST.indexOf('17:01:') + 7)],
  ])('cut %s: the operation is listed once, as the whole line has it', async (where, cut) => {
    const sn = `ATT-CUT-OPLOG-${where.split(' ').pop()!.toUpperCase()}`;
    const term = await initialisedTerminal(t, { sn });
    expect((await term.uploadRaw('OPERLOG', `${FIRST}\r\n${cut}`)).status).toBe(200);
    expect((await term.uploadRaw('OPERLOG', `${FIRST}\r\n${LAST}\r\n`)).status).toBe(200);
    expect(await operlogsOf(sn)).toEqual([
      [6, '2026-11-27 17:01:35', ['9402', '0', '0', '0']],
      [4, '2026-11-27 08:00:00', ['0', '0', '0', '0']],
    ]);
  });

  it('an endTime given as a bare date lists that whole day (the bound is inclusive), not only up to its midnight', async () => {
    const sn = 'ATT-OPLOG-DAY';
    const term = await initialisedTerminal(t, { sn });
    expect((await term.uploadRaw('OPERLOG', `${FIRST}\r\n${LAST}\r\n`)).status).toBe(200);
    const day = await t.get(`/api/gateway/attendance/terminals/${sn}/operlogs`, { startTime: '2026-11-27', endTime: '2026-11-27' });
    expect(day.body.code).toBe(0);
    expect(day.body.data.map((r: { opTime: string }) => r.opTime)).toEqual(['2026-11-27 17:01:35', '2026-11-27 08:00:00']);
  });

  // The enrolment of a fingerprint as field sample up-operlog-bock-oplog-fp has it: the reserved operand is 906. A cut
  // inside it (or right after its TAB) leaves a line of seven fields, which cannot tell it was cut: stored as cut
  // short, the whole line sent again replaces it, and a stale retry of the cut body after that adds nothing.
  const ENROL = 'OPLOG 6\t0\t2024-06-13 12:55:41\t1\t0\t0\t906';
  it.each([
    ['inside the reserved operand', ENROL.slice(0, -1)],
    ['right after the reserved operand\'s TAB', ENROL.slice(0, -3)],
  ])('cut %s: the operation is listed once, as the whole line has it, and a stale retry of the cut body adds nothing', async (where, cut) => {
    const sn = `ATT-CUT-OPLOG-RES-${where.length}`;
    const term = await initialisedTerminal(t, { sn });
    expect((await term.uploadRaw('OPERLOG', `${FIRST}\r\n${cut}`)).status).toBe(200);
    expect((await term.uploadRaw('OPERLOG', `${FIRST}\r\n${ENROL}\r\n`)).status).toBe(200);
    const whole = [
      [4, '2026-11-27 08:00:00', ['0', '0', '0', '0']],
      [6, '2024-06-13 12:55:41', ['1', '0', '0', '906']],
    ];
    expect(await operlogsOf(sn)).toEqual(whole);
    expect((await term.uploadRaw('OPERLOG', `${FIRST}\r\n${cut}`)).status).toBe(200);
    expect(await operlogsOf(sn)).toEqual(whole);
  });

  it('an OPLOG line that ends the body whole is one record, and so is the same line sent again with its line end', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CUT-OPLOG-UNENDED' });
    expect((await term.uploadRaw('OPERLOG', ENROL)).status).toBe(200);
    expect((await term.uploadRaw('OPERLOG', `${ENROL}\n`)).status).toBe(200);
    expect((await term.uploadRaw('OPERLOG', 'OPLOG 6\t0\t2024-06-13 12:55:41\t1\t0\t0\t9062')).status).toBe(200);
    expect(await operlogsOf('ATT-CUT-OPLOG-UNENDED')).toEqual([
      [6, '2024-06-13 12:55:41', ['1', '0', '0', '9062']],
      [6, '2024-06-13 12:55:41', ['1', '0', '0', '906']],
    ]);
  });

  // Two users deleted at the menu in the same second (OpType 9, operand 1 the user), on a terminal that leaves the other
  // operands empty. The body carrying user 1's deletion ends inside its line, right after its last TAB: the record is
  // held as cut short. The next upload carries user 12's deletion, another operation: it must not take the place of
  // user 1's (its operand is not the cut one gone on: `1` was followed by its TAB), so both are listed, and user 12's is
  // a new record (counted, the menu's deletion applied).
  it('a cut record is not replaced by another operation of the same second whose operand only begins with its own', async () => {
    const sn = 'ATT-CUT-OPLOG-OTHER';
    const term = await initialisedTerminal(t, { sn });
    const del = (pin: string) => `OPLOG 9\t0\t2026-11-27 09:30:00\t${pin}\t\t\t`;
    expect((await term.uploadRaw('OPERLOG', `${FIRST}\r\n${del('1')}`)).body).toBe('OK: 2');
    expect((await term.uploadRaw('OPERLOG', `${del('12')}\r\n`)).body).toBe('OK: 1');
    expect((await operlogsOf(sn)).map(([type, , operands]) => [type, (operands as Array<string | null>)[0]]).sort()).toEqual([
      [4, '0'],
      [9, '1'],
      [9, '12'],
    ]);
  });

  it('a short OPLOG line that ends with its line is still an operation record', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CUT-OPLOG-WHOLE' });
    expect((await term.uploadRaw('OPERLOG', 'OPLOG 6\t0\t2026-11-27 17:01:35\t9402\n')).status).toBe(200);
    expect(await operlogsOf('ATT-CUT-OPLOG-WHOLE')).toEqual([[6, '2026-11-27 17:01:35', ['9402']]]);
  });
});
