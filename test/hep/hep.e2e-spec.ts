import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { HepRepository } from '../../src/hep/hep.repository';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * 2.26 end to end: a temperature-screening panel (the simulator, declaring mask and temperature detection at
 * registration) uploads rtlog lines with maskflag/temperature/convtemperature and ATTPHOTO snapshots; the hep
 * list and monitor show them with status and a photoPath that serves the picture.
 */
let t: TestApp;
let sim: DeviceSimulator;
const JPEG_A = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xaa]);
const JPEG_B = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xbb]);
const startedAt = Date.now() - 1000;

beforeAll(async () => {
  t = await startTestApp({ hepFeverThreshold: 37.3 });
  sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'HEP0000001', doors: 1, registryExtras: { MaskDetectionFunOn: 1, IRTempDetectionFunOn: 1 } });
  await sim.connect();
  expect((await t.post('/api/person/add', { pin: '7', name: 'Ann', lastName: 'Lee' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

const page = { pageNo: 1, pageSize: 20 };

describe('temperature and mask events from a screening panel', () => {
  it('asks the device for Celsius (IRTempUnitTrans=0) in the handshake', () => {
    expect(sim.serverOptions.IRTempUnitTrans).toBe('0');
  });

  it('lists events with mask flag, Celsius temperature, status and a served snapshot; ordinary events stay out', async () => {
    // A person, masked, 36.6 °C, with a snapshot named <time>-<pin>.jpg.
    await sim.uploadRtlog([{ time: '2026-03-02 08:00:01', pin: 7, event: 0, verifytype: 15, ...sim.screeningFields({ maskflag: 1, celsius: 36.6 }) }]);
    await sim.uploadSnapshot('2026-03-02 08:00:01', 7, JPEG_A.toString('base64'));
    // A stranger with a fever: the panel decides (event 27, pin 0) and its snapshot has no pin in the name.
    await sim.access({ door: 1, time: new Date('2026-03-02T08:05:00Z'), screening: { maskflag: 0, celsius: 38.2 }, snapshot: JPEG_B.toString('base64') });
    // No mask, not measured: event 69.
    await sim.uploadRtlog([{ time: '2026-03-02 08:10:00', pin: 7, event: 69, ...sim.screeningFields({ maskflag: 0 }) }]);

    // A panel without detection sends maskflag=0 temperature=0 on every line: not a hep event.
    const plain = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'HEP0000002', doors: 1 });
    await plain.connect();
    await plain.uploadRtlog([{ time: '2026-03-02 08:20:00', pin: 7, event: 0, maskflag: 0, temperature: 0, convtemperature: 0 }]);

    const r = await t.get('/api/hep/transaction/list', page);
    expect(r.body.code).toBe(0);
    const items = r.body.data as any[];
    expect(items.map((i) => [i.eventTime, i.pin, i.maskFlag, i.temperature, i.status])).toEqual([
      ['2026-03-02 08:10:00', '7', '0', null, 'Unmeasured'],
      ['2026-03-02 08:05:00', '0', '0', 38.2, 'Abnormal'],
      ['2026-03-02 08:00:01', '7', '1', 36.6, 'Normal'],
    ]);
    expect(items[2]).toMatchObject({
      name: 'Ann',
      lastName: 'Lee',
      devSn: 'HEP0000001',
      eventName: expect.any(String),
      eventNumber: expect.stringMatching(/^\d+$/),
      photoPath: '/upload/event/photo/HEP0000001/20260302080001-7.jpg',
      accZone: null,
    });
    // The stranger (pin "0") is named, and given the department, as 2.26.1's example names one.
    expect(items[1]).toMatchObject({ pin: '0', name: 'UnregisterUser', lastName: '', deptName: 'NULL' });
    expect(items[2].deptName).not.toBe('NULL');
    expect(items[0].photoPath).toBeNull();
    expect(items[1].photoPath).toBe('/upload/event/photo/HEP0000001/20260302080500.jpg');

    for (const [path, bytes] of [
      [items[2].photoPath, JPEG_A],
      [items[1].photoPath, JPEG_B],
    ] as const) {
      const res = await fetch(new URL(path, t.baseUrl));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
    expect((await fetch(new URL('/upload/event/photo/HEP0000001/20260302080002-7.jpg', t.baseUrl))).status).toBe(404);

    // Filters: person and time range (the access list's rules).
    expect((await t.get('/api/hep/transaction/list', { ...page, personPin: '7' })).body.data).toHaveLength(2);
    const ranged = await t.get('/api/hep/transaction/list', { ...page, startDate: '2026-03-02 08:04:00', endDate: '2026-03-02 08:06:00' });
    expect(ranged.body.data.map((i: any) => i.eventTime)).toEqual(['2026-03-02 08:05:00']);
  });

  it("a person's event serves their own snapshot, not the one of a stranger screened in the same second", async () => {
    const other = await startTestApp({ hepFeverThreshold: 37.3 });
    try {
      const s = new DeviceSimulator({ baseUrl: other.baseUrl, sn: 'HEP0000004', doors: 2, registryExtras: { MaskDetectionFunOn: 1, IRTempDetectionFunOn: 1 } });
      await s.connect();
      // Two doors, one second: pin 7 at door 1 and an unregistered face at door 2; the panel names the snapshots
      // <stamp>-7.jpg and <stamp>.jpg.
      await s.uploadRtlog([
        { time: '2026-03-03 08:00:00', pin: 7, event: 0, eventaddr: 1, index: 1, ...s.screeningFields({ maskflag: 1, celsius: 36.6 }) },
        { time: '2026-03-03 08:00:00', pin: 0, event: 27, eventaddr: 2, index: 2, ...s.screeningFields({ maskflag: 0, celsius: 36.9 }) },
      ]);
      await s.uploadSnapshot('2026-03-03 08:00:00', 7, JPEG_A.toString('base64'));
      await s.uploadSnapshot('2026-03-03 08:00:00', 0, JPEG_B.toString('base64'));
      const items = (await other.get('/api/hep/transaction/list', page)).body.data as Array<{ pin: string; photoPath: string | null }>;
      expect(Object.fromEntries(items.map((i) => [i.pin, i.photoPath]))).toEqual({
        '7': '/upload/event/photo/HEP0000004/20260303080000-7.jpg',
        '0': '/upload/event/photo/HEP0000004/20260303080000.jpg',
      });
    } finally {
      await other.close();
    }
  });

  it('the threshold decides the status at read time', async () => {
    const other = await startTestApp({ hepFeverThreshold: 38.5 });
    try {
      const s = new DeviceSimulator({ baseUrl: other.baseUrl, sn: 'HEP0000003', doors: 1, registryExtras: { IRTempDetectionFunOn: 1 } });
      await s.connect();
      await s.uploadRtlog([{ time: '2026-03-02 09:00:00', pin: 0, event: 27, ...s.screeningFields({ celsius: 38.2 }) }]);
      expect((await other.get('/api/hep/transaction/list', page)).body.data.map((i: any) => i.status)).toEqual(['Normal']);
    } finally {
      await other.close();
    }
  });

  it('monitor: the hep events since the timestamp, each once per client, in the manual item shape', async () => {
    let got: any[] = [];
    for (let i = 0; i < 100 && got.length < 3; i++) {
      const r = await t.get('/api/hep/transaction/monitor', { timestamp: startedAt });
      expect(r.body.code).toBe(0);
      got.push(...r.body.data);
      if (got.length < 3) await new Promise((res) => setTimeout(res, 100));
    }
    expect(got.map((i) => [i.id, i.eventTime, i.status])).toEqual([
      ['', '2026-03-02 08:00:01', 'Normal'],
      ['', '2026-03-02 08:05:00', 'Abnormal'],
      ['', '2026-03-02 08:10:00', 'Unmeasured'],
    ]);
    expect(got[0].photoPath).toBe('/upload/event/photo/HEP0000001/20260302080001-7.jpg');
    expect(Object.keys(got[0]).sort()).toEqual(
      ['id', 'eventTime', 'pin', 'name', 'lastName', 'deptName', 'areaName', 'cardNo', 'devSn', 'eventName', 'eventPointName', 'devName', 'eventNumber', 'photoPath', 'maskFlag', 'temperature', 'status'].sort(),
    );
    // The access monitor of the same client has its own cursor: it still hands out the same events.
    const access = await t.get('/api/transaction/monitor', { timestamp: startedAt });
    expect(access.body.data.length).toBeGreaterThanOrEqual(1);
    expect((await t.get('/api/hep/transaction/monitor', { timestamp: startedAt })).body.data).toEqual([]);
    expect((await t.get('/api/hep/transaction/monitor')).body).toMatchObject({ code: -400, data: null });
  });

  it('monitor: a temperature event behind more than a batch of ordinary events comes with the first poll, not after several empty ones', { timeout: 60_000 }, async () => {
    // Now, not a second ago: the earlier tests' events (stored moments before when the files run fast) stay out.
    const since = Date.now();
    const busy = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'HEP0000003', doors: 1 });
    await busy.connect();
    // 1200 ordinary access events (more than the 1000 the feed reads at once), then one screening event.
    const ordinary = Array.from({ length: 1200 }, (_, i) => ({ time: '2026-03-03 09:00:00', pin: 0, cardno: 900000 + i, event: 27, verifytype: 200 }));
    for (let i = 0; i < ordinary.length; i += 400) expect((await busy.uploadRtlog(ordinary.slice(i, i + 400))).status).toBe(200);
    await sim.uploadRtlog([{ time: '2026-03-03 09:00:05', pin: 7, event: 0, verifytype: 15, ...sim.screeningFields({ maskflag: 1, celsius: 36.4 }) }]);
    // The feed hands out what every older transaction of this database has settled (FEED_XMIN, which the gateway's own
    // transactions hold back for a moment): wait until that is past the event, so that
    // what is measured is the first poll reading past the ordinary events, not that horizon.
    const [{ xid }] = await t.ds.query(`SELECT max(xid)::text AS xid FROM acc_transaction WHERE device_sn = $1`, [sim.sn]);
    for (const end = Date.now() + 20_000; Date.now() < end; ) {
      const [{ horizon }] = await t.ds.query(`SELECT feed_xmin()::text AS horizon`);
      if (BigInt(horizon) > BigInt(xid)) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const r = await t.get('/api/hep/transaction/monitor', { timestamp: since });
    expect(r.body.code).toBe(0);
    const first = r.body.data as any[];
    expect(first.map((i) => [i.eventTime, i.temperature])).toEqual([['2026-03-03 09:00:05', 36.4]]);
    expect((await t.get('/api/hep/transaction/monitor', { timestamp: since })).body.data).toEqual([]);
  });
});

describe('the hep list statement', () => {
  it('reads the events its row marks from the partial index, not the table in time order (issue 11)', async () => {
    // The statement findPage sends, captured; planned with sequential scans priced out, so the only way
    // left to the first stream is an index whose predicate the WHERE implies.
    let sql = '';
    let params: unknown[] = [];
    await new HepRepository({ query: async (s: string, p: unknown[]) => ((sql = s), (params = p), []) } as unknown as DataSource).findPage({}, 'UTC', 0, 20);
    const qr = t.ds.createQueryRunner();
    try {
      await qr.startTransaction();
      await qr.query(`SET LOCAL enable_seqscan = off`);
      const plan: { 'QUERY PLAN': string }[] = await qr.query(`EXPLAIN ${sql}`, params);
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('using ix_acc_transaction_hep_time on acc_transaction');
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  });
});
