import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `device_command.valid_until`: a remote door action queued for a panel that is offline is failed when the panel
 * comes back after it, instead of opening the door then (command-rules.ts planClaim, 'stale'). NULL for every
 * existing command: state commands have no limit.
 */
export class CommandValidity1763700003600 implements MigrationInterface {
  name = 'CommandValidity1763700003600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" ADD COLUMN "valid_until" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" DROP COLUMN "valid_until"`);
  }
}
