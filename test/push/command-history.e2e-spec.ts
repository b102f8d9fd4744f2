import { afterAll, beforeAll, expect, it } from 'vitest';
import { CommandHistoryPruner } from '../../src/push/command-history.pruner';
import { dataUpdateUser } from '../../src/push/protocol';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim, enqueue } from './push-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ deviceCommandKeepDays: 30, deviceUploadKeepDays: 30 });
});
afterAll(async () => {
  await t?.close();
});

it('deletes acknowledged commands past DEVICE_COMMAND_KEEP_DAYS, with their attempts, and keeps recent, failed and pending ones', async () => {
  const sim = await connectedSim(t, { sn: 'HIST-1', resultFor: (c) => (c.line.includes('Pin=3') ? -1002 : undefined) });
  await enqueue(t, sim.sn, [1, 2, 3].map((pin) => dataUpdateUser({ pin, name: `H${pin}` })));
  await sim.pollUntilIdle();
  await enqueue(t, sim.sn, [dataUpdateUser({ pin: 4, name: 'Pending' })]);
  // Pin 1's acknowledgement is old; pin 2's is recent; pin 3 failed long ago; pin 4 is still queued.
  await t.ds.query(`UPDATE device_command SET done_at = now() - interval '31 days' WHERE command LIKE '%Pin=1%' OR command LIKE '%Pin=3%'`);

  expect(await t.app.get(CommandHistoryPruner).prune()).toBe(1);

  const listed = await t.get(`/api/gateway/devices/${sim.sn}/commands`, { pageNo: 1, pageSize: 50 });
  expect(listed.body.code).toBe(0);
  const left = listed.body.data.data.map((c: { command: string; state: string }) => [c.command.match(/Pin=(\d)/)?.[1], c.state]);
  expect(left.sort()).toEqual([
    ['2', 'done'],
    ['3', 'failed'],
    ['4', 'pending'],
  ]);
  const [{ orphans }] = await t.ds.query(
    `SELECT count(*)::int AS orphans FROM device_command_attempt a WHERE NOT EXISTS (SELECT 1 FROM device_command c WHERE c.id = a.command_id)`,
  );
  expect(orphans).toBe(0);
  expect(await t.app.get(CommandHistoryPruner).prune()).toBe(0);
});

it('deletes device uploads past DEVICE_UPLOAD_KEEP_DAYS and keeps recent ones', async () => {
  const sim = await connectedSim(t, { sn: 'HIST-2' });
  const photo = Buffer.from('old snapshot').toString('base64');
  expect((await sim.uploadTable('ATTPHOTO', [{ pin: '20200101080000-1.jpg', sn: 'HIST-2', size: 12, photo }, { pin: '20240101080000-1.jpg', sn: 'HIST-2', size: 12, photo }])).status).toBe(200);
  await t.ds.query(`UPDATE device_upload SET received_at = now() - interval '31 days' WHERE device_sn = 'HIST-2' AND pin = '20200101080000-1.jpg'`);
  expect(await t.app.get(CommandHistoryPruner).pruneUploads()).toBe(1);
  const left = await t.ds.query(`SELECT pin FROM device_upload WHERE device_sn = 'HIST-2'`);
  expect(left).toEqual([{ pin: '20240101080000-1.jpg' }]);
  expect(await t.app.get(CommandHistoryPruner).pruneUploads()).toBe(0);
});
