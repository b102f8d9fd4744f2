import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';

/**
 * CVSecurity's Access > Advanced Functions > First-Person Normally Open, as the console's page: a rule added for a door
 * in a time segment with persons, edited, deleted; each save reaches the door's panel (its firstcard table and
 * Door<n>FirstCardOpenDoor), and each is audited under the operator's name.
 */
const run = new ConsoleBrowserRun('console first-open browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;
const DOOR = '10.44.9.1-2';

const held = () => sim.table('firstcard').map((r) => `${r.DoorID}/${r.TimezoneID}/${r.Pin}`).sort();

describe.skipIf(!run.executable)('console: First-Person Normally Open page', () => {
  let tz: number;
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'H4FOPAGE1', doors: 2, ipAddress: '10.44.9.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/gateway/timeSegments', { name: 'H4 Opening', schedule: { mon: [['07:00', '09:00']] } })).body.code).toBe(0);
    tz = Number((await t.ds.query(`SELECT tz_id FROM time_segment WHERE name = 'H4 Opening'`))[0].tz_id);
    for (const pin of ['44901', '44902']) expect((await t.post('/api/person/add', { pin, name: `H4 ${pin}` })).body.code).toBe(0);
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('adds, edits and deletes a rule: the panel holds what the page shows, and the audit log names each action', async () => {
    await navTo(page, 'First-Person Normally Open');
    await page.getByText('No First-Person Normally Open rule').waitFor();
    await page.getByRole('button', { name: 'Add rule', exact: true }).click();
    const form = page.getByRole('form', { name: 'Add First-Person Normally Open rule' });
    await form.getByLabel('Door').selectOption({ label: DOOR });
    await form.getByLabel('Time segment').selectOption({ label: 'H4 Opening' });
    await form.getByLabel(/Persons/).fill('44901');
    await form.getByRole('button', { name: 'Save rule', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `First-Person Normally Open rule of ${DOOR} saved; its panel is sent it` }).waitFor();
    const row = page.getByRole('row').filter({ hasText: DOOR });
    await row.getByText('H4 44901 (44901)').waitFor();
    await sim.pollUntilIdle();
    expect(held()).toEqual([`2/${tz}/44901`]);
    expect(sim.options.get('Door2FirstCardOpenDoor')).toBe('1');

    await page.getByRole('button', { name: `Edit rule of ${DOOR} in H4 Opening`, exact: true }).click();
    const edit = page.getByRole('form', { name: 'Edit First-Person Normally Open rule' });
    expect(await edit.getByLabel(/Persons/).inputValue()).toBe('44901');
    await edit.getByLabel(/Persons/).fill('44901, 44902');
    await edit.getByRole('button', { name: 'Save rule', exact: true }).click();
    await row.getByText('H4 44901 (44901), H4 44902 (44902)').waitFor();
    await sim.pollUntilIdle();
    expect(held()).toEqual([`2/${tz}/44901`, `2/${tz}/44902`]);

    // An unknown pin is refused on the page, and nothing changes.
    await page.getByRole('button', { name: `Edit rule of ${DOOR} in H4 Opening`, exact: true }).click();
    await edit.getByLabel(/Persons/).fill('44999');
    await edit.getByRole('button', { name: 'Save rule', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'No person has the pin 44999' }).waitFor();
    await edit.getByRole('button', { name: 'Cancel', exact: true }).click();

    await page.getByRole('button', { name: `Delete rule of ${DOOR} in H4 Opening`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete the rule?' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `First-Person Normally Open rule of ${DOOR} in H4 Opening deleted` }).waitFor();
    await page.getByText('No First-Person Normally Open rule').waitFor();
    await sim.pollUntilIdle();
    expect(held()).toEqual([]);
    expect(sim.options.get('Door2FirstCardOpenDoor')).toBe('0');

    const audit = await t.ds.query(`SELECT action, outcome FROM console_audit WHERE action LIKE 'firstOpen.%' ORDER BY id`);
    expect(audit.map((r: { action: string; outcome: string }) => `${r.action} ${r.outcome}`)).toEqual(['firstOpen.add ok', 'firstOpen.update ok', 'firstOpen.update failed', 'firstOpen.delete ok']);
  });
});
