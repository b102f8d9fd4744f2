import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { migrateDatabase } from '../../src/database/database';
import { LinkPhotoLogIndex1765209000000 } from '../../src/database/migrations/1765209000000-link-photo-log-index';
import { seedBefore } from '../support/migration-fixture';
import { createEmptyDatabase } from '../support/test-db';

/**
 * Migration 1765209000000: linkage photos (linkphotoinfo, Security PUSH 7.15) stored before the reads of events looked
 * for them were kept with no pin; each is given its LogIndex there, so its event shows it (capturePhotoBase64).
 */
describe('the linkage-photo index on a database with photos', () => {
  it('gives each stored linkage photo its LogIndex (as the device spelled the key), and nothing else', { timeout: 120_000 }, async () => {
    const db = await createEmptyDatabase();
    try {
      await seedBefore(db.url, LinkPhotoLogIndex1765209000000, async (old) => {
        const rows: Array<[string, string]> = [
          ['linkphotoinfo', '{"LogIndex":"5","PhotoInfo":"a.jpg","PhotoData":"AAAA"}'],
          ['linkphotoinfo', '{"logindex":" 0012","PhotoData":"BBBB"}'],
          ['linkphotoinfo', '{"LogIndex":"abc","PhotoData":"CCCC"}'],
          ['irstate', '{"irstate":"1","LogIndex":"9"}'],
        ];
        for (const [i, [table, record]] of rows.entries()) {
          await old.query(`INSERT INTO device_upload (upload_key, device_sn, table_name, pin, record) VALUES ($1, 'PANEL1', $2, NULL, $3::jsonb)`, [
            String(i).padStart(32, '0'),
            table,
            record,
          ]);
        }
      });

      await migrateDatabase(db.url);

      const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
      await ds.initialize();
      try {
        const rows: Array<{ table_name: string; pin: string | null }> = await ds.query(`SELECT table_name, pin FROM device_upload ORDER BY id`);
        expect(rows).toEqual([
          { table_name: 'linkphotoinfo', pin: '5' },
          { table_name: 'linkphotoinfo', pin: '12' },
          { table_name: 'linkphotoinfo', pin: null },
          { table_name: 'irstate', pin: null },
        ]);
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});
