import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { untilOnPageClock } from './browser';

/**
 * The dashboard's live events across a blip: a proxy in front of the gateway answering the event stream with a
 * 502 while the gateway restarts makes the browser give the stream up for good (EventSource retries a dropped
 * connection, never an error answer). The dashboard must connect again by itself and show the events that follow,
 * and those stored while it could not: after its last event, or, before any, since the page opened.
 */
const run = new ConsoleBrowserRun('console live reconnect browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

/** The dashboard's stream (with or without its position), not its stream-position read. */
const STREAM = /\/console\/api\/dashboard\/stream(\?|$)/;
const time = () => new Date().toISOString().slice(0, 19).replace('T', ' ');
/** An unregistered badge (event 27) read at the panel now: stored, and shown in the live events with its card. */
const rtlog = async (cardno: string, index: number) =>
  expect((await sim.uploadRtlog([{ time: time(), pin: 0, cardno, eventaddr: 1, event: 27, index }])).status).toBe(200);
/**
 * From now on the proxy answers the dashboard's stream 502; `back` waits until the dashboard has tried again (two
 * refusals), lets the stream through, and waits for the dashboard to read it live.
 */
async function refuseStream(): Promise<{ back: () => Promise<void> }> {
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  let refusing = true;
  let refused = 0;
  await page.route(STREAM, async (route) => {
    if (refusing) {
      refused++;
      await route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' });
    } else await route.continue();
  });
  return {
    back: async () => {
      await retriedUntil(() => refused >= 2);
      refusing = false;
      await retriedUntil(isLive);
    },
  };
}
/** Waits until `done` holds, the dashboard's 3 s wait before it connects again (dashboard.tsx, lost) ending at once. */
const retriedUntil = (done: () => boolean | Promise<boolean>) => untilOnPageClock(page, done);
const isLive = () => page.getByText('live', { exact: true }).isVisible();
const rows = (cardno: string) => page.locator('#live-events').getByRole('row', { name: new RegExp(`card ${cardno}\\b`) });

describe.skipIf(!run.executable)('console dashboard: live events come back after the stream is refused once', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LIVE000001', doors: 1 });
    await sim.connect();
    await sim.pollUntilIdle();
    page = await run.operatorPage();
    // The page's clock runs as the real one, and ahead where the test waits for the dashboard's retries (retriedUntil).
    await page.clock.install();
  }, 120_000);
  afterAll(() => run.close());

  it('connects again after a 502 on the stream and shows the next event', async () => {
    let asked = 0;
    let refusing = true;
    // The stream is answered 502 until the page has said 'lost' (it tries again every 3 s): refused only once, the
    // 'lost' of a loaded machine could come and go before the test looked (CI run 2 of stop 59).
    await page.route(STREAM, async (route) => {
      asked++;
      if (refusing) await route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' });
      else await route.continue();
    });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText('lost', { exact: true }).waitFor();
    refusing = false;
    await retriedUntil(isLive);
    expect(asked).toBeGreaterThanOrEqual(2);
    await rtlog('77123', 9001);
    await page.locator('#live-events').getByRole('row', { name: /card is not registered/ }).waitFor();
  });

  it('shows once, after the stream comes back, the events stored while it was refused', async () => {
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    // The dashboard holds a position in the feed: an event it has shown.
    await rtlog('77201', 9101);
    await rows('77201').waitFor();
    // The gateway goes away (its connections dropped) and the proxy answers the stream 502 until it is back.
    const proxy = await refuseStream();
    t.app.getHttpServer().closeAllConnections();
    await page.getByText('lost', { exact: true }).waitFor();
    // Meanwhile a panel uploads events: stored, but no stream is open to carry them.
    await rtlog('77202', 9102);
    await rtlog('77203', 9103);
    await proxy.back();
    // An event after the return is shown; the ones stored while refused are there too, each once.
    await rtlog('77204', 9104);
    await rows('77204').waitFor();
    for (const card of ['77201', '77202', '77203', '77204']) expect(await rows(card).count(), `rows for card ${card}`).toBe(1);
  }, 60_000);

  it('shows, once its first stream comes back, the events stored since the page opened while that stream was refused', async () => {
    // The page opens while the proxy answers its stream 502: no event has given it a position yet.
    const proxy = await refuseStream();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText('lost', { exact: true }).waitFor();
    // A panel uploads an event meanwhile: stored after the page opened, before any stream carried one.
    await rtlog('77301', 9201);
    await proxy.back();
    await rtlog('77302', 9202);
    await rows('77302').waitFor();
    for (const card of ['77301', '77302']) expect(await rows(card).count(), `rows for card ${card}`).toBe(1);
  }, 60_000);
});
