import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attendance terminals move to confirmed state (sync_item, written from Return codes) like access panels.
 * What the attendance planner had queued (att_device_person) was never confirmed: each such person becomes a
 * `user` item of unknown content (`?`), so the planner sends them again where they belong and deletes them
 * where they no longer do. Then the table goes.
 */
export class AttendanceConfirmed1763700002400 implements MigrationInterface {
  name = 'AttendanceConfirmed1763700002400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO "sync_item" ("device_id", "kind", "key", "hash", "failures")
       SELECT a."device_id", 'user', a."pin", '?', 0 FROM "att_device_person" a JOIN "device" d ON d."id" = a."device_id"
       ON CONFLICT ("device_id", "kind", "key") DO NOTHING`,
    );
    await q.query(`DROP TABLE "att_device_person"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "att_device_person" ("device_id" character(32) NOT NULL, "pin" character varying(64) NOT NULL, "user_hash" character varying(40) NOT NULL, "bio_hash" character varying(40), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_device_person" PRIMARY KEY ("device_id", "pin"))`);
    await q.query(`DELETE FROM "sync_item" s USING "device" d WHERE d."id" = s."device_id" AND COALESCE(d."kind_override", d."kind") IN ('att', 'facekiosk')`);
  }
}
