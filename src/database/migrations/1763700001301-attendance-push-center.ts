import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Push Center carries attendance punches as well as access events: a statement-level trigger on
 * att_transaction queues each stored punch for every enabled push target, in the punch's own transaction (as
 * acc_transaction's trigger does), with `"module": "att"` in the captured row so the payload tells them apart.
 */
export class AttendancePushCenter1763700001301 implements MigrationInterface {
  name = 'AttendancePushCenter1763700001301';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION "att_transaction_ingested"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE x bigint := pg_current_xact_id()::text::bigint;
      BEGIN
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
  }
}
