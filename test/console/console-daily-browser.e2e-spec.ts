import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { clearOfMidnight } from '../support/wall-clock';
import { createOperator } from './console-helpers';

/**
 * An operator's daily reports on a site whose zone is not UTC (Europe/Berlin), read from a browser in yet
 * another zone: what the Transactions list shows is what its CSV export holds; a person who leaves is listed
 * with the day they left; a person's contact details are edited where CVSecurity's person form has them, and
 * their keypad password never reaches the browser.
 */
const run = new ConsoleBrowserRun('console daily browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;

/** A wall clock in the site's zone, `yyyy-MM-dd HH:mm:ss`, `ms` from now. */
const berlin = (ms: number) => new Date(Date.now() + ms).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' });

describe.skipIf(!run.executable)("an operator's daily reports", () => {
  beforeAll(async () => {
    t = await run.startGateway({ timeZone: 'Europe/Berlin' });
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    expect((await t.post('/api/person/add', { pin: '1001', name: 'Maria', lastName: 'Santos', cardNo: '1234567' })).body.code).toBe(0);
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DAILY00001', doors: 2, ipAddress: '10.42.0.7' });
    await panel.connect();
    await panel.pollUntilIdle();
    page = await run.signedInPage('olga', 'olga-password-1', { timezoneId: 'America/New_York' });
  }, 120_000);
  afterAll(() => run.close());

  it("exports every transaction the list shows, one from a panel whose clock runs ahead of the server's too", async () => {
    const earlier = berlin(-3_600_000);
    const now = berlin(0);
    // A panel's clock a few minutes fast (not yet synced): its events carry times after the server's now.
    const ahead = berlin(5 * 60_000);
    for (const [time, door] of [[earlier, 1], [now, 2], [ahead, 1]] as const) {
      expect((await panel.uploadRtlog([{ time, pin: '1001', cardno: '1234567', eventaddr: door, event: 0, verifytype: 4 }])).status).toBe(200);
    }
    await page.goto(`${t.baseUrl}/console/transactions?pin=1001`);
    await page.getByText('3 in all').waitFor();
    const list = page.getByRole('table').last();
    // Times in the site's zone, as the panel reported them, whatever the browser's zone.
    for (const time of [earlier, now, ahead]) await list.getByRole('cell', { name: time, exact: true }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual([ahead, now, earlier]);
    await page.getByText('Exported 3 events to transactions.csv').waitFor();
  });

  it("exports every punch the Attendance page shows, one from a terminal whose clock runs ahead of the server's too", async () => {
    const term = await initialisedTerminal(t, { sn: 'DAILYATT01' });
    const earlier = berlin(-3_600_000);
    const ahead = berlin(5 * 60_000);
    for (const [time, status] of [[earlier, 0], [ahead, 1]] as const) expect((await term.punch({ pin: '1001', time, status, verify: 1 }))?.status).toBe(200);
    await page.goto(`${t.baseUrl}/console/attendance?sn=DAILYATT01`);
    await page.getByText('2 in all').waitFor();
    for (const time of [earlier, ahead]) await page.getByRole('cell', { name: time, exact: true }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual([ahead, earlier]);
  });

  it("records the day a person leaves, today in the site's zone unless the operator changes it, and lists it under Left on", async () => {
    expect((await t.post('/api/person/add', { pin: '1002', name: 'Grace', lastName: 'Hopper' })).body.code).toBe(0);
    await page.goto(`${t.baseUrl}/console/persons/1002`);
    // Not in the site's day's last seconds: the dialog reads the day when it opens, the test a moment later.
    await clearOfMidnight('Europe/Berlin');
    await page.getByRole('button', { name: 'Leave' }).click();
    const dialog = page.getByRole('dialog', { name: 'Person leaves' });
    const today = berlin(0).slice(0, 10);
    expect(await dialog.getByLabel('Leave date').inputValue()).toBe(today);
    await dialog.getByRole('button', { name: '1002 leaves' }).click();
    await page.getByRole('status').filter({ hasText: '1002 has left' }).waitFor();
    await page.getByText(`resigned on ${today}`).waitFor();
    await page.goto(`${t.baseUrl}/console/persons?status=left`);
    await page.getByRole('row', { name: /^1002 Grace Hopper / }).getByRole('cell', { name: today, exact: true }).waitFor();
  }, 60_000);
  it("shows and edits a person's gender, mobile phone, email, birthday and hire date; the keypad password never reaches the browser", async () => {
    // HR wrote them through the REST API, with a keypad password.
    const hr = { pin: '1003', name: 'Ada', lastName: 'Lovelace', gender: 'F', mobilePhone: '+49 170 1234567', email: 'ada@example.com', birthday: '1990-12-10', hireDate: '2020-01-02', personPwd: '4711' };
    expect((await t.post('/api/person/add', hr)).body.code).toBe(0);
    const answer = page.waitForResponse((r) => r.url().endsWith('/console/api/persons/1003'));
    await page.goto(`${t.baseUrl}/console/persons/1003`);
    const shown = await (await answer).json();
    expect(shown.data.person.hasPersonPwd).toBe(true);
    expect(JSON.stringify(shown)).not.toContain('4711');
    const form = page.getByRole('form', { name: 'Edit person 1003' });
    await expect.poll(() => form.getByLabel('Gender').inputValue(), { timeout: 10_000 }).toBe('F');
    await expect.poll(() => form.getByLabel('Mobile phone').inputValue(), { timeout: 10_000 }).toBe('+49 170 1234567');
    await expect.poll(() => form.getByLabel('Email').inputValue(), { timeout: 10_000 }).toBe('ada@example.com');
    await expect.poll(() => form.getByLabel('Birthday').inputValue(), { timeout: 10_000 }).toBe('1990-12-10');
    await expect.poll(() => form.getByLabel('Hire date').inputValue(), { timeout: 10_000 }).toBe('2020-01-02');
    await form.getByText('one is set; empty keeps it').waitFor();
    await form.getByLabel('Mobile phone').fill('+49 171 7654321');
    await form.getByLabel('Email').fill('ada.lovelace@example.com');
    await form.getByLabel('Hire date').fill('');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 1003' }).waitFor();
    const [row] = await t.ds.query(`SELECT gender, mobile_phone, email, to_char(birthday, 'YYYY-MM-DD') AS birthday, hire_date, password FROM person WHERE pin = '1003'`);
    expect(row).toEqual({ gender: 'F', mobile_phone: '+49 171 7654321', email: 'ada.lovelace@example.com', birthday: '1990-12-10', hire_date: null, password: '4711' });
    // A new person's details are saved as typed.
    await page.goto(`${t.baseUrl}/console/persons`);
    await page.getByRole('button', { name: 'Add person' }).click();
    const add = page.getByRole('form', { name: 'New person' });
    await add.getByLabel('Pin', { exact: true }).fill('1004');
    await add.getByLabel('First name').fill('Alan');
    await add.getByLabel('Gender').selectOption({ label: 'Male' });
    await add.getByLabel('Mobile phone').fill('0176 5550101');
    await add.getByLabel('Birthday').fill('1985-06-23');
    await add.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 1004' }).waitFor();
    expect(await t.ds.query(`SELECT gender, mobile_phone, email, to_char(birthday, 'YYYY-MM-DD') AS birthday FROM person WHERE pin = '1004'`)).toEqual([{ gender: 'M', mobile_phone: '0176 5550101', email: null, birthday: '1985-06-23' }]);
  });
});
