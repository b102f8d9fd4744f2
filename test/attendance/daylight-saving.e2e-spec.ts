/**
 * A terminal sets its clock from the Date header and the TimeZone of its initialisation (attendance manual 5), and
 * keeps that offset until it reads its initialisation again. Where the site keeps daylight saving time, the offset
 * changes twice a year: a terminal initialised before the change is sent CHECK (12.3.1) at its next poll, reads
 * the new TimeZone, and its punches are made (and read) at the site's wall time again instead of an hour off.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, punchesOf } from './attendance-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ timeZone: 'Europe/Berlin' });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('daylight saving time', () => {
  it('a terminal initialised in winter time is sent CHECK once summer time begins, and is told TimeZone=2', async () => {
    // Only Date is faked: the gateway runs in this process, and its clock is what decides the site's offset.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-29T00:50:00Z'));
    const term = await initialisedTerminal(t, { sn: 'ATT-DST-1' });
    expect(term.serverOptions.TimeZone).toBe('1');
    await term.drain();
    expect((await term.poll()).map((c) => c.command)).toEqual([]);

    // 01:00 UTC: Central European Summer Time begins (02:00 → 03:00 local).
    vi.setSystemTime(new Date('2026-03-29T01:05:00Z'));
    // (A quarter of an hour without polls: it is also asked for the punches of that gap.)
    const done = await term.drain();
    expect(done.filter((c) => !c.command.startsWith('DATA QUERY ATTLOG')).map((c) => [c.command, c.returnCode])).toEqual([['CHECK', 0]]);
    expect(term.serverOptions.TimeZone).toBe('2');
    expect((await term.poll()).map((c) => c.command)).toEqual([]);

    // Its clock now shows summer time: a punch at 03:10 local is 01:10 UTC.
    expect((await term.punch({ pin: '7101', time: '2026-03-29 03:10:00', status: 0, verify: 1 }))?.body).toBe('OK: 1');
    expect((await punchesOf(t, 'ATT-DST-1')).map((p: { at: string }) => p.at)).toEqual(['2026-03-29 01:10:00']);
  });
});
