import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Integrators poll the event lists for a past window, page by page (pageNo 1, 2, … until a short page), while
 * panels keep uploading live events. Each client must see every event of its window exactly once, in the
 * lists' order (newest first, ties in one second in a fixed order), and the v2 total must be the window's count.
 * 100 clients at once on real PostgreSQL (PGlite serialises transactions: 20 there).
 */
const onPglite = inject('testDb').mode === 'embedded';

let t: TestApp;
let past: DeviceSimulator;
let live: DeviceSimulator;
const WINDOW_EVENTS = 149; // not a multiple of the page size: the last page is short
const PAGE = 25;
beforeAll(async () => {
  t = await startTestApp();
  past = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'H5PAGE0001', doors: 1 });
  live = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'H5PAGE0002', doors: 1 });
  await past.connect();
  await live.connect();
  // The window 2025-06-01 10:00:00-10:00:59: several events in most seconds (ties the order must break the same
  // way on every page), uploaded in shuffled batches so that store order differs from time order.
  const events = Array.from({ length: WINDOW_EVENTS }, (_, i) => ({
    time: `2025-06-01 10:00:${String(Math.floor((i * 7) % 60)).padStart(2, '0')}`,
    pin: 0,
    cardno: 5_900_000 + i,
    event: 27,
  }));
  for (let b = 0; b < events.length; b += 10) {
    const r = await past.uploadRtlog(events.slice(b, b + 10).reverse());
    expect(r.status).toBe(200);
  }
  // Events just outside the window, on both sides.
  expect((await past.uploadRtlog([{ time: '2025-06-01 09:59:59', pin: 0, cardno: 5_800_001, event: 27 }, { time: '2025-06-01 10:01:00', pin: 0, cardno: 5_800_002, event: 27 }])).status).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

type Item = { id: string; cardNo: string; eventTime: string };

async function pageThrough(path: string, v2: boolean, query: Record<string, string>): Promise<{ items: Item[]; totals: number[] }> {
  const items: Item[] = [];
  const totals: number[] = [];
  for (let pageNo = 1; ; pageNo++) {
    const r = await t.get(path, { ...query, pageNo, pageSize: PAGE });
    expect(r.body.code, JSON.stringify(r.body)).toBe(0);
    const page: Item[] = v2 ? r.body.data.data : r.body.data;
    if (v2) totals.push(r.body.data.total);
    items.push(...page);
    if (page.length < PAGE) return { items, totals };
    if (pageNo > 100) throw new Error('paging never ended');
  }
}

describe('paging a window of events while live events stream in', () => {
  it('every client sees each event of its window once, in order, whichever list it pages', async () => {
    const clients = onPglite ? 20 : 100;
    let streaming = true;
    let streamed = 0;
    const stream = (async () => {
      for (let b = 0; streaming; b++) {
        const r = await live.uploadRtlog(Array.from({ length: 3 }, (_, k) => ({ pin: 0, cardno: 5_700_000 + b * 3 + k, event: 27 })));
        expect(r.status).toBe(200);
        streamed += 3;
      }
    })();
    const forms: Array<[string, boolean, Record<string, string>]> = [
      ['/api/transaction/list', false, { startDate: '2025-06-01 10:00:00', endDate: '2025-06-01 10:00:59' }],
      ['/api/v2/transaction/list', true, { startDate: '2025-06-01 10:00:00', endDate: '2025-06-01 10:00:59' }],
      ['/api/transaction/device/H5PAGE0001', false, { startDate: '2025-06-01 10:00:00', endDate: '2025-06-01 10:00:59' }],
      ['/api/v2/transaction/device/H5PAGE0001', true, { startDate: '2025-06-01T10:00:00', endDate: '2025-06-01T10:00:59' }],
    ];
    let results: Array<{ items: Item[]; totals: number[] }>;
    try {
      results = await Promise.all(Array.from({ length: clients }, (_, c) => pageThrough(...forms[c % forms.length])));
    } finally {
      streaming = false;
      await stream;
    }
    expect(streamed).toBeGreaterThan(0);

    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE device_sn = 'H5PAGE0002'`);
    expect(n).toBe(streamed); // the live events were stored meanwhile
    const expected = await t.get('/api/transaction/list', { startDate: '2025-06-01 10:00:00', endDate: '2025-06-01 10:00:59', pageNo: 1, pageSize: 1000 });
    const want: Item[] = expected.body.data;
    expect(want.map((e) => Number(e.cardNo)).sort((a, b) => a - b)).toEqual(Array.from({ length: WINDOW_EVENTS }, (_, i) => 5_900_000 + i));
    // Newest first.
    for (let i = 1; i < want.length; i++) expect(want[i - 1].eventTime >= want[i].eventTime).toBe(true);
    for (const r of results) {
      expect(r.items.map((e) => e.id)).toEqual(want.map((e) => e.id));
      for (const total of r.totals) expect(total).toBe(WINDOW_EVENTS);
    }
  }, 180_000);
});

describe('windows written to the minute, as CVSecurity\'s filters and many clients\' pickers write them', () => {
  const count = async (path: string, v2: boolean, startDate: string, endDate: string) => {
    const r = await t.get(path, { pageNo: 1, pageSize: 1000, startDate, endDate });
    expect(r.body.code, JSON.stringify(r.body)).toBe(0);
    return v2 ? [r.body.data.data.length, r.body.data.total] : [r.body.data.length];
  };
  it.each([
    ['/api/transaction/list', false],
    ['/api/v2/transaction/list', true],
    ['/api/transaction/device/H5PAGE0001', false],
    ['/api/v2/transaction/device/H5PAGE0001', true],
  ])('%s: an end without seconds covers its whole minute, so consecutive minute windows hold every event once', async (path, v2) => {
    const n = (k: number) => (v2 ? [k, k] : [k]);
    // 10:00 to 10:00 is the minute 10:00:00-10:00:59, as 10:00:00 to 10:00:59 is.
    expect(await count(path, v2, '2025-06-01 10:00', '2025-06-01 10:00')).toEqual(n(WINDOW_EVENTS));
    expect(await count(path, v2, '2025-06-01T10:00', '2025-06-01T10:00')).toEqual(n(WINDOW_EVENTS));
    expect(await count(path, v2, '2025-06-01 10:00:00', '2025-06-01 10:00:59')).toEqual(n(WINDOW_EVENTS));
    // The minutes before and after hold one event each, none of the window's.
    expect(await count(path, v2, '2025-06-01 09:59', '2025-06-01 09:59')).toEqual(n(1));
    expect(await count(path, v2, '2025-06-01 10:01', '2025-06-01 10:01')).toEqual(n(1));
    // An end with seconds still covers its second only.
    expect(await count(path, v2, '2025-06-01 09:00', '2025-06-01 10:00:00')).toEqual(n(1 + 3));
  });
});

