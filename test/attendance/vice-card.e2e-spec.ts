/**
 * The secondary card of a user on attendance terminals (`ViceCard=`, attendance manual 11.5 USER upload and 12.1.1.1
 * DATA UPDATE USERINFO: "User card number (secondary card)"). A ViceCard a terminal uploads is the person's
 * secondary card, served back by REST (person `supplyCards`, card/getCards cardType 1) and carried to the other
 * terminals; a secondary card set by REST reaches the terminals as `ViceCard=` of the user's record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let enrol: AttendanceTerminal;
let peer: AttendanceTerminal;

beforeAll(async () => {
  t = await startTestApp();
  reconciler = t.app.get(SyncReconciler);
  enrol = await initialisedTerminal(t, { sn: 'ATT-VICE-ENROL' });
  peer = await initialisedTerminal(t, { sn: 'ATT-VICE-PEER' });
  await settle(enrol);
  await settle(peer);
});
afterAll(async () => {
  await t?.close();
});

const settle = (term: AttendanceTerminal) => settleTerminal(reconciler, term);
const userLine = (pin: string, card: string, viceCard: string) =>
  `USER PIN=${pin}\tName=Vice ${pin}\tPri=0\tPasswd=\tCard=${card}\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=${viceCard}`;
const supplyCardsOf = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body.data?.supplyCards;
const cardsOf = async (pin: string) => ((await t.get(`/api/card/getCards/${pin}`)).body.data ?? []).map((c: { cardNo: string; cardType: string }) => [c.cardNo, String(c.cardType)]);

describe('ViceCard uploaded by a terminal', () => {
  it('becomes the person’s secondary card, served by REST and carried to the other terminals; a resend adds nothing', async () => {
    const r = await enrol.uploadOperlog([userLine('7101', '89776433', '123456789')]);
    expect([r.status, r.body]).toEqual([200, 'OK: 1']);
    expect(await supplyCardsOf('7101')).toBe('123456789');
    expect(await cardsOf('7101')).toEqual([
      ['89776433', '0'],
      ['123456789', '1'],
    ]);

    await settle(peer);
    expect(peer.users.get('7101')).toMatchObject({ card: '89776433', viceCard: '123456789' });
    // The terminal it came from holds it already: it is sent nothing.
    expect(await enrol.drain()).toEqual([]);

    // Sent again (the answer was lost): the same one card, nothing queued anywhere.
    expect((await enrol.uploadOperlog([userLine('7101', '89776433', '123456789')])).body).toBe('OK: 1');
    expect(await cardsOf('7101')).toHaveLength(2);
    await reconciler.idle();
    expect(await peer.drain()).toEqual([]);
  });

  it('in the bracketed hex form (manual 11.5: [15CD5B07] is 123456789) is stored as the decimal number', async () => {
    expect((await enrol.uploadOperlog([userLine('7102', '', '[15CD5B08]')])).body).toBe('OK: 1');
    expect(await supplyCardsOf('7102')).toBe(String(0x085bcd15));
  });

  it('changed at the terminal replaces the one it held; an empty ViceCard (firmware that leaves it out) keeps it', async () => {
    expect((await enrol.uploadOperlog([userLine('7103', '', '5550001')])).body).toBe('OK: 1');
    expect((await enrol.uploadOperlog([userLine('7103', '', '5550002')])).body).toBe('OK: 1');
    expect(await supplyCardsOf('7103')).toBe('5550002');
    expect((await enrol.uploadOperlog([userLine('7103', '', '')])).body).toBe('OK: 1');
    expect(await supplyCardsOf('7103')).toBe('5550002');
    await settle(peer);
    expect(peer.users.get('7103')?.viceCard).toBe('5550002');
  });

  it('that another person holds is not taken, and the terminal is sent the database’s record', async () => {
    expect((await t.post('/api/person/add', { pin: '7104', name: 'Holder', cardNo: '6660001' })).body.code).toBe(0);
    expect((await enrol.uploadOperlog([userLine('7105', '', '6660001')])).body).toBe('OK: 1');
    expect(await supplyCardsOf('7105')).toBe('');
    expect(await cardsOf('7104')).toEqual([['6660001', '0']]);
    await settle(enrol);
    expect(enrol.users.get('7105')?.viceCard ?? '').toBe('');
  });
});

describe('secondary cards set by REST', () => {
  it('reach the terminals as ViceCard of the user record (person/add supplyCards, card/set cardType 1)', async () => {
    expect((await t.post('/api/person/add', { pin: '7201', name: 'Rest', cardNo: '7770001', supplyCards: '7770002' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['7201'] })).body.code).toBe(0);
    await settle(peer);
    expect(peer.users.get('7201')).toMatchObject({ card: '7770001', viceCard: '7770002' });
    expect(peer.users.get('7201')?.fields.ViceCard).toBe('7770002');

    expect((await t.post('/api/person/add', { pin: '7202', name: 'Later', cardNo: '7780001' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['7202'] })).body.code).toBe(0);
    await settle(peer);
    expect(peer.users.get('7202')?.viceCard ?? '').toBe('');
    expect((await t.post('/api/card/set', { pin: '7202', cardNo: '7780002', cardType: '1' })).body.code).toBe(0);
    await settle(peer);
    expect(peer.users.get('7202')).toMatchObject({ card: '7780001', viceCard: '7780002' });

    // Removed by REST: the record carries an empty ViceCard (12.1.1.1 prints the field in every record), since a
    // terminal keeps a field a record leaves out and the card would still be valid there.
    expect((await t.post('/api/person/add', { pin: '7202', name: 'Later', supplyCards: '' })).body.code).toBe(0);
    await settle(peer);
    expect(peer.users.get('7202')).toMatchObject({ card: '7780001', viceCard: '' });
    expect(peer.users.get('7202')?.fields.ViceCard).toBe('');
  });

  it('keep the order they were written in: supplyCards reads back as sent and its first card is the ViceCard', async () => {
    // Numbers whose sorted order is the reverse of the written one (2.13.7 prints its supplyCards with a full-width comma).
    expect((await t.post('/api/person/add', { pin: '7203', name: 'Order', cardNo: '7790001', supplyCards: '7790009，7790003' })).body.code).toBe(0);
    expect(await supplyCardsOf('7203')).toBe('7790009,7790003');
    const cards = (await t.get('/api/card/getCards/7203')).body.data.map((c: { cardNo: string; cardType: string }) => `${c.cardNo}:${c.cardType}`);
    expect(cards).toEqual(['7790001:0', '7790009:1', '7790003:1']);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['7203'] })).body.code).toBe(0);
    await settle(peer);
    expect(peer.users.get('7203')?.fields.ViceCard).toBe('7790009');
    // Written again in the other order: read back so, and the terminal's ViceCard follows.
    expect((await t.post('/api/person/add', { pin: '7203', name: 'Order', supplyCards: '7790003,7790009' })).body.code).toBe(0);
    expect(await supplyCardsOf('7203')).toBe('7790003,7790009');
    await settle(peer);
    expect(peer.users.get('7203')?.fields.ViceCard).toBe('7790003');
  });

  it('a person who never had one is not sent again for the empty ViceCard: the record\'s hash is the one it was before', async () => {
    const { terminalMember } = await import('../../src/sync/attendance-commands');
    const { createHash } = await import('node:crypto');
    const person = { pin: '7301', name: 'Plain', pri: 0, password: null, cardNo: '1', verifyMode: null, viceCard: null, photo: null } as never;
    const user = terminalMember({ biodata: true } as never, person, []).get('user')!;
    expect(user.commands).toEqual(['DATA UPDATE USERINFO PIN=7301\tName=Plain\tPri=0\tPasswd=\tCard=1\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);
    const before = 'DATA UPDATE USERINFO PIN=7301\tName=Plain\tPri=0\tPasswd=\tCard=1\tGrp=1\tTZ=0000000000000000\tVerify=-1';
    // Then `#` and the card it carries (migration 1763700010200: card moves, card-moves.ts).
    expect(user.hash).toBe(`${createHash('sha1').update(JSON.stringify([before])).digest('hex')}#1`);
  });
});
