import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * IPC linkage photos (Security PUSH 7.15, device_upload table `linkphotoinfo`) are read by their LogIndex, kept in
 * `pin` (ix_device_upload_table_pin) where the reads of the access event with that rtlog index find them. Photos
 * stored before were kept with no pin: given theirs, so an event read now shows the photo its panel already sent.
 */
export class LinkPhotoLogIndex1765209000000 implements MigrationInterface {
  name = 'LinkPhotoLogIndex1765209000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE device_upload u SET pin = (btrim(k.v)::bigint)::text
        FROM (SELECT d.id, (SELECT f.value FROM jsonb_each_text(d.record) f WHERE lower(f.key) = 'logindex' LIMIT 1) AS v
                FROM device_upload d WHERE d.table_name = 'linkphotoinfo' AND d.pin IS NULL) k
       WHERE u.id = k.id AND btrim(k.v) ~ '^[0-9]{1,9}$'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE device_upload SET pin = NULL WHERE table_name = 'linkphotoinfo'`);
  }
}
