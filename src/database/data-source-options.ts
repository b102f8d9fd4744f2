import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

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
    extra: {
      // A mistake (for example a query on a second connection inside an embedded transaction) becomes an error, not a hang.
      connectionTimeoutMillis: 15_000,
      query_timeout: 60_000,
      idleTimeoutMillis: 30_000,
    },
  };
}
