import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';

/**
 * CVSecurity's Access Levels page enrols many persons into a level at once (Add Personnel) and takes them out
 * (Delete Personnel); an operator coming from it gives a new team its door that way, not person by person. Here
 * the console does the same by pin, and the level's panel receives (then loses) the rights.
 */
const run = new ConsoleBrowserRun('console level persons browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

const pinsOf = async (level: string): Promise<string[]> =>
  (
    await t.ds.query(`SELECT p.pin FROM acc_level_person lp JOIN acc_level l ON l.id = lp.level_id JOIN person p ON p.id = lp.person_id WHERE l.name = $1 ORDER BY p.pin`, [level])
  ).map((r: { pin: string }) => r.pin);

describe.skipIf(!run.executable)('console: persons of an access level, from the level (CVSecurity Add/Delete Personnel)', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LVLP000001', doors: 1, ipAddress: '10.7.0.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Lab', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Lab', doorName: '10.7.0.1-1' }] })).body.code).toBe(0);
    for (const [pin, name] of [['4001', 'Ann'], ['4002', 'Ben'], ['4003', 'Cy']]) expect((await t.post('/api/person/add', { pin, name })).body.code).toBe(0);
    // A department with a sub-department, for "Add personnel by department"; a resigned person in it joins no level.
    expect((await t.post('/api/department/add', { code: 'ENG', name: 'Engineering' })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { code: 'QA', name: 'Quality', parentCode: 'ENG' })).body.code).toBe(0);
    for (const [pin, name, deptCode] of [['4004', 'Dee', 'ENG'], ['4005', 'Eli', 'QA'], ['4006', 'Fay', 'ENG']]) expect((await t.post('/api/person/add', { pin, name, deptCode })).body.code).toBe(0);
    expect((await t.post('/api/person/leave', { pin: '4006' })).body.code).toBe(0);
    await sim.pollUntilIdle();
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('adds persons to a level by pin, and the panel of its door receives their rights', async () => {
    await navTo(page, 'Access levels');
    const form = page.getByRole('form', { name: 'Persons of a level' });
    await form.getByLabel('Level of the persons').selectOption({ label: 'Lab' });
    await form.getByLabel('Person pins (comma-separated)').fill('4001, 4002');
    await form.getByRole('button', { name: 'Add persons' }).click();
    await page.getByRole('status').filter({ hasText: "2 persons added to Lab; the level's panels receive them" }).waitFor();
    expect(await pinsOf('Lab')).toEqual(['4001', '4002']);
    // The level's row counts them.
    await page.getByRole('button', { name: 'Persons of Lab: 2', exact: true }).waitFor();
    await sim.pollUntilIdle();
    expect(sim.rightsOf('4001').length).toBe(1);
    expect(sim.rightsOf('4002').length).toBe(1);
    expect(sim.rightsOf('4003')).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'level-persons.png') });
  });

  it('refuses the whole list when a pin is nobody, naming it, and enrols no one', async () => {
    const form = page.getByRole('form', { name: 'Persons of a level' });
    await form.getByLabel('Level of the persons').selectOption({ label: 'Lab' });
    await form.getByLabel('Person pins (comma-separated)').fill('4003 9999');
    await form.getByRole('button', { name: 'Add persons' }).click();
    await page.getByText('The person does not exist: 9999 (code -22)').waitFor();
    expect(await pinsOf('Lab')).toEqual(['4001', '4002']);
  });

  it('removes persons from the level, and the panel withdraws their rights', async () => {
    const form = page.getByRole('form', { name: 'Persons of a level' });
    await form.getByLabel('Level of the persons').selectOption({ label: 'Lab' });
    await form.getByLabel('Person pins (comma-separated)').fill('4001');
    await form.getByRole('button', { name: 'Remove persons' }).click();
    // Asked first; Escape cancels and nobody leaves.
    const dialog = page.getByRole('dialog', { name: 'Remove persons from level' });
    await dialog.getByText('Remove 4001 from Lab?').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await pinsOf('Lab')).toEqual(['4001', '4002']);
    await form.getByRole('button', { name: 'Remove persons' }).click();
    await dialog.getByRole('button', { name: 'Remove from Lab' }).click();
    await page.getByRole('status').filter({ hasText: "1 person removed from Lab; the panels are told to withdraw the level's doors" }).waitFor();
    expect(await pinsOf('Lab')).toEqual(['4002']);
    await sim.pollUntilIdle();
    expect(sim.rightsOf('4001')).toEqual([]);
    expect(sim.rightsOf('4002').length).toBe(1);
    const [audit] = await t.ds.query(`SELECT count(*)::int AS n FROM console_audit WHERE action IN ('level.addPersons', 'level.removePersons')`);
    expect(audit.n).toBe(3);
  });

  it('counts only those whose membership changed: a member added again, or a non-member removed, is not "added" or "removed"', async () => {
    // Lab holds 4002 only. Before, the message counted the pins typed: "1 person added to Lab; the level's panels
    // receive them" for a member, and "1 person removed" for someone who was never in it.
    const change = async (pins: string, button: 'Add persons' | 'Remove persons', message: string) => {
      const form = page.getByRole('form', { name: 'Persons of a level' });
      await form.getByLabel('Level of the persons').selectOption({ label: 'Lab' });
      await form.getByLabel('Person pins (comma-separated)').fill(pins);
      await form.getByRole('button', { name: button }).click();
      if (button === 'Remove persons') await page.getByRole('dialog', { name: 'Remove persons from level' }).getByRole('button', { name: 'Remove from Lab' }).click();
      await page.getByRole('status').filter({ hasText: message }).waitFor();
    };
    await change('4002', 'Add persons', 'No one added to Lab: 1 already members');
    await change('4001', 'Remove persons', 'No one removed from Lab: 1 not members');
    await change('4002, 4003', 'Add persons', "1 person added to Lab; the level's panels receive them (1 already members)");
    await change('4003 4001', 'Remove persons', "1 person removed from Lab; the panels are told to withdraw the level's doors (1 not members)");
    expect(await pinsOf('Lab')).toEqual(['4002']);
  });

  it("adds a department's persons to a level (CVSecurity's Add personnel by department), its sub-departments when asked, never a resigned one", async () => {
    const form = page.getByRole('form', { name: 'Add a department to a level' });
    await form.getByLabel('Level for the department').selectOption({ label: 'Lab' });
    await form.getByLabel(/^Department/).selectOption({ label: 'Engineering (ENG)' });
    await form.getByLabel('With its sub-departments').uncheck();
    await form.getByRole('button', { name: 'Add department' }).click();
    await page.getByRole('status').filter({ hasText: "1 person of Engineering added to Lab; the level's panels receive them" }).waitFor();
    expect(await pinsOf('Lab')).toEqual(['4002', '4004']);
    const again = page.getByRole('form', { name: 'Add a department to a level' });
    await again.getByLabel('Level for the department').selectOption({ label: 'Lab' });
    await again.getByLabel(/^Department/).selectOption({ label: 'Engineering (ENG)' });
    expect(await again.getByLabel('With its sub-departments').isChecked()).toBe(true);
    await again.getByRole('button', { name: 'Add department' }).click();
    await page.getByRole('status').filter({ hasText: "1 person of Engineering added to Lab; the level's panels receive them (1 already members)" }).waitFor();
    expect(await pinsOf('Lab')).toEqual(['4002', '4004', '4005']);
    await sim.pollUntilIdle();
    expect(sim.rightsOf('4004').length).toBe(1);
    expect(sim.rightsOf('4005').length).toBe(1);
    expect(sim.user('4006')).toBeUndefined();
  });

  it("lists a level's persons and removes the ticked ones after a confirmation, the panel withdrawing their rights", async () => {
    await page.getByRole('button', { name: 'Persons of Lab: 3', exact: true }).click();
    const members = page.getByRole('table', { name: 'Persons of Lab' });
    await members.getByRole('row').filter({ hasText: 'Eli' }).filter({ hasText: 'Quality' }).waitFor();
    await members.getByLabel('Select 4004').check();
    await members.getByLabel('Select 4005').check();
    await page.getByRole('button', { name: 'Remove selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove persons from level' });
    await dialog.getByText('Remove 4004, 4005 from Lab?').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'level-members-remove.png') });
    await dialog.getByRole('button', { name: 'Remove from Lab' }).click();
    await page.getByRole('status').filter({ hasText: "2 persons removed from Lab; the panels are told to withdraw the level's doors" }).waitFor();
    await members.getByRole('row').filter({ hasText: '4004' }).waitFor({ state: 'detached' });
    expect(await pinsOf('Lab')).toEqual(['4002']);
    await sim.pollUntilIdle();
    expect(sim.rightsOf('4004')).toEqual([]);
    expect(sim.rightsOf('4005')).toEqual([]);
    expect(sim.rightsOf('4002').length).toBe(1);
    const [audit] = await t.ds.query(`SELECT count(*)::int AS n FROM console_audit WHERE action = 'level.addDepartment' AND outcome = 'ok'`);
    expect(audit.n).toBe(2);
  });
});
