/**
 * Writes add their records to a device's pending commands instead of queueing more (src/sync/pending-append.ts),
 * and the queue's order lock: a second writer for a device inserts only after the first has committed, so a
 * device gets its commands in commit order.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CommandQueueService } from '../../src/push/command-queue.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let queue: CommandQueueService;
let panel: Device;
let front: string;

const SN = 'APPEND0001';

async function pendingCommands(): Promise<Array<{ id: string; command: string; ref: { put?: unknown[] } | null }>> {
  return t.ds.query(`SELECT id::text AS id, command, ref FROM device_command WHERE device_sn = $1 AND state = 'pending' ORDER BY id`, [SN]);
}

async function confirmedUsers(): Promise<string[]> {
  const rows: Array<{ key: string }> = await t.ds.query(
    `SELECT s.key FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'user' AND s.hash IS NOT NULL ORDER BY s.key`,
    [SN],
  );
  return rows.map((r) => r.key);
}

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  queue = t.app.get(CommandQueueService);
  panel = await Device.connect(t, SN, 2, '10.9.4.1');
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Append' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Append', doorName: '10.9.4.1-1' }] })).body.code).toBe(0);
  front = await levelId(t, 'Append');
  await panel.since();
});
afterAll(async () => {
  await t?.close();
});

describe('records of later writes go into pending commands', () => {
  it('three person/add before a poll cost the panel one user and one userauthorize command, and all three are confirmed', async () => {
    for (const pin of ['701', '702', '703']) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: front })).body.code).toBe(0);
    const pending = await pendingCommands();
    expect(pending.map((c) => c.command.split(' ').slice(0, 3).join(' '))).toEqual(['DATA UPDATE user', 'DATA UPDATE userauthorize']);
    expect(pending[0].command.split('\n')).toHaveLength(3);
    expect(pending[0].ref?.put).toHaveLength(3);
    // The summary beside each ref (src/push/command-ref-summary.ts) follows the appends: the keys of every record,
    // the ref's flags without its item lists.
    const summaries: Array<{ meta: Record<string, unknown>; keys: string[]; ref: Record<string, unknown> }> = await t.ds.query(
      `SELECT meta, keys, ref FROM device_command WHERE device_sn = $1 AND state = 'pending' ORDER BY id`,
      [SN],
    );
    for (const { meta, keys, ref } of summaries) {
      expect(keys).toEqual(['701', '702', '703']);
      expect(meta).toEqual({ sync: 1, plan: ref.plan, kind: ref.kind, put: true, appended: true });
    }
    // So does the size kept beside each text (the tail's look counts nothing): its records and UTF-8 bytes.
    const sizes: Array<{ records: number; bytes: number; lines: number; octets: number }> = await t.ds.query(
      `SELECT records, bytes, array_length(string_to_array(command, E'\n'), 1) AS lines, octet_length(command) AS octets
         FROM device_command WHERE device_sn = $1 AND state = 'pending' ORDER BY id`,
      [SN],
    );
    expect(sizes.map((z) => [z.records, z.bytes])).toEqual(sizes.map((z) => [3, z.octets]));
    expect(sizes.map((z) => z.lines)).toEqual([3, 3]);
    const got = await panel.since();
    expect(got).toHaveLength(2);
    panel.expectAllAcknowledged();
    expect(panel.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(['701', '702', '703']);
    expect(panel.sim.table('userauthorize').map((u) => String(u.Pin)).sort()).toEqual(['701', '702', '703']);
    expect(await confirmedUsers()).toEqual(['701', '702', '703']);
  });

  it('a pending delete is never overtaken: records of a later write about other pins queue after it as new commands', async () => {
    expect((await t.post('/api/person/add', { pin: '704', name: 'P704', accLevelIds: front })).body.code).toBe(0);
    expect((await t.post('/api/person/delete/701')).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '705', name: 'P705', accLevelIds: front })).body.code).toBe(0);
    const pending = await pendingCommands();
    const pinsOf = (c: { command: string }) => [...c.command.matchAll(/\bPin=(\w+)/gi)].map((x) => x[1]).join(',');
    const heads = pending.map((c) => `${c.command.split(' ').slice(0, 3).join(' ')} ${pinsOf(c)}`);
    // 704's two commands, 701's removal, then 705's own two commands (not folded into 704's, ahead of the removal).
    expect(heads.slice(0, 2)).toEqual(['DATA UPDATE user 704', 'DATA UPDATE userauthorize 704']);
    expect(heads.slice(-2)).toEqual(['DATA UPDATE user 705', 'DATA UPDATE userauthorize 705']);
    expect(pending[0].command.split('\n')).toHaveLength(1);
    await panel.since();
    panel.expectAllAcknowledged();
    expect(panel.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(['702', '703', '704', '705']);
    expect(await confirmedUsers()).toEqual(['702', '703', '704', '705']);
  });

  it('a write about a pin already in a pending command queues its own commands after it (the later value wins on the panel)', async () => {
    expect((await t.post('/api/person/add', { pin: '706', name: 'First', accLevelIds: front })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '706', name: 'Second', accLevelIds: front })).body.code).toBe(0);
    const users = (await pendingCommands()).filter((c) => c.command.startsWith('DATA UPDATE user '));
    expect(users.map((c) => c.command.split('\n').length)).toEqual([1, 1]);
    await panel.since();
    expect(panel.sim.table('user').find((u) => String(u.Pin) === '706')?.Name).toBe('Second');
  });

  it('a command already delivered takes nothing more: the next write queues new commands', async () => {
    expect((await t.post('/api/person/add', { pin: '707', name: 'P707', accLevelIds: front })).body.code).toBe(0);
    panel.sim.holdResults();
    await panel.sim.poll();
    expect((await t.post('/api/person/add', { pin: '708', name: 'P708', accLevelIds: front })).body.code).toBe(0);
    const sent: Array<{ command: string }> = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND state = 'sent'`, [SN]);
    expect(sent.every((c) => !c.command.includes('708'))).toBe(true);
    panel.sim.stopHoldingResults();
    await panel.sim.releaseResults();
    await panel.since();
    expect(await confirmedUsers()).toEqual(expect.arrayContaining(['707', '708']));
  });
});

describe('templates of persons the panel holds', () => {
  const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');

  it('template adds before a poll go into one biodata command, a second finger of a pin already in it after it; each is confirmed', async () => {
    const pins = ['721', '722', '723', '724'];
    for (const pin of pins) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: front })).body.code).toBe(0);
    await panel.since();
    for (const pin of pins) expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger(`${pin} a`), templateNo: '1' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '721', validType: '1', template: finger('721 b'), templateNo: '2' })).body.code).toBe(0);
    const pending = await pendingCommands();
    // The second finger of 721 follows the command that carries its first: its own command, after it.
    expect(pending.map((c) => [c.command.split(' ').slice(0, 3).join(' '), c.command.split('\n').length])).toEqual([
      ['DATA UPDATE biodata', 4],
      ['DATA UPDATE biodata', 1],
    ]);
    await panel.since();
    panel.expectAllAcknowledged();
    const held = panel.sim.table('biodata').map((r) => `${r.Pin}.${r.No}`).sort();
    expect(held).toEqual(['721.1', '721.2', '722.1', '723.1', '724.1']);
    const confirmed: Array<{ key: string }> = await t.ds.query(
      `SELECT s.key FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'bio' AND s.hash IS NOT NULL ORDER BY s.key`,
      [SN],
    );
    expect(confirmed.map((r) => r.key)).toEqual(pins);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
  });

  it('persons saved, then given templates, before a poll: the templates go into one command after their users', async () => {
    const pins = ['731', '732', '733'];
    for (const pin of pins) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: front })).body.code).toBe(0);
    for (const pin of pins) expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger(`${pin} a`), templateNo: '1' })).body.code).toBe(0);
    // A person saved again after their template: its records go after the template's command, not into the user command before it.
    expect((await t.post('/api/person/add', { pin: '731', name: 'P731 b', accLevelIds: front })).body.code).toBe(0);
    const pending = await pendingCommands();
    expect(pending.map((c) => [c.command.split(' ').slice(0, 3).join(' '), c.command.split('\n').length])).toEqual([
      ['DATA UPDATE user', 3],
      ['DATA UPDATE userauthorize', 3],
      ['DATA UPDATE biodata', 3],
      ['DATA UPDATE user', 1],
    ]);
    await panel.since();
    panel.expectAllAcknowledged();
    expect(panel.sim.table('biodata').filter((r) => pins.includes(String(r.Pin)))).toHaveLength(3);
    expect(panel.sim.user('731')).toMatchObject({ Name: 'P731 b' });
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
  });
});

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('order lock: commands reach a device in commit order', () => {
  it('a second writer for the device waits for the first to commit before it inserts (its ids follow the first commit)', async () => {
    await panel.since();
    const first = t.ds.createQueryRunner();
    await first.connect();
    await first.startTransaction();
    try {
      await queue.enqueue(first.manager, SN, ['DATA UPDATE timezone TimezoneId=90\tSunTime1=2359']);
      let secondDone = false;
      const second = t.ds.transaction((m) => queue.enqueue(m, SN, ['DATA UPDATE timezone TimezoneId=91\tSunTime1=2359'])).then(() => (secondDone = true));
      await new Promise((r) => setTimeout(r, 400));
      // Without the lock the second would have taken its id and committed already: a poll now would get it first.
      expect(secondDone).toBe(false);
      expect(await panel.sim.poll()).toEqual([]);
      await first.commitTransaction();
      await second;
    } finally {
      if (first.isTransactionActive) await first.rollbackTransaction();
      await first.release();
    }
    const got = await panel.since();
    expect(got).toEqual(['DATA UPDATE timezone TimezoneId=90\tSunTime1=2359', 'DATA UPDATE timezone TimezoneId=91\tSunTime1=2359']);
  });
});
