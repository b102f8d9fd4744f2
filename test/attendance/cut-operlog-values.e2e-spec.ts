/**
 * An OPERLOG upload of an enrolment at a terminal cut mid-body inside a value of its last line (a USER line's name, an
 * FP or BIODATA template, a USERPIC photo), then sent again whole, as the terminal does with an upload it holds
 * unconfirmed. The cut line was taken: the person got the cut name (or a broken template, a cut photo), and it was sent
 * on to the other terminals of the area until the whole upload came again; had the terminal taken the cut upload's
 * answer, for good. The body's last line, when the body ends inside it and it shows the cut (a USER line stopping
 * before the fields every form goes on with, or inside a key; a template or photo shorter than its Size, or base64
 * stopping inside a group of four), is refused (kept raw as refused and acknowledged, as any refused line): nothing
 * cut is stored or sent on, and the whole upload brings the value. A cut the line cannot show (base64 cut on a group
 * and no Size, as BIODATA has none) is stored, and the whole line sent again replaces it everywhere.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));
/** A terminal of the same area, which enrolments at the others reach. */
let peer: AttendanceTerminal;
beforeAll(async () => {
  peer = await initialisedTerminal(t, { sn: 'ATT-CUTV-PEER' });
  await settleTerminal(reconciler, peer);
});

const oplog = (pin: string) => `OPLOG 6\t0\t2026-11-27 17:01:35\t${pin}\t0\t0\t0`;
const nameOf = async (pin: string) => ((await t.ds.query(`SELECT name FROM person WHERE pin = $1`, [pin]))[0] as { name: string | null } | undefined)?.name;
const templatesOf = async (pin: string) =>
  ((await t.ds.query(`SELECT bt.template FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = $1`, [pin])) as Array<{ template: string }>).map((r) => r.template);
const photoOf = async (pin: string) => ((await t.ds.query(`SELECT photo FROM person WHERE pin = $1`, [pin]))[0] as { photo: string | null } | undefined)?.photo ?? null;
const peerTemplates = (pin: string) => peer.templatesOf(pin).map((x) => x.fields.TMP ?? x.fields.Tmp);

/**
 * The cut upload, then the whole one: what the database and the peer hold after each. `endsLines`: the terminal first
 * uploads an operation record ended by its line end, as every attendance firmware in the field samples ends its uploads.
 */
async function cutThenWhole(sn: string, pin: string, line: string, cut: string, held: () => Promise<unknown>, onPeer: () => unknown, endsLines = false, cutTaken = false) {
  const term = await initialisedTerminal(t, { sn });
  await settleTerminal(reconciler, term);
  if (endsLines) expect((await term.uploadRaw('OPERLOG', 'OPLOG 4\t0\t2026-11-27 08:00:00\t0\t0\t0\t0\r\n')).body).toBe('OK: 1');
  // The cut line is no record processed (manual 11.4: "the number of records successfully processed").
  expect((await term.uploadRaw('OPERLOG', `${oplog(pin)}\r\n${cut}`)).body).toBe(`OK: ${cutTaken ? 2 : 1}`);
  await settleTerminal(reconciler, peer);
  const afterCut = { held: await held(), onPeer: onPeer() };
  expect((await term.uploadRaw('OPERLOG', `${oplog(pin)}\r\n${line}\r\n`)).body).toBe('OK: 2');
  await settleTerminal(reconciler, peer);
  return { afterCut, afterWhole: { held: await held(), onPeer: onPeer() } };
}

const tmp = Buffer.from('fingerprint template of the person, finger 6, long enough').toString('base64');
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('user photo of the person and more bytes'), Buffer.from([0xff, 0xd9])]).toString('base64');

describe('an OPERLOG enrolment cut inside a value of its last line, then sent again whole', () => {
  it('cut inside the USER line\'s name: no person with the cut name, on the gateway or the other terminals; the whole line enrols them', async () => {
    const user = 'USER PIN=9411\tName=Ann Lee\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=';
    const r = await cutThenWhole('ATT-CUTV-USER', '9411', user, user.slice(0, user.indexOf('Lee') + 1), () => nameOf('9411'), () => peer.users.get('9411')?.name);
    expect(r).toEqual({ afterCut: { held: undefined, onPeer: undefined }, afterWhole: { held: 'Ann Lee', onPeer: 'Ann Lee' } });
  });

  it.each([
    ['an FP template shorter than its Size', '9412', `FP PIN=9412\tFID=6\tSize=${tmp.length}\tValid=1\tTMP=${tmp}`, 5],
    ['a BIODATA template inside a base64 group', '9413', `BIODATA Pin=9413\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${tmp}`, 3],
  ])('cut inside %s: no broken template is stored or sent on; the whole line brings it', async (_, pin, line, short) => {
    const r = await cutThenWhole(`ATT-CUTV-${pin}`, pin, line, line.slice(0, -short), () => templatesOf(pin), () => peerTemplates(pin));
    expect(r).toEqual({ afterCut: { held: [], onPeer: [] }, afterWhole: { held: [tmp], onPeer: [tmp] } });
  });

  it('cut inside a USERPIC photo shorter than its Size: no cut photo is stored or sent on; the whole line brings it', async () => {
    const line = `USERPIC PIN=9414\tFileName=9414.jpg\tSize=${jpeg.length}\tContent=${jpeg}`;
    const r = await cutThenWhole('ATT-CUTV-PIC', '9414', line, line.slice(0, -6), () => photoOf('9414'), () => peer.photos.get('9414')?.content ?? null);
    expect(r).toEqual({ afterCut: { held: null, onPeer: null }, afterWhole: { held: jpeg, onPeer: jpeg } });
  });

  // No USER form ends at Verify: the manual's (11.5) and Biopro's (field sample up-operlog-user-biopro) go on to ViceCard.
  it.each([
    ['inside the Verify value', '9416', 'Verify=-'],
    ['right after Verify=', '9420', 'Verify='],
  ])('cut %s of the USER line: no person from the cut line; the whole line enrols them', async (_, pin, to) => {
    const user = `USER PIN=${pin}\tName=Bo Ek\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=`;
    const r = await cutThenWhole(`ATT-CUTV-${pin}`, pin, user, user.slice(0, user.indexOf(to) + to.length), () => nameOf(pin), () => peer.users.get(pin)?.name);
    expect(r).toEqual({ afterCut: { held: undefined, onPeer: undefined }, afterWhole: { held: 'Bo Ek', onPeer: 'Bo Ek' } });
  });

  // A terminal that ends its uploads with a line end: a body of it ending inside its last line was cut, even where the
  // line cannot show it (a ViceCard number, base64 cut on a group of four).
  it('from a terminal that ends its uploads with a line end, cut inside the ViceCard number: no person from the cut line; the whole line enrols them', async () => {
    const user = 'USER PIN=9417\tName=Cy Fo\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=123456789';
    const r = await cutThenWhole('ATT-CUTV-VICE', '9417', user, user.slice(0, -4), () => nameOf('9417'), () => peer.users.get('9417')?.name, true);
    expect(r).toEqual({ afterCut: { held: undefined, onPeer: undefined }, afterWhole: { held: 'Cy Fo', onPeer: 'Cy Fo' } });
  });

  it('from a terminal that ends its uploads with a line end, a BIODATA template cut on a base64 group: nothing cut is stored or sent on; the whole line brings it', async () => {
    const line = `BIODATA Pin=9418\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${tmp}`;
    const r = await cutThenWhole('ATT-CUTV-GROUP-ENDS', '9418', line, line.slice(0, -8), () => templatesOf('9418'), () => peerTemplates('9418'), true);
    expect(r).toEqual({ afterCut: { held: [], onPeer: [] }, afterWhole: { held: [tmp], onPeer: [tmp] } });
  });

  // The manual's USER form ends at ViceCard, and the manual only says LF joins records: from a terminal never seen
  // ending an upload with a line end, such a line ending the body is whole as far as anything can tell, and taken.
  it('a USER line of the manual\'s form ending the body at its ViceCard, from a terminal never seen ending an upload with a line end: taken', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CUTV-VICE-NEW' });
    const user = 'USER PIN=9419\tName=Di Gu\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=123456789';
    expect((await term.uploadRaw('OPERLOG', user)).body).toBe('OK: 1');
    expect(await nameOf('9419')).toBe('Di Gu');
  });

  // A data packet (11.14, ContentType=tgz) that inflates is whole (gzip checks its length and CRC), whatever its
  // packed file ends with: its last line is no cut, from a terminal that ends its uploads with a line end too.
  it('a plain gzip data packet whose last USER line has no line end, from a terminal that ends its uploads with one: taken', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CUTV-PACKET' });
    expect((await term.uploadRaw('OPERLOG', `${oplog('9421')}\r\n`)).body).toBe('OK: 1');
    const user = 'USER PIN=9421\tName=Ed Ho\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=123456789';
    expect((await term.uploadPacket('OPERLOG', [user], { tar: false, endsLine: false })).body).toBe('OK:1');
    expect(await nameOf('9421')).toBe('Ed Ho');
  });

  it('a BIODATA template cut on a base64 group (no Size to tell): stored as cut, and the whole line sent again replaces it everywhere', async () => {
    const line = `BIODATA Pin=9415\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${tmp}`;
    const r = await cutThenWhole('ATT-CUTV-GROUP', '9415', line, line.slice(0, -8), () => templatesOf('9415'), () => peerTemplates('9415'), false, true);
    expect(r).toEqual({ afterCut: { held: [tmp.slice(0, -8)], onPeer: [tmp.slice(0, -8)] }, afterWhole: { held: [tmp], onPeer: [tmp] } });
  });
});
