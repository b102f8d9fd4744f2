import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { noteConnectionLost } from './unavailable';
import { PROCESS_TAG } from './process-tag';
import { QUEUEING_PG } from './queueing-pool';

export interface PoolSettings {
  /** Connections in the pg pool; on the embedded database it must not exceed the socket server's maxConnections. */
  poolSize: number;
}

export function dataSourceOptions(url: string, pool: PoolSettings = { poolSize: 10 }): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: pool.poolSize,
    // pg with a pool whose wait for a busy connection ends when the database stops answering, not after a fixed
    // time (queueing-pool.ts): a burst waits its turn instead of being answered -503.
    driver: QUEUEING_PG,
    // Names this process's connections: how another process tells whether it is still alive (process-tag.ts).
    applicationName: PROCESS_TAG,
    extra: {
      // Opening a connection gives up after this, and so does a wait for a busy one once the database has said
      // nothing for this long (QueueingPool): a mistake (for example a query on a second connection inside an
      // embedded transaction) or a hung server becomes an error, not a hang.
      connectionTimeoutMillis: 15_000,
      query_timeout: 60_000,
      idleTimeoutMillis: 30_000,
      // A connection the server ends while it is checked out (a restart, pg_terminate_backend, a failover) emits
      // 'error' on its client between two queries; pg-pool listens only on idle clients, and an 'error' nobody
      // listens to ends the process. Every client keeps a listener for its whole life: the failure still reaches
      // the query that runs on it ("not queryable"), and the pool drops the client when it comes back.
      onConnect: (client: { on(event: 'error', fn: (err: Error) => void): unknown }) => {
        client.on('error', () => noteConnectionLost());
      },
    },
  };
}
