import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { chromiumPath, ensureConsoleBuilt, launchChromium, newConsolePage, signInPage } from './browser';
import { createOperator } from './console-helpers';

/**
 * The console while the database is briefly unavailable, played as an operator: what the page says must be the
 * truth (the database does not answer), not that they were signed out, and the console comes back by itself.
 */
const executable = chromiumPath();
if (!executable) console.warn('[console outage browser tests] SKIPPED: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

let t: TestApp;
let browser: Browser;
let closeBrowser: () => Promise<unknown>;
let page: Page;

interface PgPool {
  options: { port?: number; connectionString?: string };
  _idle: Array<{ client: { emit(event: 'error', err: Error): void } }>;
}

/**
 * The gateway's connections to PostgreSQL cut and new ones refused (ECONNREFUSED, as a server that is down
 * answers), until the returned function restores them.
 */
function cutDatabase(t: TestApp): () => void {
  const pool = (t.ds.driver as unknown as { master: PgPool }).master;
  const { port, connectionString } = pool.options;
  pool.options.port = 1;
  if (connectionString) pool.options.connectionString = connectionString.replace(/:(\d+)\//, ':1/');
  for (const idle of [...pool._idle]) idle.client.emit('error', Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
  return () => {
    pool.options.port = port;
    pool.options.connectionString = connectionString;
  };
}

describe.skipIf(!executable)('the console while the database is briefly unavailable', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    t = await startTestApp();
    await createOperator(t, 'dora', 'operator', 'dora-password-1');
    ({ browser, close: closeBrowser } = await launchChromium(executable!));
    ({ page } = await newConsolePage(browser));
    await signInPage(page, t.baseUrl, 'dora', 'dora-password-1');
  }, 120_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

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
});
