import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device state you can trust: a reference the enqueuer attaches to each command and gets back
 * in its outcome, and the tables or commands a device's firmware refused for good.
 */
export class CommandOutcomes1763700001000 implements MigrationInterface {
  name = 'CommandOutcomes1763700001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" ADD "ref" jsonb`);
    await q.query(
      `CREATE TABLE "device_refusal" ("device_id" character(32) NOT NULL, "what" character varying(128) NOT NULL, "return_code" integer NOT NULL,
        "refusals" integer NOT NULL DEFAULT 1, "command" text NOT NULL, "first_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "last_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_device_refusal" PRIMARY KEY ("device_id", "what"))`,
    );
    await q.query(
      `ALTER TABLE "device_refusal" ADD CONSTRAINT "fk_device_refusal_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "device_refusal"`);
    await q.query(`ALTER TABLE "device_command" DROP COLUMN "ref"`);
  }
}
