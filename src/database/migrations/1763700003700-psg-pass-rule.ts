import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `psg_pass_rule`: each channel controller's passing mode per time segment (its `gatepassrule` rows), stored so
 * the planner can send it, confirm it from Return codes and send it again after a factory reset. Before this
 * table a rule was queued and forgotten; those rules are not recovered (the commands never named a row).
 */
export class PsgPassRule1763700003700 implements MigrationInterface {
  name = 'PsgPassRule1763700003700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "psg_pass_rule" (
      "device_id" character(32) NOT NULL,
      "time_segment_id" character(32) NOT NULL,
      "pass_mode" smallint NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_psg_pass_rule" PRIMARY KEY ("device_id", "time_segment_id"),
      CONSTRAINT "fk_psg_pass_rule_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION,
      CONSTRAINT "fk_psg_pass_rule_time_segment" FOREIGN KEY ("time_segment_id") REFERENCES "time_segment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`);
    await q.query(`CREATE INDEX "ix_psg_pass_rule_time_segment" ON "psg_pass_rule" ("time_segment_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "psg_pass_rule"`);
  }
}
