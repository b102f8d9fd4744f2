import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR, untilOnPageClock } from './browser';

/**
 * CVSecurity's Door > Enable / Disable and the remote commands of its door list, as an operator uses them: a door
 * disabled from the Doors page stops admitting anyone (its panel withdraws it from the members' rights) and takes no
 * remote command; enabled again, the rights come back. Normal open and close reach the panel as CONTROL DEVICE.
 */
const run = new ConsoleBrowserRun('console door enable browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;
const D1 = '10.7.2.1-1';
const D2 = '10.7.2.1-2';

/** Waits until the page says the panel did `label` to door 1 (its reads of the command's state coming at once). */
const doneByPanel = (label: string) => untilOnPageClock(page, () => page.getByText(`${label}: done by the panel for ${D1}`).isVisible());
const doorsOf = (pin: string) => sim.rightsOf(pin).flatMap((r) => r.doors).sort();

describe.skipIf(!run.executable)('console: a door enabled and disabled, and remote commands from the door list (CVSecurity Door)', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DOOR000001', doors: 2, ipAddress: '10.7.2.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Both', areaName: 'Area Name' }, { name: 'Store', areaName: 'Area Name' }] })).body.code).toBe(0);
    const doors = [
      { levelName: 'Both', doorName: D1 },
      { levelName: 'Both', doorName: D2 },
      { levelName: 'Store', doorName: D2 },
    ];
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors })).body.code).toBe(0);
    const levels = Object.fromEntries((await t.ds.query(`SELECT id, name FROM acc_level`)).map((l: { id: string; name: string }) => [l.name, l.id]));
    expect((await t.post('/api/person/add', { pin: '6001', name: 'Ann', cardNo: '660001', accLevelIds: levels.Both })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '6002', name: 'Sam', cardNo: '660002', accLevelIds: levels.Store })).body.code).toBe(0);
    await sim.pollUntilIdle();
    expect(doorsOf('6001')).toEqual([1, 2]);
    expect(doorsOf('6002')).toEqual([2]);
    page = await run.operatorPage();
    // The page follows a door command to the panel's Return by reading it once a second (ui.tsx followCommand), on the
    // page's clock: run ahead while the test waits for the outcome (doneByPanel).
    await page.clock.install();
  }, 120_000);
  afterAll(() => run.close());

  it('disables a door after a confirmation: the panel withdraws it from every right, and it takes no remote command', async () => {
    await navTo(page, 'Doors');
    await page.getByRole('button', { name: `Disable ${D2}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable door' });
    await dialog.waitFor();
    // Escape cancels: nothing changes.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await t.ds.query(`SELECT enabled FROM door WHERE name = $1`, [D2]))[0].enabled).toBe(true);
    await page.getByRole('button', { name: `Disable ${D2}`, exact: true }).click();
    await dialog.getByRole('button', { name: `Disable ${D2}`, exact: true }).click();
    await page.getByRole('status').filter({ hasText: `${D2} disabled; its panel DOOR000001 is told to withdraw it from every member's rights, and remote commands to it are refused` }).waitFor();
    const row = page.getByRole('row').filter({ hasText: D2 });
    await row.getByText('disabled', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: `Open ${D2}`, exact: true }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'door-disabled.png') });
    await sim.pollUntilIdle();
    // Ann keeps door 1; Sam, whose only door there it was, leaves the panel.
    expect(doorsOf('6001')).toEqual([1]);
    expect(sim.user('6002')).toBeUndefined();
    expect(sim.evaluateAccess({ cardno: '660001', door: 2 }).granted).toBe(false);
    // The REST API's remote open is refused too, and nothing is queued.
    const [door] = await t.ds.query(`SELECT id FROM door WHERE name = $1`, [D2]);
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE command LIKE 'CONTROL DEVICE%'`))[0].n;
    const open = await t.post(`/api/door/remoteOpenById?doorId=${door.id}&interval=5`, {});
    expect(open.body.code).toBeLessThan(0);
    expect(open.body.message).toContain('disabled');
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE command LIKE 'CONTROL DEVICE%'`))[0].n).toBe(before);
  });

  it('enables it again: the rights come back to the panel', async () => {
    await page.getByRole('button', { name: `Enable ${D2}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Enable door' }).getByRole('button', { name: `Enable ${D2}`, exact: true }).click();
    await page.getByRole('status').filter({ hasText: `${D2} enabled; its panel DOOR000001 is sent the members' rights on it again` }).waitFor();
    await sim.pollUntilIdle();
    expect(doorsOf('6001')).toEqual([1, 2]);
    expect(doorsOf('6002')).toEqual([2]);
    expect(sim.user('6002')).toMatchObject({ Pin: '6002', CardNo: '660002' });
    const audit = await t.ds.query(`SELECT action, outcome FROM console_audit WHERE action IN ('door.enable', 'door.disable') ORDER BY at`);
    expect(audit).toEqual([
      { action: 'door.disable', outcome: 'ok' },
      { action: 'door.enable', outcome: 'ok' },
    ]);
  });

  it('holds a door normally open and closes it from the door list, each followed to the panel', async () => {
    await page.getByRole('button', { name: `Normal open ${D1}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Confirm door command' }).getByRole('button', { name: `Normal open ${D1}`, exact: true }).click();
    await page.getByText(`Normal open: command queued for ${D1}, waiting for the panel`).waitFor();
    await sim.pollUntilIdle();
    await doneByPanel('Normal open');
    expect(sim.doorState(1).normalOpen).toBe(true);
    await page.getByRole('button', { name: `Close ${D1}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Confirm door command' }).getByRole('button', { name: `Close ${D1}`, exact: true }).click();
    await page.getByText(`Close: command queued for ${D1}, waiting for the panel`).waitFor();
    await sim.pollUntilIdle();
    await doneByPanel('Close');
    expect(sim.doorState(1).normalOpen).toBe(false);
  });

  it("locks a door down and ends the lockdown from the door list (CVSecurity's Activate / Deactivate Lockdown)", async () => {
    for (const [label, locked] of [['Lockdown', true], ['End lockdown', false]] as const) {
      await page.getByRole('button', { name: `${label} ${D1}`, exact: true }).click();
      await page.getByRole('dialog', { name: 'Confirm door command' }).getByRole('button', { name: `${label} ${D1}`, exact: true }).click();
      await page.getByText(`${label}: command queued for ${D1}, waiting for the panel`).waitFor();
      await sim.pollUntilIdle();
      await doneByPanel(label);
      expect(sim.doorState(1).lockedDown).toBe(locked);
    }
    const audit = await t.ds.query(`SELECT target FROM console_audit WHERE action = 'door.control' AND target LIKE '% %ockdown' ORDER BY at`);
    expect(audit.map((r: { target: string }) => r.target.split(' ')[1])).toEqual(['lockdown', 'endLockdown']);
  });

  it("lists who a door admits, by their levels and time segments (CVSecurity's Access rights by door)", async () => {
    await navTo(page, 'Doors');
    await page.getByRole('table', { name: 'Doors' }).getByRole('row').filter({ hasText: D2 }).getByRole('button', { name: 'Persons', exact: true }).click();
    const both = page.getByRole('table', { name: `Persons with access to ${D2}` });
    await both.getByRole('row', { name: '6001 Ann Department Name Both (24-Hour Accessible)' }).waitFor();
    await both.getByRole('row', { name: '6002 Sam Department Name Store (24-Hour Accessible)' }).waitFor();
    await page.getByRole('table', { name: 'Doors' }).getByRole('row').filter({ hasText: D1 }).getByRole('button', { name: 'Persons', exact: true }).click();
    const one = page.getByRole('table', { name: `Persons with access to ${D1}` });
    await one.getByRole('row', { name: /^6001 Ann/ }).waitFor();
    // The panel is the one D2's was, named for D1 before its rows are: Ann is in both lists, so wait for Sam to go.
    await one.getByRole('row', { name: /^6002 Sam/ }).waitFor({ state: 'detached' });
    expect(await one.getByRole('row').count()).toBe(2);
  });
});
