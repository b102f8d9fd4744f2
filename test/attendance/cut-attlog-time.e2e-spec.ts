/**
 * An ATTLOG upload cut mid-body inside its last line's time, one digit into the seconds (`17:01:3` of `17:01:35`),
 * then sent again whole, as the terminal does with an upload it holds unconfirmed. The cut line reads as a valid time
 * (the parser takes one-digit fields, as some manual examples print them), so it was stored as a punch at 17:01:03
 * that never happened, beside the real one at 17:01:35: the person listed by listAttTransaction with two punches. A
 * line that ends the body unterminated, right after a one-digit second, is a cut, not a punch: refused (kept raw as
 * `ATTLOG.rejected`, and acknowledged, as any refused line), and the whole upload stores the one punch. A line
 * terminated so, or followed by its state and verify mode, is read as before.
 */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const listed = async (sn: string) =>
  ((await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 100 })).body.data as Array<Record<string, string>>)
    .filter((x) => x.devSn === sn)
    .map((x) => `${x.pin} ${x.eventTime} ${x.eventName}`);

describe('an ATTLOG upload cut one digit into its last line\'s seconds, then sent again whole', () => {
  it.each([
    ['TAB-separated', '9401\t2026-11-27 08:00:00\t0\t1\t\t0\t0\t', '9402\t2026-11-27 17:01:35\t1\t15\t\t0\t0\t'],
    ['space-separated (the manual\'s print)', '9401 2026-11-27 08:00:00 0 1', '9402 2026-11-27 17:01:35 1 15'],
  ])('%s: the person has the one punch, at the time of the whole line', async (how, first, last) => {
    const sn = `ATT-CUT-TIME-${how.split(' ')[0].split('-')[0].toUpperCase()}`;
    const term = await initialisedTerminal(t, { sn });
    const cut = last.slice(0, last.indexOf('17:01:') + 7);
    expect(cut.endsWith('17:01:3')).toBe(true);
    // The cut line is refused: no record processed (manual 11.2).
    expect((await term.uploadRaw('ATTLOG', `${first}\r\n${cut}`)).body).toBe('OK: 1');
    expect(await listed(sn)).toEqual(['9401 2026-11-27 08:00:00 Check-In']);
    expect((await term.uploadRaw('ATTLOG', `${first}\r\n${last}\r\n`)).body).toBe('OK: 2');
    expect(await listed(sn)).toEqual(['9402 2026-11-27 17:01:35 Check-Out', '9401 2026-11-27 08:00:00 Check-In']);
    // The cut line is kept as refused, as it came.
    const [kept] = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = $1 AND table_name = 'ATTLOG.rejected'`, [sn]);
    expect(kept?.record).toMatchObject({ line: cut });
  });

  it('a terminated line ending in a one-digit second is still a punch', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CUT-TIME-WHOLE' });
    expect((await term.uploadRaw('ATTLOG', '9403\t2026-11-27 08:00:5\n')).body).toBe('OK: 1');
    expect(await listed('ATT-CUT-TIME-WHOLE')).toEqual(['9403 2026-11-27 08:00:05 ']);
  });
});
