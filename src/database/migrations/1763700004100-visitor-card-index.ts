import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Person card writes look for a checked-in visitor holding the card (card-writes.ts checkFree): an index, not a scan of every visit. */
export class VisitorCardIndex1763700004100 implements MigrationInterface {
  name = 'VisitorCardIndex1763700004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_vis_registration_card_in" ON "vis_registration" ("card_no") WHERE state = 'in'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_vis_registration_card_in"`);
  }
}
