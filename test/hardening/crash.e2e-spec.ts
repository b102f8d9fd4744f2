import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttendanceTerminal, type TerminalPunch } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { GatewayProcess, untilDisconnected } from '../support/gateway-process';
import { itemsOf, stalledGet, storeBigEvents } from '../support/monitor-answers';
import { TEST_TOKEN } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/**
 * Crash safety: `kill -9` of a real gateway process (`node dist/src/main.js`) loses no acknowledged
 * event and no queued command, whether it comes during ingest, during command delivery or during a full
 * sync, and no monitor answer cut short by it is lost. The process is restarted on the same port and database
 * after each kill, as a supervisor would.
 * Real PostgreSQL only (the embedded database runs inside the process being killed, without fsync).
 */
const onPglite = inject('testDb').mode === 'embedded';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: TestDatabase;
let pg: Client;
let g: GatewayProcess;

beforeAll(async () => {
  if (onPglite) return;
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  // A delivered command without a result comes back after 1 s (default 60 s), so re-delivery fits the test.
  g = await GatewayProcess.create(db.url, { DEVICE_COMMAND_TIMEOUT: '1' });
  await g.start();
});

afterAll(async () => {
  await g?.kill();
  await pg?.end();
  await db?.release();
});

async function connect(sn: string): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ baseUrl: g.baseUrl, sn, doors: 2 });
  expect((await sim.connect()).registered).toBe(true);
  return sim;
}

/** One rtlog upload as firmware sends it; a resend carries the very same lines. */
function rtlogBody(first: number, count: number): string {
  const lines: string[] = [];
  for (let index = first; index < first + count; index++) {
    const s = index % 86_400;
    const time = `2026-03-01 ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    lines.push(`time=${time}\tpin=0\tcardno=${index}\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${index}`);
  }
  return lines.join('\n');
}

/** Waits (at most `ms`) until a backend of this database holds a transaction id and a lock on one of `tables`. */
async function untilWriting(tables: string[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const [{ n }] = (
      await pg.query(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_xid IS NOT NULL
           AND l.relation = ANY($1::regclass[])`,
        [tables],
      )
    ).rows;
    if (n > 0) return true;
  }
  return false;
}

async function upload(sn: string, body: string): Promise<boolean> {
  try {
    const res = await fetch(`${g.baseUrl}/iclock/cdata?SN=${sn}&table=rtlog&Stamp=9999`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
    return res.status === 200 && (await res.text()) === 'OK';
  } catch {
    return false;
  }
}

describe.skipIf(onPglite)('kill -9', () => {
  it('during rtlog ingest: every upload answered OK is stored after the restart, and resends add nothing', { timeout: 120_000 }, async () => {
    const SNS = ['CRASH-IN-1', 'CRASH-IN-2', 'CRASH-IN-3', 'CRASH-IN-4'];
    for (const sn of SNS) await connect(sn);
    const BATCH = 25;
    const acknowledged = new Map<string, number[]>(SNS.map((sn) => [sn, []]));
    const unanswered: Array<{ sn: string; first: number }> = [];
    let unansweredDuringKills = 0;

    for (let cycle = 0; cycle < 2; cycle++) {
      let stop = false;
      let inFlight = 0;
      let inFlightAtKill = -1;
      const loops = SNS.map(async (sn, d) => {
        for (let n = 0; !stop; n++) {
          const first = (cycle * 10_000 + n) * BATCH + 1;
          inFlight++;
          const ok = await upload(sn, rtlogBody(first, BATCH));
          inFlight--;
          if (ok) acknowledged.get(sn)!.push(first);
          else {
            unanswered.push({ sn, first });
            unansweredDuringKills++;
            await sleep(20 + d);
          }
        }
      });
      await sleep(400 + cycle * 150);
      inFlightAtKill = inFlight;
      await g.kill();
      await sleep(100);
      stop = true;
      await Promise.all(loops);
      expect(inFlightAtKill).toBeGreaterThan(0);
      await g.start();
    }
    expect(unansweredDuringKills).toBeGreaterThan(0);

    const stored = async () =>
      new Map(
        (await pg.query<{ device_sn: string; log_id: number }>(`SELECT device_sn, log_id FROM acc_transaction WHERE device_sn LIKE 'CRASH-IN-%'`)).rows.map((r) => [
          `${r.device_sn}/${r.log_id}`,
          true,
        ]),
      );
    const have = await stored();
    const missing: string[] = [];
    for (const [sn, firsts] of acknowledged) for (const first of firsts) for (let i = first; i < first + BATCH; i++) if (!have.has(`${sn}/${i}`)) missing.push(`${sn}/${i}`);
    expect(missing).toEqual([]);

    // Firmware sends again what was not answered OK; nothing is stored twice.
    for (const u of unanswered) expect(await upload(u.sn, rtlogBody(u.first, BATCH))).toBe(true);
    const [{ rows, keys }] = (
      await pg.query(`SELECT count(*)::int AS rows, count(DISTINCT (device_sn, log_id))::int AS keys FROM acc_transaction WHERE device_sn LIKE 'CRASH-IN-%'`)
    ).rows;
    const batches = [...acknowledged.values()].reduce((n, f) => n + f.length, 0) + unanswered.length;
    expect(keys).toBe(rows);
    expect(rows).toBe(batches * BATCH);
  });

  it('during ATTLOG group commit: every punch answered OK is stored after the restart, and resends add nothing', { timeout: 120_000 }, async () => {
    const SNS = ['CRASH-ATT-1', 'CRASH-ATT-2', 'CRASH-ATT-3', 'CRASH-ATT-4'];
    const terminals = await Promise.all(
      SNS.map(async (sn) => {
        const term = new AttendanceTerminal({ baseUrl: g.baseUrl, sn });
        expect(await term.init()).toBe(true);
        return term;
      }),
    );
    const BATCH = 5;
    const punches = (first: number): TerminalPunch[] =>
      Array.from({ length: BATCH }, (_, k) => {
        const s = first + k;
        return { pin: String(1 + (s % 7)), time: `2026-03-02 ${String(Math.floor(s / 3600) % 24).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`, status: 0, verify: 1 };
      });
    const send = (term: AttendanceTerminal, first: number) =>
      term.uploadAttlog(punches(first)).then(
        (r) => r.status === 200 && r.body.trim() === `OK: ${BATCH}`,
        () => false,
      );
    const acknowledged: Array<{ d: number; first: number }> = [];
    const unanswered: Array<{ d: number; first: number }> = [];
    let stop = false;
    const loops = terminals.map(async (term, d) => {
      for (let n = 0; !stop; n++) {
        const first = n * BATCH;
        if (await send(term, first)) acknowledged.push({ d, first });
        else {
          unanswered.push({ d, first });
          await sleep(20);
        }
      }
    });
    await sleep(500);
    await g.kill();
    await sleep(100);
    stop = true;
    await Promise.all(loops);
    expect(unanswered.length).toBeGreaterThan(0);
    await g.start();

    const stored = new Set(
      (await pg.query<{ k: string }>(`SELECT device_sn || '/' || pin || '/' || to_char(event_time AT TIME ZONE 'UTC', 'HH24:MI:SS') AS k FROM att_transaction WHERE device_sn LIKE 'CRASH-ATT-%'`)).rows.map((r) => r.k),
    );
    const keyOf = (d: number, p: TerminalPunch) => `${SNS[d]}/${p.pin}/${p.time.slice(11)}`;
    const missing = acknowledged.flatMap(({ d, first }) => punches(first).map((p) => keyOf(d, p))).filter((k) => !stored.has(k));
    expect(missing).toEqual([]);

    // The terminals send again what was not answered OK; nothing is stored twice.
    for (const u of unanswered) expect(await send(terminals[u.d], u.first)).toBe(true);
    const [{ rows, keys }] = (
      await pg.query(`SELECT count(*)::int AS rows, count(DISTINCT unique_key)::int AS keys FROM att_transaction WHERE device_sn LIKE 'CRASH-ATT-%'`)
    ).rows;
    expect(keys).toBe(rows);
    expect(rows).toBe((acknowledged.length + unanswered.length) * BATCH);
  });

  it('during command delivery: every queued command is acknowledged in the end (some delivered twice)', { timeout: 60_000 }, async () => {
    const sn = 'CRASH-CMD-1';
    let sim = await connect(sn);
    const doorId: string = (await g.api('GET', `/api/gateway/devices/${sn}`)).body.data.doors[0].id;
    const N = 100;
    for (let i = 0; i < N; i++) expect((await g.api('POST', `/api/door/remoteOpenById?doorId=${doorId}&interval=${1 + (i % 250)}`)).body.code).toBe(0);

    // The device works through its queue; the gateway is killed while it does, twice: once in the middle of a
    // reply's acknowledgements, once with a poll in flight.
    let acks = 0;
    const killAt = new Set([25]);
    const killing: Array<Promise<void>> = [];
    const make = () =>
      new DeviceSimulator({
        baseUrl: g.baseUrl,
        sn,
        doors: 2,
        onAck: () => {
          if (killAt.has(++acks)) killing.push(g.kill());
        },
      });
    sim = make();
    const done = async () => (await pg.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state = 'done'`, [sn])).rows[0].n as number;
    const deadline = Date.now() + 40_000;
    let pollKilled = false;
    while ((await done()) < N && Date.now() < deadline) {
      if (!g.running) {
        await Promise.all(killing.splice(0));
        await g.start();
        continue;
      }
      if (!pollKilled && acks > 60 && acks < N) {
        pollKilled = true;
        const p = sim.poll().catch(() => []);
        await sleep(2);
        await g.kill();
        await p;
        continue;
      }
      try {
        await sim.poll();
      } catch {
        /* the gateway is down: firmware waits ErrorDelay and tries again */
      }
      await sleep(30);
    }
    expect(await done()).toBe(N);
    const rows = (await pg.query(`SELECT state, attempts FROM device_command WHERE device_sn = $1`, [sn])).rows;
    expect(rows.length).toBe(N);
    expect(rows.filter((r) => r.state !== 'done')).toEqual([]);
    // At least one command was in flight at a kill and came back under a new CmdID (a delivery logged twice: one
    // that followed an answered command of its reply does not count as a used-up attempt, planClaim followsAnswered).
    const again = await pg.query(
      `SELECT a.command_id FROM device_command_attempt a JOIN device_command c ON c.id = a.command_id WHERE c.device_sn = $1 GROUP BY a.command_id HAVING count(*) > 1`,
      [sn],
    );
    expect(again.rows.length).toBeGreaterThan(0);
    const executed = sim.received.filter((c) => c.command.startsWith('CONTROL DEVICE')).length;
    expect(executed).toBeGreaterThanOrEqual(1);
  });

  it('during a full sync: the REST call committed everything or nothing', { timeout: 120_000 }, async () => {
    // Two identical panels (two doors each, both in one level with 4,000 persons).
    await connect('CRASH-SYNC-R');
    await connect('CRASH-SYNC-K');
    expect((await g.api('POST', '/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CrashAll' }] })).body.code).toBe(0);
    const names: string[] = [];
    for (const sn of ['CRASH-SYNC-R', 'CRASH-SYNC-K']) {
      const detail = await g.api('GET', `/api/gateway/devices/${sn}`);
      names.push(...detail.body.data.doors.map((d: { name: string }) => d.name));
    }
    expect(names.length).toBe(4);
    expect((await g.api('POST', '/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: names.map((doorName) => ({ levelName: 'CrashAll', doorName })) })).body.code).toBe(0);
    const level: string = (await g.api('GET', '/api/accLevel/getByName/CrashAll')).body.data.id;
    await pg.query(
      `INSERT INTO person (id, pin, name, dept_id)
       SELECT md5('crash' || g), (500000 + g)::text, 'C' || g, (SELECT id FROM department WHERE code = '1') FROM generate_series(1, 4000) g`,
    );
    await pg.query(`INSERT INTO acc_level_person (level_id, person_id) SELECT $1, md5('crash' || g) FROM generate_series(1, 4000) g`, [level]);
    // Rows inserted in bulk: give the planner statistics, as autovacuum would on a real site.
    await pg.query(`ANALYZE`);

    const mark = async () => (await pg.query(`SELECT coalesce(max(id), 0)::text AS id FROM device_command`)).rows[0].id as string;
    const queuedSince = async (sn: string, from: string) =>
      (await pg.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND id > $2`, [sn, from])).rows[0].n as number;

    const m0 = await mark();
    const t0 = Date.now();
    expect((await g.api('POST', '/api/gateway/devices/CRASH-SYNC-R/sync')).body.code).toBe(0);
    const fullSyncMs = Date.now() - t0;
    const complete = await queuedSince('CRASH-SYNC-R', m0);
    expect(complete).toBeGreaterThan(2);

    const outcomes: number[] = [];
    for (let attempt = 0; attempt < 4 && !outcomes.includes(0); attempt++) {
      const from = await mark();
      const call = g.api('POST', '/api/gateway/devices/CRASH-SYNC-K/sync').then(
        (r) => r.body.code as number,
        () => 'no answer' as const,
      );
      // Kill as soon as the sync transaction has written (a backend of this database holds a transaction id
      // and a lock on the queue or the sync state).
      await untilWriting(['device_command', 'sync_owed'], 5_000 + fullSyncMs);
      await g.kill();
      const answer = await call;
      await untilDisconnected(pg);
      const queued = await queuedSince('CRASH-SYNC-K', from);
      expect([0, complete]).toContain(queued);
      if (answer === 0) expect(queued).toBe(complete); // answered success: it must all be there
      outcomes.push(queued);
      await g.start();
    }
    // At least one kill landed inside the transaction: nothing of it was kept.
    expect(outcomes).toContain(0);

    // And the device still gets its full sync when asked again after the restart.
    const from = await mark();
    expect((await g.api('POST', '/api/gateway/devices/CRASH-SYNC-K/sync')).body.code).toBe(0);
    expect(await queuedSince('CRASH-SYNC-K', from)).toBe(complete);
  });

  it('during a full sync whose results the panel had not posted: after the restart the panel converges by itself', { timeout: 60_000 }, async () => {
    const sn = 'CRASH-FS';
    const sim = await connect(sn);
    expect((await g.api('POST', '/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CrashFs' }] })).body.code).toBe(0);
    const doors: string[] = (await g.api('GET', `/api/gateway/devices/${sn}`)).body.data.doors.map((d: { name: string }) => d.name);
    expect((await g.api('POST', '/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors.map((doorName) => ({ levelName: 'CrashFs', doorName })) })).body.code).toBe(0);
    const level: string = (await g.api('GET', '/api/accLevel/getByName/CrashFs')).body.data.id;
    const N = 300;
    await pg.query(
      `INSERT INTO person (id, pin, name, dept_id)
       SELECT md5('crashfs' || g), (600000 + g)::text, 'F' || g, (SELECT id FROM department WHERE code = '1') FROM generate_series(1, $1::int) g`,
      [N],
    );
    await pg.query(`INSERT INTO acc_level_person (level_id, person_id) SELECT $1, md5('crashfs' || g) FROM generate_series(1, $2::int) g`, [level, N]);
    expect((await g.api('POST', `/api/gateway/devices/${sn}/sync`)).body.code).toBe(0);

    // The panel takes the sync's first replies and runs them, but its results wait (a slow flash write); the
    // gateway dies meanwhile, and the results are lost with the connection.
    sim.holdResults();
    for (let i = 0; i < 3; i++) await sim.poll();
    expect(sim.table('user').length).toBeGreaterThan(0);
    await g.kill();
    expect(sim.dropHeldResults().length).toBeGreaterThan(0);
    sim.stopHoldingResults();
    await g.start();

    const open = async () => (await pg.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state <> 'done'`, [sn])).rows[0].n as number;
    for (const end = Date.now() + 40_000; Date.now() < end; await sleep(50)) {
      const got = await sim.poll();
      if (got.length === 0 && (await open()) === 0) break;
    }
    expect(await open()).toBe(0);
    const pins = new Set(sim.table('user').map((u) => u.Pin));
    const expected = Array.from({ length: N }, (_, i) => String(600_001 + i));
    expect(expected.filter((pin) => !pins.has(pin))).toEqual([]);
    expect(pins.size).toBe(N);
    const withoutRights = expected.filter((pin) => sim.rightsOf(pin).length === 0);
    expect(withoutRights).toEqual([]);

    // Killed again; the panel is factory reset while the gateway is down and comes back empty: it is filled again
    // without an operator asking for a sync.
    await g.kill();
    await g.start();
    await sim.factoryReset();
    expect(sim.table('user').length).toBe(0);
    for (const end = Date.now() + 40_000; Date.now() < end && sim.table('user').length < N; await sleep(50)) await sim.poll();
    expect(new Set(sim.table('user').map((u) => u.Pin)).size).toBe(N);
    expect(expected.filter((pin) => sim.rightsOf(pin).length === 0)).toEqual([]);
  });

  it('during a big person write: the 1,000 persons of one addPersons call are all stored or none', { timeout: 120_000 }, async () => {
    const outcomes: number[] = [];
    for (let attempt = 0; attempt < 4 && !outcomes.includes(0); attempt++) {
      const base = 700_000 + attempt * 10_000;
      const persons = Array.from({ length: 1000 }, (_, i) => ({ pin: String(base + i), name: `W${i}`, deptCode: '1' }));
      const call = g.api('POST', '/api/v2/person/addPersons', persons).then(
        (r) => r.body.code as number,
        () => 'no answer' as const,
      );
      await untilWriting(['person'], 10_000);
      await g.kill();
      const answer = await call;
      await untilDisconnected(pg);
      const [{ n }] = (await pg.query(`SELECT count(*)::int AS n FROM person WHERE pin = ANY($1::text[])`, [persons.map((p) => p.pin)])).rows;
      expect([0, 1000]).toContain(n);
      if (answer === 0) expect(n).toBe(1000);
      outcomes.push(n);
      await g.start();
    }
    expect(outcomes).toContain(0);
  });
});

type Item = { cardNo: string };

async function poll(ts: number): Promise<Item[]> {
  const r = await g.api<{ code: number; data: Item[] }>('GET', `/api/transaction/monitor?timestamp=${ts}`);
  expect(r.body.code).toBe(0);
  return r.body.data;
}

describe.skipIf(onPglite)('kill -9 during a monitor answer', () => {
  it('the events of an answer that never left the process come with the next poll after the restart, once', { timeout: 60_000 }, async () => {
    const ts = Date.now();
    expect(await poll(ts)).toEqual([]); // the cursor starts here
    const N = 1000;
    const polledAt = async () => (await pg.query(`SELECT polled_at::text AS at FROM transaction_monitor_cursor WHERE timestamp = $1`, [ts])).rows[0].at as string;
    // The kill must land before the whole answer left the process; should the kernel have taken it all first
    // (the client then reads all of it, and the next poll must bring none of it again), the scenario is repeated.
    let cutShort = false;
    for (let attempt = 0; attempt < 3 && !cutShort; attempt++) {
      await storeBigEvents(pg, `CRASH-MON-${attempt}`, N);
      const before = await polledAt();
      const stalled = stalledGet(g.port, `/api/transaction/monitor?access_token=${TEST_TOKEN}&timestamp=${ts}`);
      // The poll's transaction committed (it marks the cursor polled); the answer is being built and written.
      for (const end = Date.now() + 20_000; (await polledAt()) === before && Date.now() < end; ) await sleep(5);
      expect(await polledAt()).not.toBe(before);
      await g.kill();
      const first = itemsOf(await stalled.resume());
      await g.start();
      const again: Item[] = [];
      for (let batch = await poll(ts); batch.length > 0; batch = await poll(ts)) again.push(...batch);
      if (first) {
        expect(first.length).toBe(N);
        // The client had them all; the next poll brings none of them, or (a kill in the instant between the
        // answer's last byte and the cursor's move) all of them once more: never a part.
        expect([0, N]).toContain(again.length);
        continue;
      }
      cutShort = true;
      const cards = again.map((e) => Number(e.cardNo));
      expect(cards.length).toBe(N); // every event, none twice
      expect(new Set(cards).size).toBe(N);
      expect(Math.min(...cards)).toBe(1);
      expect(Math.max(...cards)).toBe(N);
    }
    expect(cutShort).toBe(true);
  });
});
