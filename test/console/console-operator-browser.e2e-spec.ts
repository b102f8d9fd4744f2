import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * What an operator coming from CVSecurity's web client looks for in the console: which panel a door belongs to
 * and its state in plain words, every module's events in the dashboard's live events (attendance punches and
 * elevator selections as well as access events), each device's sync state, and a visit's times as they happened.
 */
const run = new ConsoleBrowserRun('console operator browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;
let term: AttendanceTerminal;
let ec: ElevatorControllerSimulator;

describe.skipIf(!run.executable)('the console as a CVSecurity operator expects it', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    expect((await t.post('/api/person/add', { pin: '501', name: 'Ada', lastName: 'Lovelace' })).body.code).toBe(0);
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OPDOORS001', doors: 2, ipAddress: '10.41.0.7', deviceName: 'inBIO260' });
    await panel.connect();
    await panel.pollUntilIdle();
    term = await initialisedTerminal(t, { sn: 'OPATT00001' });
    ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'OPELE00001', floors: 3, ipAddress: '10.41.0.8' });
    await ec.connect();
    await ec.pollUntilIdle();
    page = await run.signedInPage('olga', 'olga-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("names each door's panel on the Doors page, and its state in words: a closed door, a locked or unlocked lock", async () => {
    // Door 1 has a door sensor (closed), door 2 none; door 2's lock is released.
    panel.setDoorSensor(1, 'closed');
    expect((await panel.uploadRtstate({ relay: '02' })).status).toBe(200);
    await navTo(page, 'Doors');
    const doors = page.getByRole('table', { name: 'Doors' });
    const row1 = doors.getByRole('row', { name: /^10\.41\.0\.7-1 / });
    const row2 = doors.getByRole('row', { name: /^10\.41\.0\.7-2 / });
    // The panel by its name and SN (the simulator's name is its address), with its connection.
    await row1.getByRole('cell', { name: '10.41.0.7 (OPDOORS001) online' }).waitFor();
    await row2.getByRole('cell', { name: '10.41.0.7 (OPDOORS001) online' }).waitFor();
    await row1.getByRole('cell', { name: 'closed', exact: true }).waitFor();
    await row1.getByRole('cell', { name: 'locked', exact: true }).waitFor();
    await row2.getByRole('cell', { name: 'no sensor', exact: true }).waitFor();
    await row2.getByRole('cell', { name: 'unlocked', exact: true }).waitFor();
    // A renamed panel is shown by its new name.
    expect((await t.ds.query(`UPDATE device SET alias = 'Lobby panel' WHERE sn = 'OPDOORS001'`)).length).toBeGreaterThanOrEqual(0);
    await page.reload();
    await page.getByRole('table', { name: 'Doors' }).getByRole('cell', { name: 'Lobby panel (OPDOORS001) online' }).first().waitFor();
    // The dashboard's door list uses the same words.
    await navTo(page, 'Dashboard');
    const dash = page.getByRole('region', { name: 'Doors' });
    await dash.getByRole('row', { name: /^10\.41\.0\.7-1 closed locked none$/ }).waitFor();
    await dash.getByRole('row', { name: /^10\.41\.0\.7-2 no sensor unlocked none$/ }).waitFor();
  });

  it("shows attendance punches and elevator selections in the dashboard's live events, each tagged with its module", async () => {
    await navTo(page, 'Dashboard');
    await page.getByText('live', { exact: true }).waitFor();
    const live = page.locator('#live-events');
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
    expect((await term.punch({ pin: '501', time: now, status: 0, verify: 1 }))?.status).toBe(200);
    // Waits for a row of the live events, and names the rows it saw when it does not come.
    const row = async (name: RegExp) => {
      const r = live.getByRole('row', { name });
      await r.waitFor().catch(async (e) => {
        throw new Error(`${(e as Error).message}\nlive events: ${await live.innerText()}`);
      });
      return r;
    };
    await row(/Check-In\s+attendance\s+OPATT00001\s+Ada Lovelace \(501\)/);
    expect((await ec.selectFloor({ pin: '501', floor: 2 })).status).toBe(200);
    // The controller does not hold Ada: its refusal of an unknown user, on floor 2.
    await row(/elevator\s+10\.41\.0\.8-2/);
    // An access event still shows, untagged.
    expect((await panel.uploadRtlog([{ pin: '501', eventaddr: 1, event: 0, verifytype: 1 }])).status).toBe(200);
    const access = await row(/10\.41\.0\.7-1\s+Ada Lovelace \(501\)$/);
    expect(await access.innerText()).not.toMatch(/attendance|elevator|entrance control/);
    expect(await live.getByRole('row').count()).toBe(3);
  });

  it("shows each device's sync state on the Devices page: commands waiting, then in sync once the panel confirmed them", async () => {
    await panel.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Ops', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Ops', doorName: '10.41.0.7-1' }] })).body.code).toBe(0);
    const level = (await t.get('/api/accLevel/getByName/Ops')).body.data.id as string;
    expect((await t.post('/api/person/add', { pin: '601', name: 'Grace', cardNo: '6010001', accLevelIds: level })).body.code).toBe(0);
    await navTo(page, 'Devices');
    const row = page.getByRole('row', { name: /^OPDOORS001 / });
    // The panel has not polled: its commands wait, and what it should hold is not confirmed.
    await row.getByText(/^syncing, \d+ commands? waiting: \d+ of \d+ confirmed$/).waitFor();
    await panel.pollUntilIdle();
    await navTo(page, 'Dashboard');
    await navTo(page, 'Devices');
    await row.getByText(/^in sync: (\d+) of \1 confirmed$/).waitFor();
    expect(panel.user('601')).toMatchObject({ Pin: '601', CardNo: '6010001' });
    // One command waiting is "1 command", as the offline badge counts it ("syncing, 1 commands waiting" before).
    expect((await t.post('/api/person/add', { pin: '601', name: 'Grace', cardNo: '6010002', accLevelIds: level })).body.code).toBe(0);
    await navTo(page, 'Dashboard');
    await navTo(page, 'Devices');
    await row.getByText(/^syncing, 1 command waiting: \d+ of \d+ confirmed$/).waitFor();
    await panel.pollUntilIdle();
    expect(panel.user('601')).toMatchObject({ Pin: '601', CardNo: '6010002' });
  });

  it('tells a visit checked out before its planned start as such, never with an end before its start', async () => {
    expect((await t.post('/api/person/add', { pin: '1001', name: 'Host' })).body.code).toBe(0);
    const add = await t.post('/api/visRegistration/add', {
      persPersonPin: '1001',
      certType: '8',
      certNum: 'EARLY0001',
      visEmpName: 'Early Guest',
      visitReason: 'meeting',
      visitorCount: '1',
      startTime: '2030-01-01 09:00:00',
      endTime: '2030-01-01 18:00:00',
    });
    expect(add.body.code).toBe(0);
    expect((await t.post('/api/visRegistration/exit?certType=8&certNum=EARLY0001', {})).body.code).toBe(0);
    await navTo(page, 'Visitors');
    const row = page.getByRole('row', { name: /Early Guest/ });
    await row.waitFor();
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    expect(text).toMatch(/checked out \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, before its start \(2030-01-01 09:00:00 – 2030-01-01 18:00:00\)/);
    // No "from – until" pair in the row ends before it starts.
    for (const [, from, until] of text.matchAll(/(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) – (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/g)) expect(until >= from).toBe(true);
  });

  it("says at check-in and check-out what reaches the panels, not only the gateway's record", async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Guests', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '1001', name: 'Host' })).body.code).toBe(0);
    await navTo(page, 'Visitors');
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    const form = page.getByRole('form', { name: 'Check a visitor in' });
    await form.getByLabel('Visitor name').fill('Carded Guest');
    await form.getByLabel('Document number').fill('CARD0001');
    await form.getByLabel('Host (pin or name)').fill('1001');
    await form.getByLabel('Reason').fill('Audit');
    await form.getByLabel('Card number').fill('7770601');
    await form.getByLabel('Guests').check();
    await form.getByRole('button', { name: 'Check in' }).click();
    await page.getByRole('status').filter({ hasText: 'Carded Guest checked in; the panels of their visitor levels are sent the card' }).waitFor();
    await page.getByRole('button', { name: 'Check out Carded Guest' }).click();
    await page.getByRole('dialog', { name: 'Check out visitor' }).getByRole('button', { name: 'Check out Carded Guest' }).click();
    await page.getByText('Carded Guest checked out; the panels are told to remove their card').waitFor();
    // Without a card the visit is recorded, and the message says no door opens for them.
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    await form.getByLabel('Visitor name').fill('Walk In');
    await form.getByLabel('Document number').fill('WALK0001');
    await form.getByLabel('Host (pin or name)').fill('1001');
    await form.getByLabel('Reason').fill('Delivery');
    await form.getByRole('button', { name: 'Check in' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Walk In checked in: without a card and a visitor level no door opens for them' })
      .waitFor()
      .catch(async (e) => {
        throw new Error(`${(e as Error).message}\n${(await page.locator('[role=alert], [role=status]').allInnerTexts()).join(' | ')}`);
      });
  });

  it("chooses the levels offered at check-in on the Visitors page, as CVSecurity's Visitor Levels: every level until one is chosen", async () => {
    for (const name of ['Lobby visits', 'Plant floor']) expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] })).body.code).toBe(0);
    await navTo(page, 'Dashboard');
    await navTo(page, 'Visitors');
    const levels = page.getByRole('table', { name: 'Visitor levels' });
    const plant = levels.getByRole('row').filter({ hasText: 'Plant floor' });
    await plant.getByText('offered', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Offer only Lobby visits to visitors' }).click();
    await page.getByRole('status').filter({ hasText: 'Lobby visits is offered to visitors (the only level offered now)' }).waitFor();
    await plant.getByText('not offered', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    const form = page.getByRole('form', { name: 'Check a visitor in' });
    await form.getByLabel('Lobby visits').waitFor();
    expect(await form.getByLabel('Plant floor').count()).toBe(0);
    await page.getByRole('button', { name: 'Withdraw Lobby visits from visitors' }).click();
    await page.getByRole('status').filter({ hasText: 'every level is offered to visitors again' }).waitFor();
    await plant.getByText('offered', { exact: true }).waitFor();
    // The check-in form left open follows the change: every level is offered again, Plant floor with it.
    await form.getByLabel('Plant floor').waitFor({ timeout: 3000 });
    await form.getByLabel('Plant floor').check();
    // Narrowed to Lobby again: the form no longer offers Plant floor, and the visitor is not given it.
    await page.getByRole('button', { name: 'Offer only Lobby visits to visitors' }).click();
    await form.getByLabel('Plant floor').waitFor({ state: 'detached', timeout: 3000 });
    await form.getByLabel('Visitor name').fill('Narrowed Guest');
    await form.getByLabel('Document number').fill('NARROW0001');
    expect((await t.post('/api/person/add', { pin: '1009', name: 'Tour', lastName: 'Host' })).body.code).toBe(0);
    await form.getByLabel('Host (pin or name)').fill('1009');
    await form.getByLabel('Reason').fill('Tour');
    // With a card: had Plant floor stayed chosen, the message would say the panels are sent the card.
    await form.getByLabel('Card number').fill('7770699');
    await form.getByRole('button', { name: 'Check in' }).click();
    await page.getByRole('status').filter({ hasText: 'Narrowed Guest checked in: without a card and a visitor level no door opens for them' }).waitFor();
    await page.getByRole('button', { name: 'Withdraw Lobby visits from visitors' }).click();
    await page.getByRole('status').filter({ hasText: 'every level is offered to visitors again' }).waitFor();
  });
});
