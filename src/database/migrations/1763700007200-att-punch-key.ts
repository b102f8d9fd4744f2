import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A punch is one person's verification at one second on one terminal, whatever state it is reported with: a Push
 * 3.x face terminal set to T&A reports it as rtlog (`inoutstatus`, the Security PUSH in/out: 0 In, 1 Out) and as
 * ATTLOG (its attendance state, 0-5), and the two differ for every break, overtime or check-out the rtlog calls In.
 * The key drops its state (`<SN>_<pin>_<time>`), and `via` says which upload the stored record was read from, so an
 * ATTLOG line can give a record read from rtlog its attendance state (attlog-batch.ts).
 *
 * Existing keys lose their `_<status>` suffix; where two stored records of one terminal, person and second differ in
 * state only, the older takes the new key and the other keeps its own (nothing stored is dropped). A key cut at 200
 * characters is left as it is.
 */
export class AttPunchKey1763700007200 implements MigrationInterface {
  name = 'AttPunchKey1763700007200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_transaction" ADD "via" character varying(8)`);
    await q.query(`UPDATE att_transaction t SET unique_key = s.nk
      FROM (SELECT id, nk, row_number() OVER (PARTITION BY nk ORDER BY id) AS rn
            FROM (SELECT id, regexp_replace(unique_key, '_-?[0-9]*$', '') AS nk FROM att_transaction
                  WHERE length(unique_key) < 200 AND unique_key ~ '[0-9]{2}:[0-9]{2}:[0-9]{2}_-?[0-9]*$') x) s
      WHERE t.id = s.id AND s.rn = 1 AND t.unique_key <> s.nk
        AND NOT EXISTS (SELECT 1 FROM att_transaction o WHERE o.unique_key = s.nk)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE att_transaction SET unique_key = unique_key || '_' || coalesce(status::text, '')
      WHERE length(unique_key) < 200 AND unique_key !~ '_[0-9]{2}:[0-9]{2}:[0-9]{2}_-?[0-9]*$'`);
    await q.query(`ALTER TABLE "att_transaction" DROP COLUMN "via"`);
  }
}
