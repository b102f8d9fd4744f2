import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a terminal last said of comparison photos (`bio_photo`: BioPhotoFun, MultiBioPhotoSupport, and whether its INFO
 * reports a visible-light terminal), wherever it said it: its options push, the result of the INFO command, or the
 * function bits of a poll's INFO (attendance manual 8, 9, 12.4.3). Read from the options uploads alone before, whose
 * newest row naming a key is not the terminal's last word (an upload equal to an earlier one is not stored again),
 * and which some terminals never send. Filled from those uploads here.
 */
export class AttTerminalBioPhoto1763700013600 implements MigrationInterface {
  name = 'AttTerminalBioPhoto1763700013600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" ADD "bio_photo" jsonb`);
    await q.query(
      `UPDATE att_terminal t SET bio_photo = jsonb_strip_nulls(jsonb_build_object(
           'fun', (SELECT u.record->>'BioPhotoFun' FROM device_upload u WHERE u.device_sn = d.sn AND u.table_name = 'options' AND u.record ? 'BioPhotoFun' ORDER BY u.id DESC LIMIT 1),
           'types', (SELECT u.record->>'MultiBioPhotoSupport' FROM device_upload u WHERE u.device_sn = d.sn AND u.table_name = 'options' AND u.record ? 'MultiBioPhotoSupport' ORDER BY u.id DESC LIMIT 1)))
         FROM device d WHERE d.id = t.device_id`,
    );
    await q.query(`UPDATE att_terminal SET bio_photo = NULL WHERE bio_photo = '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "bio_photo"`);
  }
}
