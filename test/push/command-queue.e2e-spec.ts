import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandQueueService } from '../../src/push/command-queue.service';
import { dataCount, dataDelete, dataQuery, dataUpdateUser, openDoor, ProtocolValueError, returnMeaning } from '../../src/push/protocol';
import { defaultPushSettings } from '../../src/push/push-settings';
import { parsePushCenterConfig } from '../../src/pushCenter/push-center.config';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { deliveriesAgeBy } from '../sync/retry-waits';
import { commandsOf, connectedSim, countQueries, enqueue, notifiesLanded, pollQueries, settingsOf } from './push-helpers';

let t: TestApp;
beforeAll(async () => {
  // No Push Center pass and no planner-statistics pass during this file (their queries would land in the
  // idle-poll counts below).
  t = await startTestApp({ pushCenter: { ...parsePushCenterConfig({}), pollMs: 60_000 }, statsRefreshMs: 0 });
});

/** Background work a registration started (the reconciler's pass for the new device) is over. */
const settled = () => t.app.get(SyncReconciler).idle();
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  Object.assign(settingsOf(t), defaultPushSettings(), { lastSeenFlushMs: 3_600_000 });
});

const user = (pin: number, name = `User ${pin}`) => dataUpdateUser({ pin, name, cardNo: '', privilege: 0 });

describe('delivery', () => {
  it('hands out queued commands in order, several per reply, and marks each done on its acknowledgement', async () => {
    const sim = await connectedSim(t, { sn: 'Q-ORDER' });
    const cmds = [user(1), user(2), dataDelete('userauthorize', { Pin: 3 }), user(4), openDoor(1, 5)];
    await enqueue(t, sim.sn, cmds);
    const got = await sim.poll();
    expect(got.map((c) => c.command)).toEqual(cmds);
    // One reply, one CmdID per command, in queue order.
    expect(new Set(got.map((c) => c.id)).size).toBe(5);
    expect(got.map((c) => Number(c.id))).toEqual([...got.map((c) => Number(c.id))].sort((a, b) => a - b));
    expect(sim.user(1)?.Name).toBe('User 1');
    const rows = await commandsOf(t, sim.sn);
    expect(rows.map((r) => [r.command, r.state, r.return_code, r.attempts, r.attempt_id])).toEqual(
      got.map((c) => [c.command, 'done', 0, 1, c.id]),
    );
    expect(await sim.poll()).toEqual([]);
  });

  it('keeps a reply within the byte budget and the count limit, and the rest for the next polls', async () => {
    const sim = await connectedSim(t, { sn: 'Q-BUDGET' });
    Object.assign(settingsOf(t), { replyByteBudget: 200, maxCommandsPerReply: 3 });
    const cmds = Array.from({ length: 8 }, (_, i) => user(100 + i, `Budget ${i} ${'x'.repeat(20)}`));
    await enqueue(t, sim.sn, cmds);
    const sizes: number[] = [];
    const all: string[] = [];
    for (let i = 0; i < 10; i++) {
      const got = await sim.poll();
      if (got.length === 0) break;
      sizes.push(got.length);
      all.push(...got.map((c) => c.command));
      const reply = sim.exchanges.filter((e) => e.path === '/iclock/getrequest').at(-1)!.responseBody!;
      expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(200 + 100);
    }
    expect(all).toEqual(cmds);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.length).toBeGreaterThan(2);
  });

  it('sends a command larger than the budget alone rather than stalling the queue', async () => {
    const sim = await connectedSim(t, { sn: 'Q-BIG' });
    Object.assign(settingsOf(t), { replyByteBudget: 100 });
    const big = user(7, 'N'.repeat(300));
    await enqueue(t, sim.sn, [big, user(8)]);
    expect((await sim.poll()).map((c) => c.command)).toEqual([big]);
    expect((await sim.poll()).map((c) => c.command)).toEqual([user(8)]);
  });

  it('wraps commands for a device registered with CmdFormat=1 (Appendix 14)', async () => {
    const sim = await connectedSim(t, { sn: 'Q-WRAP', cmdFormat: 1 });
    await enqueue(t, sim.sn, [user(9)]);
    const got = await sim.poll();
    expect(got).toHaveLength(1);
    expect(got[0].line).toMatch(new RegExp(`^DataType=1,SN=Q-WRAP,Priority=0,CmdID=${got[0].id},CmdDesc=C:${got[0].id}:DATA UPDATE user`));
    expect((await commandsOf(t, sim.sn))[0].state).toBe('done');
  });

  it('refuses a command text that would inject a second command, before writing anything', async () => {
    const queue = t.app.get(CommandQueueService);
    await expect(t.ds.transaction((m) => queue.enqueue(m, 'Q-INJECT', ['DATA UPDATE user Pin=1\nC:99:CONTROL DEVICE 03000000']))).rejects.toBeInstanceOf(
      ProtocolValueError,
    );
    expect(await commandsOf(t, 'Q-INJECT')).toEqual([]);
  });
});

describe('results', () => {
  it('fails a command with the device Return code and keeps going with the next', async () => {
    const sim = await connectedSim(t, {
      sn: 'Q-FAIL',
      resultFor: (c) => (c.verb === 'DATA UPDATE' && c.text.includes('Pin=666') ? -12 : undefined),
    });
    await enqueue(t, sim.sn, [user(665), user(666), user(667)]);
    await sim.pollUntilIdle();
    const rows = await commandsOf(t, sim.sn);
    expect(rows.map((r) => [r.state, r.return_code])).toEqual([
      ['done', 0],
      ['failed', -12],
      ['done', 0],
    ]);
    expect(rows[1].error).toBe(`Return -12: ${returnMeaning(-12)}`);
    const api = await t.get(`/api/gateway/devices/${sim.sn}/commands`, { state: 'failed' });
    expect(api.body.code).toBe(0);
    expect(api.body.data.total).toBe(1);
    expect(api.body.data.data[0]).toMatchObject({ state: 'failed', returnCode: -12, returnMeaning: returnMeaning(-12), attempts: 1, cmdId: rows[1].attempt_id });
    expect(returnMeaning(-12)).toEqual(expect.any(String));
  });

  it.each([
    ['batched', { replyForm: 'batched' as const }],
    ['multi-line', { replyForm: 'multiline' as const }],
    ['lower-case return', { returnCase: 'return' as const, replyForm: 'batched' as const }],
  ])('reads %s results', async (name, opts) => {
    const sim = await connectedSim(t, { sn: `Q-FORM-${name.replace(/\W/g, '')}`, ...opts });
    await enqueue(t, sim.sn, [user(11), user(12), user(13)]);
    await sim.poll();
    const body = sim.exchanges.filter((e) => e.path === '/iclock/devicecmd').at(-1)!.requestBody!;
    if (opts.replyForm === 'multiline') expect(body).toMatch(/^ID=\d+\n[Rr]eturn=0\nCMD=/);
    else expect(body.split('\n').filter((l) => l.startsWith('ID=')).length).toBe(3);
    expect((await commandsOf(t, sim.sn)).map((r) => r.state)).toEqual(['done', 'done', 'done']);
  });

  it('counts a positive Return of DATA QUERY and DATA COUNT as a record count, not a failure', async () => {
    const sim = await connectedSim(t, { sn: 'Q-COUNT' });
    await enqueue(t, sim.sn, [user(21), user(22)]);
    await sim.pollUntilIdle();
    await enqueue(t, sim.sn, [dataCount('user'), dataQuery({ table: 'user' })]);
    await sim.pollUntilIdle();
    const rows = await commandsOf(t, sim.sn);
    expect(rows.slice(2).map((r) => [r.state, r.return_code])).toEqual([
      ['done', 2],
      ['done', 2],
    ]);
    // The query's records arrived on /iclock/querydata with the command id and packet numbers.
    const uploads = await t.ds.query(`SELECT pin, cmd_id, pack_cnt, pack_idx FROM device_upload WHERE device_sn = $1 AND table_name = 'user' ORDER BY pin`, [sim.sn]);
    expect(uploads).toEqual([
      { pin: '21', cmd_id: rows[3].attempt_id, pack_cnt: 1, pack_idx: 1 },
      { pin: '22', cmd_id: rows[3].attempt_id, pack_cnt: 1, pack_idx: 1 },
    ]);
  });

  it('rejects a result line without Return: the command stays unacknowledged', async () => {
    const sim = await connectedSim(t, { sn: 'Q-NORETURN', autoAck: false });
    await enqueue(t, sim.sn, [user(31)]);
    const [c] = await sim.poll();
    const r = await sim.uploadRaw('/iclock/devicecmd', {}, `ID=${c.id}&CMD=DATA\n`);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const r2 = await sim.uploadRaw('/iclock/devicecmd', {}, `ID=${c.id}&Return=zero&CMD=DATA\n`);
    expect([r2.status, r2.body]).toEqual([200, 'OK']);
    expect((await commandsOf(t, sim.sn))[0]).toMatchObject({ state: 'sent', return_code: null });
  });

  it('ignores unknown ids and ids of another device', async () => {
    const a = await connectedSim(t, { sn: 'Q-OWNER', autoAck: false });
    const b = await connectedSim(t, { sn: 'Q-OTHER' });
    await enqueue(t, a.sn, [user(41)]);
    const [c] = await a.poll();
    expect((await b.uploadRaw('/iclock/devicecmd', {}, `ID=${c.id}&Return=0&CMD=DATA\nID=999999999&Return=0&CMD=DATA`)).body).toBe('OK');
    expect((await commandsOf(t, a.sn))[0].state).toBe('sent');
    await a.flushAcks();
    expect((await commandsOf(t, a.sn))[0].state).toBe('done');
  });
});

describe('retries', () => {
  it('offers an unacknowledged command again after the timeout under a new CmdID, then fails it after the last attempt', async () => {
    // A timeout the test's pace never reaches by itself (a loaded machine included): the delivery ages past it.
    Object.assign(settingsOf(t), { ackTimeoutMs: 60_000, lostReplyMs: 0, maxAttempts: 2 });
    const sim = await connectedSim(t, { sn: 'Q-RETRY', autoAck: false });
    await enqueue(t, sim.sn, [user(51)]);
    const [first] = await sim.poll();
    // Not offered again before the timeout.
    expect(await sim.poll()).toEqual([]);
    await deliveriesAgeBy(t, sim.sn, 60_000);
    const [second] = await sim.poll();
    expect(second.command).toBe(first.command);
    expect(second.id).not.toBe(first.id);
    let rows = await commandsOf(t, sim.sn);
    expect(rows[0]).toMatchObject({ state: 'sent', attempts: 2, attempt_id: second.id });
    await deliveriesAgeBy(t, sim.sn, 60_000);
    expect(await sim.poll()).toEqual([]);
    rows = await commandsOf(t, sim.sn);
    expect(rows[0]).toMatchObject({ state: 'failed', attempts: 2, return_code: null });
    expect(rows[0].error).toMatch(/no result/);
  });

  it('completes a command when the result of a superseded attempt arrives late', async () => {
    Object.assign(settingsOf(t), { ackTimeoutMs: 300, maxAttempts: 3 });
    const sim = await connectedSim(t, { sn: 'Q-LATE', autoAck: false });
    await enqueue(t, sim.sn, [user(61)]);
    const [first] = await sim.poll();
    await deliveriesAgeBy(t, sim.sn, 300);
    const [second] = await sim.poll();
    expect(second.id).not.toBe(first.id);
    await sim.uploadRaw('/iclock/devicecmd', {}, `ID=${first.id}&Return=0&CMD=DATA`);
    expect((await commandsOf(t, sim.sn))[0]).toMatchObject({ state: 'done', return_code: 0 });
  });
});

describe('the work signal', () => {
  it('answers idle polls without any database query', async () => {
    const sim = await connectedSim(t, { sn: 'Q-IDLE' });
    await enqueue(t, sim.sn, [user(71)]);
    await sim.pollUntilIdle();
    await settled();
    // The enqueue's NOTIFY also comes back to this process (it LISTENs like every other), and on a loaded
    // machine it can arrive after the poll that delivered the command: it raises the flag once more, and the
    // next poll looks at the queue (rightly: a NOTIFY means "maybe work"). Let that echo land and be taken.
    await notifiesLanded(t);
    await sim.poll();
    const { queries } = await countQueries(async () => {
      for (let i = 0; i < 20; i++) expect((await sim.poll()).map((c) => c.line)).toEqual([]);
    });
    // The periodic last-seen flush and the LISTEN heartbeat may fall inside the window; they are no poll's queries.
    expect(pollQueries(queries)).toEqual([]);
    // The counter does see the queries of a busy poll.
    await enqueue(t, sim.sn, [user(72)]);
    const busy = await countQueries(() => sim.poll());
    expect(busy.result).toHaveLength(1);
    expect(busy.queries.length).toBeGreaterThan(0);
  });

  it('does not fire for a rolled-back transaction, and no command survives it', async () => {
    const sim = await connectedSim(t, { sn: 'Q-ROLLBACK' });
    await sim.pollUntilIdle();
    await settled();
    const queue = t.app.get(CommandQueueService);
    await expect(
      t.ds.transaction(async (m) => {
        await queue.enqueue(m, sim.sn, [user(81)]);
        throw new Error('the domain write failed');
      }),
    ).rejects.toThrow('the domain write failed');
    const { queries } = await countQueries(() => sim.poll());
    // No claim of commands: the signal did not fire. The device row may be read again (CI saw it on a machine at
    // load 10: the guard's cache dropped by a LISTEN reconnect); that read is the guard's, not the queue's.
    expect(pollQueries(queries).filter((q) => !/ FROM device WHERE sn = \$1$/.test(q))).toEqual([]);
    expect(await commandsOf(t, sim.sn)).toEqual([]);
    expect(sim.received).toHaveLength(0);
  });

  it('signals only after the commit, and a savepoint rolled back inside a committed transaction queues nothing', async () => {
    const sim = await connectedSim(t, { sn: 'Q-SAVEPOINT' });
    const queue = t.app.get(CommandQueueService);
    await t.ds.transaction(async (m) => {
      await queue.enqueue(m, sim.sn, [user(91)]);
      await m
        .transaction(async (inner) => {
          await queue.enqueue(inner, sim.sn, [user(92)]);
          throw new Error('inner');
        })
        .catch(() => undefined);
    });
    const got = await sim.pollUntilIdle();
    expect(got.map((c) => c.command)).toEqual([user(91)]);
  });

  it('lists the queue of a device for operators, and refuses an unknown SN', async () => {
    const api = await t.get('/api/gateway/devices/Q-ORDER/commands', { pageNo: 1, pageSize: 2 });
    expect(api.body.code).toBe(0);
    expect(api.body.data).toMatchObject({ page: 0, size: 2, total: 5, offset: 0, lastPage: false });
    expect(api.body.data.data).toHaveLength(2);
    expect(api.body.data.data[0]).toMatchObject({ state: 'done', returnCode: 0, returnMeaning: 'Successful', attempts: 1 });
    expect(api.body.data.data[0].sentAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const missing = await t.get('/api/gateway/devices/NOPE/commands');
    expect(missing.body.code).toBeLessThan(0);
    const unauth = await t.request('GET', '/api/gateway/devices/Q-ORDER/commands');
    expect(unauth.status).toBe(401);
  });
});
