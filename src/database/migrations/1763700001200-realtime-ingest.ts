import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Real-time scale: the acc_transaction insert trigger goes. The feed, tally and push_outbox
 * rows it wrote are now written by the ingest statement itself, set-based, in the same transaction
 * (src/transaction/acc-transaction-publish.ts): same rows, same transaction id, no transition table and
 * no PL/pgSQL call per upload. The delete trigger (retention, rare and large) stays.
 */
export class RealtimeIngest1763700001200 implements MigrationInterface {
  name = 'RealtimeIngest1763700001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "acc_transaction_ingested" ON "acc_transaction"`);
    await q.query(`DROP FUNCTION IF EXISTS "acc_transaction_ingested"()`);
  }

  async down(q: QueryRunner): Promise<void> {
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
  }
}
