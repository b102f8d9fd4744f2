import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { asLeader } from './leader';
import { stopWorker } from '../common/stop-worker';

/** Session advisory lock of the process that refreshes statistics (one of several sharing the database). */
const STATS_LOCK = 7330020;
/** Tables refreshed per pass at most, the most changed first (each ANALYZE samples at most 30,000 rows). */
const PER_PASS = 4;
/** Stale tables looked at per pass: some may still be resting (REST_FACTOR). */
const CANDIDATES = 16;
/**
 * A table is analysed again only once this many times as long as its last ANALYZE took has passed, so the
 * keeper spends at most about a hundredth of one backend's time on one table. Why: a table that grows by a fifth
 * every pass is an event table filling up (a fresh site's first hours of one access event per request: a fifth of
 * 50,000 events arrives within a second), and analysing its wide rows on every pass took about a tenth of the
 * machine's CPU during such a burst (bench/realtime.bench.ts, perf). A small growing table (persons, sync items)
 * takes 5–20 ms to analyse and rests 0.5–2 s: its statistics still follow it within a pass or two.
 */
const REST_FACTOR = 100;

/**
 * Which tables' planner statistics are stale: changed by at least `minChanges` rows since their last ANALYZE,
 * and by more than `share` of the rows the planner believes they hold (pg_class.reltuples, -1 before the first
 * ANALYZE). Pure text, tested against PostgreSQL.
 */
export const STALE_TABLES_SQL = `
  SELECT s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
   WHERE s.schemaname = current_schema() AND s.n_mod_since_analyze >= $1
     AND s.n_mod_since_analyze > $2 * greatest(c.reltuples, 0)
   ORDER BY s.n_mod_since_analyze DESC LIMIT ${CANDIDATES}`;

/**
 * Keeps the planner's statistics in step with tables that grow fast.
 *
 * Why: a site filling up (a person import, a morning of enrolments, panels confirming thousands of items) grows
 * tables from a few rows to tens of thousands within seconds, while autovacuum looks at them once a minute
 * (autovacuum_naptime) and only after 10% of changes. Until then the planner believes `person` or `sync_item`
 * still hold the handful of rows it last saw, and picks sequential scans and hash joins over the whole table
 * for statements that touch a few keys: measured with 16 clients adding persons to 10 panels, the confirmation
 * of each poll's items read all of `sync_item` twice, and throughput fell as the tables grew.
 *
 * Every STATS_REFRESH_MS (0 turns it off) the leader among the processes sharing the database analyses the
 * tables changed by a fifth or more since their last ANALYZE (and by STATS_MIN_CHANGES rows at least). Large
 * tables rarely qualify (a fifth of millions of rows), small growing ones do, and ANALYZE of a small table takes
 * milliseconds without blocking reads or writes.
 */
@Injectable()
export class StatisticsKeeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('StatisticsKeeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<string[]>;
  /** When each table's last ANALYZE by this process ended and how long it took (ms). */
  private readonly analysed = new Map<string, { at: number; ms: number }>();
  /** Milliseconds on a monotonic clock (a test's own clock in its place). */
  now: () => number = () => performance.now();
  /**
   * Tests only (STATS_TEST_HOLD_MS): each pass waits this long before its first statement, so a stop finds a pass
   * in progress every time (test/foundation/stop-quietly.e2e-spec.ts).
   */
  private readonly holdMs = Number(process.env.STATS_TEST_HOLD_MS) || 0;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.statsRefreshMs <= 0) return;
    this.timer = setInterval(() => void this.refresh(), this.config.statsRefreshMs);
    this.timer.unref();
  }

  // Before the DataSource closes (stop-worker.ts).
  async beforeApplicationShutdown(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    await stopWorker([timer], this.running);
  }

  /** One pass (at most one at a time): analyses the stale tables (a locked one is skipped); returns the names it asked for. */
  refresh(): Promise<string[]> {
    this.running ??= this.pass()
      .catch((err: unknown) => {
        this.log.warn(`refreshing planner statistics failed: ${(err as Error)?.message ?? err}`);
        return [];
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<string[]> {
    const done: string[] = [];
    if (this.holdMs > 0) await new Promise((r) => setTimeout(r, this.holdMs));
    await asLeader(this.ds, STATS_LOCK, async () => {
      const stale: Array<{ name: string }> = await this.ds.query(STALE_TABLES_SQL, [this.config.statsMinChanges, 0.2]);
      for (const { name } of stale) {
        if (done.length >= PER_PASS) break;
        const last = this.analysed.get(name);
        const started = this.now();
        // (A clock that went back is another clock, a test's: no rest then.)
        if (last && started >= last.at && started - last.at < REST_FACTOR * last.ms) continue;
        // SKIP_LOCKED: a table autovacuum is working on is left to it. Waiting for its lock would, after
        // deadlock_timeout, make PostgreSQL cancel autovacuum's VACUUM of that table (and again on each pass
        // that finds the table changed). The name comes from the catalogue; quoted as an identifier all the same.
        await this.ds.query(`ANALYZE (SKIP_LOCKED) "${name.replace(/"/g, '""')}"`);
        const ended = this.now();
        this.analysed.set(name, { at: ended, ms: ended - started });
        done.push(name);
      }
    });
    if (done.length) this.log.debug(`analysed ${done.join(', ')}`);
    return done;
  }
}
