import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { createOperator, signIn } from './console-helpers';

/**
 * Two operators with the same person open, as on a site run from several desks in CVSecurity's web client: the
 * one who saves second must not put back, unseen, what the first one changed (a card given, a level added).
 */
const run = new ConsoleBrowserRun('console two operators browser tests');

let t: TestApp;
let anna: Page;
let ben: Page;

describe.skipIf(!run.executable)('console: two operators editing the same person', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    expect((await t.post('/api/person/add', { pin: '6001', name: 'Wei', lastName: '张', cardNo: '610001' })).body.code).toBe(0);
    await createOperator(t, 'anna', 'operator');
    await createOperator(t, 'ben', 'operator');
    anna = await run.signedInPage('anna', 'anna-password-1');
    ben = await run.signedInPage('ben', 'ben-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('refuses the second save of a person changed since its form was opened, keeping the first change, and saves once reopened', async () => {
    await anna.goto(`${t.baseUrl}/console/persons/6001`);
    await ben.goto(`${t.baseUrl}/console/persons/6001`);
    const annaForm = anna.getByRole('form', { name: 'Edit person 6001' });
    const benForm = ben.getByRole('form', { name: 'Edit person 6001' });
    await annaForm.getByLabel('Card number').waitFor();
    await benForm.getByLabel('Card number').waitFor();

    // Ben gives a new card and saves first.
    await benForm.getByLabel('Card number').fill('610002');
    await benForm.getByRole('button', { name: 'Save person' }).click();
    await ben.getByText('Saved 6001').waitFor();

    // Anna, whose form still shows the old card, changes the email only.
    await annaForm.getByLabel('Email').fill('wei@example.com');
    await annaForm.getByRole('button', { name: 'Save person' }).click();
    await anna.getByRole('alert').filter({ hasText: 'was changed by someone else after you opened it' }).waitFor();
    const [stored] = await t.ds.query(`SELECT card_no, email FROM person WHERE pin = '6001'`);
    expect(stored).toEqual({ card_no: '610002', email: null });

    // Opened again, the form shows Ben's card, and Anna's change is saved over it.
    await anna.goto(`${t.baseUrl}/console/persons/6001`);
    await expect(annaForm.getByLabel('Card number').inputValue()).resolves.toBe('610002');
    await annaForm.getByLabel('Email').fill('wei@example.com');
    await annaForm.getByRole('button', { name: 'Save person' }).click();
    await anna.getByText('Saved 6001').waitFor();
    const [after] = await t.ds.query(`SELECT card_no, email FROM person WHERE pin = '6001'`);
    expect(after).toEqual({ card_no: '610002', email: 'wei@example.com' });
  });

  it('through the console API: a save naming the version it read is refused -409 once the person changed (a level given through the REST API)', async () => {
    const c = await signIn(t, 'anna', 'anna-password-1');
    const read = await c.call('GET', 'persons/6001');
    expect(typeof read.body.data.version).toBe('string');
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Lobby', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    const [level] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'Lobby'`);
    expect((await t.post('/api/accLevel/addLevelPerson', { pin: '6001', levelIds: level.id })).body.code).toBe(0);
    const stale = await c.call('POST', 'persons?edit=1', { pin: '6001', name: 'Wei', lastName: '张', accLevelIds: '', version: read.body.data.version });
    expect(stale.status).toBe(200);
    expect(stale.body.code).toBe(-409);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_level_person lp JOIN person p ON p.id = lp.person_id WHERE p.pin = '6001'`);
    expect(n).toBe(1);
    // Read again, the same save goes through.
    const fresh = await c.call('GET', 'persons/6001');
    expect(fresh.body.data.version).not.toBe(read.body.data.version);
    const saved = await c.call('POST', 'persons?edit=1', { pin: '6001', name: 'Wei', lastName: '张', accLevelIds: level.id, version: fresh.body.data.version });
    expect(saved.body.code).toBe(0);
  });
});
