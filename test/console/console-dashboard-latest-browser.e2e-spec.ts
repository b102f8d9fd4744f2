import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { createOperator } from './console-helpers';

/**
 * The dashboard's live events after a reload: CVSecurity's real-time monitoring opens on the latest events, and the
 * console's list stayed empty ("Events appear here as they happen") until the next event arrived. It now opens on
 * the latest events stored, newest first, and the stream follows on without showing one of them twice.
 */
const run = new ConsoleBrowserRun('console dashboard latest events browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;

const rows = () => page.getByRole('table', { name: 'Live events' }).locator('tbody tr');

describe.skipIf(!run.executable)('console: the dashboard opens on the latest events', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LATEST0001', doors: 2, ipAddress: '10.62.0.1' });
    await panel.connect();
    await panel.pollUntilIdle();
    expect((await t.post('/api/person/add', { pin: '8201', name: 'Lena', lastName: 'Early' })).body.code).toBe(0);
    page = await run.signedInPage('olga', 'olga-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('shows the events stored before the page opened, newest first, then the new ones above them, each once', async () => {
    // Stored while no dashboard was open: an unregistered card, then Lena's verified opening.
    expect((await panel.uploadRtlog([{ pin: 0, cardno: '62001', eventaddr: 1, event: 27, index: 8001 }])).status).toBe(200);
    expect((await panel.uploadRtlog([{ pin: '8201', eventaddr: 2, event: 0, verifytype: 4, index: 8002 }])).status).toBe(200);
    await page.goto(`${t.baseUrl}/console/dashboard`);
    await page.reload();
    await page.getByRole('heading', { name: /Live events/ }).getByText('live', { exact: true }).waitFor();
    await rows().filter({ hasText: 'Lena Early (8201)' }).waitFor({ timeout: 5000 });
    const texts = async () => (await rows().allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
    expect(await texts()).toEqual([expect.stringMatching(/Normal Verify Open.*Lena Early \(8201\)/), expect.stringMatching(/card is not registered.*card 62001/)]);
    // Live from there: a new event on top, the stored ones not repeated.
    expect((await panel.uploadRtlog([{ pin: '8201', eventaddr: 1, event: 0, verifytype: 4, index: 8003 }])).status).toBe(200);
    await rows().nth(2).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1500);
    const after = await texts();
    expect(after).toHaveLength(3);
    expect(after[0]).toMatch(/Normal Verify Open.*10\.62\.0\.1-1.*Lena Early \(8201\)/);
    expect(after.slice(1)).toEqual([expect.stringMatching(/Lena Early/), expect.stringMatching(/card 62001/)]);
  });
});
