import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Temperature and mask, media and parking:
 * - acc_transaction: `mask_flag` (rtlog maskflag as sent) and `conv_temperature` (degrees Celsius), both
 *   nullable, filled by the rtlog ingest; the hep API reads them;
 * - ad_media: advertising media files, stored in the database (served by every gateway process);
 * - park_authorize: the plate white and black lists; park_record: entries and exits posted by plate cameras.
 */
export class Modules1763700001700 implements MigrationInterface {
  name = 'Modules1763700001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "acc_transaction" ADD "mask_flag" smallint`);
    await q.query(`ALTER TABLE "acc_transaction" ADD "conv_temperature" numeric(5,2)`);

    await q.query(`CREATE TABLE "ad_media" ("id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "name" character varying(100) NOT NULL, "suffix" character varying(16) NOT NULL, "media_type" smallint NOT NULL, "content_type" character varying(100) NOT NULL, "size" integer NOT NULL, "version" integer NOT NULL DEFAULT '1', "content" bytea NOT NULL, CONSTRAINT "PK_c116a8042c839000a2202803d1b" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_ad_media_name" ON "ad_media" ("name")`);

    await q.query(`CREATE TABLE "park_authorize" ("id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "car_number" character varying(20) NOT NULL, "plate_key" character varying(20) NOT NULL, "type" smallint NOT NULL, "from_date" date, "to_date" date, CONSTRAINT "PK_c2c1aff7e470b7d0dc207ccee65" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_park_authorize_plate" ON "park_authorize" ("plate_key")`);

    await q.query(`CREATE TABLE "park_record" ("id" character(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "direction" smallint NOT NULL, "car_number" character varying(20) NOT NULL, "plate_key" character varying(20) NOT NULL, "event_time" TIMESTAMP WITH TIME ZONE NOT NULL, "park_area_name" character varying(100), "channel_name" character varying(100), "car_type_name" character varying(50), "driver_name" character varying(100), "camera_id" character varying(64), "allowed" boolean NOT NULL, "list_type" smallint, "event_type" character varying(50) NOT NULL, "picture" bytea, CONSTRAINT "PK_ad704e0f3efe331e6d67b3e888a" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_park_record_plate_time" ON "park_record" ("plate_key", "event_time")`);
    await q.query(`CREATE INDEX "ix_park_record_direction_time" ON "park_record" ("direction", "event_time", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "park_record"`);
    await q.query(`DROP TABLE "park_authorize"`);
    await q.query(`DROP TABLE "ad_media"`);
    await q.query(`ALTER TABLE "acc_transaction" DROP COLUMN "conv_temperature"`);
    await q.query(`ALTER TABLE "acc_transaction" DROP COLUMN "mask_flag"`);
  }
}
