import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refusals for good are probed again with backoff (src/push/device-refusals.ts, RefusalProbe): `probe_at` is when the
 * key is tried again. Refusals recorded before this migration are due at once: the reconciler probes each device once,
 * and a refusal that holds is counted again and probed later and later.
 */
export class RefusalProbe1763700004300 implements MigrationInterface {
  name = 'RefusalProbe1763700004300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_refusal" ADD "probe_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    // The reconciler looks for refusals whose probe is due.
    await q.query(`CREATE INDEX "ix_device_refusal_probe_at" ON "device_refusal" ("probe_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_device_refusal_probe_at"`);
    await q.query(`ALTER TABLE "device_refusal" DROP COLUMN "probe_at"`);
  }
}
