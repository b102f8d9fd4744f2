import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { migrateDatabase } from '../../src/database/database';
import { MIGRATIONS } from '../../src/database/migrations';
import { OneMainCard1763700004400 } from '../../src/database/migrations/1763700004400-one-main-card';
import { seedBefore } from '../support/migration-fixture';
import { createEmptyDatabase } from '../support/test-db';

/** Migration 1763700004400: one main card per person, as a database rule, and a database that broke it before. */
describe('one main card per person', () => {
  it('keeps the main card person.card_no names (else the newest), makes the others secondary, then refuses a second', async () => {
    const db = await createEmptyDatabase();
    try {
      const before = await seedBefore(db.url, OneMainCard1763700004400, async (old) => {
        const [dept] = await old.query(`SELECT id FROM department WHERE code = '1'`);
        await old.query(
          `INSERT INTO person (id, pin, dept_id, card_no) VALUES ('p1'::char(32), '1', $1, 'B'), ('p2'::char(32), '2', $1, NULL), ('p3'::char(32), '3', $1, '7')`,
          [dept.id],
        );
        // p1: three main cards, person.card_no names the middle one; p2: two, none named; p3: one main, one secondary.
        await old.query(
          `INSERT INTO card (id, person_id, card_no, card_type, created_at) VALUES
             ('c1', 'p1', 'A', 0, now() - interval '3 day'), ('c2', 'p1', 'B', 0, now() - interval '2 day'), ('c3', 'p1', 'C', 0, now() - interval '1 day'),
             ('c4', 'p2', 'X', 0, now() - interval '2 day'), ('c5', 'p2', 'Y', 0, now() - interval '1 day'),
             ('c6', 'p3', '7', 0, now()), ('c7', 'p3', '8', 1, now())`,
        );
      });

      expect(await migrateDatabase(db.url)).toEqual(['OneMainCard1763700004400', ...MIGRATIONS.slice(before.length + 1).map((m) => new m().name)]);

      const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
      await ds.initialize();
      try {
        const cards: Array<{ person_id: string; card_no: string; card_type: number }> = await ds.query(
          `SELECT trim(person_id) AS person_id, card_no, card_type FROM card ORDER BY person_id, card_no`,
        );
        expect(cards).toEqual([
          { person_id: 'p1', card_no: 'A', card_type: 1 },
          { person_id: 'p1', card_no: 'B', card_type: 0 },
          { person_id: 'p1', card_no: 'C', card_type: 1 },
          { person_id: 'p2', card_no: 'X', card_type: 1 },
          { person_id: 'p2', card_no: 'Y', card_type: 0 },
          { person_id: 'p3', card_no: '7', card_type: 0 },
          { person_id: 'p3', card_no: '8', card_type: 1 },
        ]);
        // person.card_no mirrors the main card kept.
        const persons = await ds.query(`SELECT trim(id) AS id, card_no FROM person WHERE id IN ('p1', 'p2', 'p3') ORDER BY id`);
        expect(persons).toEqual([
          { id: 'p1', card_no: 'B' },
          { id: 'p2', card_no: 'Y' },
          { id: 'p3', card_no: '7' },
        ]);
        // A second main card is refused by the database itself; another secondary card is not.
        await expect(ds.query(`INSERT INTO card (id, person_id, card_no, card_type) VALUES ('c8', 'p3', '9', 0)`)).rejects.toMatchObject({ code: '23505' });
        await ds.query(`INSERT INTO card (id, person_id, card_no, card_type) VALUES ('c9', 'p3', '10', 1)`);
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});
