import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * Forms opened inline in a list, used as an operator types into them: what is typed into a new person while its first
 * Save is on its way stays in the form the saved person opens in (and the next Save sends it), and Escape closes an
 * add or edit form as its Cancel (or Close) button does, nothing saved.
 */
const run = new ConsoleBrowserRun('console inline forms browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

async function person(pin: string): Promise<{ name: string; mobilePhone: string | null; cardNo: string }> {
  const r = await t.get(`/api/person/get/${pin}`);
  expect(r.body.code).toBe(0);
  // The REST person carries no phone (2.13.3 lists none): read from the table.
  const [row] = await t.ds.query(`SELECT mobile_phone FROM person WHERE pin = $1`, [pin]);
  return { ...r.body.data, mobilePhone: row.mobile_phone };
}

describe.skipIf(!run.executable)('console: inline forms in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'INLINE0001', doors: 1, ipAddress: '10.7.8.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/department/add', { code: 'PAY', name: 'Payroll' })).body.code).toBe(0);
    await createOperator(t, 'otto', 'operator', 'otto-password-1');
    page = await run.signedInPage('otto', 'otto-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("keeps what was typed into a new person while the first Save was on its way, and the next Save sends it", async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Add person' }).click();
    const form = page.getByRole('form', { name: 'New person' });
    await form.getByLabel('Pin').fill('950');
    await form.getByLabel('First name').fill('Nina');
    await form.getByLabel('Card number').fill('950950');

    // The answer to the first Save is held (the person is stored already) until the operator has typed on.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const stored = new Promise<void>((r) => (arrived = r));
    await page.route('**/console/api/persons?new=1', async (route) => {
      const answer = await route.fetch();
      arrived();
      await released;
      await route.fulfill({ response: answer });
    });
    await form.getByRole('button', { name: 'Save person' }).click();
    await stored;
    expect((await person('950')).cardNo).toBe('950950');
    await form.getByLabel('Mobile phone').fill('+49 30 950');
    await form.getByLabel('Last name').fill('Novak');
    release();

    const open = page.getByRole('form', { name: 'Edit person 950' });
    await open.getByText('Saved 950').waitFor();
    await page.unroute('**/console/api/persons?new=1');
    expect(await open.getByLabel('Mobile phone').inputValue()).toBe('+49 30 950');
    expect(await open.getByLabel('Last name').inputValue()).toBe('Novak');
    // Fields left alone since the Save show what was stored.
    expect(await open.getByLabel('First name').inputValue()).toBe('Nina');
    expect(await open.getByLabel('Card number').inputValue()).toBe('950950');

    const second = page.waitForRequest((r) => r.url().includes('/console/api/persons?edit=1'));
    await open.getByRole('button', { name: 'Save person' }).click();
    expect((await second).postDataJSON()).toMatchObject({ pin: '950', name: 'Nina', lastName: 'Novak', mobilePhone: '+49 30 950' });
    await expect.poll(async () => (await person('950')).mobilePhone, { timeout: 15_000 }).toBe('+49 30 950');

    // Opened again later, the person's form starts from the database alone.
    await open.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Open 950' }).click();
    expect(await page.getByRole('form', { name: 'Edit person 950' }).getByLabel('Last name').inputValue()).toBe('Novak');
  }, 40_000);

  it('closes the person forms on Escape as their Close button does, nothing saved', async () => {
    await page.getByRole('form', { name: 'Edit person 950' }).getByLabel('First name').fill('Changed');
    await page.getByRole('form', { name: 'Edit person 950' }).getByLabel('First name').press('Escape');
    await page.getByRole('form', { name: 'Edit person 950' }).waitFor({ state: 'detached' });
    expect((await person('950')).name).toBe('Nina');

    await page.getByRole('button', { name: 'Add person' }).click();
    const fresh = page.getByRole('form', { name: 'New person' });
    await fresh.getByLabel('Pin').fill('951');
    await fresh.getByLabel('Pin').press('Escape');
    await fresh.waitFor({ state: 'detached' });
    expect((await t.get('/api/person/get/951')).body.code).not.toBe(0);
  }, 30_000);

  it('closes an access-level catalog edit form, a device rename and a plate edit on Escape as Cancel does', async () => {
    await navTo(page, 'Access levels');
    await page.getByRole('tab', { name: 'Departments' }).click();
    await page.getByRole('button', { name: 'Edit Payroll' }).click();
    const dept = page.getByRole('form', { name: 'Edit Payroll' });
    await dept.getByLabel('Name').fill('Payroll and HR');
    await dept.getByLabel('Name').press('Escape');
    await dept.waitFor({ state: 'detached' });
    const depts = await t.ds.query(`SELECT name FROM department WHERE code = 'PAY'`);
    expect(depts).toEqual([{ name: 'Payroll' }]);

    await navTo(page, 'Devices');
    await page.getByRole('button', { name: 'Rename INLINE0001' }).click();
    const rename = page.getByRole('form', { name: 'Rename INLINE0001' });
    await rename.getByLabel('New name for INLINE0001').fill('Lobby');
    await rename.getByLabel('New name for INLINE0001').press('Escape');
    await rename.waitFor({ state: 'detached' });
    expect(await t.ds.query(`SELECT alias FROM device WHERE sn = 'INLINE0001'`)).not.toEqual([{ alias: 'Lobby' }]);

    await navTo(page, 'Parking');
    const add = page.getByRole('form', { name: 'Add a plate' });
    await add.getByLabel('Plate').fill('E-1');
    await add.getByLabel('List').selectOption('1');
    // Escape in the add form (always open, no Cancel) leaves it as it is.
    await add.getByLabel('Plate').press('Escape');
    expect(await add.getByLabel('Plate').inputValue()).toBe('E-1');
    await add.getByRole('button', { name: 'Add plate' }).click();
    await page.getByText('E-1 added on the black list').waitFor();
    await page.getByRole('button', { name: 'Edit E-1' }).click();
    const plate = page.getByRole('form', { name: 'Edit E-1' });
    await plate.getByLabel('Plate').fill('E-2');
    await plate.getByLabel('Plate').press('Escape');
    await plate.waitFor({ state: 'detached' });
    expect(await page.getByRole('form', { name: 'Add a plate' }).getByLabel('Plate').inputValue()).toBe('');
    expect(await t.ds.query(`SELECT car_number FROM park_authorize ORDER BY car_number`)).toEqual([{ car_number: 'E-1' }]);
  }, 40_000);
  it('closes the visitor check-in and reservation forms, unsent, by Cancel or Escape', async () => {
    await navTo(page, 'Visitors');
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    const checkin = page.getByRole('form', { name: 'Check a visitor in' });
    await checkin.getByLabel('Visitor name').fill('Walter Wrong');
    await checkin.getByRole('button', { name: 'Cancel', exact: true }).click();
    await checkin.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Reserve a visit' }).click();
    const reserve = page.getByRole('form', { name: 'Reserve a visit' });
    await reserve.getByLabel('Visitor name').fill('Rita Later');
    await reserve.getByLabel('Visitor name').press('Escape');
    await reserve.waitFor({ state: 'detached' });
    // Opened again, the form starts empty.
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    expect(await checkin.getByLabel('Visitor name').inputValue()).toBe('');
    expect(await t.ds.query(`SELECT (SELECT count(*) FROM vis_registration)::int AS visits, (SELECT count(*) FROM vis_reservation)::int AS reservations`)).toEqual([{ visits: 0, reservations: 0 }]);
  }, 30_000);
});
