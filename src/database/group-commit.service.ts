import { Global, Inject, Injectable, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { StatisticsKeeper } from './statistics-keeper.service';
import { PreparedQueryService } from './prepared-query.service';
import { GroupCommit, type BatchClient, type GroupCommitKind, type TransactionRunner } from './group-commit';
import { endsConnection } from './unavailable';

interface PostgresDriverLike {
  obtainMasterConnection(): Promise<[PoolClient, (err?: unknown) => void]>;
}

/**
 * Makes GroupCommit batchers for the ingest paths (rtlog and rtstate here; the attendance ATTLOG ingest the
 * same way): `groupCommit.create({ name, flush })`, then `await batcher.submit(item)` per request.
 *
 * A batch runs on a connection taken straight from the pg pool, BEGIN … COMMIT, with named (prepared)
 * statements on a PostgreSQL server: the hot ingest statements are parsed and planned once per connection,
 * not once per request. (On the embedded database every connection shares one session, where a statement
 * name prepared by one connection would collide with the next: there the statements stay unnamed.)
 */
@Injectable()
export class GroupCommitService implements OnModuleDestroy {
  private readonly logger = new Logger('GroupCommit');
  private readonly batchers: Array<GroupCommit<never, unknown>> = [];
  private readonly committedListeners: Array<(kind: string) => void> = [];
  private readonly named: boolean;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    this.named = !!config.databaseUrl;
  }

  create<T, R>(kind: GroupCommitKind<T, R>): GroupCommit<T, R> {
    const batcher = new GroupCommit<T, R>(kind, this.transaction, {
      batch: (name, items, fallback) => {
        this.metrics.groupCommitBatches.inc({ kind: name, fallback: fallback ? 'yes' : 'no' });
        this.metrics.groupCommitItems.inc({ kind: name }, items);
        for (const listener of this.committedListeners) {
          try {
            listener(name);
          } catch (err) {
            this.logger.warn(`${name}: a listener of committed batches failed: ${(err as Error)?.message ?? err}`);
          }
        }
      },
      fallback: (name, items, err) =>
        this.logger.warn(`${name}: a batch of ${items} uploads failed (${(err as Error)?.message ?? err}); writing them one by one`),
    });
    this.batchers.push(batcher as unknown as GroupCommit<never, unknown>);
    return batcher;
  }

  /**
   * Calls `listener` after each batch this process commits (the kind's name): the Push Center delivers the events
   * just stored at once instead of at its next poll.
   */
  onCommitted(listener: (kind: string) => void): void {
    this.committedListeners.push(listener);
  }

  /** Answers every queued upload before the pool closes. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.batchers.map((b) => b.idle()));
  }

  readonly transaction: TransactionRunner = async (fn, autocommit) => {
    const [client, release] = await (this.ds.driver as unknown as PostgresDriverLike).obtainMasterConnection();
    const db: BatchClient = {
      query: async <R>(name: string, text: string, values: unknown[]) => (await client.query(this.named ? { name, text, values } : { text, values })).rows as R[],
    };
    if (autocommit) {
      try {
        const result = await fn(db);
        release();
        return result;
      } catch (err) {
        release(endsConnection(err) ? err : undefined); // an error the server answered leaves the connection usable
        throw err;
      }
    }
    try {
      await client.query('BEGIN');
      const result = await fn(db);
      await client.query('COMMIT');
      release();
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
        release();
      } catch (rollbackErr) {
        release(rollbackErr); // a broken connection leaves the pool
      }
      throw err;
    }
  };
}

@Global()
/** The write and read fast paths of the database (group commit, prepared statements, fresh planner statistics), for every module. */
@Module({ providers: [GroupCommitService, PreparedQueryService, StatisticsKeeper], exports: [GroupCommitService, PreparedQueryService, StatisticsKeeper] })
export class GroupCommitModule {}
