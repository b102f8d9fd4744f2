import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { lastSeenLongAgo } from './console-helpers';

/**
 * CVSecurity's door monitoring follows each door's state and its panel's connection as they change. The Doors page
 * read them only every 10 s, so an operator who had just opened a door remotely, or whose panel dropped off the
 * network, looked at a stale row for up to 10 s. It now follows the console's live stream (door states, devices going
 * offline and back) and reads its list again as a change arrives.
 *
 * The tab reads as hidden here, which stops the page's periodic read (it skips hidden tabs): whatever redraws the
 * row can only be the live stream, and the test does not depend on how fast the machine is.
 */
const run = new ConsoleBrowserRun('console doors live browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;

describe.skipIf(!run.executable)('the Doors page follows door states and panel connection live', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DOORLIVE01', doors: 2, ipAddress: '10.53.0.1' });
    await panel.connect();
    await panel.pollUntilIdle();
    panel.setDoorSensor(1, 'closed');
    panel.setDoorSensor(2, 'closed');
    await panel.uploadRtstate();
    page = await run.operatorPage();
    await page.addInitScript({ content: `Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });` });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await navTo(page, 'Doors');
  }, 120_000);
  afterAll(() => run.close());

  it('redraws a door opened and closed, and its panel going offline and coming back, without a periodic read', async () => {
    expect(await page.evaluate('document.visibilityState')).toBe('hidden');
    const row = page.getByRole('table', { name: 'Doors' }).getByRole('row', { name: /10\.53\.0\.1-1/ });
    const cells = async () => (await row.getByRole('cell').allTextContents()).slice(0, 3).map((c) => c.trim());
    await expect.poll(cells, { timeout: 20_000 }).toEqual(['10.53.0.1-1', '10.53.0.1 (DOORLIVE01) online', 'closed']);

    panel.setDoorSensor(1, 'open');
    await panel.uploadRtstate();
    await expect.poll(cells, { timeout: 30_000 }).toEqual(['10.53.0.1-1', '10.53.0.1 (DOORLIVE01) online', 'open']);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/doors-live-open.png` });

    await lastSeenLongAgo(t, 'DOORLIVE01');
    await expect.poll(async () => (await cells())[1], { timeout: 30_000 }).toBe('10.53.0.1 (DOORLIVE01) offline');

    panel.setDoorSensor(1, 'closed');
    await panel.uploadRtstate();
    await expect.poll(cells, { timeout: 30_000 }).toEqual(['10.53.0.1-1', '10.53.0.1 (DOORLIVE01) online', 'closed']);
  });
});
