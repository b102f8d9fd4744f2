import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { GatewayProcess } from '../support/gateway-process';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/**
 * `kill -9` of a real gateway process while a panel works through its queue (a full sync of 300 persons, then
 * person writes coming in): kills land at random points of getrequest hand-outs and of devicecmd confirmations
 * (from the panel's result hook), the panel keeps polling through the outages and posts again the results whose
 * devicecmd got no `OK` (as firmware does). After the last restart: no command is left in flight or failed, each
 * was confirmed (those cut off were delivered again under a new CmdID), and the panel holds exactly the persons
 * and rights the database gives it. Real PostgreSQL only (the embedded database runs inside the killed process).
 */
const onPglite = inject('testDb').mode === 'embedded';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SN = 'CRASH-HANDOUT-1';

let db: TestDatabase;
let pg: Client;
let g: GatewayProcess;

beforeAll(async () => {
  if (onPglite) return;
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  // A delivered command without a result is handed out again after 1 s (default 60 s).
  g = await GatewayProcess.create(db.url, { DEVICE_COMMAND_TIMEOUT: '1' });
  await g.start();
});

afterAll(async () => {
  await g?.kill();
  await pg?.end();
  await db?.release();
});

describe.skipIf(onPglite)('kill -9 during command hand-out and confirmations', () => {
  it('every command is confirmed in the end and the panel converges to the database', { timeout: 240_000 }, async () => {
    let acks = 0;
    const killAtAck = new Set([3 + Math.floor(Math.random() * 6), 14 + Math.floor(Math.random() * 8)]);
    const killing: Array<Promise<void>> = [];
    const sim = new DeviceSimulator({
      baseUrl: g.baseUrl,
      sn: SN,
      doors: 2,
      retryResults: true,
      onAck: () => {
        if (killAtAck.has(++acks)) killing.push(g.kill());
      },
    });
    expect((await sim.connect()).registered).toBe(true);
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect((await g.api('POST', '/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Handout' }] })).body.code).toBe(0);
    const doors: string[] = (await g.api('GET', `/api/gateway/devices/${SN}`)).body.data.doors.map((d: { name: string }) => d.name);
    expect((await g.api('POST', '/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors.map((doorName) => ({ levelName: 'Handout', doorName })) })).body.code).toBe(0);
    const level: string = (await g.api('GET', '/api/accLevel/getByName/Handout')).body.data.id;
    await pg.query(
      `INSERT INTO person (id, pin, name, dept_id)
       SELECT md5('handout' || g), (900000 + g)::text, 'H' || g, (SELECT id FROM department WHERE code = '1') FROM generate_series(1, 300) g`,
    );
    await pg.query(`INSERT INTO acc_level_person (level_id, person_id) SELECT $1, md5('handout' || g) FROM generate_series(1, 300) g`, [level]);
    await pg.query(`ANALYZE`);
    expect((await g.api('POST', `/api/gateway/devices/${SN}/sync`)).body.code).toBe(0);

    // The panel polls while persons keep coming through REST; kills: two from the result hook (inside a
    // confirmation), two with a getrequest in flight.
    let added = 0;
    let pollKills = 0;
    const open = async () => (await pg.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state NOT IN ('done', 'failed')`, [SN])).rows[0].n as number;
    const deadline = Date.now() + 150_000;
    let idle = 0;
    while (Date.now() < deadline) {
      if (!g.running) {
        await Promise.all(killing.splice(0));
        await g.start();
        continue;
      }
      const killsDone = pollKills === 2 && [...killAtAck].every((k) => k <= acks);
      if (added < 40 || (!killsDone && added < 150)) {
        const pin = String(910_000 + added++);
        await g.api('POST', '/api/person/add', { pin, name: `A${pin}`, deptCode: '1', accLevelIds: level }).catch(() => undefined);
      }
      if (pollKills < 2 && acks > 10 * (pollKills + 1) + 1) {
        pollKills++;
        const p = sim.poll().catch(() => []);
        await sleep(Math.floor(Math.random() * 15));
        await g.kill();
        await p;
        continue;
      }
      let got: unknown[] = [];
      try {
        got = await sim.poll();
      } catch {
        /* the gateway is down or died under the poll: firmware waits and tries again */
      }
      if (got.length === 0 && killsDone && (await open()) === 0 && sim.unconfirmedResults.length === 0) {
        if (++idle >= 3) break;
      } else idle = 0;
      await sleep(20);
    }
    expect({ pollKills, ackKills: [...killAtAck].filter((k) => k <= acks).length }).toEqual({ pollKills: 2, ackKills: 2 });

    // Nothing left in flight, nothing failed.
    const states = (await pg.query(`SELECT state, count(*)::int AS n FROM device_command WHERE device_sn = $1 GROUP BY state`, [SN])).rows;
    expect(states.filter((s) => s.state !== 'done')).toEqual([]);
    const failedResults = (await pg.query(`SELECT id, return_code FROM device_command WHERE device_sn = $1 AND return_code IS DISTINCT FROM 0 AND command LIKE 'DATA%'`, [SN])).rows;
    expect(failedResults).toEqual([]);

    // The panel holds exactly what the database gives it.
    const wanted = (await pg.query<{ pin: string }>(`SELECT p.pin FROM person p JOIN acc_level_person l ON l.person_id = p.id WHERE l.level_id = $1`, [level])).rows.map((r) => r.pin);
    expect(wanted.length).toBeGreaterThanOrEqual(300);
    const held = sim.table('user').map((u) => u.Pin);
    expect(held.filter((p) => !wanted.includes(p))).toEqual([]);
    expect(wanted.filter((p) => !held.includes(p))).toEqual([]);
    expect(wanted.filter((p) => sim.rightsOf(p).length === 0)).toEqual([]);
  });
});
