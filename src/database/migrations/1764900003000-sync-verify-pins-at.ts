import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a panel was last asked which users it holds (`DATA QUERY tablename=user`, SyncVerifier): a user added at its
 * menu while another was deleted there leaves its user count as it was, so only the pins tell. Asked every
 * SYNC_VERIFY_PINS_INTERVAL_MS; NULL: never asked yet (due at its next periodic verification).
 */
export class SyncVerifyPinsAt1764900003000 implements MigrationInterface {
  name = 'SyncVerifyPinsAt1764900003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_verify" ADD "pins_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_verify" DROP COLUMN "pins_at"`);
  }
}
