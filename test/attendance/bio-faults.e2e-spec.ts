/**
 * The biometric side of an attendance terminal under faults (simulator): fingerprints, faces (a BIODATA set of
 * several Indexes) and user photos written through REST or enrolled at its keypad, with a reply lost, a refusal, a
 * factory reset with commands in flight. After each scenario the terminal holds exactly what the database puts on it
 * (users, templates, photos), and the gateway says it synced only then.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { until } from '../support/until';
import { heldBiometrics, initialisedTerminal, settleTerminal, useAttendanceApp, wantedBiometrics } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body).toMatchObject({ code: 0 });
const b64 = (text: string) => Buffer.from(text).toString('base64');
const photoOf = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text), Buffer.from([0xff, 0xd9])]).toString('base64');

/** A terminal in its own area holding `pin` with a finger, a three-Index visible-light face and a photo (REST). */
async function terminalWithBiometrics(sn: string, pin: string): Promise<AttendanceTerminal> {
  await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
  const term = await initialisedTerminal(t, { sn });
  await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
  await ok(t.post('/api/person/add', { pin, name: `P${pin}` }));
  await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] }));
  await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 1 of ${pin}`), templateNo: '1' }));
  for (const index of [0, 1, 2]) {
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`face ${index} of ${pin}`), templateNo: '0', bioType: '9', templateNoIndex: String(index), version: '5' }));
  }
  await ok(t.post('/api/person/updatePersonnelPhoto', { pin, personPhoto: photoOf(`photo of ${pin}`) }));
  await settleTerminal(reconciler, term);
  expect(await holds(term)).toEqual(await wanted(sn));
  return term;
}

const wanted = async (code: string) => (await wantedBiometrics(t, [code]))[0];
const holds = async (term: AttendanceTerminal) => heldBiometrics(term);

/**
 * A factory reset, then `pin` edited through REST: its record is put on the reset terminal by a poll before the poll
 * whose INFO count is judged; then reconciler passes and polls. Answers where the terminal's commands stood at the INFO.
 */
async function resetThenPutLands(term: AttendanceTerminal, pin: string): Promise<number> {
  expect(await term.factoryReset()).toBe(true);
  await ok(t.post('/api/person/add', { pin, name: 'Renamed' }));
  await reconciler.idle();
  expect((await term.poll()).map((e) => e.command.split('\t')[0])).toEqual([`DATA UPDATE USERINFO PIN=${pin}`]);
  const from = term.executed.length;
  await term.poll(true);
  for (let i = 0; i < 3; i++) {
    await reconciler.runOnce();
    await settleTerminal(reconciler, term);
  }
  return from;
}

const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

/** An initialised terminal in an area of its own, with one person of that area. */
async function terminalWithPerson(sn: string, pin: string) {
  await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
  const term = await initialisedTerminal(t, { sn });
  await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
  await ok(t.post('/api/person/add', { pin, name: `P${pin}` }));
  await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] }));
  return term;
}

describe('a factory reset whose user came back through a put of ours before its user count was judged', () => {
  // The count (1 user, the one the put wrote since the count was owed) is taken for a reset (CHECK, Stamp 0) but owes
  // no full sync: the templates and the photo it confirmed before the reset were still believed held, never sent
  // again, and the terminal reported synced without them.
  it('REST finger, face and photo: they come back, and the terminal is reported synced only then', async () => {
    const sn = 'ATT-BF-RESET-PUT';
    const pin = '7301';
    const term = await terminalWithBiometrics(sn, pin);
    const from = await resetThenPutLands(term, pin);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    // What came back is what it lacked: the user record the put wrote is not sent again; then the reset's CHECK.
    expect(term.executed.slice(from).map((e) => e.command.split('\t')[0])).toEqual([
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE USERPIC PIN=${pin}`,
      'CHECK',
    ]);
  });

  it('a photo the terminal itself uploaded (USERPIC at its keypad) before the reset comes back too', async () => {
    const sn = 'ATT-BF-RESET-PIC';
    const pin = '7302';
    const term = await terminalWithBiometrics(sn, pin);
    const pic = photoOf(`keypad photo of ${pin}`);
    term.photos.set(pin, { table: 'USERPIC', content: pic });
    expect((await term.uploadOperlog([`USERPIC PIN=${pin}\tFileName=${pin}.jpg\tSize=${pic.length}\tContent=${pic}`])).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect(await holds(term)).toEqual(await wanted(sn));
    await resetThenPutLands(term, pin);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});

describe('a template enrolled at the keypad while a write of ours to the same slot is in flight', () => {
  /** A finger enrolled at the terminal's keypad (its user held): held, and uploaded as a BIODATA line. */
  async function keypadFinger(term: AttendanceTerminal, pin: string, no: number, text: string): Promise<void> {
    const fields = { Pin: pin, No: String(no), Index: '0', Valid: '1', Duress: '0', Type: '1', MajorVer: '10', MinorVer: '0', Format: '0', Tmp: b64(text) };
    const at = term.templates.findIndex((x) => x.pin === pin && x.fields.Type === '1' && x.fields.No === String(no) && x.fields.Index === '0');
    if (at >= 0) term.templates.splice(at, 1);
    term.templates.push({ table: 'BIODATA', pin, fields });
    expect((await term.uploadOperlog([`BIODATA ${Object.entries(fields).map(([k, x]) => `${k}=${x}`).join('\t')}`])).body).toBe('OK: 1');
  }
  const settle = async (term: AttendanceTerminal) => {
    for (let i = 0; i < 3; i++) {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
    }
  };

  it('a REST finger written again, its put queued, re-enrolled at the keypad before the terminal runs it: the terminal and the database agree', async () => {
    const sn = 'ATT-BF-KEYPAD-PUT';
    const pin = '7311';
    const term = await terminalWithBiometrics(sn, pin);
    await ok(t.delete(`/api/bioTemplate/delete/${pin}/1`));
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 1 again of ${pin}`), templateNo: '1' }));
    await reconciler.idle();
    await keypadFinger(term, pin, 1, `keypad finger 1 of ${pin}`);
    await settle(term);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });

  it('its put run with the result held back, the keypad enrolment uploaded, then the result posted late', async () => {
    const sn = 'ATT-BF-KEYPAD-LATE';
    const pin = '7312';
    const term = await terminalWithBiometrics(sn, pin);
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 2 of ${pin}`), templateNo: '2' }));
    await reconciler.idle();
    term.holdResults();
    expect((await term.poll()).map((e) => e.command.split('\t').slice(0, 2).join(' '))).toEqual([`DATA UPDATE BIODATA Pin=${pin} No=2`]);
    term.stopHoldingResults();
    await keypadFinger(term, pin, 2, `keypad finger 2 of ${pin}`);
    await term.releaseResults();
    await settle(term);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });

  it('a REST delete of the finger queued, the finger enrolled again at the keypad before the terminal runs it', async () => {
    const sn = 'ATT-BF-KEYPAD-DEL';
    const pin = '7313';
    const term = await terminalWithBiometrics(sn, pin);
    await ok(t.delete(`/api/bioTemplate/delete/${pin}/1`));
    await reconciler.idle();
    await keypadFinger(term, pin, 1, `keypad finger 1 of ${pin}`);
    await settle(term);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});

describe('a person deleted while their template upload is arriving', () => {
  it('the upload and the delete at once, five times: the terminal ends holding what the database says, no nameless person made again', async () => {
    const sn = 'ATT-BF-DEL-UPLOAD';
    const pins = ['7321', '7322', '7323', '7324', '7325'];
    const term = await terminalWithBiometrics(sn, pins[0]);
    for (const pin of pins.slice(1)) await ok(t.post('/api/person/add', { pin, name: `P${pin}` }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins }));
    await settleTerminal(reconciler, term);
    for (const pin of pins) {
      const fields = { Pin: pin, No: '5', Index: '0', Valid: '1', Duress: '0', Type: '1', MajorVer: '10', MinorVer: '0', Format: '0', Tmp: b64(`keypad finger 5 of ${pin}`) };
      term.templates.push({ table: 'BIODATA', pin, fields });
      const [up, del] = await Promise.all([
        term.uploadOperlog([`BIODATA ${Object.entries(fields).map(([k, x]) => `${k}=${x}`).join('\t')}`]),
        t.delete(`/api/person/delete/${pin}`),
      ]);
      expect([up.status, up.body]).toEqual([200, "OK: 1"]);
      expect(del.body.code).toBe(0);
    }
    for (let i = 0; i < 3; i++) {
      await reconciler.runOnce();
      await term.poll(true);
      await settleTerminal(reconciler, term);
    }
    expect(await t.ds.query(`SELECT pin FROM person WHERE pin = ANY($1)`, [pins])).toEqual([]);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(term.templates.filter((x) => pins.includes(x.pin))).toEqual([]);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});

describe('a BIODATA-era terminal refusing one template type it announced (-1004 for a visible-light face)', () => {
  // The refusal was kept for the whole BIODATA table: the terminal was taken for firmware without unified templates
  // and sent its fingers as FINGERTMP, which it answers -12, again at every retry; no fingerprint ever landed.
  it('the face is refused for good, the fingerprints still go as BIODATA and land', async () => {
    const sn = 'ATT-BF-FACE-1004';
    const pin = '7331';
    const term = await terminalWithPerson(sn, pin);
    const refusal = term.failCommands((c) => c.startsWith('DATA UPDATE BIODATA') && c.includes('\tType=9\t'), -1004, 'always');
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`face 0 of ${pin}`), templateNo: '0', bioType: '9', templateNoIndex: '0', version: '5' }));
    await settleTerminal(reconciler, term);
    expect(refusal.used).toBe(1);
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 1 of ${pin}`), templateNo: '1' }));
    // The set's failure is retried after its backoff (1 s).
    await until('the finger on the terminal', async () => {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
      return term.templatesOf(pin).length > 0 || term.executed.some((e) => e.returnCode === -12);
    });
    expect(heldBiometrics(term)[pin]).toBe(`1.1.0=${b64(`finger 1 of ${pin}`)} | `);
    expect(term.executed.filter((e) => e.returnCode === -12)).toEqual([]);
    expect(refusal.used).toBe(1);
    expect(await convergence(sn)).toMatchObject({ refused: ['DATA UPDATE BIODATA Type=9'], pendingCommands: 0 });
  });
});

describe('a BIODATA-era terminal with a face refusal stored under the table key by an earlier gateway', () => {
  // Before types were keyed apart, a refused face was kept as "DATA UPDATE BIODATA", the whole table's key: read
  // as firmware without unified templates, the terminal was sent FINGERTMP (-12 on such firmware) and never a BIODATA
  // whose success would forget the row.
  it('the fingerprints go as BIODATA and land; the face stays refused under its type', async () => {
    const sn = 'ATT-BF-OLD-TABLE-KEY';
    const pin = '7341';
    const term = await terminalWithPerson(sn, pin);
    await settleTerminal(reconciler, term);
    await t.ds.query(
      `INSERT INTO device_refusal (device_id, what, return_code, refusals, command, first_at, last_at, probe_at)
       SELECT id, 'DATA UPDATE BIODATA', -1004, 1, $2, now(), now(), now() + interval '1 day' FROM device WHERE sn = $1`,
      [sn, `DATA UPDATE BIODATA Pin=${pin}\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=0\tFormat=0\tTmp=AAAA`],
    );
    const refusal = term.failCommands((c) => c.startsWith('DATA UPDATE BIODATA') && c.includes('\tType=9\t'), -1004, 'always');
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`face 0 of ${pin}`), templateNo: '0', bioType: '9', templateNoIndex: '0', version: '5' }));
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 1 of ${pin}`), templateNo: '1' }));
    await until('the finger on the terminal, or FINGERTMP answered -12', async () => {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
      return term.templatesOf(pin).length > 0 || term.executed.some((e) => e.returnCode === -12);
    });
    expect(term.executed.filter((e) => e.returnCode === -12)).toEqual([]);
    expect(heldBiometrics(term)[pin]).toBe(`1.1.0=${b64(`finger 1 of ${pin}`)} | `);
    // The finger's success forgot the table's row; the face, tried again, is refused under its type.
    await until('the face refused under its type', async () => {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
      return (await convergence(sn)).refused?.includes('DATA UPDATE BIODATA Type=9') === true;
    });
    expect(await convergence(sn)).toMatchObject({ refused: ['DATA UPDATE BIODATA Type=9'], pendingCommands: 0 });
    expect(refusal.used).toBe(1);
    expect(heldBiometrics(term)[pin]).toBe(`1.1.0=${b64(`finger 1 of ${pin}`)} | `);
  });
});

describe('a terminal that refused one template type, its probe due', () => {
  // The types refused for good were read without their probe: a face refused once (a face module not yet enabled,
  // the same firmware announcing it again) stayed off the terminal until another firmware registered.
  it('the face is tried again once the probe is due, and lands when taken', async () => {
    const sn = 'ATT-BF-FACE-PROBE';
    const pin = '7351';
    const term = await terminalWithPerson(sn, pin);
    const refusal = term.failCommands((c) => c.startsWith('DATA UPDATE BIODATA') && c.includes('\tType=9\t'), -1004, 1);
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`face 0 of ${pin}`), templateNo: '0', bioType: '9', templateNoIndex: '0', version: '5' }));
    await settleTerminal(reconciler, term);
    expect(refusal.used).toBe(1);
    expect(await convergence(sn)).toMatchObject({ refused: ['DATA UPDATE BIODATA Type=9'] });
    // The probe's time comes.
    await t.ds.query(`UPDATE device_refusal SET probe_at = now() - interval '1 second' WHERE device_id = (SELECT id FROM device WHERE sn = $1)`, [sn]);
    await until('the face on the terminal', async () => {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
      return term.templatesOf(pin).length > 0;
    });
    expect(heldBiometrics(term)[pin]).toContain(b64(`face 0 of ${pin}`));
    expect(await convergence(sn)).toMatchObject({ refused: [], pendingCommands: 0 });
  });

  it('refused again at the probe: counted once more, the fingerprint stays, nothing pending', async () => {
    const sn = 'ATT-BF-FACE-PROBE-2';
    const pin = '7352';
    const term = await terminalWithPerson(sn, pin);
    const refusal = term.failCommands((c) => c.startsWith('DATA UPDATE BIODATA') && c.includes('\tType=9\t'), -1004, 'always');
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 1 of ${pin}`), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`face 0 of ${pin}`), templateNo: '0', bioType: '9', templateNoIndex: '0', version: '5' }));
    await until('the finger on the terminal', async () => {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
      return term.templatesOf(pin).length > 0 && refusal.used === 1;
    });
    await t.ds.query(`UPDATE device_refusal SET probe_at = now() - interval '1 second' WHERE device_id = (SELECT id FROM device WHERE sn = $1)`, [sn]);
    await until('the face probed', async () => {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
      return refusal.used === 2;
    });
    await until('settled', async () => {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
      return (await convergence(sn)).pendingCommands === 0;
    });
    expect(refusal.used).toBe(2);
    expect(heldBiometrics(term)[pin]).toBe(`1.1.0=${b64(`finger 1 of ${pin}`)} | `);
    expect(await convergence(sn)).toMatchObject({ refused: ['DATA UPDATE BIODATA Type=9'], pendingCommands: 0 });
    const [row] = await t.ds.query(`SELECT refusals, probe_at > now() AS later FROM device_refusal WHERE device_id = (SELECT id FROM device WHERE sn = $1)`, [sn]);
    expect(row).toMatchObject({ refusals: 2, later: true });
  });
});
