import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator, signIn, type ConsoleClient } from './console-helpers';

/**
 * The audit log names what an action was done to, as the operator knows it: an elevator or passage level, a time
 * segment, a holiday, an operator, a Push Center target, a department, a device, beside the id, code or SN the route
 * carries; a deleted one by the name it had, a renamed one by its name before the rename.
 */
const run = new ConsoleBrowserRun('console audit names browser tests');

let t: TestApp;
let page: Page;
let ada: ConsoleClient;
const ok = async (p: Promise<{ body: { code: number; message?: string } }>) => expect((await p).body).toMatchObject({ code: 0 });

describe.skipIf(!run.executable)('console: the audit log names the objects of every action', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'ada', 'admin');
    await createOperator(t, 'otto', 'operator');
    ada = await signIn(t, 'ada', 'ada-password-1');
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'AUDNAME001', doors: 1, ipAddress: '10.77.0.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    page = await run.signedInPage('ada', 'ada-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('names elevator and passage levels, time segments, holidays, operators, push targets, departments and devices', async () => {
    for (const path of ['elevator', 'entrance']) {
      await ok(ada.call('POST', `${path}/levels`, { name: `${path} level`, pointIds: [] }));
      const [level] = (await ada.call('GET', `${path}/levels`)).body.data;
      await ok(ada.call('PUT', `${path}/levels/${level.id}`, { name: `${path} level renamed`, pointIds: [], version: level.version }));
      await ok(ada.call('DELETE', `${path}/levels/${level.id}`));
    }
    await ok(ada.call('POST', 'catalog/time-segments', { name: 'Night shift', schedule: { mon: [['20:00', '23:00']] } }));
    const seg = (await ada.call('GET', 'catalog/time-segments')).body.data.find((x: { name: string }) => x.name === 'Night shift');
    await ok(ada.call('PUT', `catalog/time-segments/${seg.id}`, { name: 'Late shift', version: seg.version }));
    await ok(ada.call('POST', 'catalog/holidays', { name: 'Harvest day', startDate: '2027-09-01', endDate: '2027-09-01', holidayType: 1 }));
    const hol = (await ada.call('GET', 'catalog/holidays')).body.data.find((x: { name: string }) => x.name === 'Harvest day');
    await ok(ada.call('DELETE', `catalog/holidays/${hol.id}`));
    const otto = (await ada.call('GET', 'operators')).body.data.find((o: { name: string }) => o.name === 'otto');
    await ok(ada.call('PUT', `operators/${otto.id}`, { disabled: true }));
    await ok(ada.call('POST', 'settings/push-targets', { name: 'Ops hook', url: 'http://127.0.0.1:8/hook' }));
    const target = (await ada.call('GET', 'settings/push-targets')).body.data.find((x: { name: string }) => x.name === 'Ops hook');
    await ok(ada.call('DELETE', `settings/push-targets/${target.id}`));
    await ok(ada.call('POST', 'catalog/departments', { code: 'LOG', name: 'Logistics' }));
    await ok(ada.call('DELETE', 'catalog/departments/LOG'));
    await ok(ada.call('PUT', 'devices/AUDNAME001/alias', { alias: 'Loading dock' }));

    await navTo(page, 'Audit log');
    const table = page.locator('#audit-table');
    const detailOf = async (action: string) => {
      await page.getByLabel('Action starts with').fill(action);
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      const row = table.getByRole('row').filter({ has: page.getByRole('cell', { name: action, exact: true }) }).first();
      await row.waitFor();
      return (await row.getByRole('cell').nth(5).textContent()) ?? '';
    };
    expect(await detailOf('eleLevel.update')).toContain('level=elevator level');
    expect(await detailOf('eleLevel.delete')).toContain('level=elevator level renamed');
    expect(await detailOf('psgLevel.update')).toContain('level=entrance level');
    expect(await detailOf('psgLevel.delete')).toContain('level=entrance level renamed');
    expect(await detailOf('timeSegment.update')).toContain('timeSegment=Night shift');
    expect(await detailOf('holiday.delete')).toContain('holiday=Harvest day');
    expect(await detailOf('operator.update')).toContain('operator=otto');
    expect(await detailOf('pushTarget.delete')).toContain('pushTarget=Ops hook');
    expect(await detailOf('department.delete')).toContain('department=Logistics');
    expect(await detailOf('device.rename')).toContain('device=10.77.0.1');
  });
  it('names the levels offered to visitors and withdrawn, a device added by SN, and a person by pin; the filter finds a line by those names', async () => {
    await ok(ada.call('POST', 'catalog/levels', { name: 'H6 Lobby visitors' }));
    const acc = (await ada.call('GET', 'catalog/levels')).body.data.find((x: { name: string }) => x.name === 'H6 Lobby visitors');
    await ok(ada.call('POST', 'elevator/levels', { name: 'H6 Lift visitors', pointIds: [] }));
    const ele = (await ada.call('GET', 'elevator/levels')).body.data.find((x: { name: string }) => x.name === 'H6 Lift visitors');
    await ok(ada.call('POST', 'visitors/levels/offer', { levelIds: [acc.id, ele.id] }));
    await ok(ada.call('POST', 'visitors/levels/withdraw', { levelIds: [ele.id] }));
    await ok(ada.call('POST', 'devices', { sn: 'H6ADDED001', alias: 'H6 Yard gate' }));
    await ok(ada.call('POST', 'devices', { sn: 'H6ADDED002' }));
    // A second add of a known SN is refused: its line names the device that was there.
    expect((await ada.call('POST', 'devices', { sn: 'H6ADDED001' })).body.code).toBeLessThan(0);
    await ok(ada.call('POST', 'persons', { pin: '69001', name: 'Grace', lastName: 'Hopsix' }));
    await ok(ada.call('POST', 'persons/69001/leave', {}));
    const door = (await ada.call('GET', 'doors/all')).body.data.find((d: { deviceSn: string }) => d.deviceSn === 'AUDNAME001');
    await ok(ada.call('PUT', `doors/${door.id}`, { name: 'H6 Dock door' }));
    await ok(ada.call('POST', `doors/${door.id}/disable`, {}));

    await navTo(page, 'Audit log');
    const table = page.locator('#audit-table');
    const filter = async (action: string, name: string) => {
      await page.getByLabel('Action starts with').fill(action);
      await page.getByLabel('Target or name contains').fill(name);
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
    };
    const detailOf = async (action: string, name = '') => {
      await filter(action, name);
      // The row of this filter's answer, not one the previous filter left in the table while this one is read (the
      // same action filtered by another name): a row naming the name, whatever its case.
      const named = name ? { hasText: new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') } : {};
      const row = table.getByRole('row').filter({ has: page.getByRole('cell', { name: action, exact: true }), ...named }).first();
      await row.waitFor();
      return (await row.getByRole('cell').nth(5).textContent()) ?? '';
    };
    expect(await detailOf('visitor.level.offer')).toContain('level=H6 Lobby visitors, H6 Lift visitors');
    expect(await detailOf('visitor.level.withdraw')).toContain('level=H6 Lift visitors');
    expect(await detailOf('device.add', 'H6ADDED001')).toContain('device=H6 Yard gate');
    expect(await detailOf('device.add', 'H6ADDED002')).toContain('device=H6ADDED002');
    // The lines found by a name only their detail carries: the person's, the door's, the visitor level's.
    expect(await detailOf('person.leave', 'grace hopsix')).toContain('person=Grace Hopsix');
    expect(await detailOf('door.disable', 'dock door')).toContain('door=H6 Dock door');
    await filter('visitor.level', 'H6 Lift');
    await expect.poll(async () => (await table.getByRole('row').allTextContents()).filter((t) => t.includes('visitor.level')).length).toBe(2);
    // Nothing names the text: the page says so.
    await filter('', 'H6 nobody by that name');
    await table.getByText('Nothing recorded matches.').waitFor();
  }, 90_000);
});
