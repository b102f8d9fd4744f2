import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Elevator and channel controllers join the confirmed state (sync_item, written from Return codes): the
 * plan-time table sync_device_module_person goes (it held a plan, not proof). A controller that was planned
 * something has nothing confirmed yet, so it owes a full sync (the reconciler clears its tables with `*` and
 * sends everything again, confirming each item from its Return).
 */
export class ModuleConfirmed1763700002300 implements MigrationInterface {
  name = 'ModuleConfirmed1763700002300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO "sync_owed" ("device_id", "kind") SELECT DISTINCT "device_id", 'full' FROM "sync_device_module_person"
       ON CONFLICT ("device_id", "kind") DO UPDATE SET "cursor" = NULL, "attempts" = 0, "next_try_at" = now(), "last_error" = NULL`,
    );
    await q.query(`DROP TABLE "sync_device_module_person"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "sync_device_module_person" (
      "device_id" character(32) NOT NULL,
      "module" character varying(8) NOT NULL,
      "pin" character varying(64) NOT NULL,
      "rights" jsonb NOT NULL,
      "planned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_sync_device_module_person" PRIMARY KEY ("device_id", "module", "pin"),
      CONSTRAINT "fk_sync_device_module_person_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "ix_sync_device_module_person_pin" ON "sync_device_module_person" ("pin")`);
  }
}
