import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, signInPage } from './browser';
import { createOperator } from './console-helpers';

/**
 * After Save the person is read again and the form filled from what was stored. An operator who changes a field while
 * that re-read is on its way (a person moved to another department and straight back) keeps the change: the refill
 * does not wipe it, and the next Save sends it. The re-read is held back here (page.route) so the change lands inside it.
 */
const run = new ConsoleBrowserRun('console person refill browser tests');

let t: TestApp;
let page: Page;

async function deptOf(pin: string): Promise<string> {
  const r = await t.get(`/api/person/get/${pin}`);
  expect(r.body.code).toBe(0);
  return r.body.data.deptCode;
}

describe.skipIf(!run.executable)('the person form filled again after a save in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'otto', 'operator', 'otto-password-1');
    expect((await t.post('/api/department/add', { code: 'PAY', name: 'Payroll' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '901', name: 'Mary', lastName: 'Jackson', deptCode: '1', mobilePhone: '111' })).body.code).toBe(0);
    page = await run.newPage();
    await signInPage(page, t.baseUrl, 'otto', 'otto-password-1');
    await navTo(page, 'Persons');
  }, 120_000);
  afterAll(() => run.close());

  it('keeps a field changed while the re-read after Save is on its way, and the next Save sends it', async () => {
    await page.getByRole('button', { name: 'Open 901' }).click();
    const form = page.getByRole('form', { name: 'Edit person 901' });
    await form.getByLabel('Department').waitFor();

    // The re-read after the save waits until the operator has made their next change.
    let held: Route | undefined;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const reReadArrived = new Promise<void>((r) => (arrived = r));
    let armed = false;
    await page.route('**/console/api/persons/901', async (route) => {
      if (!armed || route.request().method() !== 'GET') return route.continue();
      armed = false;
      held = route;
      const answer = await route.fetch();
      arrived();
      await released;
      await route.fulfill({ response: answer });
    });

    await form.getByLabel('Department').selectOption('PAY');
    await form.getByLabel('Mobile phone').fill('222');
    armed = true;
    const firstSave = page.waitForResponse((r) => r.url().includes('/console/api/persons?edit=1'));
    await form.getByRole('button', { name: 'Save person' }).click();
    await firstSave;
    await reReadArrived;
    expect(held).toBeDefined();
    expect(await deptOf('901')).toBe('PAY');

    // Straight back to the default department while the re-read is held; the phone is left as saved.
    await form.getByLabel('Department').selectOption('1');
    release();
    await page.getByText('Saved 901').waitFor({ timeout: 20_000 });
    expect(await form.getByLabel('Department').inputValue()).toBe('1');
    // A field left alone since the Save shows what was stored.
    expect(await form.getByLabel('Mobile phone').inputValue()).toBe('222');

    const secondSave = page.waitForRequest((r) => r.url().includes('/console/api/persons?edit=1'));
    await form.getByRole('button', { name: 'Save person' }).click();
    expect((await secondSave).postDataJSON()).toMatchObject({ deptCode: '1', mobilePhone: '222' });
    await expect.poll(() => deptOf('901'), { timeout: 20_000 }).toBe('1');
    await page.unroute('**/console/api/persons/901');
  }, 120_000);
});
