import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';

/**
 * Times and bursts as an operator meets them: the dashboard's live events when a panel sends many at once, a
 * transactions window ending at a minute, and a person's validity set to the second elsewhere.
 */
const run = new ConsoleBrowserRun('console times and bursts browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

describe.skipIf(!run.executable)('the console with times to the second and bursts of events', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'BURST00001', doors: 1 });
    await sim.connect();
    await sim.pollUntilIdle();
    page = await run.operatorPage('olga');
  }, 120_000);
  afterAll(() => run.close());

  it('draws a burst of live events together, and loses none of them', async () => {
    await navTo(page, 'Dashboard');
    await page.getByText('live', { exact: true }).waitFor();
    // Each time the list is drawn, its rows change together: one MutationObserver call per drawing.
    // (A script's text: the test's own types have no DOM.)
    await page.evaluate(`window.liveDraws = 0;
      new MutationObserver(() => window.liveDraws++).observe(document.getElementById('live-events'), { childList: true, subtree: true, characterData: true });`);
    const time = new Date().toISOString().slice(0, 19).replace('T', ' ');
    const burst = Array.from({ length: 30 }, (_, i) => ({ time, pin: 0, cardno: String(66600 + i), eventaddr: 1, event: 27, index: 7200 + i }));
    expect((await sim.uploadRtlog(burst)).status).toBe(200);
    const live = page.locator('#live-events');
    await live.getByRole('row', { name: /card 66629$/ }).waitFor();
    await live.getByRole('row', { name: /card 66600$/ }).waitFor();
    // Every event is in the list, newest first.
    const cards = (await live.getByRole('row').allTextContents()).map((r) => r.match(/card (666\d\d)$/)?.[1]).filter(Boolean);
    expect(cards).toEqual(burst.map((e) => e.cardno).reverse());
    // Drawn a few times at most (the stream may split the burst), not once per event.
    expect(await page.evaluate('window.liveDraws')).toBeLessThanOrEqual(5);
  });

  it('takes the whole minute a "To" time names: events up to 10:15 include the one at 10:15:40, in the list and the export', async () => {
    await navTo(page, 'Transactions');
    expect((await sim.uploadRtlog([{ time: '2026-01-05 10:15:40', pin: 0, cardno: '77701', eventaddr: 1, event: 27, index: 7101 }])).status).toBe(200);
    const form = page.getByRole('form', { name: 'Filter transactions' });
    await form.getByLabel('From', { exact: true }).fill('2026-01-05T10:15');
    await form.getByLabel('To', { exact: true }).fill('2026-01-05T10:15');
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1 of 1 · 1 in all').waitFor();
    await page.getByRole('row', { name: /card is not registered \(27\)/ }).getByRole('cell', { name: '77701', exact: true }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(',77701,');
    // The minute before is not: From 10:14 To 10:14 finds nothing.
    await form.getByLabel('From', { exact: true }).fill('2026-01-05T10:14');
    await form.getByLabel('To', { exact: true }).fill('2026-01-05T10:14');
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No event matches.').waitFor();
    await form.getByLabel('From', { exact: true }).fill('');
    await form.getByLabel('To', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Apply filters' }).click();
  });

  it('keeps the seconds of a validity set through the API when the person is saved from the console', async () => {
    // CVSecurity's clients end a validity at 23:59:59: a save that changes the last name must not cut it to 23:59:00.
    expect((await t.post('/api/person/add', { pin: '4720', name: 'Ada', lastName: 'Byron', accStartTime: '2026-01-01 08:00:30', accEndTime: '2031-12-31 23:59:59' })).body.code).toBe(0);
    await page.goto(`${t.baseUrl}/console/persons/4720`);
    const form = page.getByRole('form', { name: 'Edit person 4720' });
    await expect(form.getByLabel('Valid until').inputValue()).resolves.toBe('2031-12-31T23:59:59');
    await form.getByLabel('Last name').fill('Lovelace');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 4720' }).waitFor();
    const [saved] = await t.ds.query(
      `SELECT last_name, to_char(acc_start_time AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI:SS') AS start, to_char(acc_end_time AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI:SS') AS "end" FROM person WHERE pin = '4720'`,
      [t.config.timeZone],
    );
    expect(saved).toEqual({ last_name: 'Lovelace', start: '2026-01-01 08:00:30', end: '2031-12-31 23:59:59' });
    expect((await t.post('/api/person/delete/4720')).body.code).toBe(0);
  });
});
