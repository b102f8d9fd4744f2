import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The temperature/mask list (2.26) in time order, over only the events whose own row marks them as such (events 68
 * and 69, a measured temperature, a mask seen): a partial index, so an ordinary rtlog insert (maskflag=0 or
 * none) adds no entry. Without it a site with few or no such events read the whole table for the list's first
 * page (docs/performance-log.md, stop 72, helpers 6 and 7). The predicate is HEP_ROW in src/hep/hep.repository.ts.
 */
export class HepEventIndex1764800007000 implements MigrationInterface {
  name = 'HepEventIndex1764800007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "ix_acc_transaction_hep_time" ON "acc_transaction" ("event_time", "id") WHERE ("event_no" IN (68, 69) OR "conv_temperature" IS NOT NULL OR "mask_flag" = 1)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_acc_transaction_hep_time"`);
  }
}
