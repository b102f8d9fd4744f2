import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * Every table of the pages an operator works in daily has a name (a screen reader's table list, and its "Persons
 * table" on entering one), as the README promises labelled tables.
 */
const run = new ConsoleBrowserRun('console accessibility browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('the console for a screen reader', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'ann', 'admin', 'ann-password-1');
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'A11YPANEL1', doors: 1, ipAddress: '10.62.0.1' });
    await panel.connect();
    await panel.pollUntilIdle();
    expect((await t.post('/api/person/add', { pin: '901', name: 'Ann', lastName: 'Reader' })).body.code).toBe(0);
    page = await run.signedInPage('ann', 'ann-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('names every table of the daily pages', async () => {
    const unnamed: string[] = [];
    for (const label of ['Dashboard', 'Persons', 'Doors', 'Devices', 'Transactions', 'Visitors', 'Access levels', 'Audit log', 'Settings']) {
      await navTo(page, label);
      await page.locator('main table:visible').first().waitFor();
      await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
      const tables = page.locator('main table:visible');
      for (let i = 0; i < (await tables.count()); i++) {
        const table = tables.nth(i);
        const name = await table.evaluate((el) => el.getAttribute('aria-label') ?? (el.getAttribute('aria-labelledby') ? el.ownerDocument.getElementById(el.getAttribute('aria-labelledby')!)?.textContent : null) ?? el.querySelector('caption')?.textContent ?? '');
        if (!name?.trim()) unnamed.push(`${label}: the table headed ${(await table.locator('th').allTextContents()).slice(0, 3).join(', ')}`);
      }
    }
    expect(unnamed).toEqual([]);
  });
});
