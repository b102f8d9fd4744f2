import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Convergence: what each device has CONFIRMED (sync_item, written from Return codes, not
 * when commands are queued) and the work owed to devices (sync_owed, written in the transaction of the event
 * that causes it). The plan-time tables sync_device_person / sync_device_timezone go: they held a plan, not
 * proof; so does vis_registration_device (visitors are planner members now). `device_command.ref` names the items a command carries (also added by the queue's migration
 * 1763700001000; IF NOT EXISTS keeps the two in step whichever runs).
 */
export class Convergence1763700001100 implements MigrationInterface {
  name = 'Convergence1763700001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" ADD COLUMN IF NOT EXISTS "ref" jsonb`);
    await q.query(`DROP TABLE IF EXISTS "sync_device_person"`);
    await q.query(`DROP TABLE IF EXISTS "sync_device_timezone"`);
    await q.query(`DROP TABLE IF EXISTS "vis_registration_device"`);
    await q.query(
      `CREATE TABLE "sync_item" (
         "device_id" character(32) NOT NULL,
         "kind" character varying(16) NOT NULL,
         "key" character varying(64) NOT NULL,
         "hash" text,
         "confirmed_at" TIMESTAMP WITH TIME ZONE,
         "failures" integer NOT NULL DEFAULT 0,
         "last_return" integer,
         "failed_at" TIMESTAMP WITH TIME ZONE,
         "next_try_at" TIMESTAMP WITH TIME ZONE,
         "failed_plan" character varying(40),
         "skipped" text,
         CONSTRAINT "pk_sync_item" PRIMARY KEY ("device_id", "kind", "key"))`,
    );
    await q.query(`CREATE INDEX "ix_sync_item_key" ON "sync_item" ("key")`);
    await q.query(`ALTER TABLE "sync_item" ADD CONSTRAINT "fk_sync_item_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(
      `CREATE TABLE "sync_owed" (
         "device_id" character(32) NOT NULL,
         "kind" character varying(16) NOT NULL,
         "cursor" character varying(64),
         "attempts" integer NOT NULL DEFAULT 0,
         "next_try_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "last_error" text,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "pk_sync_owed" PRIMARY KEY ("device_id", "kind"))`,
    );
    await q.query(`ALTER TABLE "sync_owed" ADD CONSTRAINT "fk_sync_owed_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sync_owed"`);
    await q.query(`DROP TABLE "sync_item"`);
    await q.query(
      `CREATE TABLE "sync_device_person" ("device_id" character(32) NOT NULL, "pin" character varying(64) NOT NULL, "rights" jsonb NOT NULL,
         "photo_hash" character varying(64), "planned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_sync_device_person" PRIMARY KEY ("device_id", "pin"))`,
    );
    await q.query(
      `CREATE TABLE "sync_device_timezone" ("device_id" character(32) NOT NULL, "tz_id" integer NOT NULL,
         "planned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_sync_device_timezone" PRIMARY KEY ("device_id", "tz_id"))`,
    );
  }
}
