import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lockWaits } from '../support/lock-waits';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Writes that PostgreSQL aborts to break a deadlock with a concurrent writer, found by the race hunt
 * (race-hunt.e2e-spec.ts): each is run again inside and answers what it would one call later, never -1
 * "Program error" (HTTP 500). The other side of the cycle is a transaction of the test's own, on its own
 * connection, doing what a concurrent person write does, so the cycle forms at every run. Its deadlock_timeout is
 * long, so the gateway's request is the one PostgreSQL aborts. Not on the embedded database (PGlite): it runs one
 * transaction at a time, so no two writes overlap there.
 */
const onPglite = inject('testDb').mode === 'embedded';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A connection of the test's own, in a transaction, that loses no deadlock to the gateway. */
async function ownTransaction(): Promise<Client> {
  const c = new Client({ connectionString: t.db.url });
  await c.connect();
  await c.query(`SET deadlock_timeout = '60s'`);
  await c.query('BEGIN');
  return c;
}

describe.skipIf(onPglite)('a REST write aborted by a deadlock is run again', () => {
  it('department delete meeting a person write that moves persons in and out of it answers -15, not a program error', async () => {
    expect((await t.post('/api/department/add', { code: 'DL1', name: 'Leaving' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '5301', name: 'In', deptCode: 'DL1' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '5302', name: 'Joining', deptCode: '1' })).body.code).toBe(0);
    const writer = await ownTransaction();
    try {
      // A person write (person/add locks the person it edits): 5301, of the department, locked first.
      await writer.query(`SELECT 1 FROM person WHERE pin = '5301' FOR UPDATE`);
      // The delete takes the department's row, then its foreign key check waits on 5301.
      const answer = t.post('/api/department/delete/DL1');
      await lockWaits(t.ds, 1);
      // The same write then moves 5302 into the department: it waits on the delete, which waits on it.
      await writer.query(`UPDATE person SET dept_id = (SELECT id FROM department WHERE code = 'DL1') WHERE pin = '5302'`);
      await writer.query('COMMIT');
      const r = await answer;
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ code: -15 });
    } finally {
      await writer.end();
    }
    expect((await t.get('/api/department/get/DL1')).body.code).toBe(0);
  });
});
