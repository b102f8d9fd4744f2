import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp, type HttpResult } from '../support/test-app';

/**
 * A write about a person meeting that person's delete, committed while the write was under way (an HR system
 * deleting a leaver while a biometric or access integration still writes for them): the write answers what it
 * would one call later, -22 "The person does not exist", never the bare -409 "The record is referenced by other
 * records" of a row inserted for a person the database had just dropped. The delete is held open on a
 * connection of the test's own until the write waits on it, so the order is the same at every run. Not on the
 * embedded database (PGlite): it runs one transaction at a time, so the two never overlap there.
 */
const onPglite = inject('testDb').mode === 'embedded';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Runs `write` while `pin`'s delete is uncommitted, commits the delete once the write waits on a lock, and answers the write's answer. */
async function writeDuringDelete(pin: string, write: () => Promise<HttpResult>): Promise<HttpResult> {
  expect((await t.post('/api/person/add', { pin, name: 'Leaver' })).body.code).toBe(0);
  // Connections of the test's own, outside the gateway's pool (one connection on the embedded database).
  const deleter = new Client({ connectionString: t.db.url });
  const watcher = new Client({ connectionString: t.db.url });
  await deleter.connect();
  await watcher.connect();
  try {
    await deleter.query('BEGIN');
    await deleter.query(`DELETE FROM person WHERE pin = $1`, [pin]);
    const answer = write();
    // The write reads the person (the delete is not committed yet), then waits on the delete's row lock.
    for (let i = 0; i < 400; i++) {
      const { rows } = await watcher.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`);
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await deleter.query('COMMIT');
    return await answer;
  } finally {
    await deleter.end();
    await watcher.end();
  }
}

describe.skipIf(onPglite)('a write racing the delete of its person', () => {
  it('bioTemplate/add for a person deleted meanwhile answers -22 and stores nothing', async () => {
    const r = await writeDuringDelete('4401', () => t.post('/api/bioTemplate/add', { pin: '4401', validType: 1, template: Buffer.alloc(300, 3).toString('base64'), templateNo: 1 }));
    expect(r.body).toMatchObject({ code: -22 });
    expect(await t.ds.query(`SELECT 1 FROM bio_template b LEFT JOIN person p ON p.id = b.person_id WHERE p.id IS NULL`)).toEqual([]);
  });

  it('eleLevel/syncPerson for a person deleted meanwhile answers -22', async () => {
    const level = (await t.post('/api/gateway/eleLevel/save', { name: 'Lift' })).body.data.id;
    const r = await writeDuringDelete('4402', () => t.post('/api/eleLevel/syncPerson', undefined, { pin: '4402', levelIds: level }));
    expect(r.body).toMatchObject({ code: -22 });
  });
});
