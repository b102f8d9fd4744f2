import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * CVSecurity's attendance device menu on the Devices page: an operator reboots a terminal and clears the punches
 * stored on it, each after a confirmation, and the page says "done" only once the terminal answered the command,
 * as it does for a panel's reboot.
 */
const run = new ConsoleBrowserRun('console terminal actions browser tests');

let t: TestApp;
let page: Page;
let term: AttendanceTerminal;
const SN = 'ATTACTS001';
const EC = 'ECACTS0001';
let ec: ElevatorControllerSimulator;

describe.skipIf(!run.executable)('attendance terminal actions on the Devices page in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway({ syncReconcileIntervalMs: 0 });
    await createOperator(t, 'tove', 'operator', 'tove-password-1');
    term = await initialisedTerminal(t, { sn: SN });
    await term.drain();
    await term.punch({ pin: '1', time: '2026-11-20 08:01:00', status: 0, verify: 1 });
    ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: EC, floors: 2, ipAddress: '10.32.0.1' });
    await ec.connect();
    await ec.pollUntilIdle();
    page = await run.signedInPage('tove', 'tove-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('reboots a terminal and clears its punches, each confirmed by the terminal before the page says done', async () => {
    await navTo(page, 'Devices');
    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${SN} `) });
    const status = page.getByRole('status').filter({ hasText: /^Reboot: / });

    await row.getByRole('button', { name: `Reboot ${SN}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Reboot attendance terminal' }).getByRole('button', { name: 'Reboot', exact: true }).click();
    // Queued, not done: the terminal has not fetched it.
    await status.getByText(`Reboot: command queued for ${SN}, waiting for the attendance terminal`, { exact: true }).waitFor();
    const rebooted = await term.drain();
    expect(rebooted.map((c) => [c.command, c.returnCode])).toEqual([['REBOOT', 0]]);
    await status.getByText(`Reboot: done by the attendance terminal for ${SN}`, { exact: true }).waitFor({ timeout: 10_000 });

    expect(term.log).toHaveLength(1);
    await row.getByRole('button', { name: `Clear punches of ${SN}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Clear attendance records' }).getByRole('button', { name: 'Clear punches', exact: true }).click();
    const cleared = page.getByRole('status').filter({ hasText: /^Clear punches: / });
    await cleared.getByText(`Clear punches: command queued for ${SN}, waiting for the attendance terminal`, { exact: true }).waitFor();
    const ran = await term.drain();
    expect(ran.map((c) => [c.command, c.returnCode])).toEqual([['CLEAR LOG', 0]]);
    expect(term.log).toHaveLength(0);
    await cleared.getByText(`Clear punches: done by the attendance terminal for ${SN}`, { exact: true }).waitFor({ timeout: 10_000 });
  });

  it("names an elevator controller as what it is while its reboot is followed, not as a panel", async () => {
    await page.goto(`${t.baseUrl}/console/devices`);
    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${EC} `) });
    await row.getByRole('button', { name: `Reboot ${EC}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Reboot elevator controller' }).getByRole('button', { name: 'Reboot', exact: true }).click();
    const status = page.getByRole('status').filter({ hasText: /^Reboot: / });
    await status.getByText(`Reboot: command queued for ${EC}, waiting for the elevator controller`, { exact: true }).waitFor();
    const got = await ec.pollUntilIdle();
    expect(got.map((c) => [c.command, c.result])).toEqual([['CONTROL DEVICE 03000000', 0]]);
    await status.getByText(`Reboot: done by the elevator controller for ${EC}`, { exact: true }).waitFor({ timeout: 10_000 });
  });
});
