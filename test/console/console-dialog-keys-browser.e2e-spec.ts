import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { createOperator } from './console-helpers';

/**
 * A confirmation that asks for a value, used from the keyboard as an operator types into it: Enter in the door's
 * "Open for (seconds)" or in a leave date confirms, as the confirm button does, and a value out of the field's
 * limits is caught in the dialog, which stays open with what was typed, nothing sent. And Settings' lists say so
 * when they list nothing, as every other list of the console does.
 */
const run = new ConsoleBrowserRun('console dialog keys browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;
const D1 = '10.7.9.1-1';

const opens = async () => (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'KEYS000001' AND command LIKE 'CONTROL DEVICE%' ORDER BY id`)).map((r: { command: string }) => r.command);

describe.skipIf(!run.executable)('console: a confirmation dialog from the keyboard, and empty Settings lists', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KEYS000001', doors: 1, ipAddress: '10.7.9.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/person/add', { pin: '7001', name: 'Ann', lastName: 'Lee' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '7002', name: 'Bo', lastName: 'Sun', cardNo: '770002' })).body.code).toBe(0);
    await createOperator(t, 'ada', 'admin', 'ada-password-1');
    page = await run.signedInPage('ada', 'ada-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("opens a door for the seconds typed when Enter is pressed in the dialog's field, and keeps a value out of range in the dialog", async () => {
    await navTo(page, 'Doors');
    // A poll just now: the panel is online (a remote open goes to an online panel only), however slow the start was.
    await sim.pollUntilIdle();
    await page.getByRole('button', { name: `Open ${D1}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm door command' });
    const seconds = dialog.getByLabel('Open for (seconds)');
    // Out of the panel's 1–254: caught in the dialog, which stays open with the value, and nothing is sent.
    await seconds.fill('999');
    await seconds.press('Enter');
    expect(await seconds.evaluate((i) => (i as unknown as { validationMessage: string }).validationMessage)).not.toBe('');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'door-open-seconds-invalid.png') });
    expect(await dialog.isVisible()).toBe(true);
    expect(await seconds.inputValue()).toBe('999');
    expect(await opens()).toEqual([]);
    // Enter on a valid value confirms, as the button does: the door opens for that long.
    await seconds.fill('7');
    await seconds.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(`Open: command queued for ${D1}, waiting for the panel`).waitFor();
    expect(await opens()).toEqual([expect.stringMatching(/^CONTROL DEVICE 01010107\b/)]);
    await sim.pollUntilIdle();
    await page.getByText(`Open: done by the panel for ${D1}`).waitFor({ timeout: 15_000 });
  }, 60_000);

  it('lets a person leave on the date typed when Enter is pressed in the leave date', async () => {
    await page.goto(`${t.baseUrl}/console/persons/7001`);
    await page.getByRole('button', { name: 'Leave' }).click();
    const dialog = page.getByRole('dialog', { name: 'Person leaves' });
    const date = dialog.getByLabel('Leave date');
    await date.fill('2026-01-15');
    await date.press('Enter');
    await page.getByRole('status').filter({ hasText: '7001 has left' }).waitFor();
    expect(await t.ds.query(`SELECT to_char(leave_date, 'YYYY-MM-DD') AS day FROM person WHERE pin = '7001'`)).toEqual([{ day: '2026-01-15' }]);
  });

  it("keeps the operator where they pressed Save person, the confirmation beside the button, the form filled from what was saved", async () => {
    await page.goto(`${t.baseUrl}/console/persons/7002`);
    const form = page.getByRole('form', { name: 'Edit person 7002' });
    await form.getByLabel('Mobile phone').fill('+49 170 7002');
    // The page scrolled down to the Save button (the person's page is taller than the window).
    const save = form.getByRole('button', { name: 'Save person' });
    await save.evaluate((b) => (b as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'center' }));
    const before = await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
    expect(before).toBeGreaterThan(0);
    await save.click();
    const status = form.getByRole('status').filter({ hasText: 'Saved 7002' });
    await status.waitFor();
    await expect.poll(() => form.getByLabel('Mobile phone').inputValue(), { timeout: 10_000 }).toBe('+49 170 7002');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'person-saved-in-place.png') });
    // Not thrown to the top while the person was read again: the button and its confirmation are still in view.
    expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBeGreaterThan(before / 2);
    for (const shown of [save, status]) {
      const box = (await shown.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(800);
    }
    // One confirmation on the page, not a second one at its top.
    expect(await page.getByRole('status').filter({ hasText: 'Saved 7002' }).count()).toBe(1);
  });

  it('says so when there is no Push Center target or API client yet', async () => {
    await navTo(page, 'Settings');
    await page.getByRole('table', { name: 'Push Center targets' }).getByRole('cell', { name: 'No target yet: add one to have the gateway push events to it.' }).waitFor();
    // The test's own API client is the only one; without it the list is empty (the REST API is not used after this).
    await t.ds.query(`DELETE FROM api_client`);
    await page.reload();
    await page.getByRole('table', { name: 'API clients' }).getByRole('cell', { name: 'No API client yet: create a token above for each integration.' }).waitFor();
  });
});
