/**
 * A whole day of an attendance terminal, as payroll sees it through the REST API: it registers, gets its users,
 * fingers and faces from REST persons, punches (an upload repeated, its reply lost and resent), goes offline and
 * catches up, the gateway restarts in between, a person is deleted and added again over REST. Every punch is
 * served once, at the wall time it was made, under its PIN; the terminal ends holding what the database says.
 */
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { sleep } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

const SN = 'ATT-DAY-1';
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

const b64 = (s: string) => Buffer.from(s).toString('base64');
const FINGER = b64('finger template of the day, finger six');
const FACE = b64('visible light face template of the day');

describe("an attendance terminal's day", () => {
  it('every punch served once to payroll, the terminal holding what the database says', async () => {
    let reconciler = t.app.get(SyncReconciler);
    const term = await initialisedTerminal(t, { sn: SN });
    expect((await t.post('/api/person/add', { pin: '9101', name: 'Ann', lastName: 'Lee', cardNo: '9101001' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '9102', name: 'Bob' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '9102', validType: '1', template: FINGER, templateNo: '6' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '9102', validType: '1', template: FACE, templateNo: '0', bioType: '9', version: '40' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['9101', '9102'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.get('9101')).toMatchObject({ name: 'Ann Lee', card: '9101001' });
    expect(term.users.get('9102')).toMatchObject({ name: 'Bob' });
    const bobTemplates = () => term.templatesOf('9102').map((tp) => tp.fields.Type).sort();
    expect(bobTemplates()).toEqual(['1', '9']);

    // Morning: a punch uploaded twice (the first reply lost), and one in a batch with a repeated line.
    const ann8 = { pin: '9101', time: '2026-05-04 08:00:00', status: 0, verify: 4 };
    const bob8 = { pin: '9102', time: '2026-05-04 08:05:00', status: 0, verify: 1 };
    expect((await term.punch(ann8))?.body).toBe('OK: 1');
    expect((await term.uploadAttlog([ann8])).body).toBe('OK: 1');
    expect((await term.uploadAttlog([bob8, bob8])).body).toMatch(/^OK: [12]$/);

    // Offline at noon: the punches stay in its log; the gateway restarts meanwhile.
    term.online = false;
    const ann12 = { pin: '9101', time: '2026-05-04 12:00:00', status: 1, verify: 4 };
    const bob12 = { pin: '9102', time: '2026-05-04 12:01:00', status: 1, verify: 1 };
    await term.punch(ann12);
    await term.punch(bob12);
    const port = Number(new URL(t.baseUrl).port);
    await t.gateway.close();
    restarted = await createGateway(t.config, { poolSize: t.db.poolSize });
    await restarted.app.listen({ port, host: '127.0.0.1' });
    reconciler = restarted.app.get(SyncReconciler);
    const ds = restarted.app.get(DataSource);
    // The embedded database serves both gateways here through one session (a real restart is a new process with its
    // own): the old gateway's named statements are dropped, as the end of its session would.
    if (t.db.mode === 'embedded') await ds.query('DEALLOCATE ALL');

    // Back: it uploads what it kept (its stamp), the morning's lines again with them, and polls.
    term.online = true;
    expect((await term.uploadAttlog([ann8, bob8, ann12, bob12])).body).toMatch(/^OK: \d$/);
    await sleep(100);
    await settleTerminal(reconciler, term);

    // Bob deleted over REST and added again (a new contract): the terminal loses him, then gets him back.
    expect((await t.post('/api/person/delete/9102')).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.has('9102')).toBe(false);
    expect(term.templatesOf('9102')).toEqual([]);
    expect((await t.post('/api/person/add', { pin: '9102', name: 'Bob', lastName: 'New' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '9102', validType: '1', template: FINGER, templateNo: '6' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['9101', '9102'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.get('9102')).toMatchObject({ name: 'Bob New' });
    expect(bobTemplates()).toEqual(['1']);
    const bob17 = { pin: '9102', time: '2026-05-04 17:00:00', status: 1, verify: 1 };
    expect((await term.punch(bob17))?.body).toBe('OK: 1');
    // The day's log asked for again (a CHECK, a gap query): nothing doubles.
    expect((await term.uploadAttlog([ann8, bob8, ann12, bob12, bob17])).body).toMatch(/^OK: \d$/);

    const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 50, startDate: '2026-05-04 00:00:00', endDate: '2026-05-04 23:59:59' })).body;
    expect(list.code).toBe(0);
    const rows = list.data.map((x: { pin: string; name: string; eventTime: string; devSn: string }) => [x.eventTime, x.pin, x.devSn]).sort();
    expect(rows).toEqual([
      ['2026-05-04 08:00:00', '9101', SN],
      ['2026-05-04 08:05:00', '9102', SN],
      ['2026-05-04 12:00:00', '9101', SN],
      ['2026-05-04 12:01:00', '9102', SN],
      ['2026-05-04 17:00:00', '9102', SN],
    ]);
    // Each punch under the name the person had when it was made (Bob's surname came with his new record).
    const names = Object.fromEntries(list.data.map((x: { eventTime: string; name: string; lastName: string; verifyModeName: string; eventName: string }) => [x.eventTime, [x.name, x.lastName, x.verifyModeName, x.eventName]]));
    expect(names['2026-05-04 08:00:00']).toEqual(['Ann', 'Lee', 'Card only', 'Check-In']);
    expect(names['2026-05-04 12:01:00']).toEqual(['Bob', '', 'Fingerprint only', 'Check-Out']);
    expect(names['2026-05-04 17:00:00']).toEqual(['Bob', 'New', 'Fingerprint only', 'Check-Out']);
    const v2 = (await t.get('/api/v2/transaction/listAttTransaction', { pageNo: 1, pageSize: 50, startDate: '2026-05-04 00:00:00', endDate: '2026-05-04 23:59:59' })).body;
    expect(v2.data.total).toBe(5);
    expect(await ds.query(`SELECT count(*)::int AS n FROM att_transaction WHERE device_sn = $1`, [SN])).toEqual([{ n: 5 }]);
  });
});
