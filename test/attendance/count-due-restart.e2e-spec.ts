/**
 * A terminal that initialised again has its next INFO user count checked against the users it confirmed (a
 * factory reset shows as 0 users). That check is owed in the database (att_terminal.count_due): a gateway
 * restarted between the initialisation and that INFO still makes it, and the users come back.
 */
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { sleep } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal } from './attendance-helpers';

const SN = 'ATT-CD-RESTART';
let t: TestApp;
let restarted: Gateway | undefined;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
});
afterAll(async () => {
  if (!restarted) return t?.close();
  await restarted.close();
  await t.db.release();
});

/** Reconciler passes and polls until the terminal gets nothing more. */
async function settle(reconciler: SyncReconciler, term: AttendanceTerminal): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await reconciler.idle();
    const got = await term.drain();
    await reconciler.idle();
    if (got.length === 0) return;
  }
}

const pinsOn = (term: AttendanceTerminal) => [...term.users.keys()].sort();
const countDue = async (ds: DataSource) =>
  (await ds.query(`SELECT t.count_due FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE d.sn = $1`, [SN]))[0]?.count_due;

describe('the user count owed after a re-initialisation survives a gateway restart', () => {
  it('reset, initialised again, gateway restarted, then INFO with 0 users: a full sync is owed and the users come back', async () => {
    const reconciler = t.app.get(SyncReconciler);
    expect((await t.post('/api/gateway/areas', { code: SN, name: SN })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn: SN });
    expect((await t.put(`/api/gateway/devices/${SN}/area`, { areaCode: SN })).body.code).toBe(0);
    for (const pin of ['8401', '8402']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: SN, pins: ['8401', '8402'] })).body.code).toBe(0);
    await settle(reconciler, term);
    expect(pinsOn(term)).toEqual(['8401', '8402']);
    expect(await countDue(t.ds)).toBe(false);

    // Factory reset: the terminal initialises again (the check becomes due), and the gateway stops before its next INFO.
    expect(await term.factoryReset()).toBe(true);
    await sleep(100);
    await reconciler.idle();
    expect(term.users.size).toBe(0);
    expect(await countDue(t.ds)).toBe(true);
    const port = Number(new URL(t.baseUrl).port);
    await t.gateway.close();

    // A new gateway process on the same database and port.
    restarted = await createGateway(t.config, { poolSize: t.db.poolSize });
    await restarted.app.listen({ port, host: '127.0.0.1' });
    const again = restarted.app.get(SyncReconciler);
    await term.poll(true);
    await sleep(100);
    await settle(again, term);
    expect(pinsOn(term)).toEqual(['8401', '8402']);
    expect(await countDue(restarted.app.get(DataSource))).toBe(false);
  });
});
