import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import { navTo } from './browser';

/**
 * A newcomer opening the Persons page of a new site read "No person matches." above an empty list, as if a search
 * had found nothing. Without a search or department the empty list now says the site has no person yet and where
 * persons come from; a search that finds nothing still says so.
 */
const run = new ConsoleBrowserRun('console persons empty-list browser tests');

let page: Page;

describe.skipIf(!run.executable)('console: the Persons list of a site with no person', () => {
  beforeAll(async () => {
    await run.startGateway();
    page = await run.operatorPage();
    await navTo(page, 'Persons');
  }, 120_000);
  afterAll(() => run.close());

  it('says there is no person yet, and how to add one, until a search finds nothing', async () => {
    const table = page.getByRole('table', { name: 'Persons' });
    await table.getByRole('cell', { name: 'No person yet: add one with Add person, or import a CSV.' }).waitFor();
    await page.getByRole('combobox', { name: 'Show' }).selectOption('left');
    await table.getByRole('cell', { name: 'No person has left.' }).waitFor();
    await page.getByRole('combobox', { name: 'Show' }).selectOption('active');
    await page.getByRole('searchbox', { name: 'Search by pin, name or card' }).fill('zz');
    await page.getByRole('button', { name: 'Search' }).click();
    await table.getByRole('cell', { name: 'No person matches.' }).waitFor();
  });
});
