import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One main card per person becomes a database rule (`uq_card_main`), beside the person-row lock every main-card
 * write takes (src/card/card-writes.ts): a write path that ever forgot the lock fails its insert (and
 * writeTransaction runs it again, now seeing the other card) instead of leaving two main cards, of which a panel
 * would keep one at random. A person holding more than one main card before this migration keeps the one
 * person.card_no names (else the newest) as main; the others become secondary cards, so no card is lost, and
 * person.card_no is set to the main card kept.
 */
export class OneMainCard1763700004400 implements MigrationInterface {
  name = 'OneMainCard1763700004400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE "card" c SET "card_type" = 1
      FROM (SELECT c2.id, row_number() OVER (PARTITION BY c2.person_id
                                             ORDER BY COALESCE(c2.card_no = p.card_no, false) DESC, c2.created_at DESC, c2.id DESC) AS rn
            FROM "card" c2 JOIN "person" p ON p.id = c2.person_id
            WHERE c2.card_type = 0) d
      WHERE c.id = d.id AND d.rn > 1`);
    await q.query(`
      UPDATE "person" p SET "card_no" = c.card_no
      FROM "card" c WHERE c.person_id = p.id AND c.card_type = 0 AND p.card_no IS DISTINCT FROM c.card_no`);
    await q.query(`CREATE UNIQUE INDEX "uq_card_main" ON "card" ("person_id") WHERE card_type = 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."uq_card_main"`);
  }
}
