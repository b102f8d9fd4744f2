import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { signIn } from './console-helpers';

/**
 * A time segment whose days have different hours (weekdays 08:00-18:00, Saturday morning only), as CVSecurity's
 * time zone page keeps them per day, edited in the console: the days an operator did not touch keep their hours.
 */
const run = new ConsoleBrowserRun('console time segment browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('console: a time segment with different hours on different days', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('unticking and ticking days, or changing the hours shown, keeps the hours of a day that had others (Saturday morning)', async () => {
    const c = await signIn(t, 'olga', 'olga-password-1');
    const day = [['08:00', '18:00']];
    const sat = [['08:00', '12:00']];
    const created = await c.call('POST', 'catalog/time-segments', { name: 'Shop hours', schedule: { mon: day, tue: day, wed: day, thu: day, fri: day, sat } });
    expect(created.body.code).toBe(0);
    await navTo(page, 'Access levels');
    await page.getByRole('tab', { name: 'Time segments' }).click();
    await page.getByRole('button', { name: 'Edit Shop hours' }).click();
    const edit = page.getByRole('form', { name: 'Edit Shop hours' });
    await edit.getByText("The hours above are mon's; sat (08:00-12:00) keeps its own hours.").waitFor();
    // Friday off, Sunday on: the form's hours (Monday's) for Sunday, Saturday's own morning kept.
    await edit.getByRole('checkbox', { name: 'fri' }).uncheck();
    await edit.getByRole('checkbox', { name: 'sun' }).check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Shop hours saved').waitFor();
    const [{ schedule }] = await t.ds.query(`SELECT schedule FROM time_segment WHERE name = 'Shop hours'`);
    expect(schedule).toMatchObject({ mon: day, thu: day, fri: [], sat, sun: day });

    // The hours shown changed: the days that had them take the new ones, Saturday keeps its morning.
    await page.getByRole('button', { name: 'Edit Shop hours' }).click();
    await edit.getByLabel('Until', { exact: true }).fill('19:00');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Shop hours saved').waitFor();
    const late = [['08:00', '19:00']];
    const [after] = await t.ds.query(`SELECT schedule FROM time_segment WHERE name = 'Shop hours'`);
    expect(after.schedule).toMatchObject({ mon: late, thu: late, fri: [], sat, sun: late });
  });
});
