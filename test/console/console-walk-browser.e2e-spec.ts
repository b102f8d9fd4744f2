import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { createOperator } from './console-helpers';

/**
 * The console walk: every page of the navigation (whatever pages it lists, so a page added later is walked too), each
 * of its tabs, and a device's own page, opened by an administrator and by a viewer, with a device of each kind
 * connected. Nothing may go wrong on the way: no error in the browser's console, no uncaught exception, no answer of
 * 400 or above from the gateway, and no page left loading. Then what the walk found: a device row's form or panel
 * opened below a list taller than the window, out of sight, and the operators' Disable buttons all named alike.
 */
const run = new ConsoleBrowserRun('console walk browser test');

let t: TestApp;

/** What went wrong on a page since the last look: console errors, uncaught exceptions, 4xx/5xx answers. */
function watch(page: Page): () => string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') seen.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.push(`uncaught: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) seen.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return () => seen.splice(0);
}

/**
 * A fresh page signed in as `who` (password `<who>-password-1`), watched: what went wrong since the last look. The
 * signed-out start asks for the session and is answered 401, which the sign-in form is for: not counted.
 */
async function watchedSignIn(who: string, options: BrowserContextOptions = {}): Promise<{ page: Page; problems: () => string[] }> {
  const page = await run.newPage(options);
  const problems = watch(page);
  await page.goto(`${t.baseUrl}/console`);
  await page.getByLabel('Operator name').fill(who);
  await page.getByLabel('Password').fill(`${who}-password-1`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  problems();
  return { page, problems };
}

/** The page settled: its heading shown and nothing of it still loading. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1').waitFor();
  await page.locator('main [aria-busy="true"]').first().waitFor({ state: 'detached' });
}

/** Every navigation page and its tabs, each a line `<page>[ / <tab>]: <what went wrong>` when something did. */
async function walk(page: Page, problems: () => string[]): Promise<{ visited: string[]; wrong: string[] }> {
  const visited: string[] = [];
  const wrong: string[] = [];
  const note = (where: string) => {
    visited.push(where);
    for (const p of problems()) wrong.push(`${where}: ${p}`);
  };
  const nav = page.getByRole('navigation', { name: 'Pages' });
  for (const label of await nav.getByRole('link').allInnerTexts()) {
    await nav.getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
    await settled(page);
    note(label);
    const tabs = page.locator('main').getByRole('tab');
    for (const tab of (await tabs.allInnerTexts()).slice(1)) {
      await tabs.filter({ hasText: tab }).first().click();
      await settled(page);
      note(`${label} / ${tab}`);
    }
  }
  return { visited, wrong };
}

describe.skipIf(!run.executable)('console walk in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'H7ada', 'admin', 'H7ada-password-1');
    await createOperator(t, 'H7vic', 'viewer', 'H7vic-password-1');
    expect((await t.post('/api/person/add', { pin: 'H7001', name: 'Walker' })).body.code).toBe(0);
    const devices = [
      new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'H7PANEL01', doors: 2, ipAddress: '10.77.0.1', registryExtras: { MaskDetectionFunOn: 1, IRTempDetectionFunOn: 1 } }),
      new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'H7ELEV01', floors: 2, ipAddress: '10.77.0.2' }),
      new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'H7CHAN01', gates: 1, ipAddress: '10.77.0.3' }),
    ];
    for (const d of devices) {
      await d.connect();
      await d.pollUntilIdle();
    }
    await initialisedTerminal(t, { sn: 'H7ATT01' });
    await devices[0].access({ pin: 'H7001', door: 1 });
  }, 120_000);
  afterAll(() => run.close());

  for (const [who, role] of [
    ['H7ada', 'administrator'],
    ['H7vic', 'viewer'],
  ] as const) {
    it(`opens every page and tab as ${role} without a console error or a failed answer`, async () => {
      const { page, problems } = await watchedSignIn(who);
      const { visited, wrong } = await walk(page, problems);
      expect(visited).toEqual(expect.arrayContaining(['Dashboard', 'Persons', 'Doors', 'Devices', 'Access levels / Time segments', 'Settings']));
      // A device's own page, from the Devices list.
      await page.goto(`${t.baseUrl}/console/devices/H7PANEL01`);
      await settled(page);
      for (const p of problems()) wrong.push(`devices/H7PANEL01: ${p}`);
      expect(wrong).toEqual([]);
    }, 90_000);
  }

  /** Whether the element is wholly inside the window. */
  const inSight = (el: { getBoundingClientRect(): { top: number; bottom: number } }) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= (globalThis as unknown as { innerHeight: number }).innerHeight;
  };

  it("brings the form or panel a device row's button opens below the list into sight, a form's first field focused", async () => {
    // 600 px high: the list of four devices (each row a column of buttons) is taller than the window.
    const { page, problems } = await watchedSignIn('H7ada', { viewport: { width: 1280, height: 600 } });
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Devices', exact: true }).click();
    const first = page.getByRole('table', { name: 'Devices' }).locator('tbody tr').first();
    const sn = (await first.locator('td').first().innerText()).trim();
    await first.getByRole('button', { name: `Rename ${sn}` }).click();
    const rename = page.getByRole('form', { name: `Rename ${sn}` });
    await rename.waitFor();
    expect(await rename.evaluate(inSight)).toBe(true);
    expect(await rename.locator(':focus').getAttribute('name')).toBe('alias');
    await page.keyboard.press('Escape');
    await rename.waitFor({ state: 'detached' });
    await first.getByRole('button', { name: `Command queue of ${sn}` }).click();
    const queue = page.getByRole('heading', { name: `Command queue of ${sn}` });
    await queue.waitFor();
    expect(await queue.evaluate(inSight)).toBe(true);
    expect(problems()).toEqual([]);
  }, 60_000);

  it("names each operator's Disable and Enable button after the operator, as their Delete is", async () => {
    const page = await run.signedInPage('H7ada', 'H7ada-password-1');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings', exact: true }).click();
    const operators = page.getByRole('table', { name: 'Operators' });
    await operators.getByRole('button', { name: 'Disable operator H7vic' }).click();
    await operators.getByRole('button', { name: 'Enable operator H7vic' }).click();
    await operators.getByRole('button', { name: 'Disable operator H7vic' }).waitFor();
    const [vic] = await t.ds.query(`SELECT disabled FROM console_operator WHERE name = 'H7vic'`);
    expect(vic.disabled).toBe(false);
  }, 60_000);
});
