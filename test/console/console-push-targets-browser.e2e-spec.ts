import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { chromiumPath, ensureConsoleBuilt, launchChromium, navTo, newConsolePage, SCREENSHOT_DIR, signInPage } from './browser';
import { createOperator } from './console-helpers';

/**
 * CVSecurity's Push Center targets as an administrator manages them from Settings: a target whose deliveries are
 * shown and which is then deleted takes its deliveries panel with it (the screen never keeps naming a target
 * that is gone).
 */
const executable = chromiumPath();
if (!executable) console.warn('[console push targets browser tests] SKIPPED: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

let t: TestApp;
let closeBrowser: () => Promise<unknown>;
let page: Page;

describe.skipIf(!executable)('console: Push Center targets (Settings)', () => {
  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await ensureConsoleBuilt();
    t = await startTestApp();
    await createOperator(t, 'pia', 'admin', 'pia-password-1');
    const launched = await launchChromium(executable!);
    closeBrowser = launched.close;
    ({ page } = await newConsolePage(launched.browser));
    await signInPage(page, t.baseUrl, 'pia', 'pia-password-1');
  }, 120_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

  it('deleting the target whose deliveries are shown removes its deliveries panel', async () => {
    await navTo(page, 'Settings');
    const form = page.getByRole('form', { name: 'New Push Center target' });
    await form.getByLabel('Name').fill('Hook A');
    await form.getByLabel('URL').fill('http://127.0.0.1:9/hook');
    await form.getByRole('button', { name: 'Add target' }).click();
    await page.getByRole('status').filter({ hasText: 'Target Hook A added' }).waitFor();
    await page.getByRole('button', { name: 'Deliveries to Hook A', exact: true }).click();
    const panel = page.getByRole('heading', { level: 3, name: 'Deliveries to Hook A' });
    await panel.waitFor();
    await page.getByRole('button', { name: 'Delete Hook A', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Push Center target' });
    await dialog.getByRole('button', { name: 'Delete Hook A', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Hook A deleted' }).waitFor();
    expect(await t.ds.query(`SELECT id FROM push_target WHERE name = 'Hook A'`)).toEqual([]);
    await page.getByRole('table', { name: 'Push Center targets' }).getByRole('row').filter({ hasText: 'Hook A' }).waitFor({ state: 'detached' });
    // The deliveries panel of the deleted target goes with it.
    await panel.waitFor({ state: 'detached' });
  });
});
