/**
 * Uploads that begin with a UTF-8 byte order mark (EF BB BF: a body written by firmware or a tool that marks its
 * UTF-8), through HTTP from the simulator: the mark is no part of the first record. An OPERLOG whose first line is a
 * USER line, and a BIODATA upload, keep that first record (stored, counted in `OK: n`, the rest beside it), and the
 * upload sent again after a lost reply stores nothing twice; an ATTLOG upload with the mark and CR LF keeps its
 * first punch too.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, punchesOf, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const BOM = '\uFEFF';
const TZ = 'TZ=0000000000000000';
const b64 = (x: string) => Buffer.from(x).toString('base64');

const personOf = async (pin: string) =>
  (await t.ds.query(`SELECT p.name, p.card_no FROM person p WHERE p.pin = $1`, [pin]))[0] ?? null;
const templatesOf = (pin: string) =>
  t.ds.query(
    `SELECT bt.bio_type, bt.template_no, bt.template FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = $1 ORDER BY bt.bio_type, bt.template_no`,
    [pin],
  );

describe('an upload beginning with a byte order mark', () => {
  it('OPERLOG: the USER line that follows the mark is stored with the finger after it, once, however often it is sent', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-BOM-OPER' });
    const body = `${BOM}USER PIN=9401\tName=Bea\tPri=0\tPasswd=\tCard=7770001\tGrp=1\t${TZ}\tVerify=0\nFP PIN=9401\tFID=3\tSize=12\tValid=1\tTMP=${b64('finger of 9401')}\n`;
    expect((await term.uploadRaw('OPERLOG', body)).body).toBe('OK: 2');
    // The reply lost: the terminal sends the same upload again.
    expect((await term.uploadRaw('OPERLOG', body)).body).toMatch(/^OK: /);
    await reconciler.idle();
    expect(await personOf('9401')).toMatchObject({ name: 'Bea' });
    expect(await templatesOf('9401')).toEqual([{ bio_type: 1, template_no: 3, template: b64('finger of 9401') }]);
  });

  it('BIODATA: the first template after the mark is stored with the next', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-BOM-BIO' });
    expect((await term.uploadOperlog([`USER PIN=9402\tName=Cid\tPri=0\tPasswd=\tCard=\tGrp=1\t${TZ}\tVerify=0`])).body).toBe('OK: 1');
    const line = (no: number) => `BIODATA Pin=9402\tNo=${no}\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=12\tMinorVer=0\tFormat=0\tTmp=${b64(`finger ${no} of 9402`)}`;
    expect((await term.uploadRaw('BIODATA', `${BOM}${line(1)}\n${line(2)}\n`)).body).toBe('OK:2');
    await reconciler.idle();
    expect((await templatesOf('9402')).map((r: { template_no: number }) => r.template_no)).toEqual([1, 2]);
  });

  it('ATTLOG with CR LF: the first punch is stored with the second, once when sent again', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-BOM-ATT' });
    const body = `${BOM}9403\t2026-03-02 08:00:01\t0\t1\t\t0\t0\r\n9403\t2026-03-02 17:00:02\t1\t1\t\t0\t0\r\n`;
    expect((await term.uploadRaw('ATTLOG', body)).body).toBe('OK: 2');
    expect((await term.uploadRaw('ATTLOG', body)).body).toMatch(/^OK: /);
    expect((await punchesOf(t, 'ATT-BOM-ATT')).map((p: { pin: string; status: number }) => [p.pin, p.status])).toEqual([['9403', 0], ['9403', 1]]);
  });
});
