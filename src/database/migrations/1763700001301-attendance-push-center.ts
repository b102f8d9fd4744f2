import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Push Center and the live stream carry attendance punches as well as access events: a statement-level
 * trigger on att_transaction, in the punch's own transaction (as acc_transaction's trigger does),
 * - queues each stored punch for every enabled push target, with `"module": "att"` in the captured row so the
 *   payload tells them apart;
 * - records its feed position (att_transaction_feed: the inserting transaction's id), which the SSE stream
 *   reads in (xid, id) order below the snapshot's xmin, so a slow transaction's punch is not skipped.
 * att_transaction_feed has no entity: written by the trigger, read with SQL only.
 */
export class AttendancePushCenter1763700001301 implements MigrationInterface {
  name = 'AttendancePushCenter1763700001301';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "att_transaction_feed" (
      "transaction_id" bigint NOT NULL,
      "xid" bigint NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_att_transaction_feed" PRIMARY KEY ("transaction_id"))`);
    await q.query(`CREATE INDEX "ix_att_transaction_feed_position" ON "att_transaction_feed" ("xid", "transaction_id")`);
    await q.query(`CREATE FUNCTION "att_transaction_ingested"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE x bigint := pg_current_xact_id()::text::bigint;
      BEGIN
        INSERT INTO att_transaction_feed (transaction_id, xid) SELECT id, x FROM new_rows ORDER BY id;
        INSERT INTO push_outbox (target_id, transaction_id, device_sn, xid, event)
          SELECT t.id, r.id, r.device_sn, x, to_jsonb(r) || '{"module": "att"}'::jsonb FROM new_rows r CROSS JOIN push_target t
          WHERE t.enabled ORDER BY r.id, t.id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "att_transaction_ingested" AFTER INSERT ON "att_transaction"
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "att_transaction_ingested"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "att_transaction_ingested" ON "att_transaction"`);
    await q.query(`DROP FUNCTION IF EXISTS "att_transaction_ingested"()`);
    await q.query(`DROP TABLE IF EXISTS "att_transaction_feed"`);
  }
}
