import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator, signIn, type ConsoleClient } from './console-helpers';
import { gradientPng } from './png';

/**
 * The Transactions page shows which events carry a capture photo (the reader's ATTPHOTO snapshot or an IPC linkage
 * photo), as CVSecurity's event list shows its photo icon, and opens the photo when asked: the list itself carries
 * no photo (it stays as light as before), the picture is fetched when opened.
 */
const run = new ConsoleBrowserRun('console event photo browser tests');

let t: TestApp;
let page: Page;
let ada: ConsoleClient;
const photo = gradientPng(8, 8, [200, 30, 30], [30, 30, 200]).toString('base64');

describe.skipIf(!run.executable)('console: the capture photo of an event', () => {
  beforeAll(async () => {
    t = await run.startGateway({ timeZone: 'UTC' });
    await createOperator(t, 'ada', 'operator');
    ada = await signIn(t, 'ada', 'ada-password-1');
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'H6PHOTO001', doors: 1 });
    await sim.connect();
    await sim.pollUntilIdle();
    await t.ds.query(`UPDATE device SET time_zone = 'UTC' WHERE sn = 'H6PHOTO001'`);
    expect((await sim.uploadTable('ATTPHOTO', [{ pin: '20260301080000-69101.jpg', sn: 'H6PHOTO001', size: 100, photo }])).status).toBe(200);
    const up = await sim.uploadRtlog([
      { time: '2026-03-01 08:00:00', pin: 69101, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 1 },
      { time: '2026-03-01 08:05:00', pin: 69102, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 2 },
      { time: '2026-03-01 08:10:00', pin: 69103, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 3 },
    ]);
    expect(up.status).toBe(200);
    // The third event's photo is the linked IPC camera's (linkphotoinfo, Security PUSH 7.15), found by its LogIndex.
    expect((await sim.uploadLinkPhotos(3, [{ jpegBase64: photo }])).status).toBe(200);
    page = await run.signedInPage('ada', 'ada-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('lists which events have a photo without carrying it, and opens it on demand', async () => {
    const list = (await ada.call('GET', 'transactions?sn=H6PHOTO001')).body.data.rows;
    expect(list.map((r: { pin: string; hasPhoto: boolean }) => [r.pin, r.hasPhoto])).toEqual([
      ['69103', true],
      ['69102', false],
      ['69101', true],
    ]);
    expect(list.every((r: object) => !('capturePhotoBase64' in r))).toBe(true);
    const linked = list.find((r: { pin: string }) => r.pin === '69103');
    expect((await ada.call('GET', `transactions/${linked.id}/photo`)).body).toMatchObject({ code: 0, data: photo });
    const none = list.find((r: { pin: string }) => r.pin === '69102');
    expect((await ada.call('GET', `transactions/${none.id}/photo`)).body).toMatchObject({ code: -404, message: expect.stringContaining('no capture photo') });
    expect((await ada.call('GET', 'transactions/nonsense/photo')).body.code).toBeLessThan(0);

    await navTo(page, 'Transactions');
    const table = page.getByRole('table', { name: 'Transactions' });
    const withPhoto = table.getByRole('row').filter({ hasText: '69101' });
    await withPhoto.waitFor();
    // The event without a photo has no button; nothing was fetched before the operator asks.
    await expect.poll(() => table.getByRole('row').filter({ hasText: '69102' }).getByRole('button').count()).toBe(0);
    const fetched: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/photo')) fetched.push(r.url());
    });
    expect(fetched).toEqual([]);
    await withPhoto.getByRole('button', { name: 'Photo of the event at 2026-03-01 08:00:00 (69101)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Capture photo' });
    const img = dialog.getByRole('img', { name: /Capture photo of .*2026-03-01 08:00:00/ });
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(8);
    expect(fetched.length).toBe(1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  }, 90_000);
});
