import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attendance: terminal punches (ATTLOG) with their photos and operation records, the terminals'
 * stamps and INFO, attendance and FaceKiosk area membership, attendance person settings, what the
 * attendance planner sent to each terminal, attendance applications, leave types and images, and doors
 * marked as attendance points. Leave types are seeded with CVSecurity's defaults (2.23.4 shows L1, L2).
 */
export class Attendance1763700001300 implements MigrationInterface {
  name = 'Attendance1763700001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "att_apply" ("id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "kind" character varying(16) NOT NULL, "person_pin" character varying(64) NOT NULL, "person_id" character(32) NOT NULL, "sign_time" TIMESTAMP WITH TIME ZONE, "start_time" TIMESTAMP WITH TIME ZONE, "end_time" TIMESTAMP WITH TIME ZONE, "leave_type_no" character varying(32), "leave_image_path" character varying(255), "remark" character varying(255), CONSTRAINT "PK_d4cdc77ddc4bed7a225fff22284" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_att_apply_pin" ON "att_apply"  ("person_pin", "created_at") `);
    await q.query(`CREATE TABLE "att_area_person" ("module" character varying(8) NOT NULL, "area_id" character(32) NOT NULL, "person_id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_area_person" PRIMARY KEY ("module", "area_id", "person_id"))`);
    await q.query(`CREATE INDEX "ix_att_area_person_person" ON "att_area_person"  ("person_id") `);
    await q.query(`CREATE TABLE "att_device_person" ("device_id" character(32) NOT NULL, "pin" character varying(64) NOT NULL, "user_hash" character varying(40) NOT NULL, "bio_hash" character varying(40), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_device_person" PRIMARY KEY ("device_id", "pin"))`);
    await q.query(`CREATE TABLE "att_leave_type" ("leave_type_no" character varying(32) NOT NULL, "leave_type_name" character varying(100) NOT NULL, "sort_no" integer NOT NULL DEFAULT '0', CONSTRAINT "pk_att_leave_type" PRIMARY KEY ("leave_type_no"))`);
    await q.query(`CREATE TABLE "att_leave_image" ("path" character varying(200) NOT NULL, "content_type" character varying(64) NOT NULL, "data" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_leave_image" PRIMARY KEY ("path"))`);
    await q.query(`CREATE INDEX "ix_att_leave_image_created" ON "att_leave_image"  ("created_at") `);
    await q.query(`CREATE TABLE "att_operlog" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "unique_key" character varying(300) NOT NULL, "device_sn" character varying(64) NOT NULL, "op_type" integer NOT NULL, "op_who" character varying(64) NOT NULL, "op_time" TIMESTAMP WITH TIME ZONE NOT NULL, "operands" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_operlog" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_att_operlog_unique_key" ON "att_operlog"  ("unique_key") `);
    await q.query(`CREATE INDEX "ix_att_operlog_sn_time" ON "att_operlog"  ("device_sn", "op_time") `);
    await q.query(`CREATE TABLE "att_person" ("person_id" character(32) NOT NULL, "is_attendance" boolean NOT NULL DEFAULT true, "per_dev_auth" smallint NOT NULL DEFAULT '0', "verify_mode" smallint, "ins_category" smallint NOT NULL DEFAULT '0', "ins_per_dev_auth" smallint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_person" PRIMARY KEY ("person_id"))`);
    await q.query(`CREATE INDEX "ix_att_person_ins_category" ON "att_person"  ("ins_category") `);
    await q.query(`CREATE TABLE "att_photo" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "device_sn" character varying(64) NOT NULL, "file_name" character varying(200) NOT NULL, "pin" character varying(64), "photo_time" TIMESTAMP WITH TIME ZONE, "data" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_photo" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_att_photo_punch" ON "att_photo"  ("device_sn", "pin", "photo_time") `);
    await q.query(`CREATE UNIQUE INDEX "uq_att_photo_file" ON "att_photo"  ("device_sn", "file_name") `);
    await q.query(`CREATE TABLE "att_point" ("door_id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_point" PRIMARY KEY ("door_id"))`);
    await q.query(`CREATE TABLE "att_terminal" ("device_id" character(32) NOT NULL, "stamps" jsonb, "info" jsonb, "handshake" jsonb, "last_punch_at" TIMESTAMP WITH TIME ZONE, "last_contact_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_terminal" PRIMARY KEY ("device_id"))`);
    await q.query(`CREATE TABLE "att_transaction" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "unique_key" character varying(200) NOT NULL, "device_id" character(32), "device_sn" character varying(64) NOT NULL, "dev_alias" character varying(100), "event_time" TIMESTAMP WITH TIME ZONE NOT NULL, "pin" character varying(64) NOT NULL, "person_id" character(32), "name" character varying(100), "last_name" character varying(100), "dept_code" character varying(100), "dept_name" character varying(100), "area_name" character varying(100), "card_no" character varying(64), "status" smallint, "verify_mode_no" integer, "verify_mode_name" character varying(100), "work_code" character varying(64), "reserved" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_att_transaction" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_att_transaction_unique_key" ON "att_transaction"  ("unique_key") `);
    await q.query(`CREATE INDEX "ix_att_transaction_sn_time" ON "att_transaction"  ("device_sn", "event_time") `);
    await q.query(`CREATE INDEX "ix_att_transaction_pin_time" ON "att_transaction"  ("pin", "event_time") `);
    await q.query(`CREATE INDEX "ix_att_transaction_time" ON "att_transaction"  ("event_time", "id") `);
    await q.query(`INSERT INTO "att_leave_type" ("leave_type_no", "leave_type_name", "sort_no") VALUES
      ('L1', 'personal leave', 1), ('L2', 'marriage leave', 2), ('L3', 'maternity leave', 3), ('L4', 'sick leave', 4),
      ('L5', 'annual leave', 5), ('L6', 'bereavement leave', 6), ('L7', 'home leave', 7), ('L8', 'breastfeeding leave', 8)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_att_transaction_time"`);
    await q.query(`DROP INDEX "public"."ix_att_transaction_pin_time"`);
    await q.query(`DROP INDEX "public"."ix_att_transaction_sn_time"`);
    await q.query(`DROP INDEX "public"."uq_att_transaction_unique_key"`);
    await q.query(`DROP TABLE "att_transaction"`);
    await q.query(`DROP TABLE "att_terminal"`);
    await q.query(`DROP TABLE "att_point"`);
    await q.query(`DROP INDEX "public"."uq_att_photo_file"`);
    await q.query(`DROP INDEX "public"."ix_att_photo_punch"`);
    await q.query(`DROP TABLE "att_photo"`);
    await q.query(`DROP INDEX "public"."ix_att_person_ins_category"`);
    await q.query(`DROP TABLE "att_person"`);
    await q.query(`DROP INDEX "public"."ix_att_operlog_sn_time"`);
    await q.query(`DROP INDEX "public"."uq_att_operlog_unique_key"`);
    await q.query(`DROP TABLE "att_operlog"`);
    await q.query(`DROP INDEX "public"."ix_att_leave_image_created"`);
    await q.query(`DROP TABLE "att_leave_image"`);
    await q.query(`DROP TABLE "att_leave_type"`);
    await q.query(`DROP TABLE "att_device_person"`);
    await q.query(`DROP INDEX "public"."ix_att_area_person_person"`);
    await q.query(`DROP TABLE "att_area_person"`);
    await q.query(`DROP INDEX "public"."ix_att_apply_pin"`);
    await q.query(`DROP TABLE "att_apply"`);
  }
}
