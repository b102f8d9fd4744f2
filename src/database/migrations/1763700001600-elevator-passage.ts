import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Elevator control (manual 2.2, 2.10, 2.12, 2.19) and entrance control (2.30-2.34).
 *
 * - floor: the floors of an elevator controller (floor_no = the bit of usereleauthorize and of CONTROL
 *   DEVICE 17/18, and the rtlog `eventaddr` of its events). `source` says who created it: 'device' (from
 *   what the controller reported at registration) or 'operator' (declared through the gateway extension).
 * - ele_level (+ _floor, _person): elevator levels, floors plus one time segment, and their persons.
 * - psg_level (+ _gate, _person): entrance-control levels; a gate is a door of a channel controller, so
 *   psg_level_gate points at door rows.
 * - module_transaction: events of elevator ('ele') and channel ('psg') controllers, stored already joined
 *   like acc_transaction (same column names, so the transaction API's item mappers read them), with the
 *   inserting transaction id (`xid`) for the psg monitor cursor.
 * - module_monitor_cursor: each API client's psgTransaction/monitor position per timestamp.
 * - sync_device_module_person: what the elevator/passage planner last planned for (device, module, pin).
 * - psg_counter: the last `table=irstate` report of each channel controller.
 *
 * These tables have no TypeORM entity: they are written and read with SQL only (like acc_transaction_feed),
 * so the schema builder leaves them alone.
 */
export class ElevatorPassage1763700001600 implements MigrationInterface {
  name = 'ElevatorPassage1763700001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "floor" (
      "id" character(32) NOT NULL,
      "device_id" character(32) NOT NULL,
      "floor_no" integer NOT NULL,
      "name" character varying(100) NOT NULL,
      "source" character varying(16) NOT NULL DEFAULT 'device',
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_floor" PRIMARY KEY ("id"),
      CONSTRAINT "fk_floor_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX "uq_floor_device_no" ON "floor" ("device_id", "floor_no")`);
    await q.query(`CREATE UNIQUE INDEX "uq_floor_name" ON "floor" ("name")`);

    for (const [module, point, pointTable] of [
      ['ele', 'floor', 'floor'],
      ['psg', 'gate', 'door'],
    ] as const) {
      await q.query(`CREATE TABLE "${module}_level" (
        "id" character(32) NOT NULL,
        "name" character varying(100) NOT NULL,
        "time_segment_id" character(32) NOT NULL,
        "area_id" character(32),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_${module}_level" PRIMARY KEY ("id"),
        CONSTRAINT "fk_${module}_level_time_segment" FOREIGN KEY ("time_segment_id") REFERENCES "time_segment"("id") ON DELETE RESTRICT,
        CONSTRAINT "fk_${module}_level_area" FOREIGN KEY ("area_id") REFERENCES "area"("id") ON DELETE SET NULL)`);
      await q.query(`CREATE UNIQUE INDEX "uq_${module}_level_name" ON "${module}_level" ("name")`);
      await q.query(`CREATE TABLE "${module}_level_${point}" (
        "level_id" character(32) NOT NULL,
        "${point}_id" character(32) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_${module}_level_${point}" PRIMARY KEY ("level_id", "${point}_id"),
        CONSTRAINT "fk_${module}_level_${point}_level" FOREIGN KEY ("level_id") REFERENCES "${module}_level"("id") ON DELETE CASCADE,
        CONSTRAINT "fk_${module}_level_${point}_${point}" FOREIGN KEY ("${point}_id") REFERENCES "${pointTable}"("id") ON DELETE CASCADE)`);
      await q.query(`CREATE INDEX "ix_${module}_level_${point}_${point}" ON "${module}_level_${point}" ("${point}_id")`);
      await q.query(`CREATE TABLE "${module}_level_person" (
        "level_id" character(32) NOT NULL,
        "person_id" character(32) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_${module}_level_person" PRIMARY KEY ("level_id", "person_id"),
        CONSTRAINT "fk_${module}_level_person_level" FOREIGN KEY ("level_id") REFERENCES "${module}_level"("id") ON DELETE CASCADE,
        CONSTRAINT "fk_${module}_level_person_person" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE)`);
      await q.query(`CREATE INDEX "ix_${module}_level_person_person" ON "${module}_level_person" ("person_id")`);
    }

    await q.query(`CREATE TABLE "module_transaction" (
      "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
      "module" character varying(8) NOT NULL,
      "unique_key" character varying(200) NOT NULL,
      "xid" bigint NOT NULL,
      "device_id" character(32),
      "device_sn" character varying(64) NOT NULL,
      "dev_alias" character varying(100),
      "log_id" integer,
      "event_time" TIMESTAMP WITH TIME ZONE NOT NULL,
      "pin" character varying(64),
      "person_id" character(32),
      "name" character varying(100),
      "last_name" character varying(100),
      "dept_code" character varying(100),
      "dept_name" character varying(100),
      "card_no" character varying(64),
      "door_id" character(32),
      "door_no" integer,
      "door_name" character varying(100),
      "reader_id" character(32),
      "reader_name" character varying(100),
      "reader_state" integer,
      "event_no" integer NOT NULL,
      "event_name" character varying(200),
      "event_level" integer NOT NULL DEFAULT 0,
      "event_point_name" character varying(100),
      "verify_mode_no" integer,
      "verify_mode_name" character varying(100),
      "area_name" character varying(100),
      "temperature" character varying(16),
      "alarm_type" integer,
      "gate_type" integer,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_module_transaction" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_module_transaction_unique_key" ON "module_transaction" ("module", "unique_key")`);
    await q.query(`CREATE INDEX "ix_module_transaction_time" ON "module_transaction" ("module", "event_time", "id")`);
    await q.query(`CREATE INDEX "ix_module_transaction_pin_time" ON "module_transaction" ("module", "pin", "event_time")`);
    await q.query(`CREATE INDEX "ix_module_transaction_sn_time" ON "module_transaction" ("module", "device_sn", "event_time")`);
    await q.query(`CREATE INDEX "ix_module_transaction_feed" ON "module_transaction" ("module", "xid", "id")`);
    // Retention (EVENT_RETENTION_DAYS) deletes by age across both modules.
    await q.query(`CREATE INDEX "ix_module_transaction_event_time" ON "module_transaction" ("event_time")`);

    await q.query(`CREATE TABLE "module_monitor_cursor" (
      "client_id" character varying(64) NOT NULL,
      "module" character varying(8) NOT NULL,
      "timestamp" bigint NOT NULL,
      "xid" bigint NOT NULL,
      "transaction_id" bigint NOT NULL,
      "polled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_module_monitor_cursor" PRIMARY KEY ("client_id", "module", "timestamp"))`);

    await q.query(`CREATE TABLE "sync_device_module_person" (
      "device_id" character(32) NOT NULL,
      "module" character varying(8) NOT NULL,
      "pin" character varying(64) NOT NULL,
      "rights" jsonb NOT NULL,
      "planned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_sync_device_module_person" PRIMARY KEY ("device_id", "module", "pin"),
      CONSTRAINT "fk_sync_device_module_person_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "ix_sync_device_module_person_pin" ON "sync_device_module_person" ("pin")`);

    await q.query(`CREATE TABLE "psg_counter" (
      "device_id" character(32) NOT NULL,
      "irstate" integer NOT NULL,
      "irsense_count" integer,
      "in_count" integer,
      "out_count" integer,
      "alarm_count" integer,
      "run_count" integer,
      "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_psg_counter" PRIMARY KEY ("device_id"),
      CONSTRAINT "fk_psg_counter_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "psg_counter"`);
    await q.query(`DROP TABLE "sync_device_module_person"`);
    await q.query(`DROP TABLE "module_monitor_cursor"`);
    await q.query(`DROP TABLE "module_transaction"`);
    for (const [module, point] of [
      ['psg', 'gate'],
      ['ele', 'floor'],
    ]) {
      await q.query(`DROP TABLE "${module}_level_person"`);
      await q.query(`DROP TABLE "${module}_level_${point}"`);
      await q.query(`DROP TABLE "${module}_level"`);
    }
    await q.query(`DROP TABLE "floor"`);
  }
}
