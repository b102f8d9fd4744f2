import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ATTLOG on group commit: the att_transaction insert trigger goes, as acc_transaction's did (1763700001200).
 * The feed and push_outbox rows it wrote are now written by the ATTLOG ingest statement itself, set-based,
 * in the same transaction (src/push/attendance/attlog-batch.ts): same rows, same transaction id, no
 * transition table and no PL/pgSQL call per upload.
 */
export class AttlogGroupCommit1763700002700 implements MigrationInterface {
  name = 'AttlogGroupCommit1763700002700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "att_transaction_ingested" ON "att_transaction"`);
    await q.query(`DROP FUNCTION IF EXISTS "att_transaction_ingested"()`);
  }

  async down(q: QueryRunner): Promise<void> {
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
}
