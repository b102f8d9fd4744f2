import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Biometric templates (bio_template) and visitors: visitor levels (access levels offered to visitors),
 * reservations, visits with their levels and the devices they were sent to, and the visitor-number sequence
 * (8xxxxxxx). References person and acc_level (ACCESS migration) and device (PUSH migration).
 */
export class Visbio1763700000500 implements MigrationInterface {
  name = 'Visbio1763700000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "vis_level" ("level_id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d0f8daea999e08ba0396960fbce" PRIMARY KEY ("level_id"))`);
    await q.query(`CREATE TABLE "vis_registration" ("id" character(32) NOT NULL, "visitor_pin" character varying(64) NOT NULL, "host_person_id" character(32), "host_pin" character varying(64) NOT NULL, "cert_type" character varying(10) NOT NULL, "cert_num" character varying(64) NOT NULL, "visitor_name" character varying(100) NOT NULL, "phone" character varying(32), "company" character varying(100), "visit_reason" character varying(255) NOT NULL, "visitor_count" integer NOT NULL DEFAULT '1', "card_no" character varying(64), "start_time" TIMESTAMP WITH TIME ZONE NOT NULL, "end_time" TIMESTAMP WITH TIME ZONE NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'in', "ended_at" TIMESTAMP WITH TIME ZONE, "reservation_id" character(32), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4eba15ca4508543e0fe5d33691b" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_vis_registration_due" ON "vis_registration"  ("end_time") WHERE state = 'in'`);
    await q.query(`CREATE INDEX "ix_vis_registration_cert" ON "vis_registration"  ("cert_type", "cert_num", "created_at") `);
    await q.query(`CREATE UNIQUE INDEX "uq_vis_registration_pin_in" ON "vis_registration"  ("visitor_pin") WHERE state = 'in'`);
    await q.query(`CREATE UNIQUE INDEX "uq_vis_registration_cert_in" ON "vis_registration"  ("cert_type", "cert_num") WHERE state = 'in'`);
    await q.query(`CREATE TABLE "vis_registration_level" ("registration_id" character(32) NOT NULL, "level_id" character(32) NOT NULL, CONSTRAINT "PK_f8647373e285c86004e720009a3" PRIMARY KEY ("registration_id", "level_id"))`);
    await q.query(`CREATE INDEX "ix_vis_registration_level_level" ON "vis_registration_level"  ("level_id") `);
    await q.query(`CREATE TABLE "vis_registration_device" ("registration_id" character(32) NOT NULL, "device_id" character(32) NOT NULL, CONSTRAINT "PK_082f61fa34e68c626264bec8aad" PRIMARY KEY ("registration_id", "device_id"))`);
    await q.query(`CREATE INDEX "ix_vis_registration_device_device" ON "vis_registration_device"  ("device_id") `);
    await q.query(`CREATE TABLE "vis_reservation" ("id" character(32) NOT NULL, "host_person_id" character(32), "host_pin" character varying(64) NOT NULL, "cert_type" character varying(10) NOT NULL, "cert_num" character varying(64) NOT NULL, "visitor_name" character varying(100) NOT NULL, "phone" character varying(32), "company" character varying(100), "visit_reason" character varying(255) NOT NULL, "visit_date" TIMESTAMP WITH TIME ZONE NOT NULL, "visit_end_date" TIMESTAMP WITH TIME ZONE NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'reserved', "registration_id" character(32), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_15fc2403c2acbe48602e0434e6b" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_vis_reservation_cert_date" ON "vis_reservation"  ("cert_type", "cert_num", "visit_date") `);
    await q.query(`CREATE TABLE "bio_template" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "person_id" character(32) NOT NULL, "bio_type" smallint NOT NULL, "template_no" smallint NOT NULL, "template_no_index" smallint NOT NULL DEFAULT '0', "valid_type" smallint NOT NULL DEFAULT '1', "major_ver" integer NOT NULL DEFAULT '10', "minor_ver" integer NOT NULL DEFAULT '0', "format" smallint NOT NULL DEFAULT '0', "template" text NOT NULL, "source_sn" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_bio_template" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_bio_template_slot" ON "bio_template"  ("person_id", "bio_type", "template_no", "template_no_index") `);
    await q.query(`ALTER TABLE "vis_level" ADD CONSTRAINT "fk_vis_level_level" FOREIGN KEY ("level_id") REFERENCES "acc_level"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "vis_registration" ADD CONSTRAINT "fk_vis_registration_host" FOREIGN KEY ("host_person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "vis_registration_level" ADD CONSTRAINT "fk_vis_registration_level_registration" FOREIGN KEY ("registration_id") REFERENCES "vis_registration"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "vis_registration_level" ADD CONSTRAINT "fk_vis_registration_level_level" FOREIGN KEY ("level_id") REFERENCES "acc_level"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "vis_registration_device" ADD CONSTRAINT "fk_vis_registration_device_registration" FOREIGN KEY ("registration_id") REFERENCES "vis_registration"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "vis_registration_device" ADD CONSTRAINT "fk_vis_registration_device_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "vis_reservation" ADD CONSTRAINT "fk_vis_reservation_host" FOREIGN KEY ("host_person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "bio_template" ADD CONSTRAINT "fk_bio_template_person" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`CREATE SEQUENCE "vis_visitor_pin_seq" START WITH 80000001 MINVALUE 80000001 MAXVALUE 89999999 NO CYCLE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE "vis_visitor_pin_seq"`);
    await q.query(`ALTER TABLE "bio_template" DROP CONSTRAINT "fk_bio_template_person"`);
    await q.query(`ALTER TABLE "vis_reservation" DROP CONSTRAINT "fk_vis_reservation_host"`);
    await q.query(`ALTER TABLE "vis_registration_device" DROP CONSTRAINT "fk_vis_registration_device_device"`);
    await q.query(`ALTER TABLE "vis_registration_device" DROP CONSTRAINT "fk_vis_registration_device_registration"`);
    await q.query(`ALTER TABLE "vis_registration_level" DROP CONSTRAINT "fk_vis_registration_level_level"`);
    await q.query(`ALTER TABLE "vis_registration_level" DROP CONSTRAINT "fk_vis_registration_level_registration"`);
    await q.query(`ALTER TABLE "vis_registration" DROP CONSTRAINT "fk_vis_registration_host"`);
    await q.query(`ALTER TABLE "vis_level" DROP CONSTRAINT "fk_vis_level_level"`);
    await q.query(`DROP INDEX "public"."uq_bio_template_slot"`);
    await q.query(`DROP TABLE "bio_template"`);
    await q.query(`DROP INDEX "public"."uq_vis_reservation_cert_date"`);
    await q.query(`DROP TABLE "vis_reservation"`);
    await q.query(`DROP INDEX "public"."ix_vis_registration_device_device"`);
    await q.query(`DROP TABLE "vis_registration_device"`);
    await q.query(`DROP INDEX "public"."ix_vis_registration_level_level"`);
    await q.query(`DROP TABLE "vis_registration_level"`);
    await q.query(`DROP INDEX "public"."uq_vis_registration_cert_in"`);
    await q.query(`DROP INDEX "public"."uq_vis_registration_pin_in"`);
    await q.query(`DROP INDEX "public"."ix_vis_registration_cert"`);
    await q.query(`DROP INDEX "public"."ix_vis_registration_due"`);
    await q.query(`DROP TABLE "vis_registration"`);
    await q.query(`DROP TABLE "vis_level"`);
  }
}
