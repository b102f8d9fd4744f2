import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API clients, and the rows a fresh CVSecurity starts with: a department, an area, a 24-hour time segment. */
export class Foundation1763700000000 implements MigrationInterface {
  name = 'Foundation1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "api_client" ("id" character(32) NOT NULL, "name" character varying(100) NOT NULL, "token_hash" character(64) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_79ce16dd0d57df7a1736aff052f" UNIQUE ("name"), CONSTRAINT "UQ_9f9ff5e87551537c8d91429855c" UNIQUE ("token_hash"), CONSTRAINT "PK_82a5ec6981d2be903a9eb1d9b9a" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "area" ("id" character(32) NOT NULL, "code" character varying(100) NOT NULL, "name" character varying(100) NOT NULL, "parent_id" character(32), "remark" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_39d5e4de490139d6535d75f42ff" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_area_code" ON "area"  ("code") `);
    await q.query(`CREATE TABLE "department" ("id" character(32) NOT NULL, "code" character varying(100) NOT NULL, "name" character varying(100) NOT NULL, "parent_id" character(32), "sort_no" integer NOT NULL DEFAULT '999999', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9a2213262c1593bffb581e382f5" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_department_code" ON "department"  ("code") `);
    await q.query(`CREATE INDEX "ix_department_parent" ON "department"  ("parent_id") `);
    await q.query(`CREATE TABLE "time_segment" ("id" character(32) NOT NULL, "name" character varying(100) NOT NULL, "tz_id" SERIAL NOT NULL, "schedule" jsonb NOT NULL, "remark" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_828db39196ce93e029b0668cb2e" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_time_segment_name" ON "time_segment"  ("name") `);
    await q.query(`CREATE UNIQUE INDEX "uq_time_segment_tz_id" ON "time_segment"  ("tz_id") `);
    await q.query(`INSERT INTO "department" ("id", "code", "name", "sort_no") VALUES (md5(random()::text), '1', 'Department Name', 1)`);
    await q.query(`INSERT INTO "area" ("id", "code", "name") VALUES (md5(random()::text), '1', 'Area Name')`);
    await q.query(
      `INSERT INTO "time_segment" ("id", "name", "schedule", "remark") VALUES (md5(random()::text), '24-Hour Accessible', $1::jsonb, 'Open at all times')`,
      ['{"sun":[["00:00","23:59"]],"mon":[["00:00","23:59"]],"tue":[["00:00","23:59"]],"wed":[["00:00","23:59"]],"thu":[["00:00","23:59"]],"fri":[["00:00","23:59"]],"sat":[["00:00","23:59"]],"hol1":[["00:00","23:59"]],"hol2":[["00:00","23:59"]],"hol3":[["00:00","23:59"]]}'],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."uq_time_segment_tz_id"`);
    await q.query(`DROP INDEX "public"."uq_time_segment_name"`);
    await q.query(`DROP TABLE "time_segment"`);
    await q.query(`DROP INDEX "public"."ix_department_parent"`);
    await q.query(`DROP INDEX "public"."uq_department_code"`);
    await q.query(`DROP TABLE "department"`);
    await q.query(`DROP INDEX "public"."uq_area_code"`);
    await q.query(`DROP TABLE "area"`);
    await q.query(`DROP TABLE "api_client"`);
  }
}
