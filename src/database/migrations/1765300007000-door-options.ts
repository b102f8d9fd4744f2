import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A door's own parameters as CVSecurity's door edit sets them and the panel keeps them as options (Security PUSH
 * 9.5.1, Appendix 10): the door sensor type (Door<n>SensorType), its delay (Door<n>Detectortime) and the operate
 * interval (Door<n>Intertime), beside the lock-open duration already stored (lock_delay, Door<n>Drivertime). Null:
 * never set, the panel keeps its own. `options_set`: an operator set the door's parameters, so its panel is sent them
 * (SET OPTIONS, planned by the sync planner as the `door` item); a door never edited leaves the panel's as they are.
 */
export class DoorOptions1765300007000 implements MigrationInterface {
  name = 'DoorOptions1765300007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "door" ADD "sensor_type" integer`);
    await q.query(`ALTER TABLE "door" ADD "sensor_delay" integer`);
    await q.query(`ALTER TABLE "door" ADD "op_interval" integer`);
    await q.query(`ALTER TABLE "door" ADD "options_set" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "door" DROP COLUMN "options_set"`);
    await q.query(`ALTER TABLE "door" DROP COLUMN "op_interval"`);
    await q.query(`ALTER TABLE "door" DROP COLUMN "sensor_delay"`);
    await q.query(`ALTER TABLE "door" DROP COLUMN "sensor_type"`);
  }
}
