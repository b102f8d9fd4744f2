import { afterAll, beforeAll, expect, it } from 'vitest';
import { sharedCardValues } from '../support/card-holders';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A burst of REST writes from many integrator connections at once, over a small set of pins, cards, templates,
 * departments and levels, so that writers keep meeting on the same keys: every answer is one a sequential caller
 * could get (the manual's codes), never a 5xx, a program error or the bare "The record already exists" of a
 * unique index meeting a concurrent writer; and what is stored afterwards is consistent (one holder per card).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  expect((await t.post('/api/department/add', { code: 'CW', name: 'Concurrent' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

const pick = (n: number) => Math.floor(Math.random() * n);
const pin = () => String(7100 + pick(12));
const card = () => String(880000 + pick(10)).padStart(6 + pick(2), '0');
const template = Buffer.alloc(600, 7).toString('base64');

const writes: Array<() => Promise<{ status: number; body: { code: number; message: string } }>> = [
  () => t.post('/api/person/add', { pin: pin(), name: `N${pick(99)}`, deptCode: pick(2) ? 'CW' : '1', ...(pick(2) ? { cardNo: card() } : {}) }),
  () => t.post('/api/v2/person/addPersons', [{ pin: pin(), name: 'Bulk', deptCode: 'CW' }, { pin: pin(), name: 'Bulk', deptCode: 'CW', cardNo: card() }]),
  () => t.post('/api/person/addPersonnelBasicInfo', { pin: pin(), name: `B${pick(99)}`, deptCode: 'CW' }),
  () => t.delete(`/api/person/delete/${pin()}`),
  () => t.post('/api/card/set', { pin: pin(), cardNo: card(), cardType: 0 }),
  () => t.post('/api/bioTemplate/add', { personId: pin(), validType: 1, template, templateNo: pick(3) }),
  () => t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `CW level ${pick(3)}`, areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] }),
  () => t.post('/api/department/add', { code: `CW${pick(3)}`, name: `CW dept ${pick(3)}`, parentCode: 'CW' }),
  () => t.post('/api/visReservation/add', { persPersonPin: pin(), certType: '8', certNum: `CW${pick(3)}`, visitEmpName: 'V', visitReason: 'Meet', visitDate: '2030-01-02 09:00:00', visitEndDate: '2030-01-02 17:00:00' }),
  () => t.post('/api/visRegistration/add', { persPersonPin: pin(), certType: '8', certNum: `CX${pick(3)}`, visEmpName: 'V', visitorCount: 1, visitReason: 'Meet', startTime: '2030-01-01 09:00:00', endTime: '2030-01-01 18:00:00', ...(pick(2) ? { cardNo: card() } : {}) }),
  () => t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: `CX${pick(3)}` }),
];

it('never answers a burst of colliding writes with a 5xx, a program error, -503 or a bare unique-index conflict; one holder per card', { timeout: 300_000 }, async () => {
  const odd: string[] = [];
  let done = 0;
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      for (let i = 0; i < 25; i++) {
        const op = pick(writes.length);
        const r = await writes[op]();
        done++;
        if (r.status >= 500 || r.body.code === -1 || r.body.code === -503 || r.body.message === 'The record already exists') odd.push(`write ${op}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }),
  );
  expect(done).toBe(600);
  expect(odd).toEqual([]);
  // A card value (leading zeros aside) belongs to one person, or one checked-in visitor, at most.
  expect(await sharedCardValues(t.ds)).toEqual([]);
  // person.card_no mirrors the main card.
  const mismatched = await t.ds.query(`
    SELECT p.pin, p.card_no AS mirror, c.card_no AS main, (SELECT string_agg(card_no || ':' || card_type, ',') FROM card WHERE person_id = p.id) AS cards FROM person p LEFT JOIN card c ON c.person_id = p.id AND c.card_type = 0
    WHERE p.card_no IS DISTINCT FROM c.card_no`);
  expect(mismatched).toEqual([]);
});
