import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { signIn } from './console-helpers';

/**
 * CVSecurity's door edit dialog, for what the gateway carries: one door renamed (its readers following, nothing sent
 * to the panel, which knows its doors by number) and disabled in the same save (its panel told in the same
 * transaction to withdraw it from the members' rights). A name another door has is refused in the dialog. The door's
 * parameters (lock open duration, sensor type and delay, operate interval) go to its panel as options (SET OPTIONS
 * Door<n>…, 9.5.1) with the save, and the panel holds what the database does.
 */
const run = new ConsoleBrowserRun('console door edit browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;
const D1 = '10.7.3.1-1';
const D2 = '10.7.3.1-2';

const doorsOf = (pin: string) => sim.rightsOf(pin).flatMap((r) => r.doors).sort();

describe.skipIf(!run.executable)('console: one door edited from the Doors page (CVSecurity door edit)', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DOOREDIT01', doors: 2, ipAddress: '10.7.3.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Both', areaName: 'Area Name' }] })).body.code).toBe(0);
    const doors = [
      { levelName: 'Both', doorName: D1 },
      { levelName: 'Both', doorName: D2 },
    ];
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors })).body.code).toBe(0);
    const [level] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'Both'`);
    expect((await t.post('/api/person/add', { pin: '7001', name: 'Ann', cardNo: '770001', accLevelIds: level.id })).body.code).toBe(0);
    await sim.pollUntilIdle();
    expect(doorsOf('7001')).toEqual([1, 2]);
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('renames a door and disables it in one save: its readers follow the name, its panel withdraws it', async () => {
    await navTo(page, 'Doors');
    await page.getByRole('button', { name: `Edit ${D1}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit door' });
    await dialog.getByText('Door 1 of').waitFor();
    // Offered: the name, enabled, and the door's parameters its panel keeps as options (lock open duration, sensor
    // delay, operate interval as numbers; the sensor type as a choice).
    // The name and the two passwords (password inputs, blank: kept) are its text boxes.
    expect(await dialog.getByRole('textbox').count()).toBe(3);
    expect(await dialog.locator('input[type=password]').count()).toBe(2);
    expect(await dialog.getByRole('spinbutton').count()).toBe(3);
    expect(await dialog.getByLabel('Lock open duration (seconds)').inputValue()).toBe('5');
    await dialog.getByLabel('Door name').fill('Front door');
    await dialog.getByRole('checkbox', { name: /Enabled/ }).uncheck();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'door-edit.png') });
    await dialog.getByRole('button', { name: `Save ${D1}`, exact: true }).click();
    await page.getByRole('status').filter({ hasText: `${D1} renamed to Front door; disabled; its panel DOOREDIT01 is told to withdraw it from every member's rights` }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'Front door' });
    await row.getByText('disabled', { exact: true }).waitFor();
    const [door] = await t.ds.query(`SELECT id, name, enabled FROM door WHERE door_no = 1`);
    expect(door).toMatchObject({ name: 'Front door', enabled: false });
    const readers = await t.ds.query(`SELECT name FROM reader WHERE door_id = $1 ORDER BY name`, [door.id]);
    expect(readers.length).toBeGreaterThan(0);
    for (const r of readers) expect(r.name).toMatch(/^Front door-/);
    // The REST API knows the door by its new name.
    expect((await t.post(`/api/door/remoteOpenByName?doorName=${encodeURIComponent('Front door')}&interval=5`, {})).body.message).toContain('disabled');
    await sim.pollUntilIdle();
    expect(doorsOf('7001')).toEqual([2]);
  });

  it('refuses a name another door has, in the dialog, which stays open to correct it', async () => {
    await page.getByRole('button', { name: `Edit ${D2}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit door' });
    await dialog.getByLabel('Door name').fill('front DOOR');
    await dialog.getByRole('button', { name: `Save ${D2}`, exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'The door name already exists: Front door is door 1 of panel DOOREDIT01' }).waitFor();
    expect((await t.ds.query(`SELECT name FROM door WHERE door_no = 2`))[0].name).toBe(D2);
    // Enabled again from the same dialog, under its own name: the rights come back.
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Edit Front door', exact: true }).click();
    await dialog.getByRole('checkbox', { name: /Enabled/ }).check();
    await dialog.getByRole('button', { name: 'Save Front door', exact: true }).click();
    await page.getByRole('status').filter({ hasText: "Front door saved; enabled; its panel DOOREDIT01 is sent the members' rights on it again" }).waitFor();
    await sim.pollUntilIdle();
    expect(doorsOf('7001')).toEqual([1, 2]);
    const audit = await t.ds.query(`SELECT target, outcome, detail FROM console_audit WHERE action = 'door.update' ORDER BY id`);
    expect(audit.map((r: { outcome: string; detail: Record<string, unknown> }) => [r.outcome, r.detail.door, r.detail.name ?? null, r.detail.enabled ?? null])).toEqual([
      ['ok', D1, 'Front door', false],
      ['failed', D2, 'front DOOR', null],
      ['ok', 'Front door', null, true],
    ]);
  });

  it("sets the door's parameters: its panel holds them as options, as the database has them", async () => {
    await navTo(page, 'Doors');
    await page.getByRole('button', { name: `Edit ${D2}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit door' });
    await dialog.getByLabel('Lock open duration (seconds)').fill('11');
    await dialog.getByLabel('Door sensor type').selectOption({ label: 'Normally closed' });
    await dialog.getByLabel('Door sensor delay (seconds, 0: no alarm)').fill('25');
    await dialog.getByRole('button', { name: `Save ${D2}`, exact: true }).click();
    await page.getByRole('status').filter({ hasText: `${D2} saved; its parameters are sent to its panel DOOREDIT01 (SET OPTIONS), held once it confirms` }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const [door] = await t.ds.query(`SELECT lock_delay, sensor_type, sensor_delay, op_interval, options_set FROM door WHERE door_no = 2`);
    expect(door).toEqual({ lock_delay: 11, sensor_type: 2, sensor_delay: 25, op_interval: null, options_set: true });
    await sim.pollUntilIdle();
    expect(sim.received.filter((r) => r.command.startsWith('SET OPTIONS Door')).map((r) => [r.command, r.result])).toEqual([['SET OPTIONS Door2Drivertime=11,Door2SensorType=2,Door2Detectortime=25', 0]]);
    expect([sim.options.get('Door2Drivertime'), sim.options.get('Door2SensorType'), sim.options.get('Door2Detectortime'), sim.options.get('Door2Intertime')]).toEqual(['11', '2', '25', undefined]);
    // Opened again, the dialog shows what is set.
    await page.getByRole('button', { name: `Edit ${D2}`, exact: true }).click();
    expect(await dialog.getByLabel('Lock open duration (seconds)').inputValue()).toBe('11');
    expect(await dialog.getByLabel('Door sensor type').inputValue()).toBe('2');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('sets the passage mode time zone, lock at door closing and the passwords: the panel holds the time zone and options, the passwords never shown again', async () => {
    expect((await t.post('/api/gateway/timeSegments', { name: 'Passage hours', schedule: { mon: [['08:00', '18:00']] } })).body.code).toBe(0);
    const [seg] = await t.ds.query(`SELECT id, tz_id FROM time_segment WHERE name = 'Passage hours'`);
    await navTo(page, 'Doors');
    await page.getByRole('button', { name: `Edit ${D2}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit door' });
    await dialog.getByLabel('Passage mode time zone').locator('option', { hasText: 'Passage hours' }).waitFor({ state: 'attached' });
    await dialog.getByLabel('Passage mode time zone').selectOption({ label: 'Passage hours' });
    await dialog.getByLabel('Close and reverse lock').selectOption({ label: 'No' });
    await dialog.getByLabel('Duress password (up to 6 digits)').fill('4321');
    await dialog.getByLabel('Emergency password (up to 8 digits)').fill('12345678');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'door-edit-time-zones.png') });
    await dialog.getByRole('button', { name: `Save ${D2}`, exact: true }).click();
    await page.getByRole('status').filter({ hasText: `${D2} saved; its parameters are sent to its panel DOOREDIT01 (SET OPTIONS), held once it confirms` }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const [door] = await t.ds.query(`SELECT keep_open_segment_id, keep_open_set, valid_segment_id, close_and_lock, duress_password, emergency_password FROM door WHERE door_no = 2`);
    expect(door).toEqual({ keep_open_segment_id: seg.id, keep_open_set: true, valid_segment_id: null, close_and_lock: false, duress_password: '4321', emergency_password: '12345678' });
    await sim.pollUntilIdle();
    expect(sim.table('timezone').map((r) => Number(r.TimezoneId))).toContain(Number(seg.tz_id));
    expect(['KeepOpenTimeZone', 'ValidTZ', 'CloseAndLock', 'ForcePassWord', 'SupperPassWord'].map((k) => sim.options.get(`Door2${k}`))).toEqual([String(seg.tz_id), undefined, '0', '4321', '12345678']);
    // The audit line masks the passwords.
    const [audit] = await t.ds.query(`SELECT detail FROM console_audit WHERE action = 'door.update' ORDER BY id DESC LIMIT 1`);
    expect(audit.detail).toMatchObject({ duressPassword: '(hidden)', emergencyPassword: '(hidden)' });
    // Opened again: the time zone chosen, the passwords blank (kept), never shown.
    await page.getByRole('button', { name: `Edit ${D2}`, exact: true }).click();
    await dialog.getByLabel('Passage mode time zone').locator('option', { hasText: 'Passage hours' }).waitFor({ state: 'attached' });
    expect(await dialog.getByLabel('Passage mode time zone').inputValue()).toBe(seg.id);
    expect(await dialog.getByLabel('Duress password (up to 6 digits)').inputValue()).toBe('');
    await dialog.getByText('One is set: blank keeps it.').first().waitFor();
    expect(await page.content()).not.toContain('12345678');
    // Cleared: sent empty.
    await dialog.getByRole('checkbox', { name: 'Clear the duress password' }).check();
    await dialog.getByRole('button', { name: `Save ${D2}`, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await sim.pollUntilIdle();
    expect(sim.options.get('Door2ForcePassWord')).toBe('');
    // The segment cannot be deleted while the door uses it.
    expect((await t.delete(`/api/gateway/timeSegments/${seg.id}`)).body).toMatchObject({ code: -409, message: `The time segment is used by the door "${D2}" (passage mode)` });
  });

  it('refuses, as the envelope, an edit with nothing to change, an empty name, a non-boolean enabled, an unknown door', async () => {
    const o = await signIn(t, 'olga', 'olga-password-1');
    const [door] = await t.ds.query(`SELECT id FROM door WHERE door_no = 2`);
    expect((await o.call('PUT', `doors/${door.id}`, {})).body).toMatchObject({ code: -400, message: 'The door update gives nothing to change: send name, enabled, lockDelay, sensorType, sensorDelay, opInterval, keepOpenSegmentId, validSegmentId, closeAndLock, duressPassword or emergencyPassword' });
    expect((await o.call('PUT', `doors/${door.id}`, { name: '  ' })).body).toMatchObject({ code: -400, message: 'name: give the door a name' });
    expect((await o.call('PUT', `doors/${door.id}`, { name: 'x'.repeat(101) })).body).toMatchObject({ code: -400, message: 'name: at most 100 characters' });
    expect((await o.call('PUT', `doors/${door.id}`, { enabled: 'yes' })).body).toMatchObject({ code: -400, message: 'enabled must be true or false' });
    const unknown = await o.call('PUT', 'doors/0123456789abcdef0123456789abcdef', { name: 'Nowhere' });
    expect(unknown.status).toBe(200);
    expect(unknown.body.code).toBeLessThan(0);
    // A name trimmed, the door's own name (case aside) allowed.
    expect((await o.call('PUT', `doors/${door.id}`, { name: '  Back door  ' })).body).toMatchObject({ code: 0, data: { door: 'Back door', renamed: true, enabledChanged: false } });
    expect((await o.call('PUT', `doors/${door.id}`, { name: 'BACK DOOR' })).body).toMatchObject({ code: 0, data: { door: 'BACK DOOR', renamed: true, enabledChanged: false } });
  });
});
