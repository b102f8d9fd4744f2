import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, expectSameShape, levelId, manualExample } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let a: Device;

beforeAll(async () => {
  t = await startTestApp();
  a = await Device.connect(t, 'CARDA0001', 1, '10.3.0.1');
  await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Door' }] });
  await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Door', doorName: '10.3.0.1-1' }] });
  expect((await t.post('/api/person/add', { pin: '42', name: 'Kim', accLevelIds: await levelId(t, 'Door') })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '43', name: 'Lou', cardNo: '5555' })).body.code).toBe(0);
  await a.since();
});
afterAll(async () => {
  await t?.close();
});

describe('card (2.4)', () => {
  it('set (2.4.2) gives the person a main card and re-sends the user record with CardNo, the rights staying', async () => {
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '212121', cardType: '0' })).body).toEqual({ code: 0, message: 'success', data: null });
    // Only the user record changed: the rights the panel confirmed are not sent again.
    expect(await a.since()).toEqual(['DATA UPDATE user CardNo=212121\tPin=42\tPassword=\tStartTime=0\tEndTime=0\tName=Kim\tPrivilege=0\tDisable=0']);
    expect(a.sim.user('42')).toMatchObject({ CardNo: '212121' });
    expect(a.sim.rightsOf('42').map((r) => r.doors)).toEqual([[1]]);
  });

  it('a new main card replaces the old one; a secondary card is added; getCards (2.4.1) lists them as the manual shows', async () => {
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '313131' })).body.code).toBe(0);
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '414141', cardType: 1 })).body.code).toBe(0);
    const r = await t.get('/api/card/getCards/42');
    expect(r.body).toEqual({ code: 0, message: 'success', data: [{ pin: '42', cardNo: '313131', cardType: '0' }, { pin: '42', cardNo: '414141', cardType: '1' }] });
    expectSameShape(r.body, manualExample('2.4.1'));
    expect((await t.get('/api/v2/card/getCards', { pin: '42' })).body).toEqual(r.body);
    expect((await t.get('/api/person/get/42')).body.data.cardNo).toBe('313131');
    expect((await t.post('/api/v2/person/getPersonList', { pins: '42', pageNo: 1, pageSize: 1 })).body.data.data[0].supplyCards).toBe('414141');
  });

  it('refuses a card of another person (-23), an unknown person (-22), an empty pin (-20)', async () => {
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '5555' })).body.code).toBe(-23);
    expect((await t.post('/api/card/set', { pin: 'nobody', cardNo: '1' })).body.code).toBe(-22);
    expect((await t.post('/api/card/set', { pin: '', cardNo: '1' })).body.code).toBe(-20);
    expect((await t.get('/api/card/getCards/nobody')).body.code).toBe(-22);
  });

  it('person/add with cardNo "" deletes the main card', async () => {
    await a.since();
    expect((await t.post('/api/person/add', { pin: '42', cardNo: '' })).body.code).toBe(0);
    expect((await a.since())[0]).toBe('DATA UPDATE user CardNo=\tPin=42\tPassword=\tStartTime=0\tEndTime=0\tName=Kim\tPrivilege=0\tDisable=0');
    expect((await t.get('/api/card/getCards/42')).body.data).toEqual([{ pin: '42', cardNo: '414141', cardType: '1' }]);
  });

  it('refuses a card number that is neither decimal nor hexadecimal (-400) and sends nothing; hex is taken', async () => {
    await a.since();
    for (const cardNo of ['abcxyz', 'G1', '12 34', '-5']) {
      const r = await t.post('/api/card/set', { pin: '42', cardNo });
      expect(r.body).toEqual({ code: -400, message: 'cardNo: cardNo must be a card number: digits, or hexadecimal', data: null });
    }
    expect((await t.post('/api/person/add', { pin: '42', supplyCards: 'zz99' })).body.code).toBe(-400);
    expect(await a.since()).toEqual([]);
    expect((await t.get('/api/card/getCards/42')).body.data).toEqual([{ pin: '42', cardNo: '414141', cardType: '1' }]);
    expect((await t.post('/api/card/set', { pin: '42', cardNo: 'A1B2C3' })).body.code).toBe(0);
    expect((await t.get('/api/card/getCards/42')).body.data).toContainEqual({ pin: '42', cardNo: 'A1B2C3', cardType: '0' });
  });

  it('a missing cardNo says so, without speaking of JSON numbers that lost digits', async () => {
    const r = await t.post('/api/card/set', { pin: '42' });
    expect(r.body.code).toBe(-400);
    expect(r.body.message).toBe('cardNo: cardNo must be a string, cardNo should not be empty');
    // A number written with an exponent (JavaScript's JSON.stringify(1e30)) has lost its digits: refused.
    expect((await t.post('/api/card/set', { pin: '42', cardNo: 1e30 })).body.message).toMatch(/lost digits/);
  });

  it('a card number past 2^53 written as a JSON integer (a Java long) is stored digit for digit', async () => {
    const body = '{"pin":"42","cardNo":12345678901234567891,"cardType":"1"}';
    const r = await t.request('POST', '/api/card/set', { query: { access_token: t.config.apiToken }, body, headers: { 'content-type': 'application/json' } });
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/card/getCards/42')).body.data).toContainEqual({ pin: '42', cardNo: '12345678901234567891', cardType: '1' });
  });

  it('cardType "" or null is the main card, as an absent cardType', async () => {
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '616161', cardType: '' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/card/getCards/42')).body.data).toContainEqual({ pin: '42', cardNo: '616161', cardType: '0' });
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '626262', cardType: null })).body.code).toBe(0);
    const cards = (await t.get('/api/card/getCards/42')).body.data;
    expect(cards).toContainEqual({ pin: '42', cardNo: '626262', cardType: '0' });
    expect(cards).not.toContainEqual(expect.objectContaining({ cardNo: '616161' }));
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '636363', cardType: '2' })).body.code).toBe(-400);
    // "1.0" (a float serialiser's 1) is a secondary card as 1 is; "1.5" is no card type.
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '646464', cardType: '1.0' })).body.code).toBe(0);
    expect((await t.get('/api/card/getCards/42')).body.data).toContainEqual({ pin: '42', cardNo: '646464', cardType: '1' });
    expect((await t.post('/api/card/set', { pin: '42', cardNo: '656565', cardType: '1.5' })).body.code).toBe(-400);
  });


  it('a card set as the kind the person does not hold it as moves: a main card set as secondary (cardType 1) becomes one, as a secondary card set as main becomes the main card', async () => {
    expect((await t.post('/api/person/add', { pin: '3950', name: 'H3 Mover', cardNo: '395011', accLevelIds: await levelId(t, 'Door') })).body.code).toBe(0);
    await a.since();
    // Before, this answered success and kept 395011 the main card: the answer claimed a change that was not made.
    expect((await t.post('/api/card/set', { pin: '3950', cardNo: '395011', cardType: '1' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/card/getCards/3950')).body.data).toEqual([{ pin: '3950', cardNo: '395011', cardType: '1' }]);
    expect((await t.get('/api/person/get/3950')).body.data.cardNo).toBe('');
    expect((await t.get('/api/v2/person/get', { pin: '3950' })).body.data.supplyCards).toBe('395011');
    // The panel's user record has no main card any more.
    expect((await a.since()).filter((c) => c.startsWith('DATA UPDATE user '))).toEqual([expect.stringMatching(/^DATA UPDATE user CardNo=\tPin=3950\t/)]);
    // Set as main again, it moves back.
    expect((await t.post('/api/card/set', { pin: '3950', cardNo: '395011', cardType: '0' })).body.code).toBe(0);
    expect((await t.get('/api/card/getCards/3950')).body.data).toEqual([{ pin: '3950', cardNo: '395011', cardType: '0' }]);
    expect((await t.get('/api/person/get/3950')).body.data.cardNo).toBe('395011');
    expect((await a.since()).filter((c) => c.startsWith('DATA UPDATE user '))).toEqual([expect.stringMatching(/^DATA UPDATE user CardNo=395011\tPin=3950\t/)]);
  });
  it('the same card set for several persons at once: one gets it, the others -23 as a later call would (not -409)', async () => {
    for (const pin of ['44', '45', '46']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
    const answers = await Promise.all(['43', '44', '45', '46'].map((pin) => t.post('/api/card/set', { pin, cardNo: '990001' }).then((r) => r.body)));
    expect(answers.filter((a) => a.code === 0)).toHaveLength(1);
    expect(answers.filter((a) => a.code !== 0).map((a) => a.code)).toEqual([-23, -23, -23]);
    const holders = [];
    for (const pin of ['43', '44', '45', '46']) if ((await t.get(`/api/card/getCards/${pin}`)).body.data.some((c: { cardNo: string }) => c.cardNo === '990001')) holders.push(pin);
    expect(holders).toHaveLength(1);
  });

  it('one card written with and without leading zeros by concurrent writers (person/add, card/set, a visitor check-in): one holder, the others -23', async () => {
    for (let round = 0; round < 3; round++) {
      const card = `77${round}01`;
      const forms = [card, `0${card}`, `00${card}`, `000${card}`];
      const adds = forms.map((cardNo, i) => t.post('/api/person/add', { pin: `9${round}${i}`, name: `C${i}`, cardNo }).then((r) => r.body.code));
      const set = t.post('/api/card/set', { pin: '42', cardNo: `0000${card}` }).then((r) => r.body.code);
      const codes = await Promise.all([...adds, set]);
      expect(codes.filter((c) => c === 0)).toHaveLength(1);
      expect(codes.filter((c) => c !== 0)).toEqual(Array(4).fill(-23));
      const holders = await t.ds.query(`SELECT card_no FROM card WHERE ltrim(card_no, '0') = $1`, [card]);
      expect(holders).toHaveLength(1);
    }
  });
  it('different main cards written for one person at once (card/set, person/add): one main card in the end, mirrored on the person', async () => {
    expect((await t.post('/api/person/add', { pin: '4477', name: 'Racer', accLevelIds: await levelId(t, 'Door') })).body.code).toBe(0);
    await a.since();
    for (let round = 0; round < 5; round++) {
      const writes = Array.from({ length: 12 }, (_, i) => {
        const cardNo = String(6600000 + round * 100 + i);
        return i % 3 === 0 ? t.post('/api/person/add', { pin: '4477', name: 'Racer', cardNo }) : t.post('/api/card/set', { pin: '4477', cardNo, cardType: 0 });
      });
      for (const r of await Promise.all(writes)) expect(r.body.code).toBe(0);
      const mains = await t.ds.query(`SELECT c.card_no, p.card_no AS mirror FROM card c JOIN person p ON p.id = c.person_id WHERE p.pin = '4477' AND c.card_type = 0`);
      expect(mains).toHaveLength(1);
      expect(mains[0].mirror).toBe(mains[0].card_no);
      // The panel ends with the database's card; the last user record it acknowledged carries it.
      const sent = (await a.since()).filter((c) => c.startsWith('DATA UPDATE user ') && c.includes('\tPin=4477\t'));
      expect(sent.at(-1)).toBe(`DATA UPDATE user CardNo=${mains[0].card_no}\tPin=4477\tPassword=\tStartTime=0\tEndTime=0\tName=Racer\tPrivilege=0\tDisable=0`);
      a.expectAllAcknowledged();
      expect(a.sim.user('4477')).toMatchObject({ CardNo: mains[0].card_no });
    }
  });
});
