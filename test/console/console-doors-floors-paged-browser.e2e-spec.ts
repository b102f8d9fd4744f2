import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { ConsoleBrowserRun } from '../support/console-browser';
import { navTo } from './browser';

/**
 * A site with hundreds of doors and floors: the Doors page and the Elevator page's floors listed every one of them in
 * one table. They are paged now as the console's other lists are (50 a page, the page in the address so a reload
 * keeps it), and narrowed as CVSecurity's door and floor lists are, by name and by device (its name or SN). The
 * access levels' door picker still offers every door.
 */
const run = new ConsoleBrowserRun('console paged doors and floors browser tests');

let t: TestApp;
let page: Page;

/** An admitted device of `kind` with `n` doors or floors named `name(i)`, written as registration leaves them. */
async function deviceWith(kind: 'acc' | 'ele', sn: string, alias: string, n: number, name: (i: number) => string): Promise<void> {
  const [{ id }] = await t.ds.query(
    `INSERT INTO device (id, sn, alias, kind, admission, time_zone) VALUES (replace(gen_random_uuid()::text, '-', ''), $1, $2, $3, 'admitted', 'UTC') RETURNING id`,
    [sn, alias, kind],
  );
  const names = Array.from({ length: n }, (_, i) => name(i + 1));
  const table = kind === 'acc' ? 'door' : 'floor';
  const no = kind === 'acc' ? 'door_no' : 'floor_no';
  await t.ds.query(
    `INSERT INTO ${table} (id, device_id, ${no}, name) SELECT replace(gen_random_uuid()::text, '-', ''), $1, i, ($2::text[])[i] FROM generate_series(1, $3::int) i`,
    [id, names, n],
  );
}

const rowsOf = (label: string) => page.getByRole('table', { name: label }).locator('tbody tr');

describe.skipIf(!run.executable)('console: the doors and floors of a large site, paged and filtered', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await deviceWith('acc', 'HALLPANEL1', 'Hall', 40, (i) => `Hall-${i}`);
    await deviceWith('acc', 'YARDPANEL1', 'Yard', 30, (i) => `Yard gate ${i}`);
    await deviceWith('ele', 'TOWERLIFT1', 'Tower lift', 60, (i) => `Tower floor ${i}`);
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('pages the doors, keeps the page over a reload, and narrows them by door name and by device', async () => {
    await navTo(page, 'Doors');
    const pager = page.getByRole('navigation', { name: 'Pagination' });
    await pager.getByText('Page 1 of 2 · 70 in all').waitFor();
    expect(await rowsOf('Doors').count()).toBe(50);
    await pager.getByRole('button', { name: 'Next page' }).click();
    await pager.getByText('Page 2 of 2 · 70 in all').waitFor();
    await page.getByRole('cell', { name: 'Yard gate 30', exact: true }).waitFor();
    expect(await rowsOf('Doors').count()).toBe(20);
    await page.reload();
    await pager.getByText('Page 2 of 2 · 70 in all').waitFor();
    expect(page.url()).toMatch(/[?&]page=2/);

    const filter = page.getByRole('search', { name: 'Filter doors' });
    await filter.getByLabel('Device name or SN').fill('yard');
    await filter.getByLabel('Device name or SN').press('Enter');
    await pager.getByText('Page 1 of 1 · 30 in all').waitFor();
    await filter.getByLabel('Device name or SN').fill('hallpanel');
    await filter.getByLabel('Door name').fill('Hall-4');
    await filter.getByRole('button', { name: 'Search' }).click();
    await pager.getByText('Page 1 of 1 · 2 in all').waitFor();
    expect(await rowsOf('Doors').locator('td:first-child').allInnerTexts()).toEqual(['Hall-4', 'Hall-40']);
    await page.reload();
    await pager.getByText('Page 1 of 1 · 2 in all').waitFor();
    expect(await page.getByRole('search', { name: 'Filter doors' }).getByLabel('Door name').inputValue()).toBe('Hall-4');
    await filter.getByLabel('Door name').fill('Cellar');
    await filter.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: 'No door matches.' }).waitFor();
  });

  it('pages the floors apart from the elevator events, and narrows them by floor name and by controller', async () => {
    await navTo(page, 'Elevator');
    // With no elevator level yet, the list says how one is made here.
    await page.getByRole('table', { name: 'Elevator levels' }).getByText('No elevator level yet: create one below, tick its floors, then add its persons.').waitFor();
    const section = page.getByRole('region', { name: 'Floors' });
    const pager = section.getByRole('navigation', { name: 'Pagination' });
    await pager.getByText('Page 1 of 2 · 60 in all').waitFor();
    expect(await rowsOf('Floors').count()).toBe(50);
    await pager.getByRole('button', { name: 'Next page' }).click();
    await pager.getByText('Page 2 of 2 · 60 in all').waitFor();
    expect(await rowsOf('Floors').count()).toBe(10);
    expect(page.url()).toMatch(/[?&]floorPage=2/);
    expect(page.url()).not.toMatch(/[?&]page=/);
    await page.reload();
    await pager.getByText('Page 2 of 2 · 60 in all').waitFor();

    const filter = page.getByRole('search', { name: 'Filter floors' });
    await filter.getByLabel('Floor name').fill('floor 5');
    await filter.getByLabel('Controller name or SN').fill('towerlift');
    await filter.getByRole('button', { name: 'Search' }).click();
    await pager.getByText('Page 1 of 1 · 11 in all').waitFor();
    await filter.getByLabel('Controller name or SN').fill('Lobby lift');
    await filter.getByRole('button', { name: 'Search' }).click();
    await section.getByRole('cell', { name: 'No floor matches.' }).waitFor();
  });

  it("offers every door in the access levels' door picker, not one page of them", async () => {
    await navTo(page, 'Access levels');
    const door = page.getByRole('form', { name: 'Add a door to a level' }).locator('select[name=doorName]');
    await door.locator('option', { hasText: 'Yard gate 30' }).waitFor({ state: 'attached' });
    expect(await door.locator('option:not([disabled])').count()).toBe(70);
  });
});
