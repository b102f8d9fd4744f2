import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * An HR or access integration writes a person's levels and reads them back to see whether anything changed since
 * its last run: accLevelIds must come back in the order it was written, from every person read, or the comparison
 * finds a change at every run.
 */
let t: TestApp;
let levels: string[];
beforeAll(async () => {
  t = await startTestApp();
  for (const name of ['RB one', 'RB two', 'RB three']) expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] })).body.code).toBe(0);
  levels = (await t.get('/api/accLevel/list', { pageNo: 1, pageSize: 10 })).body.data.map((l: { id: string }) => l.id);
});
afterAll(async () => {
  await t?.close();
});

/** accLevelIds as person/get, v2/person/get and v2/person/getPersonList read it. */
async function readBack(pin: string): Promise<string[]> {
  return [
    (await t.get(`/api/person/get/${pin}`)).body.data.accLevelIds,
    (await t.get('/api/v2/person/get', { pin })).body.data.accLevelIds,
    (await t.post('/api/v2/person/getPersonList', undefined, { pageNo: 1, pageSize: 10, pins: pin })).body.data.data[0].accLevelIds,
  ];
}

it('accLevelIds reads back in the order written: person/add (new and edited), v2/person/addPersons, addLevelPerson', async () => {
  // Against their sorted order, whichever ids the levels got.
  const written = [...levels].sort().reverse();
  expect((await t.post('/api/person/add', { pin: '6101', name: 'New', accLevelIds: written.join(',') })).body.code).toBe(0);
  expect(await readBack('6101')).toEqual(Array(3).fill(written.join(',')));

  const again = [written[1], written[2], written[0]];
  expect((await t.post('/api/person/add', { pin: '6101', name: 'Edited', accLevelIds: again.join(',') })).body.code).toBe(0);
  expect(await readBack('6101')).toEqual(Array(3).fill(again.join(',')));

  expect((await t.post('/api/v2/person/addPersons', [{ pin: '6102', name: 'Batch', accLevelIds: written.join(',') }])).body.code).toBe(0);
  expect(await readBack('6102')).toEqual(Array(3).fill(written.join(',')));

  // Added levels come after the ones held, in the order given; one given twice or already held is kept once.
  expect((await t.post('/api/person/add', { pin: '6103', name: 'Added', accLevelIds: written[2] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelPerson', undefined, { pin: '6103', levelIds: [written[0], written[2], written[1], written[0]].join(',') })).body.code).toBe(0);
  expect(await readBack('6103')).toEqual(Array(3).fill([written[2], written[0], written[1]].join(',')));
});
