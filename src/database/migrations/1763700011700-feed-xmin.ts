import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * feed_xmin(): the horizon below which the feeds (monitor, live stream, Push Center outbox) hand events out. Every
 * transaction of this database whose xid lies below it has ended, as the calling statement's snapshot sees it, so
 * no event can still appear below it.
 *
 * It used to be the snapshot's xmin, which counts the running transactions of every database on the server: a long
 * write transaction of another application sharing the PostgreSQL server (a batch job, a migration) held every
 * event back from monitors, SSE and the Push Center until it ended. This is the snapshot's xmin less the xids of
 * backends connected to another database, which can never write this one's tables. Anything not known for sure to
 * be another database's (a prepared transaction, a backend already gone, statistics hidden from this role) still
 * counts, so the answer is never above the true horizon, at worst as low as the snapshot's xmin.
 *
 * STABLE, so it reads the caller's snapshot (the one its rows come from); callers wrap it as `(SELECT feed_xmin())`
 * so that it runs once per statement, not once per row. pg_stat_get_activity is read only when some transaction
 * is running at all.
 */
export class FeedXmin1763700011700 implements MigrationInterface {
  name = 'FeedXmin1763700011700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION feed_xmin() RETURNS bigint LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        s pg_snapshot := pg_current_snapshot();
        h bigint;
      BEGIN
        IF pg_snapshot_xmin(s) = pg_snapshot_xmax(s) THEN
          RETURN pg_snapshot_xmax(s)::text::bigint;
        END IF;
        SELECT min(x::text::bigint) INTO h
          FROM pg_snapshot_xip(s) x
         WHERE x::text::bigint % 4294967296 NOT IN (
                 SELECT a.backend_xid::text::bigint
                   FROM pg_stat_get_activity(NULL::integer) a
                  WHERE a.backend_xid IS NOT NULL
                    AND a.datid IS NOT NULL
                    AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()));
        RETURN coalesce(h, pg_snapshot_xmax(s)::text::bigint);
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS feed_xmin()`);
  }
}
