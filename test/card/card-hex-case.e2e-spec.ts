import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { migrateDatabase } from '../../src/database/database';
import { MIGRATIONS } from '../../src/database/migrations';
import { CardValueCase1764100004000 } from '../../src/database/migrations/1764100004000-card-value-case';
import { Device, levelId } from '../sync/access-helpers';
import { seedBefore } from '../support/migration-fixture';
import { createEmptyDatabase } from '../support/test-db';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A hexadecimal card number is one card whatever the case of its letters (card-value.ts): `1a2b` and `1A2B` were
 * stored as two cards for two persons, and a look-up by the other spelling missed. Stored, checked and sent in
 * upper case, as panels write hex (`CardNo=DF349C3BEA5277ED`).
 */
let t: TestApp;
let a: Device;

beforeAll(async () => {
  t = await startTestApp();
  a = await Device.connect(t, 'HEXC0001', 1, '10.9.0.1');
  await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Hex' }] });
  await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Hex', doorName: '10.9.0.1-1' }] });
  const level = await levelId(t, 'Hex');
  for (const pin of ['71', '72']) expect((await t.post('/api/person/add', { pin, name: `H${pin}`, accLevelIds: level })).body.code).toBe(0);
  await a.since();
});
afterAll(async () => {
  await t?.close();
});

describe('hexadecimal card numbers, whatever the case of their letters', () => {
  it('are stored and sent in upper case; the same number in lower case is the same card (-23 for another person)', async () => {
    expect((await t.post('/api/card/set', { pin: '71', cardNo: '1a2b' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/card/getCards/71')).body.data).toEqual([{ pin: '71', cardNo: '1A2B', cardType: '0' }]);
    expect((await t.get('/api/person/get/71')).body.data.cardNo).toBe('1A2B');
    expect(await a.since()).toEqual([expect.stringMatching(/^DATA UPDATE user CardNo=1A2B\tPin=71\t/)]);

    for (const cardNo of ['1A2B', '1a2B', '01a2b']) expect((await t.post('/api/card/set', { pin: '72', cardNo })).body.code).toBe(-23);
    expect((await t.post('/api/person/add', { pin: '72', supplyCards: '1a2b' })).body.code).toBe(-23);
    expect((await t.post('/api/person/add', { pin: '73', name: 'H73', cardNo: '1a2b' })).body.code).toBe(-23);
    expect((await t.get('/api/card/getCards/72')).body.data).toEqual([]);
    expect(await a.since()).toEqual([]);
  });

  it('the holder writing it again in another case keeps one card, sending nothing new', async () => {
    expect((await t.post('/api/card/set', { pin: '71', cardNo: '1A2b' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '71', supplyCards: 'ff01,FF01' })).body.code).toBe(0);
    expect((await t.get('/api/card/getCards/71')).body.data).toEqual([
      { pin: '71', cardNo: '1A2B', cardType: '0' },
      { pin: '71', cardNo: 'FF01', cardType: '1' },
    ]);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM card WHERE upper(card_no) = '1A2B'`);
    expect(n).toBe(1);
  });
});

describe('migration 1764100004000', () => {
  it('writes lower-case numbers in upper case (a number held twice in two cases keeps one as written) and makes the user items naming them due', async () => {
    const db = await createEmptyDatabase();
    try {
      const before = await seedBefore(db.url, CardValueCase1764100004000, async (old) => {
        const [dept] = await old.query(`SELECT id FROM department WHERE code = '1'`);
        await old.query(
          `INSERT INTO person (id, pin, dept_id, card_no) VALUES ('p1'::char(32), '1', $1, 'ab12'), ('p2'::char(32), '2', $1, 'cd'), ('p3'::char(32), '3', $1, 'CD')`,
          [dept.id],
        );
        await old.query(
          `INSERT INTO card (id, person_id, card_no, card_type, created_at) VALUES
             ('c1', 'p1', 'ab12', 0, now()), ('c2', 'p1', '77', 1, now()), ('c3', 'p2', 'cd', 0, now()), ('c4', 'p3', 'CD', 0, now())`,
        );
        await old.query(`INSERT INTO device (id, sn, alias, time_zone, kind) VALUES ('d1', 'MIGHEX01', 'm', 'UTC', 'acc')`);
        await old.query(
          `INSERT INTO sync_item (device_id, kind, key, hash, failures, next_try_at) VALUES
             ('d1', 'user', '1', 'abcdef#ab12', 0, now() + interval '1 day'), ('d1', 'user', '3', 'abcdef#CD', 0, now() + interval '1 day')`,
        );
      });

      expect(await migrateDatabase(db.url)).toEqual(MIGRATIONS.slice(before.length).map((m) => new m().name));

      const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
      await ds.initialize();
      try {
        expect(await ds.query(`SELECT trim(id) AS id, card_no FROM card ORDER BY id`)).toEqual([
          { id: 'c1', card_no: 'AB12' },
          { id: 'c2', card_no: '77' },
          { id: 'c3', card_no: 'cd' },
          { id: 'c4', card_no: 'CD' },
        ]);
        expect(await ds.query(`SELECT trim(id) AS id, card_no FROM person WHERE id IN ('p1', 'p2', 'p3') ORDER BY id`)).toEqual([
          { id: 'p1', card_no: 'AB12' },
          { id: 'p2', card_no: 'cd' },
          { id: 'p3', card_no: 'CD' },
        ]);
        expect(await ds.query(`SELECT key, next_try_at <= now() AS due FROM sync_item ORDER BY key`)).toEqual([
          { key: '1', due: true },
          { key: '3', due: false },
        ]);
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});
