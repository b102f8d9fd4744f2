import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * push_outbox.leased_by: the PostgreSQL application_name (process-tag.ts) of the process holding a run's lease.
 *
 * A lease used to be released only by its expiry (PUSH_CENTER_TIMEOUT_MS + 30 s), so the run of a process killed
 * with -9 (up to 100 events of one device to one target, and every later event of that device behind it) waited
 * that long, whether another process or the restarted one was there to send it. With the holder named, a live
 * process releases the leases of a holder that has no connection left (push-outbox.repository.ts, releaseDead).
 * The partial index finds the leased rows without reading a queue held back by a receiver that is down.
 */
export class PushOutboxLeasedBy1763700008600 implements MigrationInterface {
  name = 'PushOutboxLeasedBy1763700008600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "push_outbox" ADD COLUMN "leased_by" character varying(100)`);
    await q.query(`CREATE INDEX "ix_push_outbox_leased" ON "push_outbox" ("leased_by") WHERE "lease_until" IS NOT NULL AND "state" = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_push_outbox_leased"`);
    await q.query(`ALTER TABLE "push_outbox" DROP COLUMN "leased_by"`);
  }
}
