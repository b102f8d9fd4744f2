import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { chromiumPath, ensureConsoleBuilt, launchChromium, navTo, newConsolePage, SCREENSHOT_DIR, signInPage } from './browser';
import { createOperator } from './console-helpers';

/**
 * CVSecurity's Access Levels page enrols many persons into a level at once (Add Personnel) and takes them out
 * (Delete Personnel); an operator coming from it gives a new team its door that way, not person by person. Here
 * the console does the same by pin, and the level's panel receives (then loses) the rights.
 */
const executable = chromiumPath();
if (!executable) console.warn('[console level persons browser tests] SKIPPED: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

let t: TestApp;
let browser: Browser;
let closeBrowser: () => Promise<unknown>;
let page: Page;
let sim: DeviceSimulator;

const pinsOf = async (level: string): Promise<string[]> =>
  (
    await t.ds.query(`SELECT p.pin FROM acc_level_person lp JOIN acc_level l ON l.id = lp.level_id JOIN person p ON p.id = lp.person_id WHERE l.name = $1 ORDER BY p.pin`, [level])
  ).map((r: { pin: string }) => r.pin);

describe.skipIf(!executable)('console: persons of an access level, from the level (CVSecurity Add/Delete Personnel)', () => {
  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await ensureConsoleBuilt();
    t = await startTestApp();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LVLP000001', doors: 1, ipAddress: '10.7.0.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Lab', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Lab', doorName: '10.7.0.1-1' }] })).body.code).toBe(0);
    for (const [pin, name] of [['4001', 'Ann'], ['4002', 'Ben'], ['4003', 'Cy']]) expect((await t.post('/api/person/add', { pin, name })).body.code).toBe(0);
    await sim.pollUntilIdle();
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    ({ browser, close: closeBrowser } = await launchChromium(executable!));
    ({ page } = await newConsolePage(browser));
    await signInPage(page, t.baseUrl, 'olga', 'olga-password-1');
  }, 120_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

  it('adds persons to a level by pin, and the panel of its door receives their rights', async () => {
    await navTo(page, 'Access levels');
    const form = page.getByRole('form', { name: 'Persons of a level' });
    await form.getByLabel('Level of the persons').selectOption({ label: 'Lab' });
    await form.getByLabel('Person pins (comma-separated)').fill('4001, 4002');
    await form.getByRole('button', { name: 'Add persons' }).click();
    await page.getByRole('status').filter({ hasText: "2 persons added to Lab; the level's panels receive them" }).waitFor();
    expect(await pinsOf('Lab')).toEqual(['4001', '4002']);
    // The level's row counts them.
    await page.getByRole('row').filter({ hasText: 'Lab' }).getByRole('cell', { name: '2', exact: true }).waitFor();
    await sim.pollUntilIdle();
    expect(sim.rightsOf('4001').length).toBe(1);
    expect(sim.rightsOf('4002').length).toBe(1);
    expect(sim.rightsOf('4003')).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'level-persons.png') });
  });

  it('refuses the whole list when a pin is nobody, naming it, and enrols no one', async () => {
    const form = page.getByRole('form', { name: 'Persons of a level' });
    await form.getByLabel('Level of the persons').selectOption({ label: 'Lab' });
    await form.getByLabel('Person pins (comma-separated)').fill('4003 9999');
    await form.getByRole('button', { name: 'Add persons' }).click();
    await page.getByText('The person does not exist: 9999 (code -22)').waitFor();
    expect(await pinsOf('Lab')).toEqual(['4001', '4002']);
  });

  it('removes persons from the level, and the panel withdraws their rights', async () => {
    const form = page.getByRole('form', { name: 'Persons of a level' });
    await form.getByLabel('Level of the persons').selectOption({ label: 'Lab' });
    await form.getByLabel('Person pins (comma-separated)').fill('4001');
    await form.getByRole('button', { name: 'Remove persons' }).click();
    await page.getByRole('status').filter({ hasText: "1 person removed from Lab; the panels are told to withdraw the level's doors" }).waitFor();
    expect(await pinsOf('Lab')).toEqual(['4002']);
    await sim.pollUntilIdle();
    expect(sim.rightsOf('4001')).toEqual([]);
    expect(sim.rightsOf('4002').length).toBe(1);
    const [audit] = await t.ds.query(`SELECT count(*)::int AS n FROM console_audit WHERE action IN ('level.addPersons', 'level.removePersons')`);
    expect(audit.n).toBe(3);
  });
});
