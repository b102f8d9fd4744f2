import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A command's Return looks for an ERRORLOG the terminal posted before it (errorlog-commands.ts,
 * failDoneByStoredErrorLog), on every batch of Returns of every device. The table name is stored as the device sent
 * it (`ERRORLOG`, `errorlog`), so the look-up compares `upper(table_name)`, which no index served: each batch read
 * every upload the device had stored (user, biodata and query answers by the thousand). A partial index of that
 * device's ERRORLOG records by time answers it from the few it holds.
 */
export class DeviceUploadErrorlogIndex1764400099000 implements MigrationInterface {
  name = 'DeviceUploadErrorlogIndex1764400099000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_device_upload_errorlog" ON "device_upload" ("device_sn", "received_at") WHERE upper("table_name") = 'ERRORLOG'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_device_upload_errorlog"`);
  }
}
