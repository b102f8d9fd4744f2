import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { levelId } from '../sync/access-helpers';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { untilOnPageClock } from './browser';
import { createOperator } from './console-helpers';

/**
 * What a panel cannot hold, as an operator reads it in Chromium: a panel without multi-card (MulCardUserFunOn=0) and
 * whose options announce fingerprints only is given a member with a secondary card and a face template. Its device
 * page names the member (name and pin), what it cannot hold and why in words, says the panel is in sync (nothing
 * sent can fix it), and drops the line once the card is gone, without the operator reloading the page.
 */
const run = new ConsoleBrowserRun('console cannot-hold browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

const template = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const PERSON = { pin: '9501', name: 'Ada', lastName: 'Lovelace', cardNo: '9500001' };

/** The Cannot hold table's rows, each as { header: cell text }. */
async function cannotHoldRows(): Promise<Array<Record<string, string>>> {
  const table = page.getByRole('table', { name: /^Cannot hold/ });
  await table.waitFor();
  const heads = await table.getByRole('columnheader').allTextContents();
  const rows = await table.getByRole('row').all();
  const out: Array<Record<string, string>> = [];
  for (const r of rows) {
    const cells = await r.getByRole('cell').allTextContents();
    if (cells.length === heads.length) out.push(Object.fromEntries(heads.map((h, i) => [h, cells[i]])));
  }
  return out;
}

describe.skipIf(!run.executable)("console: what a panel cannot hold, on the device's page", () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'NOHOLD0001', doors: 1, ipAddress: '10.77.0.1', multiBioDataSupport: '0:1:0:0:0:0:0:0:0:0', registryExtras: { MulCardUserFunOn: 0 } });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'nohold' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'nohold', doorName: '10.77.0.1-1' }] })).body.code).toBe(0);
    const accLevelIds = await levelId(t, 'nohold');
    expect((await t.post('/api/person/add', { ...PERSON, supplyCards: '9500002', accLevelIds })).body.code).toBe(0);
    const face = { personId: PERSON.pin, validType: '1', template: template('9501 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' };
    expect((await t.post('/api/bioTemplate/add', face)).body.code).toBe(0);
    // A member whose stored last name cannot travel in a command (a TAB): skipped, and said so by name.
    expect((await t.post('/api/person/add', { pin: '9502', name: 'Grace', lastName: 'Hopper', accLevelIds })).body.code).toBe(0);
    await t.ds.query(`UPDATE person SET last_name = E'Hop\\tper' WHERE pin = '9502'`);
    expect((await t.post('/api/accLevel/syncLevel', null, { levelId: accLevelIds })).body.code).toBe(0);
    await sim.pollUntilIdle({ maxPolls: 50 });
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    page = await run.signedInPage('olga', 'olga-password-1');
    // Before the device page is opened: its refresh every 10 s runs on the page's clock (untilOnPageClock).
    await page.clock.install();
  }, 120_000);
  afterAll(() => run.close());

  it('names the member, what and why in words, and says the panel is in sync', async () => {
    await page.goto(`${t.baseUrl}/console/devices/NOHOLD0001`);
    await page.getByRole('heading', { name: 'Convergence of NOHOLD0001' }).waitFor();
    expect(await cannotHoldRows()).toEqual([
      {
        Person: 'Ada Lovelace (9501)',
        'Cannot hold': 'secondary card 9500002',
        Why: 'multi-card is off on this device (its options do not report MulCardUserFunOn=1): it holds the main card only, and a secondary card is invalid here',
      },
      {
        Person: 'Ada Lovelace (9501)',
        'Cannot hold': 'visible-light face template No 0',
        Why: 'its options announce templates of type 1 (fingerprint) only (MultiBioDataSupport, BioDataFun, function switches): no other template is sent to it',
      },
    ]);
    const skipped = page.getByRole('table', { name: 'Skipped persons' });
    expect(await skipped.getByRole('columnheader').allTextContents()).toEqual(['Person', 'Why']);
    expect((await skipped.getByRole('cell').allTextContents())[0]).toBe('Grace Hop\tper (9502)');
    const text = (await page.getByRole('table', { name: /^Cannot hold/ }).textContent()) ?? '';
    expect(text).not.toMatch(/undefined|null|\[object|[{}]/);
    // Nothing sent can make the panel hold them: it is in sync, not waiting.
    await page.getByRole('region', { name: 'Convergence of NOHOLD0001' }).getByText('converged', { exact: true }).waitFor();
    const listRow = page.getByRole('table', { name: 'Devices' }).getByRole('row').filter({ hasText: 'NOHOLD0001' });
    await listRow.getByText(/^in sync: /).waitFor();
  });

  it('drops the secondary card from the table once it is removed, without a reload', async () => {
    await page.getByRole('table', { name: /^Cannot hold/ }).getByRole('cell', { name: 'secondary card 9500002' }).waitFor();
    expect((await t.post('/api/person/add', { ...PERSON, supplyCards: '', accLevelIds: await levelId(t, 'nohold') })).body.code).toBe(0);
    await sim.pollUntilIdle({ maxPolls: 50 });
    // Read again by the page itself (devices.tsx Convergence, every 10 s: the removal sends the panel nothing).
    const card = page.getByRole('table', { name: /^Cannot hold/ }).getByRole('cell', { name: 'secondary card 9500002' });
    await untilOnPageClock(page, async () => (await card.count()) === 0, { stepMs: 2_000, timeout: 25_000 });
    expect((await cannotHoldRows()).map((r) => r['Cannot hold'])).toEqual(['visible-light face template No 0']);
  });

  it("says the same on the person's page, in words", async () => {
    await page.goto(`${t.baseUrl}/console/persons`);
    await page.getByRole('button', { name: 'Open 9501' }).click();
    const table = page.getByRole('table', { name: 'Panels holding this person' });
    await table.waitFor();
    const heads = await table.getByRole('columnheader').allTextContents();
    const cells = await table.getByRole('row').filter({ hasText: '(NOHOLD0001)' }).getByRole('cell').allTextContents();
    const row = Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
    expect(row).toMatchObject({ State: 'holds them', 'Not confirmed': '' });
    expect(row['Cannot hold']).toBe('visible-light face template No 0: its options announce templates of type 1 (fingerprint) only (MultiBioDataSupport, BioDataFun, function switches): no other template is sent to it');
  });
});
