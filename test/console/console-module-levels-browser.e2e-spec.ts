import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { createOperator } from './console-helpers';

/**
 * CVSecurity's Elevator Level page: an operator makes a level of floors and a time segment, gives it to persons
 * (from the level, by pin, and from the person's form) and takes it away; the elevator controller receives the
 * floors (usereleauthorize) and loses them, from the same services and planner as the REST API's eleLevel calls;
 * the Entrance control page does the same for entrance-control levels of gates (psgLevel), a channel controller receiving them.
 * Both add a department's persons as the Access levels page does; the Entrance control page also sets a channel
 * controller's pass rules and resets its counters (the services of REST's psgDevice passRule and resetCounters).
 */
const run = new ConsoleBrowserRun('console elevator levels browser tests');

let t: TestApp;
let page: Page;
let ec: ElevatorControllerSimulator;
let cc: ChannelControllerSimulator;
let segTz: number;

const FLOOR = (n: number) => `10.41.0.1-${n}`;
const membersOf = async (level: string): Promise<string[]> =>
  (await t.ds.query(`SELECT p.pin FROM ele_level_person lp JOIN ele_level l ON l.id = lp.level_id JOIN person p ON p.id = lp.person_id WHERE l.name = $1 ORDER BY p.pin`, [level])).map((r: { pin: string }) => r.pin);

describe.skipIf(!run.executable)('console: elevator levels (floors, time segment, persons) in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'ECLVL0001', floors: 4, ipAddress: '10.41.0.1' });
    await ec.connect();
    await ec.pollUntilIdle();
    cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PSGLVL0001', gates: 2, ipAddress: '10.41.0.2' });
    await cc.connect();
    await cc.pollUntilIdle();
    for (let i = 0; i < 100 && (await t.ds.query(`SELECT 1 FROM floor`)).length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    const seg = await t.post('/api/gateway/timeSegments', { name: 'Lift hours', schedule: { mon: [['08:00', '12:00']] } });
    segTz = seg.body.data.tzId;
    for (const [pin, name] of [['5101', 'Ann'], ['5102', 'Ben']]) expect((await t.post('/api/person/add', { pin, name })).body.code).toBe(0);
    await ec.pollUntilIdle();
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    page = await run.signedInPage('olga', 'olga-password-1', { acceptDownloads: true });
  }, 120_000);
  afterAll(() => run.close());

  it('creates a level of floors and a time segment, and the persons added by pin receive those floors on the controller', async () => {
    await navTo(page, 'Elevator');
    await page.getByRole('button', { name: 'New elevator level' }).click();
    const form = page.getByRole('form', { name: 'New elevator level' });
    await form.getByLabel('Level name').fill('Upper');
    await form.getByLabel('Time segment').selectOption('Lift hours');
    await form.getByRole('group', { name: 'Floors of 10.41.0.1 (ECLVL0001)' }).waitFor();
    await form.getByLabel(FLOOR(1), { exact: true }).check();
    await form.getByLabel(FLOOR(3), { exact: true }).check();
    await form.getByRole('button', { name: 'Create level' }).click();
    await page.getByRole('status').filter({ hasText: 'Elevator level Upper saved' }).waitFor();
    const levels = page.getByRole('table', { name: 'Elevator levels' });
    await levels.getByRole('row', { name: /Upper Lift hours 10\.41\.0\.1-1, 10\.41\.0\.1-3/ }).waitFor();

    // A second level under the same name is refused, and nothing is saved.
    await page.getByRole('button', { name: 'New elevator level' }).click();
    const again = page.getByRole('form', { name: 'New elevator level' });
    await again.getByLabel('Level name').fill('Upper');
    await again.getByRole('button', { name: 'Create level' }).click();
    await page.getByText('A level named Upper already exists; nothing was saved').waitFor();
    await again.getByRole('button', { name: 'Cancel' }).click();
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM ele_level`))[0].n).toBe(1);

    const persons = page.getByRole('form', { name: 'Persons of an elevator level' });
    await persons.getByLabel('Elevator level').selectOption({ label: 'Upper' });
    await persons.getByLabel('Person pins (comma-separated)').fill('5101, 9999');
    await persons.getByRole('button', { name: 'Add persons' }).click();
    await page.getByText('The person does not exist: 9999').waitFor();
    expect(await membersOf('Upper')).toEqual([]);
    await persons.getByLabel('Person pins (comma-separated)').fill('5101');
    await persons.getByRole('button', { name: 'Add persons' }).click();
    await page.getByRole('status').filter({ hasText: '1 person added to Upper; its controllers receive them' }).waitFor();
    await page.getByRole('button', { name: 'Persons of Upper: 1', exact: true }).click();
    await page.getByRole('table', { name: 'Persons of Upper' }).getByRole('cell', { name: '5101', exact: true }).waitFor();
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('5101')).toEqual([{ timezone: segTz, directFloor: 0, floors: [1, 3] }]);
    expect(ec.eleRightsOf('5102')).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'elevator-levels.png'), fullPage: true });

    // The person selects a floor (outside Lift hours or not, the controller logs it): the event is listed, and exported as
    // the filters list it (CVSecurity's Export).
    await ec.selectFloor({ pin: '5101', floor: 3 });
    await expect.poll(async () => (await t.ds.query(`SELECT count(*)::int AS n FROM module_transaction WHERE module = 'ele'`))[0].n).toBe(1);
    const filters = page.getByRole('form', { name: 'Filter elevator events' });
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('table', { name: 'Elevator events' }).getByRole('cell', { name: 'Ann (5101)' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), filters.getByRole('button', { name: 'Export CSV' }).click()]);
    const file = fs.readFileSync((await download.path())!, 'utf8');
    expect(file.startsWith('\ufeff')).toBe(true);
    const csv = file.trim().split('\r\n');
    expect(csv[0]).toBe('eventTime,pin,name,lastName,deptName,cardNo,devSn,devName,eventPointName,eventNo,eventName,verifyModeName');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toMatch(/^[0-9-]+ [0-9:]+,5101,Ann,,[^,]*,,ECLVL0001,/);
    await page.getByText('Exported 1 events to elevator-events.csv').waitFor();
  });

  it("edits the level (renamed, other floors, default time segment): the members' rights on the controller follow", async () => {
    await page.getByRole('button', { name: 'Edit Upper' }).click();
    const form = page.getByRole('form', { name: 'Edit elevator level Upper' });
    await form.getByLabel('Level name').fill('Lobby');
    await form.getByLabel('Time segment').selectOption({ label: '24-Hour Accessible' });
    await form.getByLabel(FLOOR(1), { exact: true }).uncheck();
    await form.getByLabel(FLOOR(3), { exact: true }).uncheck();
    await form.getByLabel(FLOOR(2), { exact: true }).check();
    await form.getByRole('button', { name: 'Save level' }).click();
    await page.getByRole('status').filter({ hasText: 'Elevator level Lobby saved' }).waitFor();
    await page.getByRole('table', { name: 'Elevator levels' }).getByRole('row', { name: /Lobby 24-Hour Accessible 10\.41\.0\.1-2/ }).waitFor();
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('5101')).toEqual([{ timezone: 1, directFloor: 0, floors: [2] }]);
  });

  it("gives and takes a person's elevator levels from the person's form", async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Open 5102' }).click();
    const form = page.getByRole('form', { name: 'Edit person 5102' });
    await form.getByRole('group', { name: 'Elevator levels' }).getByLabel('Lobby').check();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved 5102').waitFor();
    expect(await membersOf('Lobby')).toEqual(['5101', '5102']);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('5102')).toEqual([{ timezone: 1, directFloor: 0, floors: [2] }]);
    // The form, read again, shows the level ticked; unticked and saved, the controller withdraws it.
    const reread = form.getByRole('group', { name: 'Elevator levels' }).getByLabel('Lobby');
    expect(await reread.isChecked()).toBe(true);
    await reread.uncheck();
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => membersOf('Lobby')).toEqual(['5101']);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('5102')).toEqual([]);
  });

  it('removes persons after a confirmation, then deletes the level: the controller withdraws its floors', async () => {
    await navTo(page, 'Elevator');
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '5102', levelIds: (await t.ds.query(`SELECT id FROM ele_level WHERE name = 'Lobby'`))[0].id })).body.code).toBe(0);
    const persons = page.getByRole('form', { name: 'Persons of an elevator level' });
    await persons.getByLabel('Elevator level').selectOption({ label: 'Lobby' });
    await persons.getByLabel('Person pins (comma-separated)').fill('5101');
    await persons.getByRole('button', { name: 'Remove persons' }).click();
    await page.getByRole('dialog', { name: 'Remove persons from elevator level' }).getByRole('button', { name: 'Remove from Lobby' }).click();
    await page.getByRole('status').filter({ hasText: '1 person removed from Lobby' }).waitFor();
    expect(await membersOf('Lobby')).toEqual(['5102']);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('5101')).toEqual([]);
    expect(ec.eleRightsOf('5102')).toEqual([{ timezone: 1, directFloor: 0, floors: [2] }]);

    await page.getByRole('button', { name: 'Delete Lobby' }).click();
    await page.getByRole('dialog', { name: 'Delete elevator level' }).getByRole('button', { name: 'Delete Lobby' }).click();
    await page.getByRole('status').filter({ hasText: 'Elevator level Lobby deleted' }).waitFor();
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM ele_level`))[0].n).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('5102')).toEqual([]);
    const audit: Array<{ action: string }> = await t.ds.query(`SELECT DISTINCT action FROM console_audit WHERE action LIKE 'eleLevel.%' ORDER BY action`);
    expect(audit.map((r) => r.action)).toEqual(['eleLevel.addPersons', 'eleLevel.create', 'eleLevel.delete', 'eleLevel.removePersons', 'eleLevel.update']);
  });

  it("makes an entrance-control level of a gate on the Entrance control page; persons given it by pin or on their form reach the channel controller", async () => {
    await navTo(page, 'Entrance control');
    await page.getByRole('button', { name: 'New entrance-control level' }).click();
    const form = page.getByRole('form', { name: 'New entrance-control level' });
    await form.getByLabel('Level name').fill('Turnstile 2');
    await form.getByRole('group', { name: 'Gates of 10.41.0.2 (PSGLVL0001)' }).getByLabel('10.41.0.2-2', { exact: true }).check();
    await form.getByRole('button', { name: 'Create level' }).click();
    await page.getByRole('status').filter({ hasText: 'Entrance-control level Turnstile 2 saved; its controllers receive its gates' }).waitFor();
    const persons = page.getByRole('form', { name: 'Persons of an entrance-control level' });
    await persons.getByLabel('Entrance-control level').selectOption({ label: 'Turnstile 2' });
    await persons.getByLabel('Person pins (comma-separated)').fill('5101');
    await persons.getByRole('button', { name: 'Add persons' }).click();
    await page.getByRole('status').filter({ hasText: '1 person added to Turnstile 2' }).waitFor();
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Open 5102' }).click();
    const person = page.getByRole('form', { name: 'Edit person 5102' });
    await person.getByRole('group', { name: 'Entrance-control levels' }).getByLabel('Turnstile 2').check();
    await person.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await t.ds.query(`SELECT count(*)::int AS n FROM psg_level_person`))[0].n).toBe(2);
    await cc.pollUntilIdle();
    expect(cc.rightsOf('5101').map((r) => r.doors)).toEqual([[2]]);
    expect(cc.rightsOf('5102').map((r) => r.doors)).toEqual([[2]]);
    expect(ec.eleRightsOf('5102')).toEqual([]);
  });

  it("adds a department's persons to an elevator and an entrance-control level (Add personnel by department); the Persons list names those levels", async () => {
    expect((await t.post('/api/department/add', { code: 'LIFT', name: 'Lifts' })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { code: 'LIFT2', name: 'Lift crew', parentCode: 'LIFT' })).body.code).toBe(0);
    for (const [pin, name, deptCode] of [['5201', 'Cat', 'LIFT'], ['5202', 'Dan', 'LIFT2']]) expect((await t.post('/api/person/add', { pin, name, deptCode })).body.code).toBe(0);
    await navTo(page, 'Elevator');
    await page.getByRole('button', { name: 'New elevator level' }).click();
    const form = page.getByRole('form', { name: 'New elevator level' });
    await form.getByLabel('Level name').fill('Roof');
    await form.getByLabel(FLOOR(4), { exact: true }).check();
    await form.getByRole('button', { name: 'Create level' }).click();
    await page.getByRole('status').filter({ hasText: 'Elevator level Roof saved' }).waitFor();
    const dept = page.getByRole('form', { name: 'Add a department to an elevator level' });
    await dept.getByLabel('Level for the department').selectOption({ label: 'Roof' });
    await dept.getByLabel(/^Department/).selectOption({ label: 'Lifts (LIFT)' });
    await dept.getByLabel('With its sub-departments').uncheck();
    await dept.getByRole('button', { name: 'Add department' }).click();
    await page.getByRole('status').filter({ hasText: '1 person of Lifts added to Roof; its controllers receive them' }).waitFor();
    expect(await membersOf('Roof')).toEqual(['5201']);
    await dept.getByLabel('With its sub-departments').check();
    await dept.getByRole('button', { name: 'Add department' }).click();
    await page.getByRole('status').filter({ hasText: '1 person of Lifts added to Roof; its controllers receive them (1 already members)' }).waitFor();
    expect(await membersOf('Roof')).toEqual(['5201', '5202']);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('5202')).toEqual([{ timezone: 1, directFloor: 0, floors: [4] }]);

    await navTo(page, 'Entrance control');
    const gateDept = page.getByRole('form', { name: 'Add a department to an entrance-control level' });
    await gateDept.getByLabel('Level for the department').selectOption({ label: 'Turnstile 2' });
    await gateDept.getByLabel(/^Department/).selectOption({ label: 'Lift crew (LIFT2)' });
    await gateDept.getByRole('button', { name: 'Add department' }).click();
    await page.getByRole('status').filter({ hasText: '1 person of Lift crew added to Turnstile 2; its controllers receive them' }).waitFor();
    await cc.pollUntilIdle();
    expect(cc.rightsOf('5202').map((r) => r.doors)).toEqual([[2]]);
    expect(cc.user('5201')).toBeUndefined();
    const audit: Array<{ action: string }> = await t.ds.query(`SELECT DISTINCT action FROM console_audit WHERE action LIKE '%.addDepartment' ORDER BY action`);
    expect(audit.map((r) => r.action)).toEqual(['eleLevel.addDepartment', 'psgLevel.addDepartment']);

    // The Persons list names each person's elevator and entrance-control levels beside the access levels.
    await navTo(page, 'Persons');
    const list = page.getByRole('table', { name: 'Persons' });
    const row = (pin: string) => list.getByRole('row').filter({ has: page.getByRole('cell', { name: pin, exact: true }) });
    await row('5202').getByText('Elevator: Roof').waitFor();
    await row('5202').getByText('Entrance: Turnstile 2').waitFor();
    await row('5101').getByText('Entrance: Turnstile 2').waitFor();
    expect(await row('5101').getByText('Elevator:').count()).toBe(0);
    expect(await row('5201').getByText('Entrance:').count()).toBe(0);
  });

  it("sets a channel controller's pass rule and resets its counters from the Entrance control page, the controller holding the rule and zeroing the counter", async () => {
    cc.counters.incount = 7;
    await cc.uploadIrstate();
    await navTo(page, 'Entrance control');
    const controller = page.getByRole('table', { name: 'Channel controllers' }).getByRole('row').filter({ hasText: 'PSGLVL0001' });
    await controller.getByText('in 7 ·').waitFor();
    await controller.getByRole('button', { name: 'Pass rules', exact: true }).click();
    const rules = page.getByRole('table', { name: 'Pass rules of PSGLVL0001' });
    await rules.getByText('No pass rule').waitFor();
    const form = page.getByRole('form', { name: 'Set a pass rule of PSGLVL0001' });
    await form.getByLabel('Time segment').selectOption('Lift hours');
    await form.getByLabel('Passing mode (0-255)').fill('3');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Pass rule for Lift hours saved; 10.41.0.2 (PSGLVL0001) receives it' }).waitFor();
    await cc.pollUntilIdle();
    const held = cc.table('gatepassrule').find((r) => Number(r.PasswayTimeZoneId) === segTz);
    expect(held && `${held.MonTime1}/${held.MonPassMode1}`).toBe(`${(800 << 16) + 1200}/3`);
    // Confirmed by the controller's Return: the list, read again while a rule is on its way, says it is held.
    await rules.getByRole('row', { name: new RegExp(`^Lift hours ${segTz} 3 held since`) }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'entrance-pass-rules.png'), fullPage: true });

    await controller.getByRole('button', { name: 'Reset counters', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset counters' });
    await dialog.getByLabel('Counter').selectOption({ label: 'the in counter' });
    await dialog.getByRole('button', { name: 'Reset counters of PSGLVL0001' }).click();
    await page.getByText('Reset counters: command queued for 10.41.0.2 (PSGLVL0001)').waitFor();
    await cc.pollUntilIdle();
    expect(cc.counterResets).toEqual([2]);
    await page.getByText('Reset counters: done by the controller for 10.41.0.2 (PSGLVL0001)').waitFor();
    await controller.getByText('in 0 ·').waitFor();
    const audit: Array<{ action: string; target: string }> = await t.ds.query(`SELECT action, target FROM console_audit WHERE action LIKE 'psgDevice.%' ORDER BY action`);
    expect(audit).toEqual([
      { action: 'psgDevice.passRule', target: 'PSGLVL0001 Lift hours 3' },
      { action: 'psgDevice.resetCounters', target: 'PSGLVL0001 in' },
    ]);
  });

  it("cancels a controller's emergency state after a confirmation, followed to its answer", async () => {
    await ec.pollUntilIdle();
    await navTo(page, 'Elevator');
    await page.getByRole('table', { name: 'Elevator controllers' }).getByRole('row').filter({ hasText: 'ECLVL0001' }).getByRole('button', { name: 'Cancel emergency', exact: true }).click();
    await page.getByRole('dialog', { name: 'Cancel elevator emergency' }).getByRole('button', { name: 'Cancel emergency on ECLVL0001' }).click();
    await page.getByText('Cancel emergency: command queued for 10.41.0.1 (ECLVL0001)').waitFor();
    await ec.pollUntilIdle();
    expect(ec.floorActions.at(-1)).toMatchObject({ action: 'cancelEmergency' });
    await page.getByText('Cancel emergency: done by the controller for 10.41.0.1 (ECLVL0001)').waitFor();
  });
});
