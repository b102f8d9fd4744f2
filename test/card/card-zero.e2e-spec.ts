import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Card number 0 is no card: a panel reads `CardNo=0` as none, reports a verification without a card as
 * `cardno=0`, and the gateway reads a device's card 0 as none. HR clients whose card field is an integer send
 * `"cardNo": 0` for a person without a card. Before, the gateway stored "0" as the person's card: the next person
 * sent with 0 (or "000") answered -23 "The card number has been used: 0", and card/getCards listed a card no reader
 * can present.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const cardsOf = async (pin: string) => (await t.get(`/api/card/getCards/${pin}`)).body.data;

describe('card number 0 on REST writes', () => {
  it('person/add with cardNo 0, "0" or "000" is a person without a card, for every such person', async () => {
    expect((await t.post('/api/person/add', { pin: '8101', name: 'A', cardNo: 0 })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/person/add', { pin: '8102', name: 'B', cardNo: '0' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '8103', name: 'C', cardNo: '000' })).body.code).toBe(0);
    for (const pin of ['8101', '8102', '8103']) {
      expect(await cardsOf(pin)).toEqual([]);
      expect((await t.get(`/api/person/get/${pin}`)).body.data.cardNo).toBe('');
    }
  });

  it('person/add with cardNo 0 removes the main card, as "" does', async () => {
    await t.post('/api/person/add', { pin: '8104', name: 'D', cardNo: '445566' });
    expect(await cardsOf('8104')).toEqual([{ pin: '8104', cardNo: '445566', cardType: '0' }]);
    expect((await t.post('/api/person/add', { pin: '8104', name: 'D', cardNo: 0 })).body.code).toBe(0);
    expect(await cardsOf('8104')).toEqual([]);
    // The card is free again for someone else.
    expect((await t.post('/api/person/add', { pin: '8105', name: 'E', cardNo: '445566' })).body.code).toBe(0);
  });

  it('a 0 among supplyCards is left out', async () => {
    expect((await t.post('/api/person/add', { pin: '8106', name: 'F', supplyCards: '0,778899' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '8107', name: 'G', supplyCards: ['00'] })).body.code).toBe(0);
    expect(await cardsOf('8106')).toEqual([{ pin: '8106', cardNo: '778899', cardType: '1' }]);
    expect(await cardsOf('8107')).toEqual([]);
  });

  it('card/set with card 0 is refused (-400, saying why), and stores nothing', async () => {
    const r = await t.post('/api/card/set', { pin: '8101', cardNo: '0', cardType: '0' });
    expect(r.body.code).toBe(-400);
    expect(r.body.message).toMatch(/cardNo should not be empty \(card number 0 is no card to a panel\)/);
    expect(await cardsOf('8101')).toEqual([]);
  });

  it('visitors registered with cardNo 0 hold no card, and a second one is not refused -23', async () => {
    await t.post('/api/person/add', { pin: '8200', name: 'Host' });
    // An hour either side of now (the gateway's TIME_ZONE is UTC here), not "today": a run at midnight would
    // check in to a window that had just ended (-252).
    const at = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 19).replace('T', ' ');
    const visit = (certNum: string) => ({
      persPersonPin: '8200', certType: '8', certNum, visEmpName: 'Vis', visitReason: 'visit', visitorCount: '1',
      startTime: at(-3600_000), endTime: at(3600_000), cardNo: 0,
    });
    expect((await t.post('/api/visRegistration/add', visit('V8201'))).body.code).toBe(0);
    expect((await t.post('/api/visRegistration/add', visit('V8202'))).body.code).toBe(0);
    // The card 0 of neither visitor blocks a person's card write either.
    expect((await t.post('/api/person/add', { pin: '8108', name: 'H', cardNo: '0' })).body.code).toBe(0);
  });
});
