import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper access-event writes (real-time scale): what an event costs the database besides its own row.
 *
 * - The feed position moves onto the event. `acc_transaction.xid` (the inserting transaction's id, set by the
 *   column's default so every writer gets it) with one index on (xid, id) replaces acc_transaction_feed, a
 *   second row per event with three indexes of its own. The feed's created_at index served one query, where a
 *   new monitor cursor starts ("events stored at or after T"): a BRIN index on acc_transaction.created_at
 *   serves it now (rows are appended in created_at order, so the index is a few pages and costs an insert
 *   almost nothing). Existing events keep their positions; an event without a feed row gets 0, before every
 *   live position, as the feed's own backfill gave them.
 * - The tally's delta rows lose their id and primary key (nothing reads them by id: they are summed and
 *   compacted), and one index on (day, device_sn) INCLUDE (n) answers both reads (a day range, with or without
 *   a device) instead of two.
 * - The delete trigger no longer has a feed row to remove.
 * - event_names_version: one number that changes whenever a name or id an event is stored with could change
 *   (a device's SN, alias or area, an area's name, a door's or a reader's row). The ingest takes those names
 *   from the gateway's memory instead of joining device, area, door and reader per event, and its statement
 *   stores nothing when the number it was given is no longer the database's (src/push/event-names.ts). The
 *   triggers are deferred constraint triggers: the version row is locked at commit, after every other lock
 *   of the transaction, so two writers cannot deadlock on it, and only a change that commits moves it.
 */
/** The tables whose rows name an event, and the columns that do (the version moves when one of them changes). */
const EVENT_NAME_SOURCES: ReadonlyArray<readonly [table: string, columns: readonly string[]]> = [
  ['device', ['sn', 'alias', 'area_id']],
  ['area', ['name']],
  ['door', ['device_id', 'door_no', 'name']],
  ['reader', ['door_id', 'in_out', 'name']],
];

export class EventPosition1763700003400 implements MigrationInterface {
  name = 'EventPosition1763700003400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "acc_transaction" ADD COLUMN "xid" bigint`);
    await q.query(`UPDATE "acc_transaction" t SET "xid" = f."xid" FROM "acc_transaction_feed" f WHERE f."transaction_id" = t."id"`);
    await q.query(`UPDATE "acc_transaction" SET "xid" = 0 WHERE "xid" IS NULL`);
    await q.query(`ALTER TABLE "acc_transaction" ALTER COLUMN "xid" SET DEFAULT txid_current(), ALTER COLUMN "xid" SET NOT NULL`);
    await q.query(`CREATE INDEX "ix_acc_transaction_position" ON "acc_transaction" ("xid", "id")`);
    await q.query(`CREATE INDEX "ix_acc_transaction_created" ON "acc_transaction" USING brin ("created_at")`);
    await q.query(`CREATE OR REPLACE FUNCTION "acc_transaction_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO acc_transaction_tally (device_sn, day, n)
          SELECT device_sn, (event_time AT TIME ZONE 'UTC')::date, -count(*) FROM old_rows GROUP BY 1, 2;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TABLE "acc_transaction_feed"`);

    await q.query(`ALTER TABLE "acc_transaction_tally" DROP COLUMN "id"`);
    await q.query(`DROP INDEX "ix_acc_transaction_tally_day"`);
    await q.query(`DROP INDEX "ix_acc_transaction_tally_sn_day"`);
    await q.query(`CREATE INDEX "ix_acc_transaction_tally_day_sn" ON "acc_transaction_tally" ("day", "device_sn") INCLUDE ("n")`);

    await q.query(`CREATE TABLE "event_names_version" ("id" smallint NOT NULL, "v" bigint NOT NULL,
      CONSTRAINT "pk_event_names_version" PRIMARY KEY ("id"), CONSTRAINT "ck_event_names_version_one" CHECK ("id" = 1))`);
    await q.query(`INSERT INTO "event_names_version" ("id", "v") VALUES (1, 1)`);
    await q.query(`CREATE FUNCTION "event_names_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE event_names_version SET v = v + 1 WHERE id = 1;
        RETURN NULL;
      END $$`);
    for (const [table, columns] of EVENT_NAME_SOURCES) {
      const changed = columns.map((c) => `OLD."${c}" IS DISTINCT FROM NEW."${c}"`).join(' OR ');
      await q.query(`CREATE CONSTRAINT TRIGGER "event_names_${table}_rows" AFTER INSERT OR DELETE ON "${table}"
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "event_names_changed"()`);
      await q.query(`CREATE CONSTRAINT TRIGGER "event_names_${table}_names" AFTER UPDATE OF ${columns.map((c) => `"${c}"`).join(', ')} ON "${table}"
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION "event_names_changed"()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of EVENT_NAME_SOURCES) {
      await q.query(`DROP TRIGGER "event_names_${table}_names" ON "${table}"`);
      await q.query(`DROP TRIGGER "event_names_${table}_rows" ON "${table}"`);
    }
    await q.query(`DROP FUNCTION "event_names_changed"()`);
    await q.query(`DROP TABLE "event_names_version"`);
    await q.query(`DROP INDEX "ix_acc_transaction_tally_day_sn"`);
    await q.query(`ALTER TABLE "acc_transaction_tally" ADD COLUMN "id" bigserial NOT NULL, ADD CONSTRAINT "pk_acc_transaction_tally" PRIMARY KEY ("id")`);
    await q.query(`CREATE INDEX "ix_acc_transaction_tally_day" ON "acc_transaction_tally" ("day") INCLUDE ("n")`);
    await q.query(`CREATE INDEX "ix_acc_transaction_tally_sn_day" ON "acc_transaction_tally" ("device_sn", "day") INCLUDE ("n")`);

    await q.query(`CREATE TABLE "acc_transaction_feed" (
      "transaction_id" bigint NOT NULL,
      "xid" bigint NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_acc_transaction_feed" PRIMARY KEY ("transaction_id"))`);
    await q.query(`INSERT INTO "acc_transaction_feed" ("transaction_id", "xid", "created_at") SELECT "id", "xid", "created_at" FROM "acc_transaction"`);
    await q.query(`CREATE INDEX "ix_acc_transaction_feed_position" ON "acc_transaction_feed" ("xid", "transaction_id")`);
    await q.query(`CREATE INDEX "ix_acc_transaction_feed_created" ON "acc_transaction_feed" ("created_at", "xid")`);
    await q.query(`CREATE OR REPLACE FUNCTION "acc_transaction_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM acc_transaction_feed f USING old_rows o WHERE f.transaction_id = o.id;
        INSERT INTO acc_transaction_tally (device_sn, day, n)
          SELECT device_sn, (event_time AT TIME ZONE 'UTC')::date, -count(*) FROM old_rows GROUP BY 1, 2;
        RETURN NULL;
      END $$`);
    await q.query(`DROP INDEX "ix_acc_transaction_created"`);
    await q.query(`DROP INDEX "ix_acc_transaction_position"`);
    await q.query(`ALTER TABLE "acc_transaction" DROP COLUMN "xid"`);
  }
}
