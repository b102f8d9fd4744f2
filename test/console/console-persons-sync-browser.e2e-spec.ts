import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { personSyncSummary } from '../../src/sync/person-sync-summary';
import { SyncStatusService } from '../../src/sync/sync-status.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { levelId } from '../sync/access-helpers';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator, signIn } from './console-helpers';
import { settingsOf } from '../push/push-helpers';

/**
 * What an operator coming from CVSecurity missed in the console's forms and Persons list:
 * - the Persons list said nothing of whether each person's rights were on their devices (only the detail did): it now
 *   has a Devices column (synced / pending on N / refused), summed up from the very per-device answer the detail shows,
 *   read for the whole page at once (one batch per page, never one read per row);
 * - no form marked its required fields: the operator learnt of them only from the browser's refusal on submit. Each
 *   is now marked "*" with `required` and `aria-required` on the control (ui.tsx Field), and a save the gateway
 *   refuses shows its envelope's message in the form.
 */
const run = new ConsoleBrowserRun('console persons sync and required fields browser tests');

let t: TestApp;
let page: Page;
let ok: DeviceSimulator;
let refusing: DeviceSimulator;
let asleep: DeviceSimulator;

async function panel(sn: string, ip: string, extra: Partial<ConstructorParameters<typeof DeviceSimulator>[0]> = {}) {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: ip, ...extra });
  await sim.connect();
  await sim.pollUntilIdle();
  return sim;
}

async function level(name: string, doorNames: string[]): Promise<string> {
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doorNames.map((doorName) => ({ levelName: name, doorName })) })).body.code).toBe(0);
  return levelId(t, name);
}

/** The Devices cell of a person's row in the Persons list. */
const devicesCell = (pin: string) => page.getByRole('table', { name: 'Persons' }).getByRole('row').filter({ has: page.getByRole('cell', { name: pin, exact: true }) }).getByRole('cell').nth(5);

describe.skipIf(!run.executable)('console: sync state in the Persons list, required fields marked', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    // Panels poll only when a test makes them: "offline" would otherwise stand in for "pending" on a slow machine.
    settingsOf(t).onlineFloorMs = 3_600_000;
    await createOperator(t, 'otto', 'operator', 'otto-password-1');
    ok = await panel('LISTOK0001', '10.89.0.1');
    refusing = await panel('LISTNO0001', '10.89.0.2', { resultFor: (c) => (c.verb === 'DATA UPDATE' && c.table === 'userauthorize' ? -1004 : undefined) });
    asleep = await panel('LISTZZ0001', '10.89.0.3');
    const okOnly = await level('OK only', ['10.89.0.1-1']);
    const okAndAsleep = await level('OK and asleep', ['10.89.0.1-2', '10.89.0.3-1']);
    const refusingOnly = await level('Refusing', ['10.89.0.2-1']);
    await Promise.all([ok.pollUntilIdle(), refusing.pollUntilIdle(), asleep.pollUntilIdle()]);
    for (const [pin, accLevelIds] of [['7001', okOnly], ['7002', okAndAsleep], ['7003', refusingOnly], ['7004', undefined]] as const)
      expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds })).body.code).toBe(0);
    await Promise.all([ok.pollUntilIdle(), refusing.pollUntilIdle()]);
    page = await run.signedInPage('otto', 'otto-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('the list API gives each row the summary of the per-device states the detail gives, read for the page in one batch', async () => {
    const c = await signIn(t, 'otto', 'otto-password-1');
    const status = t.app.get(SyncStatusService);
    const one = vi.spyOn(status, 'ofPerson');
    const batch = vi.spyOn(status, 'ofPersons');
    const list = (await c.call('GET', 'persons?size=50')).body;
    expect(list.code).toBe(0);
    // One read of the page's pins, none per row.
    expect(batch).toHaveBeenCalledTimes(1);
    expect(batch.mock.calls[0][0]).toEqual(['7001', '7002', '7003', '7004']);
    expect(one).not.toHaveBeenCalled();
    one.mockRestore();
    batch.mockRestore();
    const sync = Object.fromEntries(list.data.rows.map((r: any) => [r.pin, r.sync]));
    expect(sync).toEqual({
      '7001': { state: 'synced', devices: 1, pending: 0, refused: 0 },
      '7002': { state: 'pending', devices: 2, pending: 1, refused: 0 },
      '7003': { state: 'refused', devices: 1, pending: 0, refused: 1 },
      '7004': { state: 'none', devices: 0, pending: 0, refused: 0 },
    });
    // The same as the detail's devices, summed up: no second reading of the sync state.
    for (const pin of ['7001', '7002', '7003', '7004']) {
      const detail = (await c.call('GET', `persons/${pin}`)).body.data.devices;
      expect(personSyncSummary(detail)).toEqual(sync[pin]);
    }
  });

  it('shows the Devices column, and a pending row turns synced once the panel confirms', async () => {
    await navTo(page, 'Persons');
    await expect(devicesCell('7001').textContent()).resolves.toBe('synced on 1 device');
    await expect(devicesCell('7002').textContent()).resolves.toBe('pending on 1 device of 2');
    await expect(devicesCell('7003').textContent()).resolves.toBe('refused on 1 device');
    await expect(devicesCell('7004').textContent()).resolves.toBe('no device');
    await asleep.pollUntilIdle();
    // The list reads itself again while a row is pending.
    await page.getByRole('table', { name: 'Persons' }).getByRole('row').filter({ has: page.getByRole('cell', { name: '7002', exact: true }) }).getByText('synced on 2 devices').waitFor();
  });

  it('marks the required fields of the forms, and shows the gateway\'s refusal in the form', async () => {
    await navTo(page, 'Visitors');
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    const form = page.getByRole('form', { name: 'Check a visitor in' });
    const reason = form.getByRole('textbox', { name: 'Reason', exact: true });
    // Marked before any submit: the label's "*" (not read out) and the control's required state (read out).
    await expect(reason.getAttribute('aria-required')).resolves.toBe('true');
    // The "*" the operator sees is drawn by the stylesheet after the label's words.
    await expect(form.locator('label', { has: page.locator('input[name=visitReason]') }).locator('.required-mark').evaluate((el: any) => (globalThis as any).getComputedStyle(el, '::after').content)).resolves.toBe('" *"');
    await expect(reason.evaluate((el: any) => el.required)).resolves.toBe(true);
    await expect(form.locator('label', { has: page.locator('input[name=visitReason]') }).locator('.required-mark').count()).resolves.toBe(1);
    await expect(form.getByRole('textbox', { name: 'Company', exact: true }).getAttribute('aria-required')).resolves.toBeNull();
    await expect(form.locator('label', { has: page.locator('input[name=company]') }).locator('.required-mark').count()).resolves.toBe(0);
    // Every required control of the form is marked, and every marked one is required.
    const marks = await form.evaluate((f: any) =>
      Array.from(f.querySelectorAll('input, select, textarea') as ArrayLike<any>).map((el) => ({
        name: el.name,
        required: el.required,
        aria: el.getAttribute('aria-required') === 'true',
        marked: !!el.closest('label')?.querySelector('.required-mark'),
      })),
    );
    for (const m of marks) expect({ name: m.name, aria: m.aria, marked: m.marked }).toEqual({ name: m.name, aria: m.required, marked: m.required });
    expect(marks.filter((m) => m.required).map((m) => m.name)).toEqual(['visEmpName', 'certNum', 'persPersonPin', 'visitReason', 'visitorCount', 'start', 'end']);
    // A host nobody knows: the gateway refuses, and its message stands in the form, beside the fields.
    await form.getByLabel('Visitor name').fill('Alan');
    await form.getByLabel('Document number').fill('V-1');
    await form.getByLabel('Host (pin or name)').fill('nobody-9999');
    await reason.fill('Meeting');
    const answer = page.waitForResponse((r) => r.url().endsWith('/console/api/visitors/checkin'));
    await form.getByRole('button', { name: 'Check in' }).click();
    const refused = await (await answer).json();
    expect(refused.code).toBeLessThan(0);
    await form.getByRole('alert').filter({ hasText: `${refused.message} (code ${refused.code})` }).waitFor();

    // The person form marks its Pin the same way (the shared Field).
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Add person' }).click();
    const pin = page.getByRole('form', { name: 'New person' }).getByRole('textbox', { name: 'Pin', exact: true });
    await expect(pin.getAttribute('aria-required')).resolves.toBe('true');
    await expect(page.getByRole('form', { name: 'New person' }).locator('label', { has: page.locator('input[name=pin]') }).locator('.required-mark').count()).resolves.toBe(1);
  });
});
