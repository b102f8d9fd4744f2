import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `device.request_delay` holds the RequestDelay (seconds) the gateway handed the device, a number of seconds the
 * gateway's settings may give with a fraction (a sub-second poll interval on a test bench or a lab gateway). As an
 * integer column it refused `0.5`, and with it the whole registration transaction: the device was answered 400 and
 * kept the kind it was first inserted with (an elevator controller listed as an access panel), with no capabilities
 * and no RegistryCode. Seconds with a fraction are stored as given.
 */
export class DeviceRequestDelaySeconds1764400004000 implements MigrationInterface {
  name = 'DeviceRequestDelaySeconds1764400004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" ALTER COLUMN "request_delay" TYPE double precision`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" ALTER COLUMN "request_delay" TYPE integer USING ceil("request_delay")::integer`);
  }
}
