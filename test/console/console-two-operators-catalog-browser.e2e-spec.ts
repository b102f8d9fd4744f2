import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator, signIn } from './console-helpers';

/**
 * Two operators with the same holiday or access level open on the Access levels page: the one who saves second
 * must not put back, unseen, what the first one changed (a holiday's dates, a level's time segment).
 */
const run = new ConsoleBrowserRun('console two operators catalog browser tests');

let t: TestApp;
let anna: Page;
let ben: Page;

async function openEdit(page: Page, tab: string, name: string) {
  await page.goto(`${t.baseUrl}/console`);
  await navTo(page, 'Access levels');
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const form = page.getByRole('form', { name: `Edit ${name}` });
  await form.getByLabel('Name', { exact: true }).waitFor();
  return form;
}

describe.skipIf(!run.executable)('console: two operators editing the same holiday or access level', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'anna', 'operator');
    await createOperator(t, 'ben', 'operator');
    const c = await signIn(t, 'anna', 'anna-password-1');
    expect((await c.call('POST', 'catalog/holidays', { name: 'Founders day', startDate: '2027-05-03', endDate: '2027-05-03' })).body.code).toBe(0);
    expect((await c.call('POST', 'catalog/time-segments', { name: 'Office hours', schedule: { mon: [['08:00', '18:00']] } })).body.code).toBe(0);
    expect((await c.call('POST', 'catalog/levels', { name: 'Lab', timeSegName: '24-Hour Accessible' })).body.code).toBe(0);
    anna = await run.signedInPage('anna', 'anna-password-1');
    ben = await run.signedInPage('ben', 'ben-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("refuses the second save of a holiday changed since its form was opened, keeping the first change's dates, and saves once reopened", async () => {
    const annaForm = await openEdit(anna, 'Holidays', 'Founders day');
    const benForm = await openEdit(ben, 'Holidays', 'Founders day');
    // Ben makes it two days and saves first.
    await benForm.getByLabel('Until').fill('2027-05-04');
    await benForm.getByRole('button', { name: 'Save' }).click();
    await ben.getByText('Founders day saved').waitFor();
    // Anna, whose form still shows one day, renames it only.
    await annaForm.getByLabel('Name', { exact: true }).fill('Founders holiday');
    await annaForm.getByRole('button', { name: 'Save' }).click();
    await anna.getByRole('alert').filter({ hasText: 'was changed by someone else after you opened it; nothing was saved' }).waitFor();
    const [stored] = await t.ds.query(`SELECT name, end_date::text AS end FROM holiday`);
    expect(stored).toEqual({ name: 'Founders day', end: '2027-05-04' });

    // Opened again, the form shows Ben's dates, and Anna's rename is saved over them.
    const again = await openEdit(anna, 'Holidays', 'Founders day');
    await expect(again.getByLabel('Until').inputValue()).resolves.toBe('2027-05-04');
    await again.getByLabel('Name', { exact: true }).fill('Founders holiday');
    await again.getByRole('button', { name: 'Save' }).click();
    await anna.getByText('Founders holiday saved').waitFor();
    const [after] = await t.ds.query(`SELECT name, end_date::text AS end FROM holiday`);
    expect(after).toEqual({ name: 'Founders holiday', end: '2027-05-04' });
  });

  it("refuses the second save of a level whose time segment was changed since, and a save with no change meanwhile goes through", async () => {
    const annaForm = await openEdit(anna, 'Access levels', 'Lab');
    const benForm = await openEdit(ben, 'Access levels', 'Lab');
    await benForm.getByLabel('Time segment').selectOption('Office hours');
    await benForm.getByRole('button', { name: 'Save' }).click();
    await ben.getByText('Lab saved').waitFor();
    await annaForm.getByLabel('Name', { exact: true }).fill('Laboratory');
    await annaForm.getByRole('button', { name: 'Save' }).click();
    await anna.getByRole('alert').filter({ hasText: 'was changed by someone else after you opened it; nothing was saved' }).waitFor();
    const [stored] = await t.ds.query(`SELECT l.name, ts.name AS seg FROM acc_level l JOIN time_segment ts ON ts.id = l.time_segment_id WHERE l.name IN ('Lab', 'Laboratory')`);
    expect(stored).toEqual({ name: 'Lab', seg: 'Office hours' });
    // Nobody else saving: Ben's next edit goes through.
    const next = await openEdit(ben, 'Access levels', 'Lab');
    await next.getByLabel('Name', { exact: true }).fill('Laboratory');
    await next.getByRole('button', { name: 'Save' }).click();
    await ben.getByText('Laboratory saved').waitFor();
    const [after] = await t.ds.query(`SELECT l.name, ts.name AS seg FROM acc_level l JOIN time_segment ts ON ts.id = l.time_segment_id WHERE l.name IN ('Lab', 'Laboratory')`);
    expect(after).toEqual({ name: 'Laboratory', seg: 'Office hours' });
  });

  it('through the console API: each edit naming the version it read is refused -409 once the row changed; the REST API needs none', async () => {
    const c = await signIn(t, 'anna', 'anna-password-1');
    expect((await c.call('POST', 'catalog/departments', { code: 'D7', name: 'Lab staff' })).body.code).toBe(0);
    expect((await c.call('POST', 'catalog/areas', { code: 'A7', name: 'Wing 7' })).body.code).toBe(0);
    const cases: Array<{ tab: string; key: (r: any) => string; row: (r: any) => boolean; first: (r: any) => object; second: (r: any) => object }> = [
      { tab: 'departments', key: (r) => r.code, row: (r) => r.code === 'D7', first: () => ({ code: 'D7', name: 'Lab staff 2' }), second: () => ({ code: 'D7', name: 'Lab team' }) },
      { tab: 'areas', key: (r) => r.code, row: (r) => r.code === 'A7', first: () => ({ name: 'Wing 7b' }), second: () => ({ name: 'Wing seven' }) },
      { tab: 'time-segments', key: (r) => r.id, row: (r) => r.name === 'Office hours', first: () => ({ schedule: { mon: [['07:00', '18:00']] } }), second: () => ({ name: 'Office' }) },
      { tab: 'holidays', key: (r) => r.id, row: (r) => r.name === 'Founders holiday', first: () => ({ startDate: '2027-05-02' }), second: () => ({ name: 'Founders' }) },
      { tab: 'levels', key: (r) => r.id, row: (r) => r.name === 'Laboratory', first: () => ({ timeSegName: '24-Hour Accessible' }), second: () => ({ name: 'Lab 2' }) },
    ];
    for (const k of cases) {
      const read = (await c.call('GET', `catalog/${k.tab}`)).body.data.find(k.row);
      expect(typeof read.version, k.tab).toBe('string');
      const path = `catalog/${k.tab}/${encodeURIComponent(k.key(read))}`;
      expect((await c.call('PUT', path, { ...k.first(read), version: read.version })).body.code, k.tab).toBe(0);
      const stale = await c.call('PUT', path, { ...k.second(read), version: read.version });
      expect(stale.status, k.tab).toBe(200);
      expect(stale.body.code, k.tab).toBe(-409);
      expect(stale.body.message, k.tab).toContain('was changed by someone else after you opened it; nothing was saved');
      const fresh = (await c.call('GET', `catalog/${k.tab}`)).body.data.find(k.row);
      expect(fresh.version, k.tab).not.toBe(read.version);
      expect((await c.call('PUT', path, { ...k.second(fresh), version: fresh.version })).body.code, k.tab).toBe(0);
    }
    // The REST API's update carries no version and is refused nothing.
    const [h] = await t.ds.query(`SELECT id FROM holiday`);
    const rest = await t.put(`/api/gateway/holidays/${h.id}`, { name: 'Founders REST' });
    expect(rest.body.code).toBe(0);
    const [named] = await t.ds.query(`SELECT name FROM holiday`);
    expect(named.name).toBe('Founders REST');
  });
});
