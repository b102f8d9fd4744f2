import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';

/**
 * CVSecurity's Access > Advanced Functions from the console: the Advanced functions page lists the access panels with
 * their interlock and anti-passback, and its Edit (an operator's, audited) offers only the rules the panel's doors
 * allow. Saved, the panel is sent them as its own options (SET OPTIONS AntiPassback=, InterLock=) and the list says
 * it holds them once it confirms.
 */
const run = new ConsoleBrowserRun('console advanced functions browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

describe.skipIf(!run.executable)('console: interlock and anti-passback of a panel (CVSecurity Advanced Functions)', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'H3ADV01', doors: 2, ipAddress: '10.83.2.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    page = await run.operatorPage('h3olga');
  }, 120_000);
  afterAll(() => run.close());

  it("edits a 2-door panel's rules: only its doors' values offered, sent as SET OPTIONS, shown held", async () => {
    await navTo(page, 'Advanced functions');
    const row = page.getByRole('row').filter({ hasText: 'H3ADV01' });
    await row.getByText("the panel's own").first().waitFor();
    await page.getByRole('button', { name: 'Edit rules of H3ADV01', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit interlock and anti-passback' });
    // A 2-door panel: interlock None or doors 1 and 2; APB none, doors 1 and 2, or its readers 1 and 2.
    const interlock = dialog.getByRole('combobox', { name: /^Interlock/ });
    const apb = dialog.getByRole('combobox', { name: /^Anti-Passback/ });
    await interlock.waitFor();
    expect(await interlock.locator('option').allTextContents()).toEqual(["The panel's own (not set)", 'None', 'Interlock between Door 1 and Door 2']);
    expect(await apb.locator('option').allTextContents()).toEqual([
      "The panel's own (not set)",
      'No APB',
      'APB between Door 1 and Door 2',
      'APB between readers 1',
      'APB between readers 2',
      'APB between each two of readers 1 and 2 respectively',
    ]);
    await interlock.selectOption({ label: 'Interlock between Door 1 and Door 2' });
    await apb.selectOption({ label: 'APB between each two of readers 1 and 2 respectively' });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'advanced-functions-edit.png') });
    await dialog.getByRole('button', { name: 'Save H3ADV01', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /H3ADV01\)? saved; its rules are sent to the panel \(SET OPTIONS\), held once it confirms/ }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect((await t.ds.query(`SELECT interlock, anti_passback FROM device WHERE sn = 'H3ADV01'`))[0]).toEqual({ interlock: 1, anti_passback: 48 });
    await sim.pollUntilIdle();
    expect(sim.received.filter((r) => /^SET OPTIONS (AntiPassback|InterLock)/.test(r.command)).map((r) => [r.command, r.result])).toEqual([['SET OPTIONS AntiPassback=48,InterLock=1', 0]]);
    expect([sim.options.get('InterLock'), sim.options.get('AntiPassback')]).toEqual(['1', '48']);
    // Read again, the list says the panel holds both.
    await navTo(page, 'Dashboard');
    await navTo(page, 'Advanced functions');
    await row.getByText('Interlock between Door 1 and Door 2').waitFor();
    expect(await row.getByText('held by the panel').count()).toBe(2);
    // Cleared from the same dialog: None is sent.
    await page.getByRole('button', { name: 'Edit rules of H3ADV01', exact: true }).click();
    expect(await interlock.inputValue()).toBe('1');
    await interlock.selectOption({ label: 'None' });
    await dialog.getByRole('button', { name: 'Save H3ADV01', exact: true }).click();
    // Closed once the save is answered (the status may still show the first save's same words).
    await dialog.waitFor({ state: 'hidden' });
    expect((await t.ds.query(`SELECT interlock, anti_passback FROM device WHERE sn = 'H3ADV01'`))[0]).toEqual({ interlock: 0, anti_passback: 48 });
    await sim.pollUntilIdle();
    expect(sim.options.get('InterLock')).toBe('0');
    const audit = await t.ds.query(`SELECT target, outcome, operator FROM console_audit WHERE action = 'device.advanced' ORDER BY id`);
    expect(audit).toEqual([
      { target: 'H3ADV01 interlock=1 antiPassback=48', outcome: 'ok', operator: 'h3olga' },
      { target: 'H3ADV01 interlock=0 antiPassback=-', outcome: 'ok', operator: 'h3olga' },
    ]);
  });
});
