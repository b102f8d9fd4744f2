import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plate list entry keeps the time of day a client sends with fromTime/toTime (2.3.1, 2.3.3: `2019-08-16 18:00:00`),
 * which the day columns dropped (the car let through until midnight). Null, as every entry stored before, is the
 * day's edge: from 00:00:00, to 23:59:59.
 */
export class ParkAuthorizeTimes1764600002100 implements MigrationInterface {
  name = 'ParkAuthorizeTimes1764600002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "park_authorize" ADD "from_time" TIME, ADD "to_time" TIME`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "park_authorize" DROP COLUMN "to_time", DROP COLUMN "from_time"`);
  }
}
