import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Card numbers are unique by the number they stand for (src/card/card-value.ts: leading zeros do not count), among
 * persons' cards and checked-in visitors' cards alike: expression indexes for those look-ups, not scans.
 */
export class VisitorCardIndex1763700004100 implements MigrationInterface {
  name = 'VisitorCardIndex1763700004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_card_value" ON "card" (ltrim("card_no", '0'))`);
    await q.query(`CREATE INDEX "ix_vis_registration_card_value_in" ON "vis_registration" (ltrim("card_no", '0')) WHERE state = 'in'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_vis_registration_card_value_in"`);
    await q.query(`DROP INDEX "public"."ix_card_value"`);
  }
}
