import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Persons, cards, access levels (with their doors and persons), holidays, and the sync planner's state
 * (what each device was last told to hold). Levels reference `door` and the planner's state `device`,
 * both from the PUSH migration.
 */
export class Access1763700000200 implements MigrationInterface {
  name = 'Access1763700000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "person" ("id" character(32) NOT NULL, "pin" character varying(64) NOT NULL, "name" character varying(100), "last_name" character varying(100), "dept_id" character(32) NOT NULL, "gender" character varying(1), "card_no" character varying(64), "password" character varying(32), "acc_start_time" TIMESTAMP WITH TIME ZONE, "acc_end_time" TIMESTAMP WITH TIME ZONE, "is_disabled" boolean NOT NULL DEFAULT false, "is_send_mail" boolean NOT NULL DEFAULT false, "photo" text, "status" character varying(10) NOT NULL DEFAULT 'active', "birthday" date, "hire_date" date, "cert_type" character varying(10), "cert_number" character varying(64), "email" character varying(100), "mobile_phone" character varying(32), "ssn" character varying(64), "car_plate" character varying(255), "leave_date" date, "leave_type" character varying(32), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5fdaf670315c4b7e70cce85daa3" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_person_pin" ON "person"  ("pin") `);
    await q.query(`CREATE INDEX "ix_person_dept" ON "person"  ("dept_id") `);
    await q.query(`CREATE INDEX "ix_person_status" ON "person"  ("status") `);
    await q.query(`CREATE TABLE "card" ("id" character(32) NOT NULL, "person_id" character(32) NOT NULL, "card_no" character varying(64) NOT NULL, "card_type" smallint NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9451069b6f1199730791a7f4ae4" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_card_person" ON "card"  ("person_id") `);
    await q.query(`CREATE UNIQUE INDEX "uq_card_no" ON "card"  ("card_no") `);
    await q.query(`CREATE TABLE "acc_level" ("id" character(32) NOT NULL, "name" character varying(100) NOT NULL, "time_segment_id" character(32) NOT NULL, "area_id" character(32), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_00cc547343e9b8d9ea142772574" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_acc_level_name" ON "acc_level"  ("name") `);
    await q.query(`CREATE INDEX "ix_acc_level_time_segment" ON "acc_level"  ("time_segment_id") `);
    await q.query(`CREATE TABLE "acc_level_door" ("level_id" character(32) NOT NULL, "door_id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7480e315efae816f5307e8fb8b4" PRIMARY KEY ("level_id", "door_id"))`);
    await q.query(`CREATE INDEX "ix_acc_level_door_door" ON "acc_level_door"  ("door_id") `);
    await q.query(`CREATE TABLE "acc_level_person" ("level_id" character(32) NOT NULL, "person_id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0b0addf5273a099f8320be7b7fb" PRIMARY KEY ("level_id", "person_id"))`);
    await q.query(`CREATE INDEX "ix_acc_level_person_person" ON "acc_level_person"  ("person_id") `);
    await q.query(`CREATE TABLE "holiday" ("id" character(32) NOT NULL, "name" character varying(100) NOT NULL, "holiday_type" smallint NOT NULL DEFAULT '1', "start_date" date NOT NULL, "end_date" date NOT NULL, "is_loop_by_year" boolean NOT NULL DEFAULT false, "remark" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3e7492c25f80418a7aad0aec053" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_holiday_name" ON "holiday"  ("name") `);
    await q.query(`CREATE TABLE "sync_device_person" ("device_id" character(32) NOT NULL, "pin" character varying(64) NOT NULL, "rights" jsonb NOT NULL, "photo_hash" character varying(64), "planned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_019d7e4184e9d6375db49f7bcf6" PRIMARY KEY ("device_id", "pin"))`);
    await q.query(`CREATE INDEX "ix_sync_device_person_pin" ON "sync_device_person"  ("pin") `);
    await q.query(`CREATE TABLE "sync_device_timezone" ("device_id" character(32) NOT NULL, "tz_id" integer NOT NULL, "planned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8597568c4fdae30d75fa95b48b6" PRIMARY KEY ("device_id", "tz_id"))`);
    await q.query(`ALTER TABLE "person" ADD CONSTRAINT "fk_person_dept" FOREIGN KEY ("dept_id") REFERENCES "department"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "card" ADD CONSTRAINT "fk_card_person" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "acc_level" ADD CONSTRAINT "fk_acc_level_time_segment" FOREIGN KEY ("time_segment_id") REFERENCES "time_segment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "acc_level" ADD CONSTRAINT "fk_acc_level_area" FOREIGN KEY ("area_id") REFERENCES "area"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "acc_level_door" ADD CONSTRAINT "fk_acc_level_door_level" FOREIGN KEY ("level_id") REFERENCES "acc_level"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "acc_level_door" ADD CONSTRAINT "fk_acc_level_door_door" FOREIGN KEY ("door_id") REFERENCES "door"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "acc_level_person" ADD CONSTRAINT "fk_acc_level_person_level" FOREIGN KEY ("level_id") REFERENCES "acc_level"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "acc_level_person" ADD CONSTRAINT "fk_acc_level_person_person" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sync_device_person" ADD CONSTRAINT "fk_sync_device_person_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sync_device_timezone" ADD CONSTRAINT "fk_sync_device_timezone_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_device_timezone" DROP CONSTRAINT "fk_sync_device_timezone_device"`);
    await q.query(`ALTER TABLE "sync_device_person" DROP CONSTRAINT "fk_sync_device_person_device"`);
    await q.query(`ALTER TABLE "acc_level_person" DROP CONSTRAINT "fk_acc_level_person_person"`);
    await q.query(`ALTER TABLE "acc_level_person" DROP CONSTRAINT "fk_acc_level_person_level"`);
    await q.query(`ALTER TABLE "acc_level_door" DROP CONSTRAINT "fk_acc_level_door_door"`);
    await q.query(`ALTER TABLE "acc_level_door" DROP CONSTRAINT "fk_acc_level_door_level"`);
    await q.query(`ALTER TABLE "acc_level" DROP CONSTRAINT "fk_acc_level_area"`);
    await q.query(`ALTER TABLE "acc_level" DROP CONSTRAINT "fk_acc_level_time_segment"`);
    await q.query(`ALTER TABLE "card" DROP CONSTRAINT "fk_card_person"`);
    await q.query(`ALTER TABLE "person" DROP CONSTRAINT "fk_person_dept"`);
    await q.query(`DROP TABLE "sync_device_timezone"`);
    await q.query(`DROP INDEX "public"."ix_sync_device_person_pin"`);
    await q.query(`DROP TABLE "sync_device_person"`);
    await q.query(`DROP INDEX "public"."uq_holiday_name"`);
    await q.query(`DROP TABLE "holiday"`);
    await q.query(`DROP INDEX "public"."ix_acc_level_person_person"`);
    await q.query(`DROP TABLE "acc_level_person"`);
    await q.query(`DROP INDEX "public"."ix_acc_level_door_door"`);
    await q.query(`DROP TABLE "acc_level_door"`);
    await q.query(`DROP INDEX "public"."ix_acc_level_time_segment"`);
    await q.query(`DROP INDEX "public"."uq_acc_level_name"`);
    await q.query(`DROP TABLE "acc_level"`);
    await q.query(`DROP INDEX "public"."uq_card_no"`);
    await q.query(`DROP INDEX "public"."ix_card_person"`);
    await q.query(`DROP TABLE "card"`);
    await q.query(`DROP INDEX "public"."ix_person_status"`);
    await q.query(`DROP INDEX "public"."ix_person_dept"`);
    await q.query(`DROP INDEX "public"."uq_person_pin"`);
    await q.query(`DROP TABLE "person"`);
  }
}
