import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { ConsoleBrowserRun } from '../support/console-browser';
import { navTo } from './browser';

/**
 * The choices of the console's forms as an operator coming from CVSecurity reads them: the default department
 * and area listed once (a "(default)" entry beside "Department Name" / "Area Name" named the same one twice), and the
 * manual's two look-alike licence codes (4 and 7) told apart, since the code is what an integrator reads back.
 */
const run = new ConsoleBrowserRun('console form choices browser tests');

let t: TestApp;
let page: Page;

const optionTexts = (select: ReturnType<Page['locator']>) => select.locator('option').allInnerTexts();

describe.skipIf(!run.executable)('console: the choices of the person, level and visitor forms', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    expect((await t.post('/api/department/add', { code: 'D2', name: 'Sales' })).body.code).toBe(0);
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('lists the default department once in the person form, chosen for a new person, and the person lands in it', async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Add person' }).click();
    const form = page.getByRole('form', { name: 'New person' });
    const dept = form.locator('select[name=deptCode]');
    await dept.locator('option', { hasText: 'Sales' }).waitFor({ state: 'attached' });
    expect(await optionTexts(dept)).toEqual(['Department Name', 'Sales']);
    expect(await dept.locator('option:checked').innerText()).toBe('Department Name');
    await form.getByLabel('Pin').fill('7101');
    await form.getByLabel('First name').fill('Dora');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 7101' }).waitFor();
    const edit = page.getByRole('form', { name: 'Edit person 7101' });
    expect(await edit.locator('select[name=deptCode] option:checked').innerText()).toBe('Department Name');
    expect((await t.get('/api/person/get/7101')).body.data).toMatchObject({ deptCode: '1' });
    // Moved to Sales and back: the default department is a choice like the others.
    await edit.locator('select[name=deptCode]').selectOption({ label: 'Sales' });
    await edit.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 7101' }).waitFor();
    await expect.poll(async () => (await t.get('/api/person/get/7101')).body.data.deptCode).toBe('D2');
    // Read afresh (the address keeps the person open): the form shows the department saved.
    await page.reload();
    await expect.poll(() => edit.locator('select[name=deptCode] option:checked').innerText()).toBe('Sales');
    await edit.locator('select[name=deptCode]').selectOption({ label: 'Department Name' });
    await edit.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 7101' }).waitFor();
    await expect.poll(async () => (await t.get('/api/person/get/7101')).body.data.deptCode).toBe('1');
  });

  it('lists the default area once in the new-level form, and a level created with it left alone is in it', async () => {
    await navTo(page, 'Access levels');
    const form = page.getByRole('form', { name: 'New access level' });
    const area = form.getByLabel('Area');
    await area.locator('option', { hasText: 'Area Name' }).waitFor({ state: 'attached' });
    expect(await optionTexts(area)).toEqual(['Area Name']);
    await form.getByLabel('Level name').fill('Lobby');
    await form.getByRole('button', { name: 'Create level' }).click();
    await page.getByRole('status').filter({ hasText: 'Level Lobby created' }).waitFor();
    await page.getByRole('row', { name: /Lobby/ }).getByRole('cell', { name: 'Area Name', exact: true }).waitFor();
  });

  it("tells the manual's certificate types 4 and 7 apart in the person and visitor forms", async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Add person' }).click();
    const person = page.getByRole('form', { name: 'New person' }).locator('select[name=certType]');
    const four = await person.locator('option[value="4"]').innerText();
    const seven = await person.locator('option[value="7"]').innerText();
    expect(four).toContain('4');
    expect(seven).toContain('7');
    await page.getByRole('button', { name: 'Close' }).click();
    await navTo(page, 'Visitors');
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    const visitor = page.locator('select[name=certType]');
    expect(await visitor.locator('option[value="4"]').innerText()).toBe(four);
    expect(await visitor.locator('option[value="7"]').innerText()).toBe(seven);
  });
});
