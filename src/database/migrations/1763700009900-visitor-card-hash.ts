import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Migration 1763700009300 made a `user` item's hash name its card (userHash, `<record>#<card>`) and marked the user
 * items of persons with a card due for the divergent pass, but a visitor in a visit carries a card in its user record
 * too (vis_registration.card_no, asSyncPerson): those items stayed with the old hash, divergent with nothing to plan
 * them, and a card moved from such a visitor to a person was not held back on the panel (card-moves.ts reads the card
 * after `#`). They are marked the same way here: re-sent once where the hash differs, settled elsewhere.
 */
export class VisitorCardHash1763700009900 implements MigrationInterface {
  name = 'VisitorCardHash1763700009900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "sync_item" s SET failures = greatest(s.failures, 1), next_try_at = CASE WHEN s.failures > 0 AND s.next_try_at > now() THEN s.next_try_at ELSE now() END
         FROM "vis_registration" v, "device" d
        WHERE s.kind = 'user' AND s.key = v.visitor_pin AND v.state = 'in' AND coalesce(v.card_no, '') <> '' AND s.hash IS NOT NULL AND s.hash <> '?' AND position('#' IN s.hash) = 0
          AND d.id = s.device_id AND coalesce(d.kind_override, d.kind) NOT IN ('att', 'facekiosk')`,
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: the items were only made due for a pass the planner makes anyway.
  }
}
