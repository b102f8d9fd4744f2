import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

/**
 * Group commit of real-time uploads: concurrent single-event uploads from many devices are
 * written together, each stored exactly once, each answered only once its rows are committed, and one
 * device's failure never costs another device its rows.
 */
const DEVICES = 24;
/** Dozens of devices uploading at once: 30 s is not enough on a loaded 2-core machine. */
const SLOW = 120_000;
let t: TestApp;
let sims: DeviceSimulator[];
/** A pool: the checks below query concurrently, one connection each. */
let db: Pool;
/** The embedded database serves one session: a second client's reads interleave with the gateway's (stack notes). */
const onPglite = inject('testDb').mode === 'embedded';

beforeAll(async () => {
  t = await startTestApp();
  sims = [];
  for (let i = 0; i < DEVICES; i++) sims.push(await connectedSim(t, { sn: `GC-${String(i).padStart(2, '0')}`, doors: 2 }));
  db = new Pool({ connectionString: t.db.url, max: 4 });
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

const time = (i: number) => `2026-05-01 08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;

async function metric(name: string, labels: string): Promise<number> {
  const text = (await t.get('/metrics')).text as string;
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(labels))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

describe('group commit of rtlog uploads', () => {
  it('stores every event of concurrent one-event uploads from many devices exactly once, in shared transactions', async () => {
    const batchesBefore = await metric('cvgw_group_commit_batches_total', 'kind="rtlog"');
    const itemsBefore = await metric('cvgw_group_commit_items_total', 'kind="rtlog"');
    const ROUNDS = 5;
    const answers = await Promise.all(
      sims.flatMap((sim, d) =>
        Array.from({ length: ROUNDS }, (_, k) => sim.uploadRtlog([{ time: time(k), pin: 100 + d, event: 0, index: 1000 + k }])),
      ),
    );
    expect(answers.every((a) => a.status === 200 && a.body === 'OK')).toBe(true);
    // The same uploads again (a device that did not get our answer resends, every field as before): nothing new.
    const again = await Promise.all(sims.map((sim, d) => sim.uploadRtlog([{ time: time(0), pin: 100 + d, event: 0, index: 1000 }])));
    expect(again.every((a) => a.status === 200)).toBe(true);

    const { rows } = await db.query(
      `SELECT a.device_sn, count(*)::int AS n, count(DISTINCT a.log_id)::int AS distinct_ids, count(*) FILTER (WHERE a.xid > 0)::int AS feed
       FROM acc_transaction a
       WHERE a.device_sn LIKE 'GC-%' AND a.log_id >= 1000 GROUP BY a.device_sn ORDER BY a.device_sn`,
    );
    expect(rows).toHaveLength(DEVICES);
    for (const r of rows) expect(r).toMatchObject({ n: ROUNDS, distinct_ids: ROUNDS, feed: ROUNDS });
    // Coalesced: fewer transactions than uploads.
    const batches = (await metric('cvgw_group_commit_batches_total', 'kind="rtlog"')) - batchesBefore;
    const items = (await metric('cvgw_group_commit_items_total', 'kind="rtlog"')) - itemsBefore;
    expect(items).toBe(DEVICES * ROUNDS + DEVICES);
    expect(batches).toBeLessThan(items);
  }, SLOW);

  it.skipIf(onPglite)('answers an upload only once its rows are committed: visible to another connection the moment OK arrives', async () => {
    const checks = await Promise.all(
      sims.map(async (sim, d) => {
        const r = await sim.uploadRtlog([{ time: time(30), pin: 200 + d, event: 0, index: 2000 }]);
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE unique_key = $1`, [`${sim.sn}_2000_${time(30)}`]);
        return { status: r.status, body: r.body, visible: rows[0].n };
      }),
    );
    expect(checks).toEqual(sims.map(() => ({ status: 200, body: 'OK', visible: 1 })));
  }, SLOW);

  it('keeps the good lines of an upload with a bad line, while other devices upload at the same time', async () => {
    const [bad, ...others] = sims;
    const body = [
      `time=${time(40)}\tpin=1\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=3000`,
      `time=not a time\tpin=1\tevent=0\tindex=3001`,
      `time=${time(42)}\tpin=1\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=3002`,
    ].join('\n');
    const [res, ...rest] = await Promise.all([
      fetch(`${t.baseUrl}/iclock/cdata?SN=${bad.sn}&table=rtlog&Stamp=9999`, { method: 'POST', body }),
      ...others.map((sim) => sim.uploadRtlog([{ time: time(41), pin: 1, event: 0, index: 3000 }])),
    ]);
    expect([res.status, await res.text()]).toEqual([200, 'OK']);
    expect(rest.every((r) => r.status === 200)).toBe(true);
    const { rows } = await db.query(`SELECT log_id FROM acc_transaction WHERE device_sn = $1 AND log_id >= 3000 ORDER BY log_id`, [bad.sn]);
    expect(rows.map((r) => r.log_id)).toEqual([3000, 3002]);
    const { rows: o } = await db.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE device_sn <> $1 AND device_sn LIKE 'GC-%' AND log_id = 3000`, [bad.sn]);
    expect(o[0].n).toBe(others.length);
  }, SLOW);

  it("fails only the upload whose rows the database refuses; every other device's rows in the same moment are stored", async () => {
    // A rule the parser cannot know about: the database refuses pin 66666 (as it would refuse any row it cannot hold).
    await db.query(`ALTER TABLE acc_transaction ADD CONSTRAINT test_refuse_pin CHECK (pin IS DISTINCT FROM '66666')`);
    try {
      const [bad, ...others] = sims;
      const answers = await Promise.all([
        bad.uploadRtlog([{ time: time(50), pin: 66666, event: 0, index: 4000 }]),
        ...others.flatMap((sim) => [0, 1].map((k) => sim.uploadRtlog([{ time: time(50 + k), pin: 1, event: 0, index: 4000 + k }]))),
      ]);
      expect(answers[0].status).not.toBe(200); // the device keeps the event and sends it again later
      expect(answers.slice(1).every((a) => a.status === 200 && a.body === 'OK')).toBe(true);
      const { rows } = await db.query(
        `SELECT device_sn, count(*)::int AS n FROM acc_transaction WHERE device_sn LIKE 'GC-%' AND log_id IN (4000, 4001) GROUP BY device_sn`,
      );
      expect(rows.find((r) => r.device_sn === bad.sn)).toBeUndefined();
      expect(rows).toHaveLength(others.length);
      for (const r of rows) expect(r.n).toBe(2);
    } finally {
      await db.query(`ALTER TABLE acc_transaction DROP CONSTRAINT test_refuse_pin`);
    }
    // Once the database takes it, the device's resend is stored.
    const [bad] = sims;
    const r = await bad.uploadRtlog([{ time: time(50), pin: 66666, event: 0, index: 4000 }]);
    expect([r.status, r.body]).toEqual([200, 'OK']);
  }, SLOW);

  it('stores an upload sent again while the first is still being written once, and answers every copy OK', async () => {
    // A panel that missed our answer sends the same upload again, here three times at once from every device: the
    // copies land in one batch or in two batches in flight together. One upload also holds the same line twice.
    const upload = (d: number) => [
      { time: time(20), pin: 300 + d, event: 0, index: 5000 },
      { time: time(20), pin: 300 + d, event: 0, index: 5000 },
      { time: time(21), pin: 300 + d, event: 0, index: 5001 },
    ];
    const answers = await Promise.all(sims.flatMap((sim, d) => [0, 1, 2].map(() => sim.uploadRtlog(upload(d)))));
    expect(answers.map((a) => [a.status, a.body])).toEqual(answers.map(() => [200, 'OK']));
    const { rows } = await db.query(
      `SELECT a.device_sn, count(*)::int AS n, count(DISTINCT a.log_id)::int AS distinct_ids, count(*) FILTER (WHERE a.xid > 0)::int AS feed
       FROM acc_transaction a WHERE a.device_sn LIKE 'GC-%' AND a.log_id IN (5000, 5001) GROUP BY a.device_sn`,
    );
    expect(rows).toHaveLength(DEVICES);
    for (const r of rows) expect(r).toMatchObject({ n: 2, distinct_ids: 2, feed: 2 });
  }, SLOW);

  it('applies door states from concurrent rtstate uploads of many devices', async () => {
    const answers = await Promise.all(
      sims.map((sim) => sim.uploadRtstate({ time: time(55), sensor: '09', relay: '01', alarm: '0002000000000000' })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM door d JOIN device dv ON dv.id = d.device_id WHERE dv.sn LIKE 'GC-%' AND d.door_state_at IS NOT NULL`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(DEVICES);
  }, SLOW);
});
