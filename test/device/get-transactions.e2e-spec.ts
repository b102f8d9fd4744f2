/**
 * CVSecurity's Device > Get transactions (Security PUSH 9.1.4, access records): an operator asks a panel for the
 * access records it keeps, those it has not uploaded, all, or those of a period (`DATA QUERY tablename=transaction`),
 * through REST (`POST /api/gateway/devices/{sn}/transactions`) or the console. The panel takes the command at its
 * next poll, posts the records on /iclock/querydata in packets (packcnt/packidx), and answers `ID=..&return=<n>&
 * CMD=DATA`; each record becomes the access event it records, served by /api/transaction/list, once: an event that
 * already came as rtlog, a packet sent again, a command handed out again after a lost reply add nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUSH_SETTINGS } from '../../src/push/push-settings';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import { createOperator, lastSeenLongAgo, signIn } from '../console/console-helpers';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { deliveriesAgeBy } from '../sync/retry-waits';

let t: TestApp;

const page = { pageNo: 1, pageSize: 200 };
const events = async (sn: string) =>
  ((await t.get('/api/transaction/list', page)).body.data as Array<Record<string, unknown>>).filter((e) => e.devSn === sn).map((e) => [e.eventTime, e.logId]).sort((a, b) => Number(a[1]) - Number(b[1]));
const commandRow = async (id: string) =>
  ((await t.ds.query(`SELECT command, state, return_code FROM device_command WHERE id = $1`, [id])) as Array<{ command: string; state: string; return_code: number | null }>)[0];
/** The command as the REST queue (GET /api/gateway/devices/{sn}/commands) lists it. */
const queued = async (sn: string, id: string) =>
  ((await t.get(`/api/gateway/devices/${sn}/commands`, { pageNo: 1, pageSize: 50 })).body.data.data as Array<{ id: string }>).find((c) => c.id === id);
const packets = async (sn: string, cmdId: string) =>
  (
    (await t.ds.query(
      `SELECT count(*)::int AS n, max(pack_cnt)::int AS cnt FROM device_upload WHERE device_sn = $1 AND table_name = 'transaction' AND cmd_id = ANY (SELECT attempt_id::text FROM device_command_attempt WHERE command_id = $2)`,
      [sn, cmdId],
    )) as Array<{ n: number; cnt: number | null }>
  )[0];

async function panel(sn: string, opts: Partial<ConstructorParameters<typeof DeviceSimulator>[0]> = {}): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, queryPackSize: 2, ...opts });
  await sim.connect();
  await sim.pollUntilIdle();
  return sim;
}

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('Get transactions of a panel (DATA QUERY tablename=transaction)', () => {
  it('all: REST → command at the next poll → querydata packets → events in the list, exactly once', async () => {
    const sim = await panel('H2GTX00001');
    await sim.uploadRtlog([{ time: '2026-05-02 08:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 1 }]);
    // The gateway could not be reached meanwhile: these stay on the panel.
    sim.logOffline([
      { time: '2026-05-02 08:05:00', pin: 0, eventaddr: 2, event: 100, inoutstatus: 2, verifytype: 200, index: 2 },
      { time: '2026-05-02 08:06:00', pin: 0, cardno: 2960001, eventaddr: 2, event: 27, inoutstatus: 1, verifytype: 4, index: 3 },
      { time: '2026-05-02 08:07:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 4 },
    ]);
    expect(await events('H2GTX00001')).toEqual([['2026-05-02 08:00:00', 1]]);

    const r = await t.post('/api/gateway/devices/H2GTX00001/transactions', { records: 'all' });
    expect(r.body).toMatchObject({ code: 0, data: { deviceSn: 'H2GTX00001', command: 'DATA QUERY tablename=transaction,fielddesc=*,filter=*' } });
    const id = r.body.data.commandId as string;
    expect((await commandRow(id)).state).toBe('pending');
    expect(await events('H2GTX00001')).toHaveLength(1);

    const got = await sim.pollUntilIdle();
    expect(got.map((c) => c.command)).toEqual(['DATA QUERY tablename=transaction,fielddesc=*,filter=*']);
    // Four records in packets of two: packcnt=2, each packet acknowledged `transaction=2`; Return = 4.
    expect(await packets('H2GTX00001', id)).toEqual({ n: 4, cnt: 2 });
    expect(await commandRow(id)).toMatchObject({ state: 'done', return_code: 4 });
    expect(await events('H2GTX00001')).toEqual([
      ['2026-05-02 08:00:00', 1],
      ['2026-05-02 08:05:00', 2],
      ['2026-05-02 08:06:00', 3],
      ['2026-05-02 08:07:00', 4],
    ]);

    // The panel sends its last packet again (our answer lost on its way): nothing new.
    const again = await sim.uploadAgain();
    expect(again).toMatchObject({ status: 200, body: 'transaction=2' });
    // And the whole table again: still each event once.
    expect((await t.post('/api/gateway/devices/H2GTX00001/transactions', { records: 'all' })).body.code).toBe(0);
    await sim.pollUntilIdle();
    expect(await events('H2GTX00001')).toHaveLength(4);
  });

  it('new: only the records the panel has not uploaded; period: only those of the window, in the panel\'s wall clock', async () => {
    const sim = await panel('H2GTX00002');
    await sim.uploadRtlog([{ time: '2026-05-03 07:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 10 }]);
    sim.logOffline([
      { time: '2026-05-03 07:30:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 11 },
      { time: '2026-05-03 09:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 12 },
      { time: '2026-05-03 11:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 13 },
    ]);
    const p = await t.post('/api/gateway/devices/H2GTX00002/transactions', { records: 'period', startTime: '2026-05-03 08:00:00', endTime: '2026-05-03 10:00:00' });
    expect(p.body).toMatchObject({ code: 0, data: { command: 'DATA QUERY tablename=transaction,fielddesc=*,filter=starttime=2026-05-03 08:00:00\tendtime=2026-05-03 10:00:00' } });
    await sim.pollUntilIdle();
    expect(await commandRow(p.body.data.commandId)).toMatchObject({ state: 'done', return_code: 1 });
    expect(await events('H2GTX00002')).toEqual([
      ['2026-05-03 07:00:00', 10],
      ['2026-05-03 09:00:00', 12],
    ]);

    const n = await t.post('/api/gateway/devices/H2GTX00002/transactions', { records: 'new' });
    expect(n.body.data.command).toBe('DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord');
    await sim.pollUntilIdle();
    // The rtlog event was uploaded, so it is no new record: the three kept offline come (one of them held already).
    expect(await commandRow(n.body.data.commandId)).toMatchObject({ state: 'done', return_code: 3 });
    expect((await events('H2GTX00002')).map((e) => e[1])).toEqual([10, 11, 12, 13]);
  });

  it('a lost reply: the command is handed out again and its records stored once', async () => {
    const sim = await panel('H2GTX00003');
    sim.logOffline([
      { time: '2026-05-04 10:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 20 },
      { time: '2026-05-04 10:01:00', pin: 0, eventaddr: 2, event: 8, inoutstatus: 2, verifytype: 200, index: 21 },
      { time: '2026-05-04 10:02:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 22 },
    ]);
    const r = await t.post('/api/gateway/devices/H2GTX00003/transactions', { records: 'all' });
    sim.loseNextReply();
    expect(await sim.poll()).toEqual([]);
    expect(sim.lostReplies).toHaveLength(1);
    expect((await commandRow(r.body.data.commandId)).state).toBe('sent');
    expect(await events('H2GTX00003')).toEqual([]);
    await deliveriesAgeBy(t, 'H2GTX00003', t.app.get(PUSH_SETTINGS).lostReplyMs);
    await sim.pollUntilIdle();
    expect(await commandRow(r.body.data.commandId)).toMatchObject({ state: 'done', return_code: 3 });
    expect((await events('H2GTX00003')).map((e) => e[1])).toEqual([20, 21, 22]);
  });

  it('a panel that refuses the command: failed with its Return, nothing stored, not asked again', async () => {
    const sim = await panel('H2GTX00004');
    sim.logOffline([{ time: '2026-05-05 10:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 30 }]);
    sim.failCommands((c) => c.verb === 'DATA QUERY' && c.table === 'transaction', -1002, 'always');
    const r = await t.post('/api/gateway/devices/H2GTX00004/transactions', { records: 'new' });
    expect(r.body.code).toBe(0);
    const got = await sim.pollUntilIdle();
    expect(got.map((c) => c.command)).toEqual(['DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord']);
    expect(await commandRow(r.body.data.commandId)).toMatchObject({ state: 'failed', return_code: -1002 });
    expect(await sim.pollUntilIdle()).toEqual([]);
    expect(await events('H2GTX00004')).toEqual([]);
  });

  it('a packet lost and never sent again: the Return counts more records than came, so the panel is asked once more', async () => {
    const sim = await panel('H1GTX00001');
    sim.logOffline([1, 2, 3, 4, 5].map((i) => ({ time: `2026-05-08 10:0${i}:00`, pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 60 + i })));
    // Five records in packets of two: the second packet (records 63, 64) never reaches the gateway.
    sim.loseQueryPackets('transaction', 2);
    const r = await t.post('/api/gateway/devices/H1GTX00001/transactions', { records: 'all' });
    const id = r.body.data.commandId as string;
    const got = await sim.pollUntilIdle();
    expect(sim.lostPackets.map((p) => [p.packidx, p.packcnt])).toEqual([[2, 3]]);
    // Asked twice: the operator's command, then the same query once its Return (5) counted more than came (3).
    expect(got.map((c) => c.command)).toEqual(['DATA QUERY tablename=transaction,fielddesc=*,filter=*', 'DATA QUERY tablename=transaction,fielddesc=*,filter=*']);
    const [again]: Array<{ id: string }> = await t.ds.query(`SELECT id::text AS id FROM device_command WHERE device_sn = 'H1GTX00001' AND id > $1::bigint`, [id]);
    expect(await commandRow(id)).toMatchObject({ state: 'done', return_code: 5 });
    expect(await queued('H1GTX00001', id)).toMatchObject({ state: 'done', returnCode: 5, error: `2 of the 5 records its Return counts did not come; asked again: command ${again.id}` });
    expect(await commandRow(again.id)).toMatchObject({ state: 'done', return_code: 5 });
    expect((await t.ds.query(`SELECT error FROM device_command WHERE id = $1::bigint`, [again.id]))[0].error).toBeNull();
    expect((await events('H1GTX00001')).map((e) => e[1])).toEqual([61, 62, 63, 64, 65]);
  });

  it('new records: the lost packet\'s records are still new to the panel, and the second ask brings them', async () => {
    const sim = await panel('H1GTX00002');
    sim.logOffline([1, 2, 3, 4].map((i) => ({ time: `2026-05-09 10:0${i}:00`, pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 70 + i })));
    sim.loseQueryPackets('transaction', 1);
    const r = await t.post('/api/gateway/devices/H1GTX00002/transactions', { records: 'new' });
    const got = await sim.pollUntilIdle();
    expect(got.map((c) => c.command)).toEqual([
      'DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord',
      'DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord',
    ]);
    expect(await commandRow(r.body.data.commandId)).toMatchObject({ state: 'done', return_code: 4 });
    const rows: Array<{ return_code: number; error: string | null; ref: unknown }> = await t.ds.query(
      `SELECT return_code, error, ref FROM device_command WHERE device_sn = 'H1GTX00002' AND command LIKE 'DATA QUERY tablename=transaction%' ORDER BY id`,
    );
    // The second ask answers the two the panel never got to the gateway, all of them: nothing more is asked.
    expect(rows.map((c) => [c.return_code, c.error, c.ref])).toEqual([
      [4, expect.stringMatching(/^2 of the 4 records its Return counts did not come; asked again: command \d+$/), { getTransactions: 1 }],
      [2, null, { getTransactions: 2, of: r.body.data.commandId }],
    ]);
    expect((await events('H1GTX00002')).map((e) => e[1])).toEqual([71, 72, 73, 74]);
  });

  it('a panel that loses a packet at every ask: asked three times in all, then the shortfall is written on the last command and the log', async () => {
    const sim = await panel('H1GTX00003');
    sim.logOffline([1, 2, 3].map((i) => ({ time: `2026-05-10 10:0${i}:00`, pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 80 + i })));
    sim.loseQueryPackets('transaction', 2, 'always');
    const r = await t.post('/api/gateway/devices/H1GTX00003/transactions', { records: 'period', startTime: '2026-05-10 00:00:00', endTime: '2026-05-10 23:59:59' });
    const got = await sim.pollUntilIdle();
    expect(got).toHaveLength(3);
    expect(await sim.pollUntilIdle()).toEqual([]);
    const rows: Array<{ id: string; state: string; return_code: number; error: string | null }> = await t.ds.query(
      `SELECT id::text AS id, state, return_code, error FROM device_command WHERE device_sn = 'H1GTX00003' AND command LIKE 'DATA QUERY tablename=transaction%' ORDER BY id`,
    );
    expect(rows[0].id).toBe(r.body.data.commandId);
    expect(rows.map((c) => [c.state, c.return_code, c.error])).toEqual([
      ['done', 3, `1 of the 3 records its Return counts did not come; asked again: command ${rows[1].id}`],
      ['done', 3, `1 of the 3 records its Return counts did not come; asked again: command ${rows[2].id}`],
      ['done', 3, '1 of the 3 records its Return counts did not come, after 3 asks: ask again for all its records or a period'],
    ]);
    expect((await events('H1GTX00003')).map((e) => e[1])).toEqual([81, 82]);
  });

  it('a panel holding no records of what was asked answers Return 0 with no packet: done, 0 records, not asked again', async () => {
    const sim = await panel('H1GTX00004');
    sim.logOffline([{ time: '2026-05-11 10:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 90 }]);
    const r = await t.post('/api/gateway/devices/H1GTX00004/transactions', { records: 'period', startTime: '2026-05-12 00:00:00', endTime: '2026-05-12 23:59:59' });
    const uploads = sim.uploads.length;
    expect((await sim.pollUntilIdle()).map((c) => c.command)).toHaveLength(1);
    expect(sim.uploads.slice(uploads).filter((u) => u.path === '/iclock/querydata')).toEqual([]);
    expect(await commandRow(r.body.data.commandId)).toMatchObject({ state: 'done', return_code: 0 });
    expect(await queued('H1GTX00004', r.body.data.commandId)).toMatchObject({ state: 'done', returnCode: 0, returnMeaning: 'Successful', error: null });
    expect(await events('H1GTX00004')).toEqual([]);
  });

  it('a panel answering -1 (Appendix 1: failed to send the command): failed, with what -1 does and does not mean; not asked again', async () => {
    const sim = await panel('H1GTX00005');
    sim.failCommands((c) => c.verb === 'DATA QUERY' && c.table === 'transaction', -1);
    const r = await t.post('/api/gateway/devices/H1GTX00005/transactions', { records: 'new' });
    expect((await sim.pollUntilIdle()).map((c) => c.command)).toHaveLength(1);
    expect(await sim.pollUntilIdle()).toEqual([]);
    const meaning = 'Failed to send the command (Appendix 1): the panel sent no records. Not "no records": a panel holding none of what was asked answers Return 0. Ask again, or for a period';
    expect(await queued('H1GTX00005', r.body.data.commandId)).toMatchObject({ state: 'failed', returnCode: -1, returnMeaning: meaning, error: `Return -1: ${meaning}` });
  });

  it('a channel controller is asked the same way: its records are entrance-control events', async () => {
    const gate = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'H2GTXPSG01', gates: 1 });
    await gate.connect();
    await gate.pollUntilIdle();
    gate.logOffline([{ time: '2026-05-07 09:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 50 }]);
    const r = await t.post('/api/gateway/devices/H2GTXPSG01/transactions', { records: 'all' });
    expect(r.body.code).toBe(0);
    await gate.pollUntilIdle();
    expect(await commandRow(r.body.data.commandId)).toMatchObject({ state: 'done', return_code: 1 });
    const psg = ((await t.get('/api/psgTransaction/list', page)).body.data as Array<Record<string, unknown>>).filter((e) => e.devSn === 'H2GTXPSG01');
    expect(psg.map((e) => [e.eventTime, e.logId])).toEqual([['2026-05-07 09:00:00', 50]]);
    expect(await events('H2GTXPSG01')).toEqual([]);
  });

  it('refuses with a clear negative code: unknown SN, offline panel, attendance terminal, bad records or period', async () => {
    const sim = await panel('H2GTX00005');
    const ask = (sn: string, body: Record<string, unknown>) => t.post(`/api/gateway/devices/${sn}/transactions`, body).then((r) => [r.status, r.body.code, r.body.message]);
    expect(await ask('H2GTXNONE', { records: 'new' })).toEqual([200, -404, 'Device does not exist: H2GTXNONE']);
    expect((await ask('H2GTX00005', { records: 'some' }))[1]).toBe(-400);
    expect((await ask('H2GTX00005', {}))[1]).toBe(-400);
    expect((await ask('H2GTX00005', { records: 'all', startTime: '2026-05-01 00:00:00' }))[1]).toBe(-400);
    expect((await ask('H2GTX00005', { records: 'period', startTime: '2026-05-01', endTime: 'yesterday' }))[1]).toBe(-100);
    expect((await ask('H2GTX00005', { records: 'period', endTime: '2026-05-01 00:00:00' }))[1]).toBe(-100);
    expect((await ask('H2GTX00005', { records: 'period', startTime: '2026-05-02 00:00:00', endTime: '2026-05-01 00:00:00' }))[1]).toBe(-101);
    const term = await initialisedTerminal(t, { sn: 'H2GTXATT01' });
    expect(term).toBeTruthy();
    const att = await ask('H2GTXATT01', { records: 'all' });
    expect(att.slice(0, 2)).toEqual([200, -409]);
    expect(att[2]).toContain('/api/gateway/attendance/terminals/H2GTXATT01/recover');
    await lastSeenLongAgo(t, 'H2GTX00005');
    expect(await ask('H2GTX00005', { records: 'all' })).toEqual([200, -1, 'Device H2GTX00005 is offline: the command was not sent']);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn IN ('H2GTX00005', 'H2GTXATT01') AND command LIKE 'DATA QUERY tablename=transaction%'`);
    expect(n).toBe(0);
    expect(sim.sn).toBe('H2GTX00005');
  });

  it('the console: an operator asks, audited with what was asked; a viewer may not; the period must end by now', async () => {
    const sim = await panel('H2GTX00006');
    sim.logOffline([{ time: '2026-05-06 10:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 40 }]);
    await createOperator(t, 'h2oper', 'operator', 'h2oper-password-1');
    await createOperator(t, 'h2view', 'viewer', 'h2view-password-1');
    const op = await signIn(t, 'h2oper', 'h2oper-password-1');
    const viewer = await signIn(t, 'h2view', 'h2view-password-1');
    expect((await viewer.call('POST', 'devices/H2GTX00006/transactions', { records: 'all' })).status).toBe(403);
    const future = await op.call('POST', 'devices/H2GTX00006/transactions', { records: 'period', startTime: '2026-05-06 00:00:00', endTime: '2999-01-01 00:00:00' });
    expect(future.body.code).toBe(-400);
    const r = await op.call('POST', 'devices/H2GTX00006/transactions', { records: 'period', startTime: '2026-05-06 00:00:00', endTime: '2026-05-06 23:59:59' });
    expect(r.body).toMatchObject({ code: 0, data: { deviceSn: 'H2GTX00006', command: 'DATA QUERY tablename=transaction,fielddesc=*,filter=starttime=2026-05-06 00:00:00\tendtime=2026-05-06 23:59:59' } });
    await sim.pollUntilIdle();
    expect(await events('H2GTX00006')).toEqual([['2026-05-06 10:00:00', 40]]);
    const audit: Array<{ operator: string; target: string; outcome: string }> = await t.ds.query(
      `SELECT operator, target, outcome FROM console_audit WHERE action = 'device.getTransactions' AND operator IN ('h2oper', 'h2view') ORDER BY id`,
    );
    expect(audit.map((a) => [a.operator, a.target, a.outcome])).toEqual([
      ['h2view', 'H2GTX00006 all', expect.stringMatching(/denied|forbidden|refused/i)],
      ['h2oper', 'H2GTX00006 period 2026-05-06 00:00:00 - 2999-01-01 00:00:00', expect.any(String)],
      ['h2oper', 'H2GTX00006 period 2026-05-06 00:00:00 - 2026-05-06 23:59:59', expect.any(String)],
    ]);
  });
});
