import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { createOperator } from './console-helpers';

/**
 * The console while the database is briefly unavailable, played as an operator: what the page says must be the
 * truth (the database does not answer), not that they were signed out, and the console comes back by itself.
 */
const run = new ConsoleBrowserRun('console outage browser tests');

let t: TestApp;
let page: Page;

interface PgPool {
  connect: (...args: unknown[]) => unknown;
}

/**
 * The gateway's database refusing every connection (ECONNREFUSED, as a server that is down answers), until the
 * returned function restores it: the pool's connect fails as a refused socket makes it fail, also for a client a
 * background job holds at the moment of the cut and gives back meanwhile.
 */
function cutDatabase(t: TestApp): () => void {
  const pool = (t.ds.driver as unknown as { master: PgPool }).master;
  const connect = pool.connect;
  pool.connect = (...args: unknown[]) => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const cb = args.find((a): a is (e: Error) => void => typeof a === 'function');
    if (!cb) return Promise.reject(err);
    process.nextTick(() => cb(err));
    return undefined;
  };
  return () => {
    pool.connect = connect;
  };
}

describe.skipIf(!run.executable)('the console while the database is briefly unavailable', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'dora', 'operator', 'dora-password-1');
    page = await run.signedInPage('dora', 'dora-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('says the database does not answer when a page is opened meanwhile, not that the operator is signed out, and comes back by itself', async () => {
    const restore = cutDatabase(t);
    try {
      await page.goto(`${t.baseUrl}/console/persons`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('the database does not answer');
      expect(await page.getByLabel('Password').count()).toBe(0);
    } finally {
      restore();
    }
    // Once it answers again, the page it was opened on is shown, the session as it was.
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { level: 1, name: 'Persons' }).waitFor({ timeout: 30_000 });
  });

  it('a sign-out refused while the database is down is tried again by itself, and ends the session once it answers', async () => {
    const p = await run.signedInPage('dora', 'dora-password-1');
    const cookie = (await p.context().cookies()).find((c) => c.name === 'cvgw_console')!;
    const restore = cutDatabase(t);
    try {
      await p.getByRole('button', { name: 'Sign out' }).click();
      await p.getByRole('alert').filter({ hasText: /^Could not sign out: .*the database does not answer.*You are still signed in/ }).waitFor();
      expect(await p.getByRole('form', { name: 'Sign in' }).count()).toBe(0);
    } finally {
      restore();
    }
    // Nobody presses anything: the operator has walked away. The console signs out by itself once the database answers.
    await p.getByRole('form', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
    // And for real: the cookie the browser had is no longer a session, reused from anywhere.
    const res = await fetch(`${t.baseUrl}/console/api/session`, { headers: { cookie: `cvgw_console=${cookie.value}` } });
    expect(res.status).toBe(401);
  }, 60_000);
});
