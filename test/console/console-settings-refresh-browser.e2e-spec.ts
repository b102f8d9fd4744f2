import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator, rawCall } from './console-helpers';

/**
 * Settings as an administrator leaves it open: an API client's "Last used" follows the integration's calls (read
 * again with the page's 10 s refresh, as the Push Center targets are), and the page's closed confirm dialogs carry
 * no "null" in what they say (a screen reader reads hidden dialogs' labels too).
 */
const run = new ConsoleBrowserRun('console settings refresh browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('console: Settings read again while open', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'sara', 'admin', 'sara-password-1');
    page = await run.signedInPage('sara', 'sara-password-1');
  }, 120_000);
  afterAll(async () => {
    await run.close();
  });

  it('an API client\'s "Last used" follows its calls without a reload', async () => {
    await navTo(page, 'Settings');
    const form = page.getByRole('form', { name: 'New API client' });
    await form.getByLabel('New client name').fill('payroll-sync');
    await form.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('#new-token').textContent())!.trim();
    const row = page.getByRole('table', { name: 'API clients' }).getByRole('row').filter({ hasText: 'payroll-sync' });
    await row.filter({ hasText: 'never' }).waitFor();
    // The integration calls with its token while the page stays open.
    expect((await rawCall(t, 'GET', `/api/accLevel/list?pageNo=1&pageSize=10&access_token=${token}`)).body.code).toBe(0);
    await row.filter({ hasNotText: 'never' }).waitFor({ timeout: 15_000 });
  });

  it('closed confirm dialogs name no "null"', async () => {
    await navTo(page, 'Dashboard');
    for (const p of ['Settings', 'Persons']) {
      await navTo(page, p);
      const dialogs = await page.locator('dialog').evaluateAll((ds) => ds.map((d) => d.textContent ?? ''));
      expect(dialogs.length).toBeGreaterThan(0);
      expect(dialogs.filter((text) => /\bnull\b|undefined/.test(text))).toEqual([]);
    }
  });
});
