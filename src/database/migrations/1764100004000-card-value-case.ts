import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hexadecimal card numbers are one card whatever the case of their letters (src/card/card-value.ts): `1a2b` and
 * `1A2B` were stored as two cards, for two persons, and a look-up by the other spelling missed. The card value
 * indexes are rebuilt on `upper(ltrim(card_no, '0'))`, the expression the checks and look-ups now use, and the
 * numbers stored in lower case are written in the canonical upper case: a card, its person's mirror, a visitor's
 * card in a visit. Where two rows already hold one number in two cases (stored before this), one is rewritten and
 * the other kept as written: which holder keeps the card is an operator's choice, not a migration's. The devices'
 * user items whose hash names a card in lower case are made due: the planner sends them the canonical number.
 */
export class CardValueCase1764100004000 implements MigrationInterface {
  name = 'CardValueCase1764100004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_card_value"`);
    await q.query(`CREATE INDEX "ix_card_value" ON "card" (upper(ltrim("card_no", '0')))`);
    await q.query(`DROP INDEX "public"."ix_vis_registration_card_value_in"`);
    await q.query(`CREATE INDEX "ix_vis_registration_card_value_in" ON "vis_registration" (upper(ltrim("card_no", '0'))) WHERE state = 'in'`);
    await q.query(
      `UPDATE "card" c SET card_no = upper(c.card_no)
        WHERE c.id IN (SELECT DISTINCT ON (upper(card_no)) id FROM "card" WHERE card_no <> upper(card_no) ORDER BY upper(card_no), created_at, id)
          AND NOT EXISTS (SELECT 1 FROM "card" d WHERE d.card_no = upper(c.card_no))`,
    );
    await q.query(
      `UPDATE "person" p SET card_no = c.card_no FROM "card" c
        WHERE c.person_id = p.id AND c.card_type = 0 AND p.card_no <> c.card_no AND upper(p.card_no) = c.card_no`,
    );
    await q.query(`UPDATE "vis_registration" SET card_no = upper(card_no) WHERE card_no <> upper(card_no)`);
    await q.query(
      `UPDATE "sync_item" s SET failures = greatest(s.failures, 1), next_try_at = CASE WHEN s.failures > 0 AND s.next_try_at > now() THEN s.next_try_at ELSE now() END
        WHERE s.kind = 'user' AND s.hash IS NOT NULL AND s.hash <> '?' AND split_part(s.hash, '#', 2) ~ '[a-f]'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // The numbers stay in canonical case (the case they were written in is not kept); the indexes go back.
    await q.query(`DROP INDEX "public"."ix_vis_registration_card_value_in"`);
    await q.query(`CREATE INDEX "ix_vis_registration_card_value_in" ON "vis_registration" (ltrim("card_no", '0')) WHERE state = 'in'`);
    await q.query(`DROP INDEX "public"."ix_card_value"`);
    await q.query(`CREATE INDEX "ix_card_value" ON "card" (ltrim("card_no", '0'))`);
  }
}
