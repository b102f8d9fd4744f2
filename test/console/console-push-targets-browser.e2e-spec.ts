import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import type { TestApp } from '../support/test-app';
import { navTo, untilOnPageClock } from './browser';
import { createOperator } from './console-helpers';

/**
 * CVSecurity's Push Center targets as an administrator manages them from Settings: a target whose deliveries are
 * shown and which is then deleted takes its deliveries panel with it (the screen never keeps naming a target
 * that is gone); "Retry now" re-sends in the background, and the shown deliveries follow it to its outcome; the
 * targets and the shown deliveries are read again while the page is open, as deliveries go on without it.
 */
const run = new ConsoleBrowserRun('console push targets browser tests');

let t: TestApp;
let page: Page;
let receiver: Receiver;

describe.skipIf(!run.executable)('console: Push Center targets (Settings)', () => {
  beforeAll(async () => {
    // A failed delivery waits an hour before the gateway tries it again by itself: only "Retry now" re-sends it here.
    setPushCenterTimings({ retryBaseMs: 3_600_000, retryMaxMs: 3_600_000, pollMs: 200 });
    receiver = await Receiver.answering(500);
    t = await run.startGateway();
    await createOperator(t, 'pia', 'admin', 'pia-password-1');
    page = await run.signedInPage('pia', 'pia-password-1');
    // Before Settings is opened: its refresh every 10 s runs on the page's clock (untilOnPageClock).
    await page.clock.install();
  }, 120_000);
  afterAll(async () => {
    await run.close();
    await receiver?.stop();
  });

  it('deleting the target whose deliveries are shown removes its deliveries panel', async () => {
    await navTo(page, 'Settings');
    const form = page.getByRole('form', { name: 'New Push Center target' });
    await form.getByLabel('Name').fill('Hook A');
    await form.getByLabel('URL').fill('http://127.0.0.1:8/hook');
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

  it('"Retry now" shows the re-sent delivery\'s outcome in the open deliveries panel', async () => {
    const form = page.getByRole('form', { name: 'New Push Center target' });
    await form.getByLabel('Name').fill('Payroll');
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByRole('button', { name: 'Add target' }).click();
    await page.getByRole('status').filter({ hasText: 'Target Payroll added' }).waitFor();
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RETRYP0001', doors: 1 });
    await panel.connect();
    await panel.uploadRtlog([{ time: '2024-04-01 08:00:00', pin: 7, cardno: 5000, event: 0, eventaddr: 1, inoutstatus: 0, verifytype: 15 }]);
    // The receiver refused the first attempt; the next one is an hour away.
    for (let i = 0; i < 200 && !receiver.requests.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests.map((r) => r.answered)).toEqual([500]);
    await page.getByRole('button', { name: 'Deliveries to Payroll', exact: true }).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries to Payroll' });
    const row = deliveries.getByRole('row').filter({ hasText: 'RETRYP0001' });
    await row.filter({ hasText: 'HTTP 500' }).filter({ hasText: 'pending' }).waitFor();

    receiver.status = 200;
    const targets = page.getByRole('table', { name: 'Push Center targets' });
    await targets.getByRole('row').filter({ hasText: 'Payroll' }).getByRole('button', { name: 'Retry now' }).click();
    await page.getByRole('status').filter({ hasText: 'Retrying Payroll now' }).waitFor();
    // The panel, left open, shows the delivery the retry re-sent as delivered (and the target's row its last delivery).
    await row.filter({ hasText: 'delivered' }).waitFor();
    expect(receiver.requests.map((r) => r.answered)).toEqual([500, 200]);
    await targets.getByRole('row').filter({ hasText: 'Payroll' }).filter({ hasText: '0 / 0' }).waitFor();
  });

  it('a target\'s counts, last delivery and last error follow deliveries the page did not start', async () => {
    // An operator adds a target and keeps the page open: the Push Center delivers (and fails) in the background, and
    // the row must not keep saying "0 / 0, —" once events went out or failed.
    receiver.status = 200;
    await navTo(page, 'Dashboard');
    await navTo(page, 'Settings');
    const form = page.getByRole('form', { name: 'New Push Center target' });
    await form.getByLabel('Name').fill('Live HR');
    await form.getByLabel('URL').fill(receiver.url.replace('/events', '/live'));
    await form.getByRole('button', { name: 'Add target' }).click();
    await page.getByRole('status').filter({ hasText: 'Target Live HR added' }).waitFor();
    await form.getByLabel('Name').fill('Live dead');
    await form.getByLabel('URL').fill('http://127.0.0.1:8/dead');
    await form.getByRole('button', { name: 'Add target' }).click();
    await page.getByRole('status').filter({ hasText: 'Target Live dead added' }).waitFor();
    const targets = page.getByRole('table', { name: 'Push Center targets' });
    const hr = targets.getByRole('row').filter({ hasText: 'Live HR' });
    const dead = targets.getByRole('row').filter({ hasText: 'Live dead' });
    await hr.filter({ hasText: '—' }).waitFor();
    await page.getByRole('button', { name: 'Deliveries to Live HR', exact: true }).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries to Live HR' });
    await deliveries.getByRole('row').filter({ hasText: 'Nothing queued for this target yet.' }).waitFor();

    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LIVEPC0001', doors: 1 });
    await panel.connect();
    await panel.uploadRtlog([{ time: '2024-04-02 08:00:00', pin: 8, cardno: 5001, event: 0, eventaddr: 1, inoutstatus: 0, verifytype: 15 }]);
    for (let i = 0; i < 200 && !receiver.requests.some((r) => r.body.includes('LIVEPC0001')); i++) await new Promise((r) => setTimeout(r, 100));
    // Read again by the page itself (every 10 s, as the Doors and Devices pages are): no reload, no click.
    const readAgain = (shown: Locator) => untilOnPageClock(page, () => shown.isVisible(), { stepMs: 2_000 });
    await readAgain(hr.filter({ hasNotText: '—' }));
    await readAgain(dead.filter({ hasText: 'retrying' }).filter({ hasText: 'fetch failed' }));
    await readAgain(deliveries.getByRole('row').filter({ hasText: 'LIVEPC0001' }).filter({ hasText: 'delivered' }));
  });
});
