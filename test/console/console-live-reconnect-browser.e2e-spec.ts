import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { chromiumPath, ensureConsoleBuilt, SCREENSHOT_DIR, signedInConsole } from './browser';

/**
 * The dashboard's live events across a blip: a proxy in front of the gateway answering the event stream with a
 * 502 while the gateway restarts makes the browser give the stream up for good (EventSource retries a dropped
 * connection, never an error answer). The dashboard must connect again by itself and show the events that follow.
 */
const executable = chromiumPath();
if (!executable) console.warn('[console live reconnect browser tests] SKIPPED: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

let t: TestApp;
let closeBrowser: () => Promise<unknown>;
let page: Page;
let sim: DeviceSimulator;

describe.skipIf(!executable)('console dashboard: live events come back after the stream is refused once', () => {
  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await ensureConsoleBuilt();
    t = await startTestApp();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LIVE000001', doors: 1 });
    await sim.connect();
    await sim.pollUntilIdle();
    ({ page, close: closeBrowser } = await signedInConsole(t, executable!));
  }, 120_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

  it('connects again after a 502 on the stream and shows the next event', async () => {
    let refused = 0;
    // The next stream request (after the one the dashboard already holds is dropped) is answered 502 once.
    await page.route('**/console/api/dashboard/stream', async (route) => {
      if (refused++ === 0) await route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' });
      else await route.continue();
    });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText('lost', { exact: true }).waitFor();
    await page.getByText('live', { exact: true }).waitFor();
    expect(refused).toBeGreaterThanOrEqual(2);
    const time = new Date().toISOString().slice(0, 19).replace('T', ' ');
    expect((await sim.uploadRtlog([{ time, pin: 0, cardno: '77123', eventaddr: 1, event: 27, index: 9001 }])).status).toBe(200);
    await page.locator('#live-events').getByRole('row', { name: /card is not registered/ }).waitFor();
  });
});
