/**
 * Writers that queue commands for several devices take the devices' order locks (command-queue.service.ts,
 * rule (f)). One call takes its devices in lock-key order, but a transaction may call several times, and two
 * transactions can then take the same devices in opposite orders: PostgreSQL aborts one of them as a deadlock
 * victim (40P01). The write is run again (writeTransaction): the client never sees the deadlock.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeTransaction } from '../../src/common/write-transaction';
import { CommandQueueService } from '../../src/push/command-queue.service';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { Device, levelId } from '../sync/access-helpers';

let t: TestApp;
let queue: CommandQueueService;
let north: Device;
let south: Device;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  queue = t.app.get(CommandQueueService);
  north = await Device.connect(t, 'ORDERLK001', 2, '10.9.7.1');
  south = await Device.connect(t, 'ORDERLK002', 2, '10.9.7.2');
});
afterAll(async () => {
  await t?.close();
});

/** Resolves once `n` callers have arrived. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return () => {
    if (++arrived >= n) open();
    return opened;
  };
}

/** The two SNs in the order of their order-lock keys (the order one lockForOrder call takes them in). */
async function keyOrder(a: string, b: string): Promise<[string, string]> {
  const [{ first }] = await t.ds.query(`SELECT hashtext($1) <= hashtext($2) AS first`, [a, b]);
  return first ? [a, b] : [b, a];
}

async function queued(sn: string): Promise<string[]> {
  const rows: Array<{ command: string }> = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND command LIKE 'DATA DELETE user Pin=lock%' ORDER BY id`, [sn]);
  return rows.map((r) => r.command);
}

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('order locks taken in opposite orders by two transactions', () => {
  it('both writes commit, each once, in commit order on both devices, though the first attempt of one deadlocks', async () => {
    const a = north.sim.sn;
    const b = south.sim.sn;
    for (let round = 0; round < 3; round++) {
      // Both hold their first device's lock before either asks for its second: a certain cycle on the first attempt.
      const met = barrier(2);
      const attempts = { ab: 0, ba: 0 };
      const write = (name: 'ab' | 'ba', first: string, second: string) =>
        writeTransaction(t.ds, async (m) => {
          attempts[name]++;
          await m.query(`SET LOCAL deadlock_timeout = '100ms'`);
          await queue.enqueue(m, first, [`DATA DELETE user Pin=lock${round}${name}`]);
          if (attempts[name] === 1) await met();
          await queue.enqueue(m, second, [`DATA DELETE user Pin=lock${round}${name}`]);
        });
      await expect(Promise.all([write('ab', a, b), write('ba', b, a)])).resolves.toBeDefined();
      expect(attempts.ab + attempts.ba).toBe(3);
      // The victim ran again after the survivor committed: it comes second on both devices.
      const second = attempts.ab === 2 ? 'ab' : 'ba';
      const first = second === 'ab' ? 'ba' : 'ab';
      const expected = [`DATA DELETE user Pin=lock${round}${first}`, `DATA DELETE user Pin=lock${round}${second}`];
      expect((await queued(a)).slice(-2)).toEqual(expected);
      expect((await queued(b)).slice(-2)).toEqual(expected);
      expect(await queued(a)).toHaveLength(2 * (round + 1));
    }
    await north.since();
    await south.since();
  });

  it('a REST write whose transaction loses a deadlock answers 0: it is run again', async () => {
    const waiting = async () => {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return n as number;
    };
    for (let round = 0; round < 3; round++) {
      const names = [`North${round}`, `South${round}`];
      expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: names.map((name) => ({ name })) })).body.code).toBe(0);
      const ids = [await levelId(t, names[0]), await levelId(t, names[1])];
      // A member of both levels: adding doors plans user and rights commands for them, level by level.
      expect((await t.post('/api/person/add', { pin: `77${round}`, name: `Lock${round}`, accLevelIds: ids.join(',') })).body.code).toBe(0);
      let call!: Promise<HttpResult>;
      // Another writer holds the lock the REST call takes second (its devices' locks go in key order); the call
      // takes its first and waits; then the other writer asks for that first one: a cycle, and the REST call
      // (waiting longer, with the shorter deadlock_timeout) is the victim.
      const [low, high] = await keyOrder(north.sim.sn, south.sim.sn);
      await t.ds.transaction(async (m) => {
        await m.query(`SET LOCAL deadlock_timeout = '10s'`);
        await queue.lockForOrder(m, [high]);
        call = t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: names[0], doorName: '10.9.7.1-1' }, { levelName: names[1], doorName: '10.9.7.2-1' }] });
        for (const end = Date.now() + 20_000; (await waiting()) === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
        expect(await waiting()).toBe(1);
        await queue.lockForOrder(m, [low]);
      });
      expect((await call).body.code).toBe(0);
    }
    await north.since();
    await south.since();
    north.expectAllAcknowledged();
    south.expectAllAcknowledged();
    for (const d of [north, south]) expect(d.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(['770', '771', '772']);
  });
});
