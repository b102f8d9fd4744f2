import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../src/console/totp';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { SCREENSHOT_DIR, signInPage, navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * What an operator coming from CVSecurity's web client does on the pages the other browser tests pass by: visits
 * beyond the first page, the second factor, the reference lists' edits and the Push Center targets, each checked
 * against what the gateway then holds.
 */
const run = new ConsoleBrowserRun('console pages browser tests');

let t: TestApp;
let page: Page;

const signIn = (p: Page, name: string, password: string) => signInPage(p, t.baseUrl, name, password);


describe.skipIf(!run.executable)('console pages in Chromium: what a CVSecurity operator expects', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'ada', 'admin', 'ada-password-1');
    page = await run.newPage();
    await signIn(page, 'ada', 'ada-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('pages the visits: a visitor checked in before the last 20 visits is found and checked out', async () => {
    expect((await t.post('/api/person/add', { pin: '3001', name: 'Host' })).body.code).toBe(0);
    // Visits that have not ended (the API refuses one that has), one a day from tomorrow: Visitor 0 is the oldest.
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 23; i++) {
      const r = await t.post('/api/visRegistration/add', { certType: '4', certNum: `V${100 + i}`, visEmpName: `Visitor ${i}`, persPersonPin: '3001', visitReason: 'meeting', visitorCount: '1', startTime: `${day(1 + i)} 09:00:00`, endTime: `${day(1 + i)} 17:00:00` });
      expect(r.body.code).toBe(0);
    }
    await navTo(page, 'Visitors');
    const visits = page.locator('table').first();
    await visits.getByRole('cell', { name: 'Visitor 22', exact: true }).waitFor();
    expect(await visits.locator('tbody tr').count()).toBe(20);
    await page.getByText('Page 1 of 2 · 23 in all').waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await visits.getByRole('cell', { name: 'Visitor 0', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Check out Visitor 0' }).click();
    await page.getByRole('dialog', { name: 'Check out visitor' }).getByRole('button', { name: 'Check out Visitor 0' }).click();
    await page.getByText('Visitor 0 checked out').waitFor();
    const [v] = await t.ds.query(`SELECT state FROM vis_registration WHERE cert_num = 'V100'`);
    expect(v.state).toBe('out');
    // The search finds one visit by its document number, on page 1 again.
    await page.getByLabel('Visitor name or document number').fill('V105');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Page 1 of 1 · 1 in all').waitFor();
    expect(await visits.locator('tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Visitor 5')]);
  });

  it('turns the second factor on, then offers to turn it off (not a new set-up), and off again', async () => {
    await navTo(page, 'Settings');
    await page.getByRole('button', { name: 'Set up a second factor (TOTP)' }).click();
    const confirm = page.getByRole('form', { name: 'Confirm second factor' });
    const secret = await confirm.locator('code').innerText();
    await confirm.getByLabel('Code from the app').fill(totp(base32Decode(secret), Math.floor(Date.now() / 1000)));
    await confirm.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Second factor on: sign-ins now ask for a code').waitFor();
    const off = page.getByRole('form', { name: 'Turn off second factor' });
    await off.waitFor();
    expect(await page.getByRole('button', { name: 'Set up a second factor (TOTP)' }).count()).toBe(0);
    const [op] = await t.ds.query(`SELECT totp_secret FROM console_operator WHERE name = 'ada'`);
    expect(op.totp_secret).toBe(secret);
    await off.getByLabel('Password, to turn the second factor off').fill('ada-password-1');
    await off.getByRole('button', { name: 'Turn off' }).click();
    await page.getByText('Second factor off').waitFor();
    await page.getByRole('button', { name: 'Set up a second factor (TOTP)' }).waitFor();
    expect(await off.count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-totp-off.png') });
  });
  it("edits a level's time segment", async () => {
    expect((await t.post('/api/gateway/timeSegments', { name: 'Mornings', schedule: { mon: [['07:00', '12:00']] } })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Lab' }] })).body.code).toBe(0);
    await navTo(page, 'Access levels');
    await page.getByRole('button', { name: 'Edit Lab' }).click();
    const edit = page.getByRole('form', { name: 'Edit Lab' });
    await edit.getByLabel('Time segment').selectOption('Mornings');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Lab saved').waitFor();
    await page.getByRole('row', { name: /Lab\s+Mornings/ }).waitFor();
    const [lab] = await t.ds.query(`SELECT ts.name FROM acc_level l JOIN time_segment ts ON ts.id = l.time_segment_id WHERE l.name = 'Lab'`);
    expect(lab.name).toBe('Mornings');
  });

  it('a time segment takes up to three ranges a day, as a panel\'s timezone table holds them, when created and edited', async () => {
    await navTo(page, 'Access levels');
    await page.getByRole('tab', { name: 'Time segments' }).click();
    const form = page.getByRole('form', { name: 'New time segment' });
    await form.getByLabel('Name', { exact: true }).fill('Split shift');
    await form.getByLabel('From', { exact: true }).fill('08:00');
    await form.getByLabel('Until', { exact: true }).fill('12:00');
    await form.getByLabel('Second range from').fill('13:00');
    await form.getByLabel('Second range until').fill('17:00');
    await form.getByRole('button', { name: 'Create time segment' }).click();
    await page.getByText('Time segment Split shift created').waitFor();
    const scheduleOf = async () => (await t.ds.query(`SELECT schedule FROM time_segment WHERE name = 'Split shift'`))[0].schedule;
    const two = [['08:00', '12:00'], ['13:00', '17:00']];
    expect(await scheduleOf()).toMatchObject({ mon: two, tue: two, wed: two, thu: two, fri: two });
    await page.getByRole('button', { name: 'Edit Split shift' }).click();
    const edit = page.getByRole('form', { name: 'Edit Split shift' });
    expect(await edit.getByLabel('Second range until').inputValue()).toBe('17:00');
    await edit.getByLabel('Third range from').fill('18:00');
    await edit.getByLabel('Third range until').fill('20:00');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Split shift saved').waitFor();
    expect((await scheduleOf()).mon).toEqual([...two, ['18:00', '20:00']]);
  });

  it('refuses a taken code in New department (nothing renamed, the form kept), and an emptied parent makes a department top-level', async () => {
    await page.getByRole('tab', { name: 'Departments' }).click();
    const form = page.getByRole('form', { name: 'New department' });
    for (const [code, name, parent] of [['P1', 'Plant', ''], ['P2', 'Workshop', 'P1']]) {
      await form.getByLabel('Code', { exact: true }).fill(code);
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Parent code').fill(parent);
      await form.getByRole('button', { name: 'Create department' }).click();
      await page.getByText(`Department ${name} created`).waitFor();
    }
    // A taken code: refused, the department keeps its name, and what was typed stays in the form.
    await form.getByLabel('Code', { exact: true }).fill('P1');
    await form.getByLabel('Name', { exact: true }).fill('Typed over');
    await form.getByRole('button', { name: 'Create department' }).click();
    await page.getByText('A department with code P1 already exists (Plant): edit it in the list; nothing was saved (code -409)').waitFor();
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('Typed over');
    await page.getByRole('button', { name: 'Edit Workshop' }).click();
    const dept = page.getByRole('form', { name: 'Edit Workshop' });
    await dept.getByLabel('Parent code').fill('');
    await dept.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Workshop saved').waitFor();
    const [ws] = await t.ds.query(`SELECT parent_id FROM department WHERE code = 'P2'`);
    expect(ws.parent_id).toBeNull();
  });
  it('asks before deleting a Push Center target, and keeps it on Cancel', async () => {
    await navTo(page, 'Settings');
    const form = page.getByRole('form', { name: 'New Push Center target' });
    await form.getByLabel('Name').fill('hr-feed');
    await form.getByLabel('URL').fill('http://127.0.0.1:8/hook');
    await form.getByRole('button', { name: 'Add target' }).click();
    await page.getByText('Target hr-feed added').waitFor();
    await page.getByRole('button', { name: 'Delete hr-feed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Push Center target' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await t.ds.query(`SELECT name FROM push_target`)).toEqual([{ name: 'hr-feed' }]);
    await page.getByRole('button', { name: 'Delete hr-feed' }).click();
    await dialog.getByRole('button', { name: 'Delete hr-feed' }).click();
    await page.getByText('hr-feed deleted').waitFor();
    expect(await t.ds.query(`SELECT name FROM push_target`)).toEqual([]);
  });

  it('reads the devices again while the Devices page is open: a panel that connects meanwhile appears without a reload', async () => {
    await navTo(page, 'Devices');
    await page.getByText('No device yet: add one by its SN, or point a device at the gateway and approve it when it calls.').waitFor();
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LATE0001', doors: 1, ipAddress: '10.78.0.9' });
    await sim.connect();
    await page.getByRole('cell', { name: 'LATE0001', exact: true }).waitFor({ timeout: 15_000 });
  });

  it('keeps the Rename form with what was typed when the name is refused', async () => {
    await navTo(page, 'Devices');
    await page.getByRole('button', { name: 'Rename LATE0001' }).click();
    const form = page.getByRole('form', { name: 'Rename LATE0001' });
    await form.getByLabel('New name for LATE0001').fill('   ');
    await form.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('alert').filter({ hasText: 'alias' }).waitFor();
    expect(await form.getByLabel('New name for LATE0001').inputValue()).toBe('   ');
    await form.getByLabel('New name for LATE0001').fill('Loading dock');
    await form.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Renamed LATE0001').waitFor();
    await form.waitFor({ state: 'detached' });
    expect(await t.ds.query(`SELECT alias FROM device WHERE sn = 'LATE0001'`)).toEqual([{ alias: 'Loading dock' }]);
  });
  it('closes the open person when the operator deletes them from the list: nothing left to save them back', async () => {
    expect((await t.post('/api/person/add', { pin: '3100', name: 'Dora' })).body.code).toBe(0);
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Open 3100' }).click();
    const form = page.getByRole('form', { name: 'Edit person 3100' });
    await form.waitFor();
    await page.getByRole('button', { name: 'Delete 3100' }).click();
    // The confirmation names the person, not only the pin.
    await page.getByRole('dialog', { name: 'Delete person' }).getByText('Delete person Dora (3100)?').waitFor();
    await page.getByRole('dialog', { name: 'Delete person' }).getByRole('button', { name: 'Delete 3100' }).click();
    await page.getByText('Deleted 3100').waitFor();
    await form.waitFor({ state: 'detached' });
    expect(await t.ds.query(`SELECT 1 FROM person WHERE pin = '3100'`)).toEqual([]);
    // The next save says so: "Deleted 3100" does not stay in its place.
    await page.getByRole('button', { name: 'Add person' }).click();
    const added = page.getByRole('form', { name: 'New person' });
    await added.getByLabel('Pin').fill('3101');
    await added.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 3101' }).waitFor();
    expect(await page.getByText('Deleted 3100').count()).toBe(0);
  });
  it("sets a person's device (keypad) password, keeps it through an edit that leaves the field empty, and never writes it to the audit log", async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Add person' }).click();
    const form = page.getByRole('form', { name: 'New person' });
    await form.getByLabel('Pin').fill('3200');
    await form.getByLabel('First name').fill('Kim');
    await form.getByLabel('Device password').fill('4826');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByText('Saved 3200').waitFor();
    expect(await t.ds.query(`SELECT password FROM person WHERE pin = '3200'`)).toEqual([{ password: '4826' }]);
    await page.getByRole('button', { name: 'Open 3200' }).click();
    const edit = page.getByRole('form', { name: 'Edit person 3200' });
    // Read once the person is loaded (a password is set: the form offers to clear it). Read before, the empty field
    // proved nothing, and the label then matched the checkbox too.
    await edit.getByLabel('Clear the device password').waitFor();
    expect(await edit.locator('input[name=personPwd]').inputValue()).toBe('');
    await edit.getByLabel('Last name').fill('Lee');
    await edit.getByRole('button', { name: 'Save person' }).click();
    await page.getByText('Saved 3200').waitFor();
    expect(await t.ds.query(`SELECT last_name, password FROM person WHERE pin = '3200'`)).toEqual([{ last_name: 'Lee', password: '4826' }]);
    const audit = await t.ds.query(`SELECT detail::text AS d FROM console_audit WHERE action = 'person.save' AND target = '3200'`);
    expect(audit).toHaveLength(2);
    // The password is hidden where it was sent and in no other field. Not the version: a hash of the person in hex,
    // whose 40 digits hold any four in a row about one run in 1,800 (a CI run found '4826' in one).
    const details: Array<Record<string, unknown>> = audit.map((r: { d: string }) => JSON.parse(r.d));
    expect(details.map((d) => d.personPwd)).toContain('(hidden)');
    for (const d of details) for (const [k, v] of Object.entries(d)) if (k !== 'version') expect(String(v), k).not.toContain('4826');
  });
  it('lists the persons of one department', async () => {
    expect((await t.post('/api/department/add', { code: 'SALES', name: 'Sales' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '3300', name: 'Sal', deptCode: 'SALES' })).body.code).toBe(0);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Persons' }).waitFor();
    await page.getByRole('cell', { name: '3200', exact: true }).waitFor();
    await page.getByRole('search').getByLabel('Department').selectOption('SALES');
    await page.getByText('Page 1 of 1 · 1 in all').waitFor();
    await page.getByRole('cell', { name: '3300', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: '3200', exact: true }).count()).toBe(0);
  });
  it('checks a reserved visitor in from the reservation: the form is filled from it and the reservation is closed', async () => {
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const r = await t.post('/api/visReservation/add', { certType: '4', certNum: 'R777', visEmpName: 'Rosa Reserved', persPersonPin: '3001', visitReason: 'audit', company: 'Acme', visitDate: `${day} 00:00:00`, visitEndDate: `${day} 23:00:00` });
    expect(r.body.code).toBe(0);
    await navTo(page, 'Dashboard');
    await navTo(page, 'Visitors');
    await page.getByRole('button', { name: 'Check in Rosa Reserved from the reservation' }).click();
    const form = page.getByRole('form', { name: 'Check a visitor in' });
    await expect.poll(() => form.getByLabel('Visitor name').inputValue(), { timeout: 10_000 }).toBe('Rosa Reserved');
    await expect.poll(() => form.getByLabel('Document number').inputValue(), { timeout: 10_000 }).toBe('R777');
    await expect.poll(() => form.getByLabel('Host (pin or name)').inputValue(), { timeout: 10_000 }).toBe('3001');
    await expect.poll(() => form.getByLabel('Reason').inputValue(), { timeout: 10_000 }).toBe('audit');
    await expect.poll(() => form.getByLabel('Until').inputValue(), { timeout: 10_000 }).toBe(`${day}T23:00`);
    await form.getByRole('button', { name: 'Check in' }).click();
    await page.getByText('Rosa Reserved checked in').waitFor();
    expect(await t.ds.query(`SELECT state FROM vis_reservation WHERE cert_num = 'R777'`)).toEqual([{ state: 'registered' }]);
    expect(await t.ds.query(`SELECT state FROM vis_registration WHERE cert_num = 'R777'`)).toEqual([{ state: 'in' }]);
  });

  it("checks a passport holder in under the manual's passport code (3), so the visitor system checks them out by it", async () => {
    expect((await t.post('/api/person/add', { pin: '3001', name: 'Host' })).body.code).toBe(0);
    await navTo(page, 'Dashboard');
    await navTo(page, 'Visitors');
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    const form = page.getByRole('form', { name: 'Check a visitor in' });
    // The manual's 8: a form left as it is records "others", which takes any number (2 must be a national ID number).
    expect(await form.locator('select[name=certType] option:checked').innerText()).toBe('Other');
    await form.getByLabel('Visitor name').fill('Paula Passport');
    await form.locator('select[name=certType]').selectOption({ label: 'Passport' });
    await form.getByLabel('Document number').fill('X1234567');
    await form.getByLabel('Host (pin or name)').fill('3001');
    await form.getByLabel('Reason').fill('interview');
    await form.getByRole('button', { name: 'Check in' }).click();
    await page.getByText('Paula Passport checked in').waitFor();
    // The list says which document it is, as two visitors may carry the same number on different documents.
    await page.getByLabel('Visitor name or document number').fill('X1234567');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row', { name: /Paula Passport\s+Passport X1234567/ }).waitFor();
    expect(await t.ds.query(`SELECT cert_type FROM vis_registration WHERE cert_num = 'X1234567'`)).toEqual([{ cert_type: '3' }]);
    const out = await t.post('/api/visRegistration/exit', undefined, { certType: '3', certNum: 'X1234567' });
    expect(out.body.code).toBe(0);
  });

  it('asks before cancelling a reservation, and keeps it when the operator says Cancel', async () => {
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const r = await t.post('/api/visReservation/add', { certType: '4', certNum: 'R778', visEmpName: 'Nils Not-coming', persPersonPin: '3001', visitReason: 'audit', visitDate: `${day} 00:00:00`, visitEndDate: `${day} 23:00:00` });
    expect(r.body.code).toBe(0);
    await navTo(page, 'Dashboard');
    await navTo(page, 'Visitors');
    const button = page.getByRole('button', { name: 'Cancel reservation of Nils Not-coming' });
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Cancel reservation' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const open = `SELECT state FROM vis_reservation WHERE cert_num = 'R778'`;
    const before = await t.ds.query(open);
    await button.click();
    await dialog.getByRole('button', { name: 'Cancel the visit of Nils Not-coming' }).click();
    await page.getByText('Reservation of Nils Not-coming cancelled').waitFor();
    await button.waitFor({ state: 'detached' });
    expect(await t.ds.query(open)).not.toEqual(before);
  });
});
