import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGbk } from '../../src/common/gbk';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';

/**
 * CVSecurity's Personnel > Person > Export and Import, as an operator uses them: the list (filtered by department)
 * exported to a CSV file, edited in a spreadsheet and imported back. Existing pins are updated, new ones created,
 * and a refused row is listed with its reason while the good rows are kept, the panel receiving the changes.
 */
const run = new ConsoleBrowserRun('console person CSV browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

describe.skipIf(!run.executable)('console: persons exported to CSV and imported from CSV (CVSecurity Personnel Export/Import)', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PCSV000001', doors: 1, ipAddress: '10.7.1.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/department/add', { code: 'ENG', name: 'Engineering' })).body.code).toBe(0);
    expect((await t.post('/api/department/add', { code: 'OPS', name: 'Operations' })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Main', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Main', doorName: '10.7.1.1-1' }] })).body.code).toBe(0);
    const [level] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'Main'`);
    const people = [
      { pin: '5001', name: 'Müller', lastName: 'Anna', deptCode: 'ENG', gender: 'F', cardNo: '700001', mobilePhone: '+49 30 1234', email: 'anna@example.com', accLevelIds: level.id, accStartTime: '2026-01-01 08:00:00', accEndTime: '2027-12-31 23:59:59' },
      { pin: '5002', name: 'Ben', lastName: 'Ortiz', deptCode: 'ENG', gender: 'M', cardNo: '700002', accLevelIds: level.id },
      { pin: '5003', name: 'Cy', lastName: '=Evil', deptCode: 'OPS' },
      { pin: '5009', name: 'Gone', deptCode: 'OPS' },
    ];
    for (const p of people) expect((await t.post('/api/person/add', p)).body.code).toBe(0);
    expect((await t.post('/api/person/leave', { pin: '5009', leaveDate: '2026-11-01' })).body.code).toBe(0);
    await sim.pollUntilIdle();
    page = await run.operatorPage();
  }, 120_000);
  afterAll(() => run.close());

  it('exports the persons the list shows (one department) as CSV with their fields, and the whole list without a filter', async () => {
    await navTo(page, 'Persons');
    await page.getByRole('search').getByLabel('Department').selectOption({ label: 'Engineering (ENG)' });
    await page.getByRole('row').filter({ hasText: '5001' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('persons.csv');
    const text = fs.readFileSync((await download.path())!, 'utf8');
    await page.getByText('Exported 2 persons to persons.csv').waitFor();
    const lines = text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('pin,name,lastName,deptCode,deptName,gender,cardNo,mobilePhone,email,birthday,hireDate,accStartTime,accEndTime');
    expect(lines.slice(1)).toEqual([
      // A leading + is written '+ so that a spreadsheet runs no formula (an import takes the ' off again).
      "5001,Müller,Anna,ENG,Engineering,F,700001,'+49 30 1234,anna@example.com,,,2026-01-01 08:00:00,2027-12-31 23:59:59",
      '5002,Ben,Ortiz,ENG,Engineering,M,700002,,,,,,',
    ]);
    // Without a department: every active person (not the resigned one), a formula-like name neutralised.
    await page.getByRole('search').getByLabel('Department').selectOption({ label: 'all' });
    await page.getByRole('row').filter({ hasText: '5003' }).waitFor();
    const [all] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const allLines = fs.readFileSync((await all.path())!, 'utf8').trim().split('\r\n');
    expect(allLines.map((l) => l.split(',')[0]).slice(1)).toEqual(['5001', '5002', '5003']);
    expect(allLines[3]).toContain(",'=Evil,");
    const [audit] = await t.ds.query(`SELECT count(*)::int AS n FROM console_audit WHERE action = 'person.export'`);
    expect(audit.n).toBe(2);
  });

  it('imports a file: existing pins updated, new ones created, refused rows listed, the good ones kept and sent to the panel', async () => {
    const csv = [
      // CVSecurity's own headings, in another order, with a column the gateway does not keep.
      'Personnel ID,First Name,Last Name,Department Name,Gender,Card Number,Mobile Phone,Email,Start Time,End Time,Remark',
      // An update: a new card and mobile for 5002 (held by the panel through level Main); the empty cells keep the rest.
      '5002,Benjamin,,,,700022,+1 555 0100,,,,moved desk',
      // A new person, in a department given by name, Male as CVSecurity writes it.
      '5004,"Dora, Jr.",Diaz,Operations,Male,700004,,dora@example.com,2026-02-01 00:00:00,2026-12-31 23:59:59,',
      // Refused: a time in another format (-100), a department nobody has (-13), a resigned person's pin, a card someone holds (-23).
      '5005,Eve,,Engineering,,,,,01/02/2026,,',
      '5006,Finn,,Research,,,,,,,',
      '5009,Gone again,,,,,,,,,',
      '5007,Gil,,Engineering,,700001,,,,,',
      // Our own export's neutralised cells come back as they were written.
      "5003,Cy,'=Evil,,,,'+44 20 7946,,,,",
    ].join('\r\n');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const form = page.getByRole('form', { name: 'Import persons' });
    await form.getByLabel('CSV file').setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${csv}`, 'utf8') });
    await form.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported staff.csv: 1 created, 2 updated, 4 refused (listed below; the other rows were saved); columns ignored: Remark' }).waitFor();
    // The page's latest action's message only: the export's is gone.
    expect(await page.getByText('Exported 3 persons').count()).toBe(0);
    const refused = page.getByRole('table', { name: 'Rows not imported' });
    await expect(refused.getByRole('row').count()).resolves.toBe(5);
    await refused.getByRole('row').filter({ hasText: '5005' }).filter({ hasText: 'code -100' }).waitFor();
    await refused.getByRole('row').filter({ hasText: '5006' }).filter({ hasText: 'The department does not exist: Research (code -13)' }).waitFor();
    await refused.getByRole('row').filter({ hasText: '5009' }).filter({ hasText: 'resigned' }).waitFor();
    await refused.getByRole('row').filter({ hasText: '5007' }).filter({ hasText: 'code -23' }).waitFor();
    // The line numbers are the file's, header included.
    await refused.getByRole('row').filter({ hasText: '5005' }).getByRole('cell', { name: '4', exact: true }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'persons-import.png'), fullPage: true });

    const stored = await t.ds.query(
      `SELECT p.pin, p.name, p.last_name, p.card_no, p.mobile_phone, p.email, p.gender, d.code AS dept, p.status FROM person p JOIN department d ON d.id = p.dept_id WHERE p.pin LIKE '500%' ORDER BY p.pin`,
    );
    expect(stored).toEqual([
      { pin: '5001', name: 'Müller', last_name: 'Anna', card_no: '700001', mobile_phone: '+49 30 1234', email: 'anna@example.com', gender: 'F', dept: 'ENG', status: 'active' },
      { pin: '5002', name: 'Benjamin', last_name: 'Ortiz', card_no: '700022', mobile_phone: '+1 555 0100', email: null, gender: 'M', dept: 'ENG', status: 'active' },
      { pin: '5003', name: 'Cy', last_name: '=Evil', card_no: null, mobile_phone: '+44 20 7946', email: null, gender: null, dept: 'OPS', status: 'active' },
      { pin: '5004', name: 'Dora, Jr.', last_name: 'Diaz', card_no: '700004', mobile_phone: null, email: 'dora@example.com', gender: 'M', dept: 'OPS', status: 'active' },
      { pin: '5009', name: 'Gone', last_name: null, card_no: null, mobile_phone: null, email: null, gender: null, dept: 'OPS', status: 'left' },
    ]);
    // 5002 keeps level Main: the panel receives the new card and name.
    await sim.pollUntilIdle();
    expect(sim.user('5002')).toMatchObject({ Pin: '5002', CardNo: '700022' });
    // The list shows the new person.
    await page.getByRole('row').filter({ hasText: '5004' }).filter({ hasText: 'Dora, Jr. Diaz' }).waitFor();
    const [audit] = await t.ds.query(`SELECT target, outcome FROM console_audit WHERE action = 'person.import'`);
    expect(audit).toEqual({ target: 'staff.csv', outcome: 'ok' });
  });

  it('refuses a file with no pin column, saying which columns it found, and saves nothing', async () => {
    const form = page.getByRole('form', { name: 'Import persons' });
    await form.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('Name;Card\r\nZed;1\r\n', 'utf8') });
    await form.getByRole('button', { name: 'Import' }).click();
    await page.getByText('The first line names no pin column (pin, or CVSecurity\'s "Personnel ID"): Name, Card (code -400)').waitFor();
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM person WHERE name = 'Zed'`);
    expect(n).toBe(0);
  });

  it('refuses a file that is not UTF-8 (GBK, as Excel writes plain CSV on a Chinese Windows) rather than saving its names garbled', async () => {
    const form = page.getByRole('form', { name: 'Import persons' });
    await form.getByLabel('CSV file').setInputFiles({ name: 'gbk.csv', mimeType: 'text/csv', buffer: encodeGbk('pin,name,lastName\r\n5801,伟,张\r\n') });
    await form.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('alert').filter({ hasText: 'gbk.csv is not UTF-8 text, so its names cannot be read as written; nothing was imported.' }).waitFor();
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM person WHERE pin = '5801'`);
    expect(n).toBe(0);
  });
});
