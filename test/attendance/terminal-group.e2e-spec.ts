/**
 * A user's group and time periods on attendance terminals (`Grp` and `TZ`, attendance manual 11.5 USER upload and
 * 12.1.1.1 DATA UPDATE USERINFO). On an AiFace access is decided by the group (field samples: Grp=100 blocks, Grp=1
 * allows), so the values a terminal reports for a person must come back in every record the gateway sends them (after
 * a REST edit, on the area's other terminals), not `Grp=1` and the group's periods. A person no terminal reported them
 * for keeps the record, and the hash, they always had: no terminal is sent its users again.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let enrol: AttendanceTerminal;
let peer: AttendanceTerminal;

const PERSONAL = '0001000200010000';
const GROUP_PERIODS = '0000000000000000';

beforeAll(async () => {
  t = await startTestApp();
  reconciler = t.app.get(SyncReconciler);
  enrol = await initialisedTerminal(t, { sn: 'ATT-GRP-ENROL' });
  peer = await initialisedTerminal(t, { sn: 'ATT-GRP-PEER' });
  await settle(enrol);
  await settle(peer);
});
afterAll(async () => {
  await t?.close();
});

const settle = (term: AttendanceTerminal) => settleTerminal(reconciler, term);
const rename = async (pin: string, name: string) => expect((await t.post('/api/person/add', { pin, name })).body.code).toBe(0);
const heldOn = (term: AttendanceTerminal, pin: string) => {
  const u = term.users.get(pin);
  return u && { name: u.name, grp: u.fields.Grp, tz: u.fields.TZ };
};
const userHash = async (term: AttendanceTerminal, pin: string): Promise<string | undefined> =>
  (await t.ds.query(`SELECT s.hash FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'user' AND s.key = $2`, [term.sn, pin]))[0]?.hash;

describe('Grp and TZ a terminal uploads', () => {
  it('come back after a REST rename, on the terminal that reported them and the area’s others', async () => {
    expect((await enrol.enrollUser({ pin: '7501', name: 'Blocked', grp: 100, tz: PERSONAL })).body).toBe('OK: 2');
    await settle(peer);
    expect(heldOn(peer, '7501')).toEqual({ name: 'Blocked', grp: '100', tz: PERSONAL });
    // The terminal it came from holds it already: sent nothing.
    expect(await enrol.drain()).toEqual([]);

    await rename('7501', 'Renamed');
    await settle(enrol);
    await settle(peer);
    // Still blocked, its personal periods kept, wherever the renamed record went.
    expect(heldOn(enrol, '7501')).toEqual({ name: 'Renamed', grp: '100', tz: PERSONAL });
    expect(heldOn(peer, '7501')).toEqual({ name: 'Renamed', grp: '100', tz: PERSONAL });
  });

  it('are the last a terminal reported: a line leaving them out or malformed keeps them (kept raw, the rest of the line taken); a new value replaces them', async () => {
    expect((await enrol.uploadOperlog([`USER PIN=7501\tName=Renamed\tPri=0\tPasswd=\tCard=`])).body).toBe('OK: 1');
    expect((await enrol.uploadOperlog([`USER PIN=7501\tName=Renamed\tPri=0\tPasswd=\tCard=4440001\tGrp=1x\tTZ=0001`])).body).toBe('OK: 1');
    expect((await t.get('/api/v2/person/get', { pin: '7501' })).body.data).toMatchObject({ name: 'Renamed', cardNo: '4440001' });
    const raw = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = $1 AND table_name = 'OPERLOG.unread' ORDER BY id`, [enrol.sn]);
    expect(raw.map((r: { record: Record<string, string> }) => [r.record.pin, r.record.field, r.record.value])).toEqual([
      ['7501', 'Grp', '1x'],
      ['7501', 'TZ', '0001'],
    ]);
    await rename('7501', 'Again');
    await settle(peer);
    expect(heldOn(peer, '7501')).toEqual({ name: 'Again', grp: '100', tz: PERSONAL });

    // Unblocked at the terminal: the other terminals follow.
    expect((await enrol.uploadOperlog([`USER PIN=7501\tName=Again\tPri=0\tPasswd=\tCard=4440001\tGrp=1\tTZ=${GROUP_PERIODS}`])).body).toBe('OK: 1');
    await settle(peer);
    expect(heldOn(peer, '7501')).toEqual({ name: 'Again', grp: '1', tz: GROUP_PERIODS });
  });

  it('a person never reported keeps Grp=1, the group’s periods and the record hash it always had (no resend)', async () => {
    expect((await t.post('/api/person/add', { pin: '7502', name: 'Plain', cardNo: '4440002' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['7502'] })).body.code).toBe(0);
    await settle(peer);
    await rename('7502', 'Plainer');
    await settle(peer);
    expect(heldOn(peer, '7502')).toEqual({ name: 'Plainer', grp: '1', tz: GROUP_PERIODS });
    const before = `DATA UPDATE USERINFO PIN=7502\tName=Plainer\tPri=0\tPasswd=\tCard=4440002\tGrp=1\tTZ=${GROUP_PERIODS}\tVerify=-1`;
    // The record's part of the hash is what it always was; the suffix names the record's card (the card-move hold).
    expect(await userHash(peer, '7502')).toBe(`${createHash('sha1').update(JSON.stringify([before])).digest('hex')}#4440002`);
    await reconciler.idle();
    expect(await peer.drain()).toEqual([]);
  });
});
