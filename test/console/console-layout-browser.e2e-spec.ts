import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * What an operator coming from CVSecurity's web client reads on each page at 1280×800: one message, the latest
 * action's (never an older error left beside it, also when the browser refuses to send a form), and controls as
 * wide as their words.
 */
const run = new ConsoleBrowserRun('console layout browser tests');

let t: TestApp;
let page: Page;

/** The page's message lines (errors and notices), as the operator reads them. */
const messages = (p: Page) => p.locator('main .notice').allInnerTexts();
/** Waits (10 s at most) until the page's message lines are exactly `expected`. */
const expectMessages = (p: Page, expected: unknown[]) => expect.poll(() => messages(p), { timeout: 10_000 }).toEqual(expected);

/**
 * The selects of the page narrower than their longest choice (so that a choice would show cut, "Are…"), by label:
 * each is measured as drawn and again at its content's width.
 */
function narrowSelects(p: Page): Promise<string[]> {
  return p.locator('main select').evaluateAll((selects) =>
    (selects as any[])
      .filter((s) => s.getBoundingClientRect().width > 0)
      .filter((s) => {
        const drawn = s.getBoundingClientRect().width;
        const before = s.style.width;
        s.style.width = 'max-content';
        const needed = s.getBoundingClientRect().width;
        s.style.width = before;
        return needed > drawn + 1;
      })
      .map((s) => s.getAttribute('aria-label') ?? s.labels?.[0]?.firstChild?.textContent ?? s.name),
  );
}

describe.skipIf(!run.executable)('console messages and layout at 1280×800', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'ada', 'admin', 'ada-password-1');
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LAYOUT0001', doors: 2, ipAddress: '10.42.0.7', deviceName: 'inBIO260' });
    await panel.connect();
    await panel.pollUntilIdle();
    page = await run.signedInPage('ada', 'ada-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('"Add door" with nothing chosen says so in place of the last error, and a later action replaces that message', async () => {
    await navTo(page, 'Access levels');
    const level = page.getByRole('form', { name: 'New access level' });
    await level.getByLabel('Level name').fill('Lobby');
    await level.getByRole('button', { name: 'Create level' }).click();
    await page.getByText('Level Lobby created').waitFor();
    // A second Lobby is refused: the error the operator then sees.
    await level.getByLabel('Level name').fill('Lobby');
    await level.getByRole('button', { name: 'Create level' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /Lobby/ }).waitFor();
    const refused = await alert.innerText();
    const door = page.getByRole('form', { name: 'Add a door to a level' });
    // The level just created is the door form's choice already (polled: the remounted form's level list loads
    // after the message); its door is not chosen yet.
    await expect.poll(() => door.getByLabel('Level').inputValue(), { timeout: 10_000 }).toBe('Lobby');
    await door.getByRole('button', { name: 'Add door' }).click();
    await expectMessages(page, ['Door: nothing chosen; choose one from the list']);
    expect(refused).not.toContain('nothing chosen');
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM acc_level_door`)).toEqual([{ n: 0 }]);
    await door.getByLabel('Door').selectOption('10.42.0.7-1');
    await door.getByRole('button', { name: 'Add door' }).click();
    await expectMessages(page, ['10.42.0.7-1 added to Lobby']);
    // The level stays chosen for the next door: an operator adds a level's doors one after the other. The form is
    // remounted with fresh lists, so the choice shows once the level list has loaded again (polled: on a loaded
    // machine the list can come after the message).
    await expect.poll(() => door.getByLabel('Level').inputValue(), { timeout: 10_000 }).toBe('Lobby');
    await door.getByLabel('Door').selectOption('10.42.0.7-2');
    await door.getByRole('button', { name: 'Add door' }).click();
    await expectMessages(page, ['10.42.0.7-2 added to Lobby']);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM acc_level_door`)).toEqual([{ n: 2 }]);
    // A door the level has already: nothing changes, and the message says so (it said "added" again).
    await expect.poll(() => door.getByLabel('Level').inputValue(), { timeout: 10_000 }).toBe('Lobby');
    await door.getByLabel('Door').selectOption('10.42.0.7-2');
    await door.getByRole('button', { name: 'Add door' }).click();
    await expectMessages(page, ['10.42.0.7-2 is already in Lobby']);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM acc_level_door`)).toEqual([{ n: 2 }]);
  });
  it("a form's error goes when another section of the page is used: the page shows the newest action's outcome only", async () => {
    await navTo(page, 'Settings');
    const client = page.getByRole('form', { name: 'New API client' });
    for (let i = 0; i < 2; i++) {
      await client.getByLabel('New client name').fill('erp');
      await client.getByRole('button', { name: 'Create token' }).click();
      if (i === 0) await page.getByRole('button', { name: 'I copied it' }).click();
    }
    await page.getByRole('alert').filter({ hasText: 'already named erp' }).waitFor();
    const op = page.getByRole('form', { name: 'New operator' });
    await op.getByLabel('Name').fill('bob');
    await op.getByLabel('Password (10+ characters)').fill('bob-password-1');
    await op.getByRole('button', { name: 'Create operator' }).click();
    await expectMessages(page, ['Operator bob created']);
    // A form the browser refuses (a password too short) is an action too: its words replace "created".
    await op.getByLabel('Name').fill('carl');
    await op.getByLabel('Password (10+ characters)').fill('short');
    await op.getByRole('button', { name: 'Create operator' }).click();
    await expectMessages(page, [expect.stringMatching(/^Password \(10\+ characters\): .*10/)]);
    expect(await t.ds.query(`SELECT name FROM console_operator WHERE name = 'carl'`)).toEqual([]);
  });
  it("shows each select's choice whole at 1280 px: the Devices page's Area (not \"Are…\"), and every other page's dropdowns", async () => {
    await navTo(page, 'Devices');
    const area = page.getByLabel('Area of LAYOUT0001');
    await expect.poll(() => area.inputValue(), { timeout: 10_000 }).toBe('1');
    expect(await narrowSelects(page)).toEqual([]);
    for (const label of ['Persons', 'Transactions', 'Attendance', 'Elevator', 'Entrance control', 'Parking', 'Visitors', 'Access levels', 'Settings']) {
      await navTo(page, label);
      await page.locator('main select').first().waitFor();
      expect({ label, narrow: await narrowSelects(page) }).toEqual({ label, narrow: [] });
    }
  });
});
