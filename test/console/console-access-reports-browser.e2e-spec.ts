import * as fs from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * What operators coming from CVSecurity's web client missed on the console: an area on elevator and entrance-control
 * levels (as on access levels), the Export of Access rights by door, an Access rights by person report with its
 * Export, a floor's Remote Normally Open (CONTROL DEVICE 12), and one finger's fingerprint deleted on its own, from
 * the person's devices too (DATA DELETE templatev10 Pin= FingerID=).
 */
const run = new ConsoleBrowserRun('console access reports browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;
let ec: ElevatorControllerSimulator;
let cc: ChannelControllerSimulator;

const D1 = '10.44.0.1-1';
const FLOOR = (n: number) => `10.44.0.2-${n}`;
const GATE = '10.44.0.3-1';

const areaOf = async (module: 'ele' | 'psg', level: string): Promise<string | null> =>
  (await t.ds.query(`SELECT a.name FROM ${module}_level l LEFT JOIN area a ON a.id = l.area_id WHERE l.name = $1`, [level]))[0]?.name ?? null;

/** The CSV a download saved, as lines (its byte order mark checked and taken off). */
async function csvOf(download: Download): Promise<string[]> {
  const file = fs.readFileSync((await download.path())!, 'utf8');
  expect(file.startsWith('\ufeff')).toBe(true);
  return file.slice(1).trim().split('\r\n');
}

/** The fingers the panel holds for a pin, whichever table its dialect keeps them in. */
const heldFingers = (pin: string): number[] =>
  [
    ...panel.table('templatev10').filter((r) => String(r.Pin) === pin).map((r) => Number(r.FingerID)),
    ...panel.table('biodata').filter((r) => String(r.Pin) === pin && Number(r.Type) === 1).map((r) => Number(r.No)),
  ].sort();

describe.skipIf(!run.executable)('console: level areas, access reports by door and by person, floor normal open, one finger deleted (Chromium)', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'GAPPANEL01', doors: 2, ipAddress: '10.44.0.1' });
    ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'GAPELE0001', floors: 4, ipAddress: '10.44.0.2' });
    cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'GAPPSG0001', gates: 2, ipAddress: '10.44.0.3' });
    for (const d of [panel, ec, cc]) {
      await d.connect();
      await d.pollUntilIdle();
    }
    for (let i = 0; i < 100 && (await t.ds.query(`SELECT 1 FROM floor`)).length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await t.post('/api/gateway/areas', { code: 'N1', name: 'North wing' })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Front', areaName: 'Area Name' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Front', doorName: D1 }] })).body.code).toBe(0);
    const [front] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'Front'`);
    for (const [pin, name] of [['8101', 'Ann'], ['8102', 'Ben']]) expect((await t.post('/api/person/add', { pin, name, accLevelIds: front.id })).body.code).toBe(0);
    await panel.pollUntilIdle();
    await createOperator(t, 'ada', 'admin', 'ada-password-1');
    page = await run.signedInPage('ada', 'ada-password-1', { acceptDownloads: true });
  }, 120_000);
  afterAll(() => run.close());

  it('gives elevator and entrance-control levels an area, chosen on their forms, as access levels have', async () => {
    await navTo(page, 'Elevator');
    await page.getByRole('button', { name: 'New elevator level' }).click();
    const form = page.getByRole('form', { name: 'New elevator level' });
    await form.getByLabel('Level name').fill('North lift');
    // A new level starts in the default area, as accLevel/add puts one.
    await expect.poll(() => form.getByLabel('Area').inputValue()).toBe('Area Name');
    await form.getByLabel('Area').selectOption('North wing');
    await form.getByLabel(FLOOR(1), { exact: true }).check();
    await form.getByRole('button', { name: 'Create level' }).click();
    await page.getByRole('status').filter({ hasText: 'Elevator level North lift saved' }).waitFor();
    await page.getByRole('table', { name: 'Elevator levels' }).getByRole('row', { name: /North lift .* North wing/ }).waitFor();
    expect(await areaOf('ele', 'North lift')).toBe('North wing');

    // Edited: another area; the form starts with the level's own.
    await page.getByRole('button', { name: 'Edit North lift' }).click();
    const edit = page.getByRole('form', { name: 'Edit elevator level North lift' });
    await expect.poll(() => edit.getByLabel('Area').inputValue()).toBe('North wing');
    await edit.getByLabel('Area').selectOption('Area Name');
    await edit.getByRole('button', { name: 'Save level' }).click();
    await page.getByRole('status').filter({ hasText: 'Elevator level North lift saved' }).waitFor();
    expect(await areaOf('ele', 'North lift')).toBe('Area Name');
    await edit.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Edit North lift' }).click();
    await edit.getByLabel('Area').selectOption('North wing');
    await edit.getByRole('button', { name: 'Save level' }).click();
    await expect.poll(() => areaOf('ele', 'North lift')).toBe('North wing');

    await navTo(page, 'Entrance control');
    await page.getByRole('button', { name: 'New entrance-control level' }).click();
    const gate = page.getByRole('form', { name: 'New entrance-control level' });
    await gate.getByLabel('Level name').fill('North gate');
    await gate.getByLabel('Area').selectOption('North wing');
    await gate.getByLabel(GATE, { exact: true }).check();
    await gate.getByRole('button', { name: 'Create level' }).click();
    await page.getByRole('status').filter({ hasText: 'Entrance-control level North gate saved' }).waitFor();
    await page.getByRole('table', { name: 'Entrance-control levels' }).getByRole('row', { name: /North gate .* North wing/ }).waitFor();
    expect(await areaOf('psg', 'North gate')).toBe('North wing');

    // The persons of the next tests hold both levels (the REST API's syncPerson), reaching the controllers.
    const [lift] = await t.ds.query(`SELECT id FROM ele_level WHERE name = 'North lift'`);
    const [turnstile] = await t.ds.query(`SELECT id FROM psg_level WHERE name = 'North gate'`);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '8101', levelIds: lift.id })).body.code).toBe(0);
    expect((await t.post('/api/psgLevel/syncPerson', undefined, { pin: '8101', levelIds: turnstile.id })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('8101').map((r) => r.floors)).toEqual([[1]]);
  });

  it("exports Access rights by door as CSV: every person the door admits, with their levels", async () => {
    await navTo(page, 'Doors');
    await page.getByRole('table', { name: 'Doors' }).getByRole('row').filter({ hasText: D1 }).getByRole('button', { name: 'Persons', exact: true }).click();
    await page.getByRole('table', { name: `Persons with access to ${D1}` }).getByRole('row', { name: /^8102 Ben/ }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('region', { name: `Who has access to ${D1}` }).getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('door-access.csv');
    expect(await csvOf(download)).toEqual([
      'doorName,pin,name,lastName,deptName,isDisabled,accLevels',
      `${D1},8101,Ann,,Department Name,false,Front (24-Hour Accessible)`,
      `${D1},8102,Ben,,Department Name,false,Front (24-Hour Accessible)`,
    ]);
    await page.getByText('Exported 2 persons to door-access.csv').waitFor();
    const [audit] = await t.ds.query(`SELECT target, detail FROM console_audit WHERE action = 'door.exportAccess'`);
    expect(audit.target).toBe((await t.ds.query(`SELECT id FROM door WHERE name = $1`, [D1]))[0].id);
  });

  it("lists a person's doors, floors and gates with the levels granting them (Access rights by person), and exports them", async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Open 8101' }).click();
    const table = page.getByRole('table', { name: 'Access rights of 8101' });
    await table.getByRole('row', { name: `Door ${D1} 10.44.0.1 (GAPPANEL01) Front (24-Hour Accessible)` }).waitFor();
    await table.getByRole('row', { name: `Floor ${FLOOR(1)} 10.44.0.2 (GAPELE0001) North lift (24-Hour Accessible)` }).waitFor();
    await table.getByRole('row', { name: `Gate ${GATE} 10.44.0.3 (GAPPSG0001) North gate (24-Hour Accessible)` }).waitFor();
    expect(await table.getByRole('row').count()).toBe(4);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('region', { name: 'Access rights of 8101' }).getByRole('button', { name: 'Export CSV' }).click()]);
    expect(await csvOf(download)).toEqual([
      'pin,name,lastName,type,point,devSn,devName,enabled,levels',
      `8101,Ann,,door,${D1},GAPPANEL01,10.44.0.1,true,Front (24-Hour Accessible)`,
      `8101,Ann,,floor,${FLOOR(1)},GAPELE0001,10.44.0.2,true,North lift (24-Hour Accessible)`,
      `8101,Ann,,gate,${GATE},GAPPSG0001,10.44.0.3,true,North gate (24-Hour Accessible)`,
    ]);
    await page.getByText('Exported 3 access rights to person-access.csv').waitFor();

    // Ben holds the door only.
    await page.goto(`${t.baseUrl}/console/persons`);
    await page.getByRole('button', { name: 'Open 8102' }).click();
    const ben = page.getByRole('table', { name: 'Access rights of 8102' });
    await ben.getByRole('row', { name: new RegExp(`^Door ${D1}`) }).waitFor();
    expect(await ben.getByRole('row').count()).toBe(2);
  });

  it("holds a floor's button released (Remote Normally Open, CONTROL DEVICE 12 … FF) and ends it (12 … 00)", async () => {
    await navTo(page, 'Elevator');
    await page.getByRole('button', { name: `Normal open ${FLOOR(2)}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm floor command' });
    await dialog.getByRole('button', { name: `Normal open ${FLOOR(2)}` }).click();
    await page.getByRole('status').filter({ hasText: `Normal open: command queued for floor ${FLOOR(2)}` }).waitFor();
    await ec.pollUntilIdle();
    expect(ec.floorActions.at(-1)).toMatchObject({ action: 'normalOpen', floors: [2], raw: `12${'40'}${'00'.repeat(31)}00FF` });
    expect(ec.floors[1].normalOpen).toBe(true);

    await page.getByRole('button', { name: `End normal open ${FLOOR(2)}`, exact: true }).click();
    await dialog.getByRole('button', { name: `End normal open ${FLOOR(2)}` }).click();
    await page.getByRole('status').filter({ hasText: `End normal open: command queued for floor ${FLOOR(2)}` }).waitFor();
    await ec.pollUntilIdle();
    expect(ec.floorActions.at(-1)).toMatchObject({ floors: [2], raw: `12${'40'}${'00'.repeat(31)}0000` });
    expect(ec.floors[1].normalOpen).toBe(false);
    const audit: Array<{ target: string }> = await t.ds.query(`SELECT target FROM console_audit WHERE action = 'floor.control' ORDER BY at`);
    expect(audit.map((r) => r.target.split(' ')[1])).toEqual(['normalOpen', 'cancelNormalOpen']);
  });

  it("deletes one finger's fingerprint after a confirmation: the panel drops that finger and keeps the other", async () => {
    const finger = (n: number) => Buffer.from(`finger ${n} of 8102`).toString('base64');
    for (const n of [2, 3]) expect((await t.post('/api/bioTemplate/add', { personId: '8102', validType: '1', template: finger(n), templateNo: String(n) })).body.code).toBe(0);
    await expect.poll(async () => (await panel.pollUntilIdle(), heldFingers('8102')), { timeout: 60_000, interval: 500 }).toEqual([2, 3]);
    await page.goto(`${t.baseUrl}/console/persons`);
    await page.getByRole('button', { name: 'Open 8102' }).click();
    const table = page.getByRole('table', { name: 'Biometric templates' });
    await table.getByRole('row', { name: /^Fingerprints 2/ }).waitFor();
    await table.getByRole('button', { name: 'Delete finger 3 of 8102' }).click();
    await page.getByRole('dialog', { name: 'Delete a fingerprint' }).getByRole('button', { name: 'Delete finger 3 of 8102' }).click();
    await page.getByRole('status').filter({ hasText: 'Finger 3 of 8102 deleted; the devices are told to drop it' }).waitFor();
    await table.getByRole('row', { name: /^Fingerprints 1/ }).waitFor();
    expect(await table.getByRole('button', { name: 'Delete finger 3 of 8102' }).count()).toBe(0);
    const left = await t.ds.query(`SELECT b.template_no FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = '8102'`);
    expect(left.map((r: { template_no: number }) => Number(r.template_no))).toEqual([2]);
    await expect.poll(async () => (await panel.pollUntilIdle(), heldFingers('8102')), { timeout: 60_000, interval: 500 }).toEqual([2]);
    const [audit] = await t.ds.query(`SELECT target, outcome FROM console_audit WHERE action = 'person.deleteFinger'`);
    expect(audit).toEqual({ target: '8102 3', outcome: 'ok' });
  });
});
