import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionId } from '../../src/console/session.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * What an operator reads again, and when. The dashboard left open at a desk follows the panels without reading the
 * whole dashboard again for every door of every rtstate, and its own refreshes do not keep the session alive, so the
 * idle timeout still signs the operator out. A list searched again (the same filters applied, the same search) shows
 * what happened since.
 */
const run = new ConsoleBrowserRun('console refresh browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;

/** Seconds since the page's session was last counted active. */
async function idleSeconds(): Promise<number> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'cvgw_console');
  const [row] = await t.ds.query(`SELECT extract(epoch FROM now() - last_seen_at)::float AS s FROM console_session WHERE id_hash = $1`, [hashSessionId(cookie!.value)]);
  return row.s;
}
/** The dashboard's event stream. */
const STREAM = /\/console\/api\/dashboard\/stream(\?|$)/;
const setIdle = (minutes: number) => t.ds.query(`UPDATE console_session SET last_seen_at = now() - make_interval(mins => $1)`, [minutes]);

describe.skipIf(!run.executable)('console: reading again', () => {
  beforeAll(async () => {
    t = await run.startGateway(); // CONSOLE_SESSION_IDLE_MINUTES: 30
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'IDLEDASH01', doors: 8, ipAddress: '10.61.0.8' });
    await panel.connect();
    await panel.pollUntilIdle();
    page = await run.signedInPage('olga', 'olga-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("reads itself again once for a panel's rtstate of 8 doors, and that refresh does not keep the session alive", async () => {
    const reads: Request[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/console/api/dashboard')) reads.push(r);
    });
    // The page's API reads not answered yet (its event stream aside, which never ends): one the operator's opening
    // of the page sent counts as activity, so the test's own setting of the idle clock waits for them.
    const open = new Set<Request>();
    page.on('request', (r) => r.url().includes('/console/api/') && !STREAM.test(r.url()) && open.add(r));
    page.on('requestfinished', (r) => open.delete(r));
    page.on('requestfailed', (r) => open.delete(r));
    const answered = () => expect.poll(() => open.size, { timeout: 15_000 }).toBe(0);
    // The page's clock runs as the real one; where the test would only wait for time to pass, its date is moved on
    // (setSystemTime: the page's timers stay as they were, so no refresh they hold comes early).
    await page.clock.install();
    await page.goto(`${t.baseUrl}/console/dashboard`);
    await page.getByRole('heading', { name: /Live events/ }).getByText('live', { exact: true }).waitFor();
    // Nothing typed or clicked for a while (more than the 5 s after which the page's reads are its own refreshes,
    // api.tsx BACKGROUND_AFTER_MS): what the page reads now, it reads by itself.
    await answered();
    await page.clock.setSystemTime((await page.evaluate(() => Date.now())) + 6_000);
    await setIdle(20);
    reads.length = 0;
    expect((await panel.uploadRtstate()).status).toBe(200);
    // Its read comes 2 s after the first doorState (dashboard.tsx DOOR_RELOAD_MS), a read per door as soon. Not the
    // first read to wait for: the page's reading every 10 s may come first.
    await page.waitForTimeout(4_000);
    // One rtstate carries every door; each door is a doorState event: one dashboard read for them all, not eight.
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads.length).toBeLessThanOrEqual(2);
    for (const r of reads) expect(r.headers()['x-console-background']).toBe('1');
    expect(await idleSeconds()).toBeGreaterThan(19 * 60);

    // The operator opening a page is activity: the idle clock starts again.
    await navTo(page, 'Devices');
    await page.getByRole('table', { name: 'Devices' }).waitFor();
    expect(await idleSeconds()).toBeLessThan(60);

    // Left alone past the idle time, the dashboard's next refresh finds the session ended and says so.
    await navTo(page, 'Dashboard');
    await page.getByRole('heading', { name: /Live events/ }).getByText('live', { exact: true }).waitFor();
    await answered();
    await page.clock.setSystemTime((await page.evaluate(() => Date.now())) + 6_000);
    await setIdle(31);
    expect((await panel.uploadRtstate()).status).toBe(200);
    await page.getByRole('form', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor();
  });

  it('shows the events stored since when the same filters are applied again, and the persons added since when the same search runs again', async () => {
    const t0 = new Date(Date.now() - 60_000).toLocaleString('sv-SE', { timeZone: 'UTC' });
    expect((await t.post('/api/person/add', { pin: '8101', name: 'Maria', lastName: 'Santos', cardNo: '810101' })).body.code).toBe(0);
    expect((await panel.uploadRtlog([{ time: t0, pin: '8101', cardno: '810101', eventaddr: 1, event: 0, verifytype: 4 }])).status).toBe(200);
    // The test before left its session ended: a new one.
    page = await run.signedInPage('olga', 'olga-password-1');
    await page.goto(`${t.baseUrl}/console/transactions`);
    const filters = page.getByRole('form', { name: 'Filter transactions' });
    await filters.getByLabel('Person pin').fill('8101');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('1 in all').waitFor();
    // Maria badges again; the operator presses Apply filters to see it.
    expect((await panel.uploadRtlog([{ pin: '8101', cardno: '810101', eventaddr: 2, event: 0, verifytype: 4 }])).status).toBe(200);
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('2 in all').waitFor();

    await navTo(page, 'Persons');
    const search = page.getByRole('search');
    await search.getByLabel('Search by pin, name or card').fill('Santos');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 in all').waitFor();
    // HR adds another Santos through the REST API; the same search again lists her.
    expect((await t.post('/api/person/add', { pin: '8102', name: 'Carla', lastName: 'Santos' })).body.code).toBe(0);
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row', { name: /^8102 Carla Santos/ }).waitFor();
    await page.getByText('2 in all').waitFor();
  });
});
