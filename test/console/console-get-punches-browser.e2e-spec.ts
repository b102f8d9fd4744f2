import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator, signIn } from './console-helpers';

/**
 * CVSecurity's "Get attendance records" on the Devices page: an operator asks an attendance terminal for its punches
 * of a period again (DATA QUERY ATTLOG), and the punches it never sent come into the gateway; the page says how many
 * only once the terminal answered. A viewer is offered no such action, and a bad period is refused with what was typed kept.
 */
const run = new ConsoleBrowserRun('console get punches browser tests');

let t: TestApp;
let page: Page;
let term: AttendanceTerminal;
const SN = 'ATTGETP001';
const PIN = '8101';
/** The gateway's and the terminal's wall clock (both UTC here), as the console and the command write it. */
const wall = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
/** What the step-1 datetime-local input holds for an instant: Chromium drops a zero second (21:09:00 reads 21:09). */
const input = (d: Date) => wall(d).replace(' ', 'T').replace(/:00$/, '');
// Whole minutes: Chromium shows a step-1 input's zero second as HH:mm, and the period typed must still be asked for
// to the second (the end once read as the whole minute, 59 s more than typed, whenever a run started at second 0).
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
/** The period asked for, and the terminal's punches: one the gateway has, two it never got inside, two outside. */
const FROM = ago(240);
const TO = ago(60);
const SENT = ago(150);
const INSIDE = [ago(180), ago(120)];
const OUTSIDE = [ago(300), ago(30)];

async function queryCommands(): Promise<string[]> {
  const rows: Array<{ command: string }> = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND command LIKE 'DATA QUERY ATTLOG%'`, [SN]);
  return rows.map((r) => r.command);
}

/** The terminal's row's Get punches form on the Devices page, opened. */
async function openForm() {
  const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${SN} `) });
  await row.getByRole('button', { name: `Get punches of ${SN}`, exact: true }).click();
  const form = page.getByRole('form', { name: `Get punches of ${SN}` });
  return { start: form.getByLabel('Start time'), end: form.getByLabel('End time'), submit: () => form.getByRole('button', { name: 'Get punches', exact: true }).click() };
}

describe.skipIf(!run.executable)('Get punches of an attendance terminal on the Devices page in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway({ syncReconcileIntervalMs: 0 });
    await createOperator(t, 'tove', 'operator', 'tove-password-1');
    await createOperator(t, 'vera', 'viewer', 'vera-password-1');
    expect((await t.post('/api/person/add', { pin: PIN, name: 'Ines' })).body.code).toBe(0);
    term = await initialisedTerminal(t, { sn: SN });
    await term.drain();
    await term.punch({ pin: PIN, time: wall(SENT), status: 0, verify: 1 });
    // The gateway unreachable for a while: these stay in the terminal's log, never uploaded.
    term.online = false;
    for (const p of [...OUTSIDE, ...INSIDE]) await term.punch({ pin: PIN, time: wall(p), status: 1, verify: 1 });
    term.online = true;
    page = await run.signedInPage('tove', 'tove-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('asks the terminal for the period only, follows it to its answer, and lists the punches that came back', async () => {
    await navTo(page, 'Devices');
    const { start, end, submit } = await openForm();
    // The default: the last 24 h, ending now, in the gateway's zone.
    const shownEnd = new Date(`${await end.inputValue()}Z`).getTime();
    expect(Math.abs(shownEnd - Date.now())).toBeLessThan(120_000);
    expect(shownEnd - new Date(`${await start.inputValue()}Z`).getTime()).toBe(24 * 3600_000);

    // A period that ends before it starts, or in the future: refused, nothing queued, what was typed kept.
    await start.fill(input(TO));
    await end.fill(input(FROM));
    await submit();
    await page.getByRole('alert').getByText('Start time cannot be greater than end time').waitFor();
    expect(await start.inputValue()).toBe(input(TO));
    expect(await end.inputValue()).toBe(input(FROM));
    await start.fill(input(FROM));
    await end.fill(input(new Date(Date.now() + 2 * 3600_000)));
    await submit();
    await page.getByRole('alert').getByText(/The period cannot end in the future/).waitFor();
    expect(await start.inputValue()).toBe(input(FROM));
    expect(await queryCommands()).toEqual([]);

    await end.fill(input(TO));
    await submit();
    const status = page.getByRole('status').filter({ hasText: /^Get punches: / });
    // Queued, not done: the terminal has not fetched it.
    await status.getByText(`Get punches: ${SN} is asked for its punches of ${wall(FROM)} to ${wall(TO)}, waiting for the attendance terminal`, { exact: true }).waitFor();
    const ran = await term.drain();
    // The exact line the terminal received: the period typed, TAB-separated, nothing outside it.
    expect(ran.filter((c) => c.command.startsWith('DATA QUERY')).map((c) => [c.command, c.returnCode])).toEqual([[`DATA QUERY ATTLOG StartTime=${wall(FROM)}\tEndTime=${wall(TO)}`, 0]]);
    await status
      .getByText(`Get punches: the attendance terminal ${SN} sent its punches of ${wall(FROM)} to ${wall(TO)}; the gateway holds 3 of that period from it (2 new)`, { exact: true })
      .waitFor({ timeout: 10_000 });

    const expected = [SENT, ...INSIDE].map(wall).sort();
    // Through REST: the period's punches, each once, and none of the terminal's outside it.
    const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 50, personPin: PIN })).body;
    expect(list.code).toBe(0);
    expect(list.data.map((p: { eventTime: string; devSn: string }) => [p.eventTime, p.devSn]).sort()).toEqual(expected.map((e) => [e, SN]));
    // On the console's Attendance page.
    await navTo(page, 'Attendance');
    const punches = page.getByRole('table', { name: 'Punches' });
    await punches.getByRole('row', { name: new RegExp(`^${wall(INSIDE[0])} `) }).waitFor();
    const times = (await punches.locator('tbody tr td:first-child').allTextContents()).sort();
    expect(times).toEqual(expected);

    const audit = await t.ds.query(`SELECT target, outcome FROM console_audit WHERE action = 'device.recover' ORDER BY at`);
    expect(audit.filter((r: { outcome: string }) => r.outcome === 'ok')).toEqual([{ target: `${SN} ${wall(FROM)} - ${wall(TO)}`, outcome: 'ok' }]);
  });

  it('says the terminal had no punches of a period it answers empty (Return -1), once it answered', async () => {
    await page.goto(`${t.baseUrl}/console/devices`);
    const { start, end, submit } = await openForm();
    await start.fill(input(ago(50)));
    await end.fill(input(ago(40)));
    await submit();
    const status = page.getByRole('status').filter({ hasText: /^Get punches: / });
    await status.getByText(`Get punches: ${SN} is asked for its punches of ${wall(ago(50))} to ${wall(ago(40))}, waiting for the attendance terminal`, { exact: true }).waitFor();
    const ran = await term.drain();
    expect(ran.filter((c) => c.command.startsWith('DATA QUERY')).map((c) => [c.command, c.returnCode])).toEqual([[`DATA QUERY ATTLOG StartTime=${wall(ago(50))}\tEndTime=${wall(ago(40))}`, -1]]);
    await status.getByText(`Get punches: the attendance terminal ${SN} answered that it holds no punches of ${wall(ago(50))} to ${wall(ago(40))}`, { exact: true }).waitFor({ timeout: 10_000 });
  });

  it('offers a viewer no Get punches, and the console refuses a viewer the request', async () => {
    const viewer = await run.signedInPage('vera', 'vera-password-1');
    await navTo(viewer, 'Devices');
    const row = viewer.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${SN} `) });
    await row.getByRole('button', { name: `Command queue of ${SN}`, exact: true }).waitFor();
    expect(await row.getByRole('button', { name: /Get punches/ }).count()).toBe(0);
    const c = await signIn(t, 'vera', 'vera-password-1');
    const before = (await queryCommands()).length;
    const r = await c.call('POST', `devices/${SN}/recover`, { startTime: wall(FROM), endTime: wall(TO) });
    expect(r.body.code).not.toBe(0);
    expect(await queryCommands()).toHaveLength(before);
  });
});
