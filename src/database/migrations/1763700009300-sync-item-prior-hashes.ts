import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * sync_item.prior_hashes: what a `user` or `card` item was confirmed (or put) with before it fell in doubt (`?`),
 * `|`-separated, kept until the device confirms the item again (or its removal). A card moved from one pin to another
 * must leave the old holder before the new one gets it (card-moves.ts); the old holder's refused or unanswered write
 * leaves its item `?`, and `?` alone no longer tells which card the panel may still hold under that pin, so the new
 * holder's write went out and the panel held the card under both. A row trigger keeps the column, so every path that
 * turns an item `?` (a failed command, a count in doubt, rows a panel answered that it did not confirm) keeps what it
 * knew. Its WHEN clause is plain SQL evaluated per updated row, so the million updates of a full sync's confirmations
 * (hash to hash, no prior) never enter the function.
 */
export class SyncItemPriorHashes1763700009300 implements MigrationInterface {
  name = 'SyncItemPriorHashes1763700009300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_item" ADD COLUMN "prior_hashes" text`);
    await q.query(
      `CREATE FUNCTION "sync_item_keep_prior"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.hash = '?' THEN
           IF OLD.hash IS NOT NULL AND OLD.hash <> '?' AND NOT (OLD.hash = ANY(string_to_array(coalesce(NEW.prior_hashes, ''), '|'))) THEN
             NEW.prior_hashes := concat_ws('|', NEW.prior_hashes, OLD.hash);
           END IF;
         ELSE
           NEW.prior_hashes := NULL;
         END IF;
         RETURN NEW;
       END $$`,
    );
    await q.query(
      `CREATE TRIGGER "sync_item_keep_prior" BEFORE UPDATE ON "sync_item" FOR EACH ROW
       WHEN (OLD.kind IN ('user', 'card') AND NEW.hash IS DISTINCT FROM OLD.hash AND (NEW.hash = '?' OR OLD.prior_hashes IS NOT NULL OR NEW.prior_hashes IS NOT NULL))
       EXECUTE FUNCTION "sync_item_keep_prior"()`,
    );
    // The user item's hash names its card from now on (userHash, `<record>#<card>`): a panel keeping cards in the
    // user record would show its users with cards divergent and nothing would plan them. Those items are due for the
    // divergent pass: it writes them again where the hash differs, and settles the others (settledFailures).
    await q.query(
      `UPDATE "sync_item" s SET failures = greatest(s.failures, 1), next_try_at = CASE WHEN s.failures > 0 AND s.next_try_at > now() THEN s.next_try_at ELSE now() END
         FROM "person" p, "device" d
        WHERE s.kind = 'user' AND s.key = p.pin AND coalesce(p.card_no, '') <> '' AND s.hash IS NOT NULL AND s.hash <> '?' AND position('#' IN s.hash) = 0
          AND d.id = s.device_id AND coalesce(d.kind_override, d.kind) NOT IN ('att', 'facekiosk')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "sync_item_keep_prior" ON "sync_item"`);
    await q.query(`DROP FUNCTION "sync_item_keep_prior"()`);
    await q.query(`ALTER TABLE "sync_item" DROP COLUMN "prior_hashes"`);
  }
}
