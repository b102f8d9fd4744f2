import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, newConsolePage, signInPage } from './browser';
import { createOperator, rawCall } from './console-helpers';

/**
 * The console's addresses as an operator uses them: a bookmarked or reloaded deep link (a person, a device's
 * convergence or queue) opens what it names, an address that names no page says so, and the Settings page offers
 * no empty choice of operator.
 */
const run = new ConsoleBrowserRun('console address browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name }).waitFor();

describe.skipIf(!run.executable)('console addresses: deep links, unknown pages, the operator list', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'root', 'admin', 'root-password-1');
    expect((await t.post('/api/person/add', { pin: '4711', name: 'Maria', lastName: 'Santos', cardNo: '998877' })).body.code).toBe(0);
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ADDR000001', doors: 2 });
    await panel.connect();
    await panel.pollUntilIdle();
    page = await run.newPage();
  }, 120_000);
  afterAll(() => run.close());

  it('answers every console page address with the console, and an unknown API or asset path with a 404 of its own', async () => {
    for (const path of ['/console', '/console/', '/console/persons/4711', '/console/devices/ADDR000001', '/console/no-such-page/deeper', '/console/persons/a%2Fb?x=1']) {
      const r = await rawCall(t, 'GET', path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toMatch(/^text\/html/);
    }
    for (const path of ['/console/api/no-such-thing', '/console/api/persons/4711/nothing/here', '/console/assets/a/b.js', '/console/assets/missing.js']) {
      const r = await rawCall(t, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body.code, path).toBe(-404);
    }
  });

  it('opens a bookmarked person after sign-in, keeps them open across a reload, and follows Close and Back', async () => {
    await page.goto(`${t.baseUrl}/console/persons/4711`);
    await page.getByLabel('Operator name').fill('root');
    await page.getByLabel('Password').fill('root-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Persons');
    await page.getByRole('heading', { level: 2, name: 'Maria Santos (4711)' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Maria Santos (4711)' }).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForURL(`${t.baseUrl}/console/persons`);
    expect(await page.getByRole('heading', { level: 2, name: 'Maria Santos (4711)' }).count()).toBe(0);
    await page.goBack();
    await page.getByRole('heading', { level: 2, name: 'Maria Santos (4711)' }).waitFor();
    // Opening one from the list puts them in the address.
    await page.goto(`${t.baseUrl}/console/persons`);
    await heading(page, 'Persons');
    await page.getByRole('button', { name: 'Open 4711' }).click();
    await page.waitForURL(`${t.baseUrl}/console/persons/4711`);
    // A pin nobody has says so, naming it.
    await page.goto(`${t.baseUrl}/console/persons/9999`);
    const missing = page.getByRole('alert').filter({ hasText: '9999' }).filter({ hasText: 'does not exist' });
    await missing.waitFor();
    // The answer names the pin itself (-22): said once, not "Person 9999: … 9999".
    expect(await missing.textContent()).not.toContain('Person 9999');
  });

  it("keeps a device's convergence or command queue open across a reload", async () => {
    await page.goto(`${t.baseUrl}/console/devices`);
    await heading(page, 'Devices');
    await page.getByRole('button', { name: 'Convergence of ADDR000001' }).click();
    await page.waitForURL(`${t.baseUrl}/console/devices/ADDR000001`);
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Convergence of ADDR000001' }).waitFor();
    await page.getByRole('button', { name: 'Command queue of ADDR000001' }).click();
    await page.waitForURL(`${t.baseUrl}/console/devices/ADDR000001?view=queue`);
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Command queue of ADDR000001' }).waitFor();
    // The dashboard's links (?sn=) still open the convergence.
    await page.goto(`${t.baseUrl}/console/devices?sn=ADDR000001`);
    await page.getByRole('heading', { level: 2, name: 'Convergence of ADDR000001' }).waitFor();
  });

  it("keeps a list's filters, page and tab across a reload: transactions, persons, access levels' lists, visits", async () => {
    expect((await t.post('/api/person/add', { pin: '4712', name: 'Ivo', lastName: 'Petrov' })).body.code).toBe(0);
    expect((await panel.uploadRtlog([{ pin: '4711', cardno: '998877', eventaddr: 1, event: 0, verifytype: 4 }, { pin: '4712', eventaddr: 2, event: 0, verifytype: 1 }])).status).toBe(200);
    await page.goto(`${t.baseUrl}/console/transactions`);
    await heading(page, 'Transactions');
    const table = page.locator('main table').last();
    await table.getByRole('row', { name: /Ivo Petrov/ }).waitFor();
    await page.getByRole('form', { name: 'Filter transactions' }).getByLabel('Person name').fill('Maria Santos');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/\/console\/transactions\?name=Maria\+Santos$/);
    await table.getByRole('row', { name: /Ivo Petrov/ }).waitFor({ state: 'detached' });
    await table.getByRole('row', { name: /Maria Santos/ }).waitFor();
    await page.reload();
    await expect.poll(() => page.getByRole('form', { name: 'Filter transactions' }).getByLabel('Person name').inputValue(), { timeout: 10_000 }).toBe('Maria Santos');
    await table.getByRole('row', { name: /Maria Santos/ }).waitFor();
    expect(await table.getByRole('row', { name: /Ivo Petrov/ }).count()).toBe(0);
    // Persons: the search stays, and so does a person opened from it; closing goes back to the same list.
    await page.goto(`${t.baseUrl}/console/persons`);
    await heading(page, 'Persons');
    await page.getByLabel('Search by pin, name or card').fill('Petrov');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(`${t.baseUrl}/console/persons?q=Petrov`);
    await page.getByRole('button', { name: 'Open 4712' }).click();
    await page.waitForURL(`${t.baseUrl}/console/persons/4712?q=Petrov`);
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Ivo Petrov (4712)' }).waitFor();
    await expect.poll(() => page.getByLabel('Search by pin, name or card').inputValue(), { timeout: 10_000 }).toBe('Petrov');
    await page.getByRole('button', { name: 'Open 4712' }).waitFor();
    expect(await page.getByRole('button', { name: 'Open 4711' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForURL(`${t.baseUrl}/console/persons?q=Petrov`);
    // Access levels: the Departments list stays chosen.
    await page.goto(`${t.baseUrl}/console/access`);
    await page.getByRole('tab', { name: 'Departments' }).click();
    await page.waitForURL(`${t.baseUrl}/console/access?tab=departments`);
    await page.reload();
    expect(await page.getByRole('tab', { name: 'Departments' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('form', { name: 'New department' }).waitFor();
    // Visitors: the visits on site only, searched.
    await page.goto(`${t.baseUrl}/console/visitors`);
    const find = page.getByRole('search', { name: 'Find visits' });
    await find.getByLabel('Show').selectOption({ label: 'on site' });
    await find.getByLabel('Visitor name or document number').fill('Doe');
    await find.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`${t.baseUrl}/console/visitors?state=in&q=Doe`);
    await page.reload();
    await expect.poll(() => find.getByLabel('Show').inputValue(), { timeout: 10_000 }).toBe('in');
    await expect.poll(() => find.getByLabel('Visitor name or document number').inputValue(), { timeout: 10_000 }).toBe('Doe');
  });

  it('opens the tab ?tab= names, however it is spelt, and a panel owed nothing reads in sync, not "0 of 0 confirmed"', async () => {
    await page.goto(`${t.baseUrl}/console/access?tab=timeSegments`);
    await page.getByRole('table', { name: 'Time segments' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Time segments' }).getAttribute('aria-selected')).toBe('true');
    await page.waitForURL(`${t.baseUrl}/console/access?tab=time-segments`);
    await page.getByRole('tab', { name: 'Holidays' }).click();
    await page.waitForURL(`${t.baseUrl}/console/access?tab=holidays`);
    // No person has a level on ADDR000001: nothing is owed to it, so there is nothing to count.
    await navTo(page, 'Devices');
    const row = page.getByRole('row', { name: /^ADDR000001 / });
    await row.getByText('in sync, nothing to send', { exact: true }).waitFor();
    expect(await row.getByText(/0 of 0/).count()).toBe(0);
  });

  it('opens a page past the end of a list (an old link, or the last row of the last page deleted) on the last page, not on "nothing matches"', async () => {
    await page.goto(`${t.baseUrl}/console/persons?page=3`);
    const pager = page.getByRole('navigation', { name: 'Pagination' });
    await pager.getByText(/^Page 1 of 1 · \d+ in all$/).waitFor();
    await page.getByRole('table', { name: 'Persons', exact: true }).getByRole('row', { name: /^4711 / }).waitFor();
    expect(new URL(page.url()).searchParams.get('page')).toBe(null);
  });

  it('says that an address names no page, rather than showing the dashboard in its place', async () => {
    for (const path of ['/console/no-such-page', '/console/doors/extra', '/console/persons/4711/more']) {
      await page.goto(`${t.baseUrl}${path}`);
      await heading(page, 'Page not found');
      await page.getByRole('alert').filter({ hasText: `There is no console page at ${path}` }).waitFor();
      expect(await page.getByRole('heading', { level: 1, name: 'Dashboard' }).count()).toBe(0);
    }
    await page.getByRole('main').getByRole('link', { name: 'Dashboard' }).click();
    await heading(page, 'Dashboard');
    expect(page.url()).toBe(`${t.baseUrl}/console/dashboard`);
  });

  it('offers no empty operator list for a password: it says none other exists, then lists each other operator', async () => {
    const { page: solo, ctx } = await newConsolePage(run.browser);
    try {
      // A site whose only operator is the administrator signed in (the README's first sign-in).
      expect((await t.ds.query(`SELECT name FROM console_operator`)).map((r: { name: string }) => r.name)).toEqual(['root']);
      await signInPage(solo, t.baseUrl, 'root', 'root-password-1');
      await navTo(solo, 'Settings');
      await solo.getByText('No other operator yet: create one above to set their password here.').waitFor();
      expect(await solo.getByRole('form', { name: "Set an operator's password" }).count()).toBe(0);
      const create = solo.getByRole('form', { name: 'New operator' });
      await create.getByLabel('Name').fill('otto');
      await create.getByLabel('Password (10+ characters)').fill('otto-password-1');
      await create.getByRole('button', { name: 'Create operator' }).click();
      await solo.getByText('Operator otto created').waitFor();
      const reset = solo.getByRole('form', { name: "Set an operator's password" });
      await reset.getByLabel('Operator').locator('option', { hasText: 'otto' }).waitFor({ state: 'attached' });
      expect(await reset.getByLabel('Operator').locator('option').allInnerTexts()).toEqual(['choose', 'otto']);
      await reset.getByLabel('Operator').selectOption({ label: 'otto' });
      await reset.getByLabel('New password (10+ characters)').fill('otto-password-2');
      await reset.getByRole('button', { name: 'Set password' }).click();
      await solo.getByText('New password set for otto; their sessions ended').waitFor();
      expect((await rawCall(t, 'POST', '/console/api/session/login', { name: 'otto', password: 'otto-password-2' })).body.code).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  it("tells a viewer that a page is not theirs rather than that it does not exist", async () => {
    await createOperator(t, 'vic', 'viewer', 'vic-password-1');
    const { page: viewer, ctx } = await newConsolePage(run.browser);
    try {
      await signInPage(viewer, t.baseUrl, 'vic', 'vic-password-1');
      await viewer.goto(`${t.baseUrl}/console/audit`);
      await heading(viewer, 'Audit log');
      await viewer.getByRole('alert').filter({ hasText: 'The Audit log page is for operators and administrators; you are signed in as viewer' }).waitFor();
    } finally {
      await ctx.close();
    }
  });
});
