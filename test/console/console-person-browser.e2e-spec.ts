import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { levelId } from '../sync/access-helpers';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, newConsolePage, SCREENSHOT_DIR } from './browser';
import { createOperator } from './console-helpers';
import { settingsOf } from '../push/push-helpers';

/**
 * A person's detail in Chromium: the panels that hold them and those that do not, as the sync status API
 * reports them (one panel confirms, one refuses the rights table for good, one has not polled yet; a person
 * whose name cannot travel is skipped), then the person leaves and is reinstated from the console.
 */
const run = new ConsoleBrowserRun('console person browser tests');

let t: TestApp;
let page: Page;
/** Confirms everything. */
let ok: DeviceSimulator;
/** Refuses `DATA UPDATE userauthorize` with -1004 (a firmware without the table): refused for good. */
let refusing: DeviceSimulator;
/** Connected once, then never polls again: what is queued for it stays on its way. */
let asleep: DeviceSimulator;

async function panel(sn: string, ip: string, extra: Partial<ConstructorParameters<typeof DeviceSimulator>[0]> = {}) {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: ip, ...extra });
  await sim.connect();
  await sim.pollUntilIdle();
  return sim;
}

/** The cells of the panel's row in the person's table, as the operator reads them. */
async function rowOf(sn: string): Promise<Record<string, string>> {
  const table = page.getByRole('table', { name: 'Panels holding this person' });
  const heads = await table.getByRole('columnheader').allTextContents();
  const row: Locator = table.getByRole('row').filter({ hasText: `(${sn})` });
  const cells = await row.getByRole('cell').allTextContents();
  return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
}

/** Signs in and opens the Persons page. */
async function toPersons(p: Page, name: string, password: string) {
  await p.goto(`${t.baseUrl}/console/persons`);
  await p.getByLabel('Operator name').fill(name);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Persons', exact: true }).click();
  await p.getByRole('heading', { level: 1, name: 'Persons' }).waitFor();
}

/** A screenshot with the person's panels in view (they sit below the editor). */
async function shotOfPanels(name: string) {
  await page.getByRole('heading', { name: 'Panels', exact: true }).scrollIntoViewIfNeeded();
  await page.evaluate(() => (globalThis as unknown as { scrollBy: (x: number, y: number) => void }).scrollBy(0, 120));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

async function openPerson(pin: string) {
  await page.getByRole('button', { name: `Open ${pin}` }).click();
  await page.getByRole('table', { name: 'Panels holding this person' }).waitFor();
}

describe.skipIf(!run.executable)('a person\'s panels, leave and reinstatement in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    // The panels poll only when a test makes them: on a loaded machine a test can take longer than the 30 s online
    // floor, and a row would read "waiting for the panel: offline" where this file reads what is on its way.
    settingsOf(t).onlineFloorMs = 3_600_000;
    await createOperator(t, 'otto', 'operator', 'otto-password-1');
    await createOperator(t, 'vera', 'viewer', 'vera-password-1');
    ok = await panel('PERSONOK01', '10.88.0.1');
    refusing = await panel('PERSONNO01', '10.88.0.2', { resultFor: (c) => (c.verb === 'DATA UPDATE' && c.table === 'userauthorize' ? -1004 : undefined) });
    asleep = await panel('PERSONZZ01', '10.88.0.3');
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Three panels' }] })).body.code).toBe(0);
    const doors = ['10.88.0.1-1', '10.88.0.2-2', '10.88.0.3-1'].map((doorName) => ({ levelName: 'Three panels', doorName }));
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors })).body.code).toBe(0);
    const level = await levelId(t, 'Three panels');
    await Promise.all([ok.pollUntilIdle(), refusing.pollUntilIdle(), asleep.pollUntilIdle()]);
    expect((await t.post('/api/person/add', { pin: '901', name: 'Mary', lastName: 'Jackson', accLevelIds: level })).body.code).toBe(0);
    // A stored name with a TAB cannot travel in a command: skipped on every panel, and reported.
    await t.ds.query(`INSERT INTO person (id, pin, name, dept_id) VALUES (md5('p902'), '902', E'Tab\\tName', (SELECT id FROM department WHERE code = '1'))`);
    await t.ds.query(`INSERT INTO acc_level_person (level_id, person_id) VALUES ($1, md5('p902'))`, [level]);
    expect((await t.post('/api/accLevel/syncLevel', null, { levelId: level })).body.code).toBe(0);
    await Promise.all([ok.pollUntilIdle(), refusing.pollUntilIdle()]);
    page = await run.newPage();
    await toPersons(page, 'otto', 'otto-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('shows each panel truthfully: holds them, refused with the Return code, on its way with the commands waiting, skipped', async () => {
    expect(ok.rightsOf('901')).toHaveLength(1);
    expect(refusing.user('901')).toBeDefined();
    expect(refusing.rightsOf('901')).toEqual([]);
    expect(asleep.user('901')).toBeUndefined();
    const api = (await t.get('/api/gateway/persons/901/devices')).body.data as Array<{ deviceSn: string; pendingCommands: number }>;
    const waiting = api.find((d) => d.deviceSn === 'PERSONZZ01')!.pendingCommands;
    expect(waiting).toBeGreaterThan(0);

    await openPerson('901');
    await expect(rowOf('PERSONOK01')).resolves.toMatchObject({
      State: 'holds them',
      // Each door by its name and the time zone by its time segment, as the operator set them up: not "doors 1 (time zone 1)".
      'Should hold': '10.88.0.1-1 (24-Hour Accessible)',
      'Confirmed rights': '10.88.0.1-1 (24-Hour Accessible)',
      'Last confirmed': expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      'Not confirmed': '',
      'Commands waiting': '0',
      'Last error': '',
      Skipped: '',
    });
    const refused = await rowOf('PERSONNO01');
    expect(refused).toMatchObject({ State: 'refused by the firmware', 'Should hold': '10.88.0.2-2 (24-Hour Accessible)', 'Confirmed rights': 'none', 'Not confirmed': 'auth', 'Commands waiting': '0', Skipped: '' });
    expect(refused['Last error']).toMatch(/^Return -1004: \S.*; refused for good: DATA UPDATE userauthorize \(Return -1004, probed again \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/);
    await expect(rowOf('PERSONZZ01')).resolves.toMatchObject({
      State: 'on its way',
      'Should hold': '10.88.0.3-1 (24-Hour Accessible)',
      'Confirmed rights': 'none',
      'Last confirmed': '',
      'Not confirmed': 'user, auth',
      'Commands waiting': String(waiting),
      'Last error': '',
    });
    await shotOfPanels('person-panels');

    await page.getByRole('button', { name: 'Close' }).click();
    await openPerson('902');
    await expect(rowOf('PERSONOK01')).resolves.toMatchObject({ State: 'skipped: cannot be sent', Skipped: 'name contains a control character' });
    await page.getByRole('button', { name: 'Close' }).click();

    // The dashboard lists the panel that refused the rights table among those not converged, saying why: not
    // divergent (nothing is retried), refused by its firmware until the probe.
    await navTo(page, 'Dashboard');
    const notConverged = page.getByRole('table', { name: 'Devices whose state has not converged' }).getByRole('row').filter({ hasText: 'PERSONNO01' });
    await notConverged.getByText(/^refused by the firmware: DATA UPDATE userauthorize \(Return -1004, \d+ items?, probed again \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/).waitFor();
    expect(await notConverged.getByText('divergent', { exact: true }).count()).toBe(0);
    await navTo(page, 'Persons');
  });

  it('follows a panel that confirms while the person is open: "on its way" turns to "holds them" without opening them again', async () => {
    await openPerson('901');
    const row = page.getByRole('table', { name: 'Panels holding this person' }).getByRole('row').filter({ hasText: '(PERSONZZ01)' });
    await row.getByText('on its way').waitFor();
    await page.getByLabel('First name', { exact: true }).fill('Typed, not saved');
    await asleep.pollUntilIdle();
    await row.getByText('holds them').waitFor();
    expect(await rowOf('PERSONZZ01')).toMatchObject({ 'Confirmed rights': '10.88.0.3-1 (24-Hour Accessible)', 'Not confirmed': '', 'Commands waiting': '0' });
    // What the operator typed stays: the refresh reads the panels again, not the form.
    expect(await page.getByLabel('First name', { exact: true }).inputValue()).toBe('Typed, not saved');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('says a secondary card is not held by a panel without multi-card, which still holds the person', async () => {
    // Simulated panels report MulCardUserFunOn=0: the card is stored (CVSecurity does), nothing is sent for it.
    expect((await t.post('/api/card/set', { pin: '901', cardNo: '9010002', cardType: '1' })).body.code).toBe(0);
    await ok.pollUntilIdle();
    await openPerson('901');
    const row = await rowOf('PERSONOK01');
    expect(row).toMatchObject({ State: 'holds them', 'Not confirmed': '' });
    expect(row['Cannot hold']).toMatch(/^secondary card 9010002: multi-card is off on this device \(its options do not report MulCardUserFunOn=1\)/);
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('makes a person leave after a confirmation (the panels lose them) and reinstates them (the panels get them back), each audited', async () => {
    await openPerson('901');
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Person leaves' });
    await dialog.getByLabel('Leave date').fill('2026-11-20');
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await t.ds.query(`SELECT status FROM person WHERE pin = '901'`))[0].status).toBe('active');
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await expect(dialog.getByRole('button', { name: '901 leaves' }).evaluate((b) => b === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).resolves.toBe(true);
    await dialog.getByLabel('Leave date').fill('2026-11-20');
    await dialog.getByRole('button', { name: '901 leaves' }).click();
    await page.getByRole('status').filter({ hasText: '901 has left; the panels are told to remove them' }).waitFor();
    await page.getByRole('heading', { name: /Mary Jackson \(901\) resigned on 2026-11-20/ }).waitFor();
    expect((await t.ds.query(`SELECT status, to_char(leave_date, 'YYYY-MM-DD') AS d FROM person WHERE pin = '901'`))[0]).toEqual({ status: 'left', d: '2026-11-20' });
    // Off the active list (re-read after the answer: waited for, a CI run on the embedded database read it before the
    // list came back); the panel that held them is told to remove them.
    await page.getByRole('button', { name: 'Open 901' }).waitFor({ state: 'detached' });
    await expect(rowOf('PERSONOK01')).resolves.toMatchObject({ State: 'removal on its way', 'Should hold': 'nothing (the person must leave it)', 'Last error': '' });
    // The panel that refused the rights is told to remove the user too; the refused grant's Return code stays shown until it confirms.
    const refusing901 = await rowOf('PERSONNO01');
    expect(refusing901).toMatchObject({ State: 'removal on its way', 'Should hold': 'nothing (the person must leave it)', 'Not confirmed': 'user, auth' });
    expect(refusing901['Last error']).toMatch(/^Return -1004: /);
    await shotOfPanels('person-left');
    await ok.pollUntilIdle();
    expect(ok.user('901')).toBeUndefined();
    expect(ok.rightsOf('901')).toEqual([]);

    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByLabel('Show').selectOption('left');
    await page.getByRole('cell', { name: '2026-11-20' }).waitFor();
    await openPerson('901');
    await page.getByRole('button', { name: 'Reinstate' }).click();
    await page.getByRole('dialog', { name: 'Reinstate person' }).getByRole('button', { name: 'Reinstate 901' }).click();
    await page.getByRole('status').filter({ hasText: '901 is reinstated' }).waitFor();
    expect((await t.ds.query(`SELECT status FROM person WHERE pin = '901'`))[0].status).toBe('active');
    await ok.pollUntilIdle();
    expect(ok.user('901')).toMatchObject({ Pin: '901', Name: 'Mary Jackson' });
    expect(ok.rightsOf('901')).toHaveLength(1);
    await page.getByRole('button', { name: 'Leave', exact: true }).waitFor();

    const audit = await t.ds.query(`SELECT operator, action, target, outcome FROM console_audit WHERE action IN ('person.leave', 'person.reinstate') ORDER BY id`);
    expect(audit).toEqual([
      { operator: 'otto', action: 'person.leave', target: '901', outcome: 'ok' },
      { operator: 'otto', action: 'person.reinstate', target: '901', outcome: 'ok' },
    ]);
  });

  it('shows a viewer the panels, but no Leave or Reinstate button', async () => {
    const { ctx, page: viewer } = await newConsolePage(run.browser);
    try {
      await toPersons(viewer, 'vera', 'vera-password-1');
      await viewer.getByRole('button', { name: 'Open 901' }).click();
      await viewer.getByRole('table', { name: 'Panels holding this person' }).getByText('holds them').first().waitFor();
      expect(await viewer.getByRole('button', { name: /^(Leave|Reinstate)$/ }).count()).toBe(0);
      await viewer.getByRole('button', { name: 'Close' }).click();
      await viewer.getByRole('table', { name: 'Panels holding this person' }).waitFor({ state: 'detached' });
    } finally {
      await ctx.close();
    }
  });

  it('says a panel holds a disabled person disabled once it confirmed Disable=1', async () => {
    const level = await levelId(t, 'Three panels');
    expect((await t.post('/api/person/add', { pin: '901', name: 'Mary', lastName: 'Jackson', accLevelIds: level, isDisabled: true })).body.code).toBe(0);
    await ok.pollUntilIdle();
    expect(ok.user('901')).toMatchObject({ Disable: '1' });
    // The page was left on the resigned persons with 901 open: the active list again.
    await page.goto(`${t.baseUrl}/console/persons`);
    await openPerson('901');
    expect(await rowOf('PERSONOK01')).toMatchObject({ State: 'holds them disabled' });
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('stays on the person after a save, as CVSecurity does: the saved state, "Saved", and its way to the panels', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'One panel' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'One panel', doorName: '10.88.0.1-2' }] })).body.code).toBe(0);
    await ok.pollUntilIdle();
    await page.goto(`${t.baseUrl}/console/persons`);
    await page.getByRole('button', { name: 'Add person' }).click();
    const added = page.getByRole('form', { name: 'New person' });
    await added.getByLabel('Pin').fill('950');
    await added.getByLabel('First name').fill('Kat');
    await added.getByLabel('One panel').check();
    await added.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 950' }).waitFor();
    // The new person is open, as saved: their form, their address, their panel with the change on its way.
    const form = page.getByRole('form', { name: 'Edit person 950' });
    await form.waitFor({ timeout: 5000 });
    await page.getByRole('heading', { name: /Kat\s+\(950\)/ }).waitFor();
    expect(page.url()).toMatch(/\/console\/persons\/950(\?|$)/);
    expect(await form.getByLabel('First name').inputValue()).toBe('Kat');
    expect(await form.getByLabel('One panel').isChecked()).toBe(true);
    expect(await rowOf('PERSONOK01')).toMatchObject({ State: 'on its way' });
    await ok.pollUntilIdle();
    await page.getByRole('table', { name: 'Panels holding this person' }).getByText('holds them', { exact: true }).waitFor();
    // An edit saved stays too, the form filled from what was saved (its next save is not refused as stale).
    await form.getByLabel('First name').fill('Katherine');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 950' }).waitFor();
    await page.getByRole('heading', { name: /Katherine\s+\(950\)/ }).waitFor();
    expect(await form.getByLabel('First name').inputValue()).toBe('Katherine');
    await form.getByLabel('Last name').fill('Johnson');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('heading', { name: /Katherine Johnson\s+\(950\)/ }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Close' }).click();
    await form.waitFor({ state: 'detached' });
  });
});
