import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The system's Chromium (Debian's `chromium` package; .ci/run installs it), or CHROMIUM_PATH. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);
  return candidates.find((p) => fs.existsSync(p));
}

/**
 * Headless Chromium for the console's browser tests: no sandbox (CI runs as root), and every background
 * service that would reach for the network turned off, or Chromium stalls on a closed network.
 */
export async function launchChromium(executablePath: string): Promise<{ browser: Browser; close: () => Promise<unknown> }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      // Playwright gives every launch a fresh --user-data-dir of its own (and refuses one passed here).
    ],
  });
  return {
    browser,
    close: () => browser.close().catch(() => undefined),
  };
}

/**
 * One Chromium per test worker, kept on globalThis: the worker runs its spec files one after another in the same
 * process (vitest.config.ts, isolate: false), and launching and closing Chromium for each of them cost about 1.5 s
 * a file on a loaded 2-core machine. A spec still opens only fresh contexts (own cookies, storage and cache), and
 * closes them when done (ConsoleBrowserRun.close closes every one left open), so the next file starts from a
 * browser with none. Playwright closes the browser when the worker exits; one that crashed is launched again.
 * Callers never close it.
 */
const SHARED = Symbol.for('cvgw.test.sharedChromium');
type Shared = { [SHARED]?: Promise<Browser> };

export async function workerChromium(executable: string): Promise<Browser> {
  const g = globalThis as Shared;
  const current = await g[SHARED]?.catch(() => undefined);
  if (current?.isConnected()) return current;
  const launching = launchChromium(executable).then((l) => l.browser);
  g[SHARED] = launching;
  return launching;
}

/**
 * A fresh browser context (its own cookies: its own session) with one page, 1280×800 unless told (and the context's
 * other options, a time zone or downloads), 20 s per step: a CI run with two workers (one of them in Chromium) once
 * took over 10 s to draw the sign-in page of a new context.
 */
export async function newConsolePage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  return { ctx, page };
}

/** dist/console, built by `npm run build` (pretest); built here when missing so the file also runs alone. */
export async function ensureConsoleBuilt(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  if (fs.existsSync(path.join(root, 'dist/console/index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'src/console/web/vite.config.mts'), logLevel: 'warn' });
}

export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-output/console');

/** Signs in through the console's form and waits for the dashboard. */
export async function signInPage(p: Page, baseUrl: string, name: string, password: string): Promise<void> {
  await p.goto(`${baseUrl}/console`);
  await p.getByLabel('Operator name').fill(name);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

/** Opens a page from the navigation and waits for its heading. */
export async function navTo(p: Page, label: string): Promise<void> {
  await p.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label, exact: true }).click();
  await p.getByRole('heading', { level: 1, name: label }).waitFor();
}

/**
 * Waits until `done` holds, the page's clock (page.clock.install(): it runs as the real one) running `stepMs` ahead
 * at each look meanwhile: what the page does on a timer of its own (its refresh every 10 s, its retry of a refused
 * stream after 3 s) comes at once instead of in real time. What is no page timer (the browser's own reconnection of a
 * dropped stream, the gateway's work) keeps its real time. Timers the page set before the clock was installed are
 * real ones: install it before the page (or the part of it) that sets them is opened.
 */
export async function untilOnPageClock(page: Page, done: () => boolean | Promise<boolean>, { stepMs = 1_000, timeout = 15_000 } = {}): Promise<void> {
  await expect
    .poll(async () => (await done()) || (await page.clock.runFor(stepMs), await done()), { timeout })
    .toBe(true);
}
