import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The TimeZone (minutes) a terminal's last initialisation was told. It keeps that offset until it reads its
 * initialisation again, so when the site's offset changes (daylight saving time) it is owed a CHECK. The offset was
 * kept in memory only, so a gateway restarted between the initialisation and the change never sent that CHECK and
 * the terminal's clock, and every punch, stayed an hour off until the terminal happened to reboot.
 */
export class AttTerminalToldTimeZone1763700005010 implements MigrationInterface {
  name = 'AttTerminalToldTimeZone1763700005010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" ADD "told_time_zone" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "told_time_zone"`);
  }
}
