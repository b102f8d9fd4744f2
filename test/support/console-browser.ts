import * as fs from 'node:fs';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { AppConfig } from '../../src/config/config';
import { chromiumPath, ensureConsoleBuilt, newConsolePage, SCREENSHOT_DIR, signInPage, workerChromium } from '../console/browser';
import { createOperator } from '../console/console-helpers';
import { startTestApp, type TestApp } from './test-app';

/**
 * The start-up and clean-up every console browser spec shares: the gateway with the built console, the worker's
 * Chromium, fresh signed-in pages in it. A spec makes one at module level, skips its tests when `executable` is missing
 * (`describe.skipIf(!run.executable)`), calls `startGateway` and then the page methods in its beforeAll, and `close`
 * in its afterAll: its browser contexts are closed and the gateway stopped, also after a failed beforeAll.
 */
export class ConsoleBrowserRun {
  /** The system's Chromium (or CHROMIUM_PATH); undefined: the spec's tests are skipped, and the run says so once. */
  readonly executable = chromiumPath();
  private app?: TestApp;
  private launched?: Browser;

  /** `tests` names the file's tests in the warning printed when they are skipped. */
  constructor(tests: string) {
    if (!this.executable) console.warn(`[${tests}] SKIPPED: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)`);
  }

  /** The console built when missing, the screenshot folder made, and the gateway started with these settings. */
  async startGateway(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await ensureConsoleBuilt();
    this.app = await startTestApp(overrides);
    return this.app;
  }

  /** The run's Chromium, launched by the first page asked for (or by `launch`). */
  get browser(): Browser {
    if (!this.launched) throw new Error('Chromium is not launched yet: open a page of the run first');
    return this.launched;
  }

  async launch(): Promise<Browser> {
    if (!this.executable) throw new Error('no Chromium: the spec should have been skipped (describe.skipIf(!run.executable))');
    this.launched ??= await workerChromium(this.executable);
    return this.launched;
  }

  /** A page in a fresh context of the run's Chromium (newConsolePage: 1280×800 unless told, 20 s a step), not signed in. */
  async newPage(options: BrowserContextOptions = {}): Promise<Page> {
    return (await newConsolePage(await this.launch(), options)).page;
  }

  /** A fresh page signed in through the console's form, on the dashboard. */
  async signedInPage(name: string, password: string, options: BrowserContextOptions = {}): Promise<Page> {
    const page = await this.newPage(options);
    await signInPage(page, this.gateway.baseUrl, name, password);
    return page;
  }

  /** A fresh operator (role operator, password `<name>-password-1`) created and signed in on a page of their own. */
  async operatorPage(name = 'olga'): Promise<Page> {
    await createOperator(this.gateway, name, 'operator', `${name}-password-1`);
    return this.signedInPage(name, `${name}-password-1`);
  }

  /**
   * Every context of the worker's Chromium closed first (their pages stop calling; a worker runs one spec file at a
   * time, so all of them are this spec's), then the gateway and its database. The browser stays for the next spec.
   */
  async close(): Promise<void> {
    if (this.launched?.isConnected()) await Promise.all(this.launched.contexts().map((c) => c.close().catch(() => undefined)));
    await this.app?.close();
  }

  private get gateway(): TestApp {
    if (!this.app) throw new Error('the gateway is not started yet: call startGateway first');
    return this.app;
  }
}
