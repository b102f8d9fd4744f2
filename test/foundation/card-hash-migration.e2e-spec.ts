import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { migrateDatabase } from '../../src/database/database';
import { MIGRATIONS } from '../../src/database/migrations';
import { SyncItemPriorHashes1763700009300 } from '../../src/database/migrations/1763700009300-sync-item-prior-hashes';
import { seedBefore } from '../support/migration-fixture';
import { createEmptyDatabase } from '../support/test-db';

/**
 * Migration 1763700009300 changed the user item's hash to name its card (`<record>#<card>`). The user items already
 * on panels with a card under them must be re-planned once, or they stay divergent and a card moved away from them
 * is not held back (card-moves.ts): a visitor's as well as a person's. Migration 1763700010200 did the same for
 * attendance terminals, whose record carries the main and the secondary card.
 */
describe('the user-hash change on a database with data', () => {
  it('marks the user items of persons and of visitors with a card due for the divergent pass, on panels; and on terminals those of persons with a main or secondary card (1763700010200)', { timeout: 120_000 }, async () => {
    const db = await createEmptyDatabase();
    try {
      const before = await seedBefore(db.url, SyncItemPriorHashes1763700009300, async (old) => {
        const [dept] = await old.query(`SELECT id FROM department WHERE code = '1'`);
        await old.query(`INSERT INTO device (id, sn, alias, time_zone, kind) VALUES ('d1', 'PANEL1', 'p', 'UTC', 'acc'), ('d2', 'ATT1', 'a', 'UTC', 'att')`);
        await old.query(`INSERT INTO person (id, pin, dept_id, card_no) VALUES ('p1', '1', $1, '111'), ('p2', '2', $1, NULL), ('p3', '3', $1, NULL)`, [dept.id]);
        // Person 3 holds a secondary card only: a terminal's record carries it (ViceCard=).
        await old.query(`INSERT INTO card (id, person_id, card_no, card_type) VALUES ('c3', 'p3', '333', 1)`);
        await old.query(
          `INSERT INTO vis_registration (id, visitor_pin, host_pin, cert_type, cert_num, visitor_name, visit_reason, card_no, start_time, end_time, state)
           VALUES ('v1', '900', '1', '2', 'X1', 'Guest', 'visit', '222', now() - interval '1 hour', now() + interval '1 day', 'in')`,
        );
        await old.query(
          `INSERT INTO sync_item (device_id, kind, key, hash, failures) VALUES
             ('d1', 'user', '1', 'aaaaaaaaaaaaaaaaaaaaaaaa', 0), ('d1', 'user', '2', 'bbbbbbbbbbbbbbbbbbbbbbbb', 0),
             ('d1', 'user', '900', 'cccccccccccccccccccccccc', 0), ('d2', 'user', '1', 'dddddddddddddddddddddddd', 0),
             ('d2', 'user', '2', 'eeeeeeeeeeeeeeeeeeeeeeee', 0), ('d2', 'user', '3', 'ffffffffffffffffffffffff', 0), ('d1', 'user', '3', '111111111111111111111111', 0)`,
        );
      });

      await migrateDatabase(db.url);

      const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
      await ds.initialize();
      try {
        const rows: Array<{ device: string; key: string; due: boolean }> = await ds.query(
          `SELECT trim(device_id) AS device, key, (failures > 0 AND next_try_at <= now()) AS due FROM sync_item ORDER BY device_id, key`,
        );
        expect(rows).toEqual([
          { device: 'd1', key: '1', due: true },
          { device: 'd1', key: '2', due: false },
          // A secondary card is not in a panel's user record.
          { device: 'd1', key: '3', due: false },
          { device: 'd1', key: '900', due: true },
          // Migration 1763700010200: a terminal's user hash names the record's Card and ViceCard from then on.
          { device: 'd2', key: '1', due: true },
          { device: 'd2', key: '2', due: false },
          { device: 'd2', key: '3', due: true },
        ]);
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});
