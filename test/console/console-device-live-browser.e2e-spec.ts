import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { SCREENSHOT_DIR } from './browser';
import { createOperator, lastSeenLongAgo } from './console-helpers';

/**
 * CVSecurity's real-time monitoring shows each device's connection as it changes. The dashboard's live events
 * show a panel going offline (its polls stop: nothing arrives, the gateway sees its online window pass) and coming
 * back, as rows of their own, from the same state its counts use; its doors read offline meanwhile.
 */
/** How long a change may take to reach the door list: the dashboard's 2 s reload delay, then its read. */
const RELOADED = { timeout: 6_000 };

const run = new ConsoleBrowserRun('console device live-state browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;

describe.skipIf(!run.executable)('devices going offline and online in the live events', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'vera', 'viewer', 'vera-password-1');
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LIVEPANEL1', doors: 1, ipAddress: '10.52.0.1' });
    await panel.connect();
    await panel.pollUntilIdle();
    page = await run.signedInPage('vera', 'vera-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('shows a panel going offline and coming back as it happens, its doors offline meanwhile', async () => {
    await page.getByRole('heading', { name: /Live events/ }).getByText('live', { exact: true }).waitFor();
    const liveEvents = page.getByRole('table', { name: 'Live events' });
    const doors = page.getByRole('table', { name: 'Door states' });
    const door = doors.getByRole('row', { name: /LIVEPANEL1|10\.52\.0\.1/ });
    await door.waitFor();
    const doorText = async () => (await door.getByRole('cell').allTextContents()).slice(0, 2).join(' ');
    const before = await doorText();
    expect(before).not.toContain('offline');

    await lastSeenLongAgo(t, 'LIVEPANEL1');
    // The live events have no other source than the stream: the dashboard's own 10 s refresh does not add rows.
    const offline = liveEvents.getByRole('row', { name: /Access panel offline/ });
    await offline.waitFor();
    const cells = await offline.getByRole('cell').allTextContents();
    expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(cells.slice(1)).toEqual(['Access panel offline', '10.52.0.1 (LIVEPANEL1)', expect.stringMatching(/^last seen \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)]);
    // The counts and the door read again with it: the dashboard reads them again at most DOOR_RELOAD_MS (2 s) after
    // the change arrives (the door's own doorState event may come before or after the device's), before its own 10 s
    // refresh; the poll allows that 2 s and the read itself on a loaded machine, not vitest's 1 s default.
    await expect.poll(doorText, RELOADED).toBe('10.52.0.1-1 offline');
    await page.getByRole('table', { name: 'Devices offline' }).getByRole('row', { name: /LIVEPANEL1/ }).waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-device-offline.png` });

    await panel.pollUntilIdle();
    const online = liveEvents.getByRole('row', { name: /Access panel online/ });
    await online.waitFor();
    expect((await online.getByRole('cell').allTextContents()).slice(1, 3)).toEqual(['Access panel online', '10.52.0.1 (LIVEPANEL1)']);
    await expect.poll(doorText, RELOADED).toBe(before);
    // Newest first, each change once.
    expect(await liveEvents.getByRole('row', { name: /LIVEPANEL1/ }).allTextContents()).toEqual([
      expect.stringContaining('Access panel online'),
      expect.stringContaining('Access panel offline'),
    ]);
  });
});
