/**
 * A floor held released (Remote Normally Open, CONTROL DEVICE 12 … FF) and its end (12 … 00) through an elevator
 * controller's faults: the getrequest reply carrying it lost (sent again, run once), refused (failed with its
 * Return, not sent again), and the controller restarting while the floor is held open (the action is not replayed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { sleep } from '../push/push-helpers';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import type { TestApp } from '../support/test-app';
import { createOperator, signIn, type ConsoleClient } from '../console/console-helpers';
import { startFaultApp } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let op: ConsoleClient;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  await createOperator(t, 'fnof', 'operator', 'fnof-password-1');
  op = await signIn(t, 'fnof', 'fnof-password-1');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

async function controller(sn: string, ip: string): Promise<{ ec: ElevatorControllerSimulator; floor2: string }> {
  const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn, ipAddress: ip, floors: 4 });
  await ec.connect();
  await ec.pollUntilIdle();
  const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
  const floors = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 })).body.data as Array<{ id: string; floorNo: number; deviceId: string }>;
  return { ec, floor2: floors.find((f) => f.deviceId === deviceId && f.floorNo === 2)!.id };
}

const control = async (floor: string, action: 'normalOpen' | 'cancelNormalOpen'): Promise<string> => {
  const r = await op.call('POST', `elevator/floors/${floor}/${action}`, {});
  expect(r.body.code, JSON.stringify(r.body)).toBe(0);
  return r.body.data.commandId;
};
const commandOf = async (sn: string, id: string) => (await op.call('GET', `devices/${sn}/commands?id=${id}&size=1`)).body.data.rows[0];
const floor12 = (ec: ElevatorControllerSimulator) => ec.received.filter((c) => c.command.startsWith('CONTROL DEVICE 12'));

describe('a floor held open on an elevator controller with faults', () => {
  it('the reply carrying it lost: sent again, run once, the floor held open; its end likewise', async () => {
    const { ec, floor2 } = await controller('FNO00001', '10.77.0.1');
    ec.loseNextReply();
    const id = await control(floor2, 'normalOpen');
    await ec.poll();
    expect(ec.floors[1].normalOpen).toBe(false);
    await sleep(300);
    await ec.pollUntilIdle();
    expect(ec.floors[1].normalOpen).toBe(true);
    expect(ec.floorActions.filter((a) => a.action === 'normalOpen')).toHaveLength(1);
    expect(await commandOf('FNO00001', id)).toMatchObject({ state: 'done', returnCode: 0 });
    ec.loseNextReply();
    const end = await control(floor2, 'cancelNormalOpen');
    await ec.poll();
    await sleep(300);
    await ec.pollUntilIdle();
    expect(ec.floors[1].normalOpen).toBe(false);
    expect(await commandOf('FNO00001', end)).toMatchObject({ state: 'done', returnCode: 0 });
    expect(floor12(ec).map((c) => c.result)).toEqual([0, 0]);
  });

  it('refused (-12): failed with its Return, not sent again; the next one goes out', async () => {
    const { ec, floor2 } = await controller('FNO00002', '10.77.0.2');
    ec.failCommands((c) => c.text.startsWith('CONTROL DEVICE 12'), -12, 1);
    const id = await control(floor2, 'normalOpen');
    await ec.pollUntilIdle();
    await sleep(600);
    await reconciler.runOnce();
    await ec.pollUntilIdle();
    expect(floor12(ec).map((c) => c.result)).toEqual([-12]);
    expect(ec.floors[1].normalOpen).toBe(false);
    expect(await commandOf('FNO00002', id)).toMatchObject({ state: 'failed', returnCode: -12 });
    const again = await control(floor2, 'normalOpen');
    await ec.pollUntilIdle();
    expect(ec.floors[1].normalOpen).toBe(true);
    expect(await commandOf('FNO00002', again)).toMatchObject({ state: 'done', returnCode: 0 });
  });

  it('the controller run it, then restarted before posting its result: not replayed; the end goes out after', async () => {
    const { ec, floor2 } = await controller('FNO00003', '10.77.0.3');
    await control(floor2, 'normalOpen');
    ec.holdResults();
    await ec.poll();
    ec.stopHoldingResults();
    expect(ec.floorActions).toHaveLength(1);
    expect((await ec.factoryReset()).registered).toBe(true);
    await sleep(300);
    await ec.pollUntilIdle();
    expect(floor12(ec)).toHaveLength(1);
    const end = await control(floor2, 'cancelNormalOpen');
    await ec.pollUntilIdle();
    expect(ec.floors[1].normalOpen).toBe(false);
    expect(await commandOf('FNO00003', end)).toMatchObject({ state: 'done', returnCode: 0 });
  });
});
