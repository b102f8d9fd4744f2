import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tally's compacted counts out of the delta table (docs/performance-log.md, stop 73, helper 5). Every v2 list
 * page summed the whole tally (one row per panel and UTC day: panels x days, growing with history), and the
 * minute's compaction deleted and inserted back every row. Now the minute's compaction moves the deltas into
 * acc_transaction_tally_day (per day and panel, keyed for its upserts) and acc_transaction_tally_total (per panel),
 * touching only what changed; acc_transaction_tally keeps only the deltas since. The ingest statement and its
 * insert are unchanged. The existing rows move here.
 */
export class TallyRollup1764905000000 implements MigrationInterface {
  name = 'TallyRollup1764905000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "acc_transaction_tally_day" (
      "day" date NOT NULL, "device_sn" character varying(64) NOT NULL, "n" bigint NOT NULL,
      CONSTRAINT "pk_acc_transaction_tally_day" PRIMARY KEY ("day", "device_sn") INCLUDE ("n"))`);
    await q.query(`CREATE TABLE "acc_transaction_tally_total" (
      "device_sn" character varying(64) NOT NULL, "n" bigint NOT NULL,
      CONSTRAINT "pk_acc_transaction_tally_total" PRIMARY KEY ("device_sn"))`);
    await q.query(`WITH moved AS (DELETE FROM "acc_transaction_tally" RETURNING "device_sn", "day", "n"),
      days AS (INSERT INTO "acc_transaction_tally_day" ("day", "device_sn", "n") SELECT "day", "device_sn", sum("n") FROM moved GROUP BY 1, 2 HAVING sum("n") <> 0)
      INSERT INTO "acc_transaction_tally_total" ("device_sn", "n") SELECT "device_sn", sum("n") FROM moved GROUP BY 1 HAVING sum("n") <> 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO "acc_transaction_tally" ("device_sn", "day", "n") SELECT "device_sn", "day", "n" FROM "acc_transaction_tally_day" WHERE "n" <> 0`);
    await q.query(`DROP TABLE "acc_transaction_tally_total"`);
    await q.query(`DROP TABLE "acc_transaction_tally_day"`);
  }
}
