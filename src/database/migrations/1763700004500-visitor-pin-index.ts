import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Visits by visitor pin, newest first (`ix_vis_registration_pin`): an access event of a visitor takes the name of
 * the visitor's latest visit (visitor-event-name.ts), also for events read after the check-out, and the pin
 * allocation's "is this pin taken" test stops scanning every visit.
 */
export class VisitorPinIndex1763700004500 implements MigrationInterface {
  name = 'VisitorPinIndex1763700004500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_vis_registration_pin" ON "vis_registration" ("visitor_pin", "created_at") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_vis_registration_pin"`);
  }
}
