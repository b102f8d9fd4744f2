/**
 * An access panel's upload of users (7.5 `tabledata user`), templates (7.7 `biodata`, `templatev10`) or face photos
 * (7.8 `biophoto`) for persons deleted through REST at the same moment. The upload is answered with its count (no
 * error the panel would resend), a deleted person stays deleted (a template or photo line for a person the gateway
 * no longer knows is not stored, as for a line sent after the delete), and the panel ends holding exactly what the
 * database says, reported synced. A user line landing after the delete makes the pin a new person (as any
 * unknown pin), in no access level, so the panel is asked to drop it. Also a panel upload while REST edits the same
 * person (the same finger, the card), and a panel finger enrolled while a REST write of that finger is still queued
 * to the panel: the queued put runs after the keypad enrolment, so the stored (panel's) finger must go again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { panelInLevel } from '../sync/access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  t = await startTestApp();
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const jpeg = (fill: number) => Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(300, fill), Buffer.from('ffd9', 'hex')]).toString('base64');
const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body.code, (await r).body.message).toBe(0);

/** A panel in its own level holding `pins`, persons added through REST, settled. */
async function panelWithPersons(sn: string, ipAddress: string, pins: readonly string[]) {
  const { sim, level } = await panelInLevel(t, sn, ipAddress, sn);
  for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
  await reconciler.idle();
  await sim.pollUntilIdle({ maxPolls: 50 });
  return { sim, level };
}

type Upload = (sim: Awaited<ReturnType<typeof panelInLevel>>['sim'], pin: string, i: number) => Promise<{ status: number; body: unknown }>;

const cases: Array<[string, string, Upload]> = [
  ['biodata', 'biodata=1', (sim, pin) => sim.uploadTable('biodata', [{ pin, no: 5, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp: b64(`panel finger 5 of ${pin}`) }])],
  ['templatev10', 'templatev10=1', (sim, pin) => { const tmp = b64(`panel v10 finger 4 of ${pin}`); return sim.uploadTable('templatev10', [{ size: tmp.length, uid: 1, pin, fingerid: 4, valid: 1, template: tmp, resverd: '', endtag: '' }]); }],
  ['biophoto', 'biophoto=1', (sim, pin, i) => { const c = jpeg(i + 1); return sim.uploadTable('biophoto', [{ pin, filename: `${pin}.jpg`, type: 9, size: c.length, content: c }]); }],
  ['user', 'user=1', (sim, pin, i) => sim.enrollUserLocally({ uid: 100 + i, pin, name: `Panel${pin}`, cardno: `88${pin}` })],
];

describe('a person deleted while a panel upload for them is arriving', () => {
  it.each(cases)('%s: the upload is answered with its count, the person stays deleted, the panel ends as the database', { timeout: 90_000 }, async (table, answer, upload) => {
    const base = 7400 + cases.findIndex((c) => c[0] === table) * 10;
    const sn = `PUR-DEL-${table.toUpperCase()}`;
    const pins = [1, 2, 3, 4, 5].map((k) => String(base + k));
    const { sim } = await panelWithPersons(sn, `10.9.${2 + cases.findIndex((c) => c[0] === table)}.1`, pins);
    for (const [i, pin] of pins.entries()) {
      const [up, del] = await Promise.all([upload(sim, pin, i), t.delete(`/api/person/delete/${pin}`)]);
      expect([up.status, up.body]).toEqual([200, answer]);
      expect(del.body.code, del.body.message).toBe(0);
    }
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 100 });
    const kept: Array<{ pin: string; name: string; levels: number }> = await t.ds.query(
      `SELECT pin, name, (SELECT count(*)::int FROM acc_level_person l WHERE l.person_id = p.id) AS levels FROM person p WHERE pin = ANY($1) ORDER BY pin`,
      [pins],
    );
    // A user line that lands after the delete is the panel's enrolment of a pin the gateway no longer knows: it makes
    // a new person, in no access level (as any new pin), so the panel is asked to drop the user. Template and photo
    // lines make no person.
    if (table === 'user') for (const k of kept) expect(k).toEqual({ pin: k.pin, name: `Panel${k.pin}`, levels: 0 });
    else expect(kept).toEqual([]);
    const dbTemplates = await t.ds.query(`SELECT count(*)::int AS n FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = ANY($1)`, [pins]);
    expect(dbTemplates[0].n).toBe(0);
    for (const tbl of ['user', 'userauthorize', 'templatev10', 'biodata', 'biophoto']) {
      expect([tbl, sim.table(tbl).filter((x) => pins.includes(String(x.Pin)))]).toEqual([tbl, []]);
    }
    const conv = (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
    expect(conv).toMatchObject({ divergent: false, failingItems: 0 });
  });
});

describe('a panel upload while REST edits the same person', () => {
  it('a finger enrolled at the panel while REST writes the same finger: stored once, the panel ends holding the stored one', { timeout: 90_000 }, async () => {
    const sn = 'PUR-EDIT-FINGER';
    const pins = ['7481', '7482', '7483', '7484', '7485'];
    const { sim } = await panelWithPersons(sn, '10.9.9.1', pins);
    for (const pin of pins) {
      const tmp = b64(`panel finger 5 of ${pin}`);
      // Enrolled at the panel's keypad: held there, then uploaded.
      sim.addLocally('biodata', { Pin: pin, No: 5, Index: 0, Valid: 1, Duress: 0, Type: 1, MajorVer: 10, MinorVer: 0, Format: 0, Tmp: tmp });
      const [up, rest] = await Promise.all([
        sim.uploadTable('biodata', [{ pin, no: 5, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp }]),
        t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`rest finger 5 of ${pin}`), templateNo: '5' }),
      ]);
      expect([up.status, up.body]).toEqual([200, 'biodata=1']);
      // bioTemplate/add of a finger the person has (the panel's, stored first) is refused, as it is one after the other.
      expect([0, -31], rest.body.message).toContain(rest.body.code);
    }
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 100 });
    const stored: Array<{ pin: string; template: string }> = await t.ds.query(
      `SELECT p.pin, b.template FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = ANY($1) ORDER BY p.pin`,
      [pins],
    );
    expect(stored.map((s) => s.pin)).toEqual(pins);
    const held = sim.table('biodata').filter((x) => pins.includes(String(x.Pin))).map((x) => ({ pin: String(x.Pin), template: String(x.Tmp) }));
    expect(held.sort((a, b) => a.pin.localeCompare(b.pin))).toEqual(stored);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, failingItems: 0 });
  });

  it('a user enrolled at the panel while REST changes the same card: the panel ends holding the stored card', { timeout: 90_000 }, async () => {
    const sn = 'PUR-EDIT-CARD';
    const pins = ['7491', '7492', '7493', '7494', '7495'];
    const { sim, level } = await panelWithPersons(sn, '10.9.10.1', pins);
    for (const [i, pin] of pins.entries()) {
      const [up, rest] = await Promise.all([
        sim.enrollUserLocally({ uid: 200 + i, pin, name: `P${pin}`, cardno: `55${pin}` }),
        t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `66${pin}`, accLevelIds: level }),
      ]);
      expect([up.status, up.body]).toEqual([200, 'user=1']);
      expect(rest.body.code, rest.body.message).toBe(0);
    }
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 100 });
    const stored: Array<{ pin: string; card_no: string }> = await t.ds.query(`SELECT pin, card_no FROM person WHERE pin = ANY($1) ORDER BY pin`, [pins]);
    const held = sim.table('user').filter((x) => pins.includes(String(x.Pin))).map((x) => ({ pin: String(x.Pin), card_no: String(x.CardNo) }));
    expect(held.sort((a, b) => a.pin.localeCompare(b.pin))).toEqual(stored);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, failingItems: 0 });
  });
});

describe('a finger enrolled at the panel while a REST write of the same finger is queued to it', () => {
  it('the queued put runs after the upload: the stored (panel) finger is sent again, the panel ends holding it', { timeout: 60_000 }, async () => {
    const sn = 'PUR-QUEUED-FINGER';
    const { sim, level } = await panelInLevel(t, sn, '10.9.11.1', sn);
    const pin = '7501';
    await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`rest finger 5 of ${pin}`), templateNo: '5' }));
    await reconciler.idle();
    // Not polled yet: the REST finger is queued to the panel when its keypad enrols finger 5 again and uploads it.
    const tmp = b64(`panel finger 5 of ${pin}`);
    sim.addLocally('biodata', { Pin: pin, No: 5, Index: 0, Valid: 1, Duress: 0, Type: 1, MajorVer: 10, MinorVer: 0, Format: 0, Tmp: tmp });
    expect((await sim.uploadTable('biodata', [{ pin, no: 5, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp }])).body).toBe('biodata=1');
    await sim.pollUntilIdle({ maxPolls: 50 });
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    const stored = await t.ds.query(`SELECT b.template FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = $1`, [pin]);
    expect(stored).toEqual([{ template: tmp }]);
    const held = sim.table('biodata').filter((x) => String(x.Pin) === pin).map((x) => String(x.Tmp));
    const conv = (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
    expect({ held, divergent: conv.divergent }).toEqual({ held: [tmp], divergent: false });
  });
});
