import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * A session that ends while an operator fills a form (the idle timeout over a long phone call, a sign-out on another
 * desk): signing in again as themselves, they find the form as they left it and save it; another operator does not.
 */
const run = new ConsoleBrowserRun('console session expiry browser tests');

let t: TestApp;
let page: Page;

const endSessions = () => t.ds.query(`DELETE FROM console_session`);

describe.skipIf(!run.executable)('console: a session ending in the middle of a form', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    page = await run.operatorPage();
    await createOperator(t, 'piotr', 'operator');
  }, 120_000);
  afterAll(() => run.close());

  it('keeps the form behind the sign-in: the same operator signs in again and saves what they typed', async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Add person' }).click();
    const form = page.getByRole('form', { name: 'New person' });
    await form.getByLabel('Pin').fill('7001');
    await form.getByLabel('First name').fill('李');
    await form.getByLabel('Card number').fill('770001');
    await endSessions();
    // The page may find its session ended by itself first (one of its own reads between these two lines), its sign-in
    // screen then covering the form: the click is dispatched either way, and the save is refused either way.
    await form.getByRole('button', { name: 'Save person' }).dispatchEvent('click');
    const signInForm = page.getByRole('form', { name: 'Sign in' });
    await signInForm.waitFor();
    await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor();
    expect(await t.ds.query(`SELECT 1 FROM person WHERE pin = '7001'`)).toEqual([]);
    await signInForm.getByLabel('Operator name').fill('olga');
    await signInForm.getByLabel('Password').fill('olga-password-1');
    await signInForm.getByRole('button', { name: 'Sign in' }).click();
    await signInForm.waitFor({ state: 'detached' });
    await expect(form.getByLabel('First name').inputValue()).resolves.toBe('李');
    await expect(form.getByLabel('Card number').inputValue()).resolves.toBe('770001');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 7001' }).waitFor();
    expect(await t.ds.query(`SELECT name, card_no FROM person WHERE pin = '7001'`)).toEqual([{ name: '李', card_no: '770001' }]);
  });

  it('shows another operator signing in at that screen a fresh console, not the form of the one before', async () => {
    await page.getByRole('button', { name: 'Add person' }).click();
    const form = page.getByRole('form', { name: 'New person' });
    await form.getByLabel('Pin').fill('7002');
    await endSessions();
    // The page may find its session ended by itself first (one of its own reads between these two lines), its sign-in
    // screen then covering the form: the click is dispatched either way, and the save is refused either way.
    await form.getByRole('button', { name: 'Save person' }).dispatchEvent('click');
    const signInForm = page.getByRole('form', { name: 'Sign in' });
    await signInForm.getByLabel('Operator name').fill('piotr');
    await signInForm.getByLabel('Password').fill('piotr-password-1');
    await signInForm.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('piotr · operator').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Persons' }).waitFor();
    expect(await page.getByRole('form', { name: 'New person' }).count()).toBe(0);
    expect(await t.ds.query(`SELECT 1 FROM person WHERE pin = '7002'`)).toEqual([]);
  });

  it('says so when signing out fails, and stays signed in rather than showing the sign-in form over a live session', async () => {
    const p = await run.signedInPage('piotr', 'piotr-password-1');
    // The gateway does not answer the sign-out (its network dropped for a moment).
    await p.route('**/console/api/session/logout', (r) => r.abort('connectionrefused'));
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByRole('alert').filter({ hasText: /^Could not sign out: The gateway could not be reached: .*You are still signed in/ }).waitFor();
    expect(await p.getByRole('form', { name: 'Sign in' }).count()).toBe(0);
    // And indeed: a reload is still signed in as piotr.
    await p.reload();
    await p.getByText('piotr · operator').waitFor();
    // It answers again: signed out, for real.
    await p.unroute('**/console/api/session/logout');
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByRole('form', { name: 'Sign in' }).waitFor();
    await p.reload();
    await p.getByRole('form', { name: 'Sign in' }).waitFor();
  });
});
