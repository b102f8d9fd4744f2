import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An attendance terminal's (or FaceKiosk's) `bio` item hash now names its template slots after `/`
 * (`<types>:<sha>/<slot>=<sha12>,...`, attendance-commands.ts), so that a change of one template deletes and sends that
 * slot only. A set confirmed before holds the old hash: the planner takes it for the new one in place when its legacy
 * part is the desired one (upgradeBioHashes, nothing sent). These items are made due so the reconciler does it once for
 * every terminal, instead of the convergence views showing them divergent until the person changes.
 */
export class TerminalBioSlots1763700010210 implements MigrationInterface {
  name = 'TerminalBioSlots1763700010210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "sync_item" s SET failures = greatest(s.failures, 1), next_try_at = CASE WHEN s.failures > 0 AND s.next_try_at > now() THEN s.next_try_at ELSE now() END
         FROM "device" d
        WHERE s.kind = 'bio' AND s.hash IS NOT NULL AND s.hash <> '?' AND position('/' IN s.hash) = 0
          AND d.id = s.device_id AND coalesce(d.kind_override, d.kind) IN ('att', 'facekiosk')`,
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: the items were only made due for a pass the planner makes anyway.
  }
}
