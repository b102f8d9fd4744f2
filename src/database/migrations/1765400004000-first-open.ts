import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First-Person Normally Open (CVSecurity's Access > Advanced Functions): `acc_first_open`, one rule per door and
 * time segment, and `acc_first_open_person`, its persons. The planner sends them as the panel's `firstcard` rows
 * and the door option Door<n>FirstCardOpenDoor (Security PUSH 8.9, Appendix 10).
 */
export class FirstOpen1765400004000 implements MigrationInterface {
  name = 'FirstOpen1765400004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "acc_first_open" (
      "id" character(32) NOT NULL,
      "door_id" character(32) NOT NULL,
      "time_segment_id" character(32) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_acc_first_open" PRIMARY KEY ("id"),
      CONSTRAINT "fk_acc_first_open_door" FOREIGN KEY ("door_id") REFERENCES "door"("id") ON DELETE CASCADE ON UPDATE NO ACTION,
      CONSTRAINT "fk_acc_first_open_time_segment" FOREIGN KEY ("time_segment_id") REFERENCES "time_segment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`);
    await q.query(`CREATE UNIQUE INDEX "uq_acc_first_open_door_segment" ON "acc_first_open" ("door_id", "time_segment_id")`);
    await q.query(`CREATE INDEX "ix_acc_first_open_time_segment" ON "acc_first_open" ("time_segment_id")`);
    await q.query(`CREATE TABLE "acc_first_open_person" (
      "first_open_id" character(32) NOT NULL,
      "person_id" character(32) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_acc_first_open_person" PRIMARY KEY ("first_open_id", "person_id"),
      CONSTRAINT "fk_acc_first_open_person_rule" FOREIGN KEY ("first_open_id") REFERENCES "acc_first_open"("id") ON DELETE CASCADE ON UPDATE NO ACTION,
      CONSTRAINT "fk_acc_first_open_person_person" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE INDEX "ix_acc_first_open_person_person" ON "acc_first_open_person" ("person_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "acc_first_open_person"`);
    await q.query(`DROP TABLE "acc_first_open"`);
  }
}
