import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The device side: devices with their doors and readers, the durable command queue (with its attempt log
 * and the CmdID sequence), access events, and raw table uploads.
 */
export class Push1763700000100 implements MigrationInterface {
  name = 'Push1763700000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "device" ("id" character(32) NOT NULL, "sn" character varying(64) NOT NULL, "alias" character varying(100) NOT NULL, "area_id" character(32), "admission" character varying(16) NOT NULL DEFAULT 'pending', "ip_address" character varying(64), "push_version" character varying(64), "firm_ver" character varying(100), "device_type" character varying(64), "device_name" character varying(100), "lock_count" integer NOT NULL DEFAULT '0', "reader_count" integer NOT NULL DEFAULT '0', "aux_in_count" integer NOT NULL DEFAULT '0', "aux_out_count" integer NOT NULL DEFAULT '0', "time_zone" character varying(64) NOT NULL, "capabilities" jsonb, "registration" jsonb, "request_delay" integer, "registry_code" character varying(32), "session_id" character varying(64), "registered_at" TIMESTAMP WITH TIME ZONE, "last_seen_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2dc10972aa4e27c01378dad2c72" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_device_sn" ON "device"  ("sn") `);
    await q.query(`CREATE INDEX "ix_device_area" ON "device"  ("area_id") `);
    await q.query(`CREATE TABLE "door" ("id" character(32) NOT NULL, "device_id" character(32) NOT NULL, "door_no" integer NOT NULL, "name" character varying(100) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "lock_delay" integer NOT NULL DEFAULT '5', "sensor_state" integer, "relay_state" integer, "alarm_state" character varying(16), "door_state_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_89255cb8975221e2600373638ea" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_door_name" ON "door"  ("name") `);
    await q.query(`CREATE UNIQUE INDEX "uq_door_device_no" ON "door"  ("device_id", "door_no") `);
    await q.query(`CREATE TABLE "reader" ("id" character(32) NOT NULL, "door_id" character(32) NOT NULL, "reader_no" integer NOT NULL, "in_out" integer NOT NULL, "name" character varying(100) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6f40e8c75b734b9073be81a4564" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_reader_door_in_out" ON "reader"  ("door_id", "in_out") `);
    await q.query(`CREATE TABLE "acc_transaction" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "unique_key" character varying(200) NOT NULL, "device_id" character(32), "device_sn" character varying(64) NOT NULL, "dev_alias" character varying(100), "log_id" integer, "event_time" TIMESTAMP WITH TIME ZONE NOT NULL, "pin" character varying(64), "person_id" character(32), "name" character varying(100), "last_name" character varying(100), "dept_code" character varying(100), "dept_name" character varying(100), "card_no" character varying(64), "door_id" character(32), "door_no" integer, "door_name" character varying(100), "reader_id" character(32), "reader_name" character varying(100), "reader_state" integer, "event_no" integer NOT NULL, "event_name" character varying(200), "event_level" integer NOT NULL DEFAULT '0', "event_point_name" character varying(100), "verify_mode_no" integer, "verify_mode_name" character varying(100), "area_name" character varying(100), "temperature" character varying(16), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_acc_transaction" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_acc_transaction_unique_key" ON "acc_transaction"  ("unique_key") `);
    await q.query(`CREATE INDEX "ix_acc_transaction_sn_time" ON "acc_transaction"  ("device_sn", "event_time") `);
    await q.query(`CREATE INDEX "ix_acc_transaction_pin_time" ON "acc_transaction"  ("pin", "event_time") `);
    await q.query(`CREATE INDEX "ix_acc_transaction_time" ON "acc_transaction"  ("event_time", "id") `);
    await q.query(`CREATE TABLE "device_command" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "device_sn" character varying(64) NOT NULL, "command" text NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "attempt_id" bigint, "sent_at" TIMESTAMP WITH TIME ZONE, "done_at" TIMESTAMP WITH TIME ZONE, "return_code" integer, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_device_command" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_device_command_attempt" ON "device_command"  ("attempt_id") `);
    await q.query(`CREATE INDEX "ix_device_command_sn_state" ON "device_command"  ("device_sn", "state", "id") `);
    await q.query(`CREATE TABLE "device_command_attempt" ("attempt_id" bigint NOT NULL, "command_id" bigint NOT NULL, "device_sn" character varying(64) NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_device_command_attempt" PRIMARY KEY ("attempt_id"))`);
    await q.query(`CREATE INDEX "ix_device_command_attempt_command" ON "device_command_attempt"  ("command_id") `);
    await q.query(`CREATE TABLE "device_upload" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "upload_key" character(32) NOT NULL, "device_sn" character varying(64) NOT NULL, "table_name" character varying(64) NOT NULL, "pin" character varying(64), "record" jsonb NOT NULL, "cmd_id" character varying(64), "pack_cnt" integer, "pack_idx" integer, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_device_upload" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_device_upload_key" ON "device_upload"  ("upload_key") `);
    await q.query(`CREATE INDEX "ix_device_upload_sn_table" ON "device_upload"  ("device_sn", "table_name", "id") `);
    await q.query(`CREATE INDEX "ix_device_upload_table_pin" ON "device_upload"  ("table_name", "pin") `);
    await q.query(`ALTER TABLE "device" ADD CONSTRAINT "fk_device_area" FOREIGN KEY ("area_id") REFERENCES "area"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "door" ADD CONSTRAINT "fk_door_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "reader" ADD CONSTRAINT "fk_reader_door" FOREIGN KEY ("door_id") REFERENCES "door"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    // CmdIDs: one per delivery attempt, never reused (Appendix 1: -7 repeated command).
    await q.query(`CREATE SEQUENCE "device_command_attempt_seq" AS bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE "device_command_attempt_seq"`);
    await q.query(`ALTER TABLE "reader" DROP CONSTRAINT "fk_reader_door"`);
    await q.query(`ALTER TABLE "door" DROP CONSTRAINT "fk_door_device"`);
    await q.query(`ALTER TABLE "device" DROP CONSTRAINT "fk_device_area"`);
    await q.query(`DROP INDEX "public"."ix_device_upload_table_pin"`);
    await q.query(`DROP INDEX "public"."ix_device_upload_sn_table"`);
    await q.query(`DROP INDEX "public"."uq_device_upload_key"`);
    await q.query(`DROP TABLE "device_upload"`);
    await q.query(`DROP INDEX "public"."ix_device_command_attempt_command"`);
    await q.query(`DROP TABLE "device_command_attempt"`);
    await q.query(`DROP INDEX "public"."ix_device_command_sn_state"`);
    await q.query(`DROP INDEX "public"."uq_device_command_attempt"`);
    await q.query(`DROP TABLE "device_command"`);
    await q.query(`DROP INDEX "public"."ix_acc_transaction_time"`);
    await q.query(`DROP INDEX "public"."ix_acc_transaction_pin_time"`);
    await q.query(`DROP INDEX "public"."ix_acc_transaction_sn_time"`);
    await q.query(`DROP INDEX "public"."uq_acc_transaction_unique_key"`);
    await q.query(`DROP TABLE "acc_transaction"`);
    await q.query(`DROP INDEX "public"."uq_reader_door_in_out"`);
    await q.query(`DROP TABLE "reader"`);
    await q.query(`DROP INDEX "public"."uq_door_device_no"`);
    await q.query(`DROP INDEX "public"."uq_door_name"`);
    await q.query(`DROP TABLE "door"`);
    await q.query(`DROP INDEX "public"."ix_device_area"`);
    await q.query(`DROP INDEX "public"."uq_device_sn"`);
    await q.query(`DROP TABLE "device"`);
  }
}
