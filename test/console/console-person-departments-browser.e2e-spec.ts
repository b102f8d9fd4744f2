import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';

/**
 * CVSecurity manages departments under Personnel: on the Persons page an operator opens Departments and creates,
 * renames and deletes them there (the same lists and services as the Access levels page's tab), the page's
 * department filter and its persons' rows following at once; a reload keeps the departments open.
 */
const run = new ConsoleBrowserRun('console person departments browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('console: departments managed from the Persons page (CVSecurity Personnel > Department)', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('creates a department from the Persons page, and a person put in it shows it', async () => {
    await navTo(page, 'Persons');
    const toggle = page.getByRole('button', { name: 'Departments', exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    const section = page.getByRole('region', { name: 'Departments' });
    await section.waitFor();
    // The address is written by an effect after the render that shows the section: waited for, not read at once.
    await page.waitForURL((u) => u.searchParams.get('view') === 'departments');
    const form = section.getByRole('form', { name: 'New department' });
    await form.getByLabel('Code', { exact: true }).fill('WH');
    await form.getByLabel('Name', { exact: true }).fill('Warehouse');
    await form.getByRole('button', { name: 'Create department' }).click();
    await section.getByRole('status').filter({ hasText: 'Department Warehouse created' }).waitFor();
    await section.getByRole('table', { name: 'Departments' }).getByRole('cell', { name: 'Warehouse', exact: true }).waitFor();
    // The page's own department filter offers it at once, with no reload.
    await page.getByRole('search').getByLabel('Department').locator('option', { hasText: 'Warehouse (WH)' }).waitFor({ state: 'attached' });
    expect((await t.ds.query(`SELECT name FROM department WHERE code = 'WH'`))[0].name).toBe('Warehouse');
    expect((await t.post('/api/person/add', { pin: '8101', name: 'Wendy', deptCode: 'WH' })).body.code).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'person-departments.png') });
  });

  it('keeps the departments open on a reload, renames one (the persons list follows) and deletes an unused one', async () => {
    await page.reload();
    const section = page.getByRole('region', { name: 'Departments' });
    await section.waitFor();
    await page.getByRole('table', { name: 'Persons' }).getByRole('row').filter({ hasText: '8101' }).getByText('Warehouse').waitFor();
    await section.getByRole('button', { name: 'Edit Warehouse', exact: true }).click();
    const edit = section.getByRole('form', { name: 'Edit Warehouse' });
    await edit.getByLabel('Name', { exact: true }).fill('Stores');
    await edit.getByRole('button', { name: 'Save' }).click();
    await section.getByRole('status').filter({ hasText: 'Stores saved' }).waitFor();
    await page.getByRole('table', { name: 'Persons' }).getByRole('row').filter({ hasText: '8101' }).getByText('Stores').waitFor();
    await page.getByRole('search').getByLabel('Department').locator('option', { hasText: 'Stores (WH)' }).waitFor({ state: 'attached' });

    const form = section.getByRole('form', { name: 'New department' });
    await form.getByLabel('Code', { exact: true }).fill('TMP');
    await form.getByLabel('Name', { exact: true }).fill('Temporary');
    await form.getByRole('button', { name: 'Create department' }).click();
    await section.getByRole('button', { name: 'Delete Temporary', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete' }).getByRole('button', { name: 'Delete Temporary', exact: true }).click();
    await section.getByRole('status').filter({ hasText: 'Temporary deleted' }).waitFor();
    expect(await t.ds.query(`SELECT 1 FROM department WHERE code = 'TMP'`)).toEqual([]);
    const audit = await t.ds.query(`SELECT action FROM console_audit WHERE action LIKE 'department.%' ORDER BY id`);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['department.save', 'department.update', 'department.save', 'department.delete']);
    // Closed again, the address no longer opens them.
    await page.getByRole('button', { name: 'Departments', exact: true }).click();
    await section.waitFor({ state: 'hidden' });
    await page.waitForURL((u) => u.searchParams.get('view') !== 'departments');
  });
});
