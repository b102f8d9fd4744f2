import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An attendance terminal's (or FaceKiosk's) `user` item hash now names the cards its record carries (`#<Card>,<ViceCard>`,
 * attendance-commands.ts), so that a card moved from one pin to another waits there until the old holder's record is
 * confirmed without it (card-moves.ts), as on panels since migration 1763700009300. The user items already confirmed
 * on terminals for persons with a card keep the old hash: divergent, with nothing to plan them, and a card moved away
 * from them would not be held back. They are made due for the divergent pass: written again where the hash differs
 * (the same record: the terminal keeps it), settled elsewhere.
 */
export class TerminalCardHash1763700010200 implements MigrationInterface {
  name = 'TerminalCardHash1763700010200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "sync_item" s SET failures = greatest(s.failures, 1), next_try_at = CASE WHEN s.failures > 0 AND s.next_try_at > now() THEN s.next_try_at ELSE now() END
         FROM "person" p, "device" d
        WHERE s.kind = 'user' AND s.key = p.pin AND s.hash IS NOT NULL AND s.hash <> '?' AND position('#' IN s.hash) = 0
          AND (coalesce(p.card_no, '') <> '' OR EXISTS (SELECT 1 FROM "card" c WHERE c.person_id = p.id AND c.card_type = 1))
          AND d.id = s.device_id AND coalesce(d.kind_override, d.kind) IN ('att', 'facekiosk')`,
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: the items were only made due for a pass the planner makes anyway.
  }
}
