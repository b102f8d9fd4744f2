/**
 * The CHECK a terminal is owed when the site's offset changed since its initialisation (daylight saving time,
 * daylight-saving.e2e-spec.ts), under the faults real terminals and networks have: the reply carrying it lost, the
 * terminal refusing it (negative Return), the gateway restarted between the initialisation and the change, and
 * the terminal reset. In every case the terminal ends up told the site's offset now, and its punches are read at
 * the wall time they were made.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { settingsOf, sleep } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, punchesOf } from './attendance-helpers';

const WINTER = new Date('2026-03-29T00:50:00Z');
// 01:00 UTC: Central European Summer Time begins (02:00 → 03:00 local).
const SUMMER = new Date('2026-03-29T01:05:00Z');

let t: TestApp;
let restarted: Gateway | undefined;
beforeAll(async () => {
  t = await startTestApp({ timeZone: 'Europe/Berlin' });
});
afterAll(async () => {
  if (!restarted) return t?.close();
  await restarted.close();
  await t.db.release();
});
afterEach(() => {
  vi.useRealTimers();
});

const checks = (done: Array<{ command: string; returnCode: number }>) => done.filter((c) => c.command === 'CHECK').map((c) => c.returnCode);

describe('daylight saving time, with faults', () => {
  it('the reply carrying CHECK is lost: CHECK is sent again and the terminal is told TimeZone=2', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(WINTER);
    const term = await initialisedTerminal(t, { sn: 'ATT-DSTF-1' });
    expect(term.serverOptions.TimeZone).toBe('1');
    await term.drain();

    vi.setSystemTime(SUMMER);
    // A lost-reply window of 1 s (DEVICE_LOST_REPLY_MS, 2.5 s by default), waited out below.
    settingsOf(t).lostReplyMs = 1000;
    term.loseNextReply(1);
    expect(await term.poll()).toEqual([]);
    expect(term.lostReplies.some((b) => /C:\d+:CHECK/.test(b))).toBe(true);
    // Its next poll comes after its Delay, past the lost-reply window (judged on the database's clock).
    await sleep(1_200);
    vi.setSystemTime(new Date(SUMMER.getTime() + 10_000));
    const done = await term.drain();
    expect(checks(done)).toEqual([0]);
    expect(term.serverOptions.TimeZone).toBe('2');
    expect((await term.punch({ pin: '7201', time: '2026-03-29 03:20:00', status: 0, verify: 1 }))?.body).toBe('OK: 1');
    expect((await punchesOf(t, 'ATT-DSTF-1')).map((p: { at: string }) => p.at)).toEqual(['2026-03-29 01:20:00']);
  });

  it('the terminal refuses CHECK (negative Return): it is sent CHECK again later, not never', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(WINTER);
    const term = await initialisedTerminal(t, { sn: 'ATT-DSTF-2' });
    await term.drain();

    vi.setSystemTime(SUMMER);
    term.failCommands((c) => c === 'CHECK', -1002, 1);
    expect(checks(await term.drain())).toEqual([-1002]);
    expect(term.serverOptions.TimeZone).toBe('1');
    // Polls right after: not a CHECK at every poll.
    vi.setSystemTime(new Date(SUMMER.getTime() + 10_000));
    expect(checks(await term.drain())).toEqual([]);
    // Later on, still told the old offset: CHECK again, which it now runs.
    vi.setSystemTime(new Date(SUMMER.getTime() + 16 * 60_000));
    expect(checks(await term.drain())).toEqual([0]);
    expect(term.serverOptions.TimeZone).toBe('2');
    vi.setSystemTime(new Date(SUMMER.getTime() + 40 * 60_000));
    expect(checks(await term.drain())).toEqual([]);
  });

  it('a terminal reset after the change is told the new offset at its initialisation and owes no CHECK', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(WINTER);
    const term = await initialisedTerminal(t, { sn: 'ATT-DSTF-3' });
    await term.drain();
    vi.setSystemTime(SUMMER);
    expect(await term.factoryReset()).toBe(true);
    expect(term.serverOptions.TimeZone).toBe('2');
    expect(checks(await term.drain())).toEqual([]);
  });

  it('the gateway restarted between the initialisation and the change: the terminal is still sent CHECK', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(WINTER);
    const term = await initialisedTerminal(t, { sn: 'ATT-DSTF-4' });
    expect(term.serverOptions.TimeZone).toBe('1');
    await term.drain();

    const port = Number(new URL(t.baseUrl).port);
    await t.gateway.close();
    restarted = await createGateway(t.config, { poolSize: t.db.poolSize });
    await restarted.app.listen({ port, host: '127.0.0.1' });

    vi.setSystemTime(SUMMER);
    expect(checks(await term.drain())).toEqual([0]);
    expect(term.serverOptions.TimeZone).toBe('2');
    // Once, not again at the next polls.
    vi.setSystemTime(new Date(SUMMER.getTime() + 60_000));
    expect(checks(await term.drain())).toEqual([]);
  });
});
