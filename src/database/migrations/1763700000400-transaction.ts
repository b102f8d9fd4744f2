import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactions: what the transaction API, the monitor, the Push Center and the live stream need
 * beside acc_transaction (created by 1763700000100-push, filled by the rtlog ingest).
 *
 * acc_transaction itself gets no new column or index (its entity belongs to the PUSH side, and the schema
 * builder would drop what that entity does not declare); everything is in tables of our own, filled in
 * the SAME transaction as the event insert by statement-level triggers with transition tables:
 *
 * - acc_transaction_feed: one row per event with the inserting transaction's id (`xid`). The monitor and
 *   the live stream hand out rows in (xid, transaction_id) order, and only rows whose xid is below the
 *   current snapshot's xmin (their transaction, and every older one, has finished), so a slow transaction
 *   that commits a small id late is still delivered, exactly once.
 * - acc_transaction_tally: event counts per device and UTC day, as delta rows (inserts only, so concurrent
 *   ingest never contends); compacted by the maintenance job. v2 totals add the tally of whole days to
 *   exact counts of the partial days at the edges.
 * - push_outbox: one row per event and enabled push target, delivered by the Push Center worker.
 * - transaction_monitor_cursor: each API client's monitor position, per `timestamp` it polls with, and the
 *   snapshot taken when it was made (events visible then and stored before `timestamp` are not handed out).
 *
 * The tables without an entity (all but push_target) are written by triggers and read with SQL only.
 * xids are stored as bigint (`pg_current_xact_id()::text::bigint`): TypeORM has no xid8 type.
 */
export class Transaction1763700000400 implements MigrationInterface {
  name = 'Transaction1763700000400';

  async up(q: QueryRunner): Promise<void> {
    // Entity table (schema-diff output for PushTarget).
    await q.query(`CREATE TABLE "push_target" ("id" character(32) NOT NULL, "name" character varying(100) NOT NULL, "url" character varying(2000) NOT NULL, "secret" character varying(200), "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_push_target" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_push_target_name" ON "push_target" ("name") `);

    // Trigger-written tables.
    await q.query(`CREATE TABLE "acc_transaction_feed" (
      "transaction_id" bigint NOT NULL,
      "xid" bigint NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_acc_transaction_feed" PRIMARY KEY ("transaction_id"))`);
    await q.query(`CREATE INDEX "ix_acc_transaction_feed_position" ON "acc_transaction_feed" ("xid", "transaction_id")`);
    await q.query(`CREATE INDEX "ix_acc_transaction_feed_created" ON "acc_transaction_feed" ("created_at", "xid")`);

    await q.query(`CREATE TABLE "acc_transaction_tally" (
      "id" bigserial NOT NULL,
      "device_sn" character varying(64) NOT NULL,
      "day" date NOT NULL,
      "n" bigint NOT NULL,
      CONSTRAINT "pk_acc_transaction_tally" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_acc_transaction_tally_day" ON "acc_transaction_tally" ("day") INCLUDE ("n")`);
    await q.query(`CREATE INDEX "ix_acc_transaction_tally_sn_day" ON "acc_transaction_tally" ("device_sn", "day") INCLUDE ("n")`);

    await q.query(`CREATE TABLE "push_outbox" (
      "id" bigserial NOT NULL,
      "target_id" character(32) NOT NULL,
      "transaction_id" bigint NOT NULL,
      "device_sn" character varying(64) NOT NULL,
      "xid" bigint NOT NULL,
      "event" jsonb NOT NULL,
      "state" character varying(16) NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "lease_until" TIMESTAMP WITH TIME ZONE,
      "last_status" integer,
      "last_error" character varying(500),
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "delivered_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "pk_push_outbox" PRIMARY KEY ("id"),
      CONSTRAINT "fk_push_outbox_target" FOREIGN KEY ("target_id") REFERENCES "push_target"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "ix_push_outbox_pending" ON "push_outbox" ("target_id", "device_sn", "xid", "id") WHERE "state" = 'pending'`);
    await q.query(`CREATE INDEX "ix_push_outbox_target_state" ON "push_outbox" ("target_id", "state", "id")`);
    await q.query(`CREATE INDEX "ix_push_outbox_delivered_at" ON "push_outbox" ("delivered_at") WHERE "state" = 'delivered'`);

    await q.query(`CREATE TABLE "transaction_monitor_cursor" (
      "client_id" character varying(64) NOT NULL,
      "timestamp" bigint NOT NULL,
      "xid" bigint NOT NULL,
      "transaction_id" bigint NOT NULL,
      "start_snapshot" character varying(4000) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "polled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_transaction_monitor_cursor" PRIMARY KEY ("client_id", "timestamp"))`);
    await q.query(`CREATE INDEX "ix_transaction_monitor_cursor_polled" ON "transaction_monitor_cursor" ("polled_at")`);

    // Events already stored (none on a fresh install): feed positions before any live one, and their tally.
    await q.query(`INSERT INTO "acc_transaction_feed" ("transaction_id", "xid", "created_at") SELECT "id", 0, "created_at" FROM "acc_transaction"`);
    await q.query(`INSERT INTO "acc_transaction_tally" ("device_sn", "day", "n")
      SELECT "device_sn", ("event_time" AT TIME ZONE 'UTC')::date, count(*) FROM "acc_transaction" GROUP BY 1, 2`);

    await q.query(`CREATE FUNCTION "acc_transaction_ingested"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE x bigint := pg_current_xact_id()::text::bigint;
      BEGIN
        INSERT INTO acc_transaction_feed (transaction_id, xid) SELECT id, x FROM new_rows ORDER BY id;
        INSERT INTO acc_transaction_tally (device_sn, day, n)
          SELECT device_sn, (event_time AT TIME ZONE 'UTC')::date, count(*) FROM new_rows GROUP BY 1, 2;
        INSERT INTO push_outbox (target_id, transaction_id, device_sn, xid, event)
          SELECT t.id, r.id, r.device_sn, x, to_jsonb(r) FROM new_rows r CROSS JOIN push_target t
          WHERE t.enabled ORDER BY r.id, t.id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "acc_transaction_ingested" AFTER INSERT ON "acc_transaction"
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "acc_transaction_ingested"()`);

    await q.query(`CREATE FUNCTION "acc_transaction_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM acc_transaction_feed f USING old_rows o WHERE f.transaction_id = o.id;
        INSERT INTO acc_transaction_tally (device_sn, day, n)
          SELECT device_sn, (event_time AT TIME ZONE 'UTC')::date, -count(*) FROM old_rows GROUP BY 1, 2;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "acc_transaction_deleted" AFTER DELETE ON "acc_transaction"
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "acc_transaction_deleted"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "acc_transaction_deleted" ON "acc_transaction"`);
    await q.query(`DROP FUNCTION IF EXISTS "acc_transaction_deleted"()`);
    await q.query(`DROP TRIGGER IF EXISTS "acc_transaction_ingested" ON "acc_transaction"`);
    await q.query(`DROP FUNCTION IF EXISTS "acc_transaction_ingested"()`);
    await q.query(`DROP TABLE "transaction_monitor_cursor"`);
    await q.query(`DROP TABLE "push_outbox"`);
    await q.query(`DROP TABLE "acc_transaction_tally"`);
    await q.query(`DROP TABLE "acc_transaction_feed"`);
    await q.query(`DROP INDEX "public"."uq_push_target_name"`);
    await q.query(`DROP TABLE "push_target"`);
  }
}
