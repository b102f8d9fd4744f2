import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { endsConnection } from './unavailable';

interface PostgresDriverLike {
  obtainMasterConnection(): Promise<[PoolClient, (err?: unknown) => void]>;
}

/**
 * Hot reads as prepared (named) statements: parsed and planned once per pooled connection instead of
 * once per request (PostgreSQL then settles on a generic plan when it is as good as a custom one).
 * For SELECTs only: the rows come back as pg gives them. On the embedded database, where every
 * connection shares one session and a name prepared by one connection would collide on the next, the
 * statements stay unnamed.
 */
@Injectable()
export class PreparedQueryService {
  constructor(private readonly ds: DataSource) {}

  /** Runs `text` on `target`: the pool (a DataSource) or the connection of a transaction (an EntityManager). */
  async query<R>(target: DataSource | EntityManager, text: string, values: unknown[]): Promise<R[]> {
    const qr = (target as EntityManager).queryRunner;
    if (qr && !qr.isReleased) return namedQuery(target as EntityManager, text, values);
    const [client, release] = await (this.ds.driver as unknown as PostgresDriverLike).obtainMasterConnection();
    try {
      const rows = (await client.query(queryConfig(this.ds, text, values))).rows as R[];
      release();
      return rows;
    } catch (err) {
      release(endsConnection(err) ? err : undefined); // an error the server answered leaves the connection usable
      throw err;
    }
  }
}

const names = new Map<string, string>();

/** The prepared statement name of a text (the same in every process, so logs and pg_stat_statements agree). */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    if (names.size > 1000) names.clear(); // statements are built from a bounded set of filters
    name = `cvgw_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` in the transaction of `m` as a prepared statement. Used for the statements that run for every
 * write group and every poll: the planner's reads, the queue's claim and results, the confirmation. Each is
 * then parsed and analysed once per pooled connection instead of on every call. PostgreSQL still plans
 * statements with array parameters afresh each time when a custom plan looks cheaper than the generic one.
 * On the embedded database it stays unnamed (namesStatements). Outside a transaction it is a plain query.
 * Statement texts must come from a bounded set (no values spliced in): each name stays prepared on its
 * connection.
 */
export async function namedQuery<R>(m: EntityManager, text: string, values: unknown[]): Promise<R[]> {
  const qr = m.queryRunner;
  if (!qr || qr.isReleased) return m.query(text, values);
  const client = (await qr.connect()) as PoolClient;
  return (await client.query(queryConfig(m.connection, text, values))).rows as R[];
}

const generic = new WeakSet<object>();

/**
 * From here to the end of the transaction of `m`, prepared statements use their generic plan (`plan_cache_mode`,
 * set LOCAL: it ends with the transaction). The planner's reads take arrays of pins and devices, and PostgreSQL
 * judges a plan made for the actual arrays cheaper than the generic one every time, so it planned them on every
 * call: the largest statements (the scope, desired and confirmed state read together) cost more to plan than
 * to run, about a quarter of PostgreSQL's CPU while persons were being added. Their generic plans (index
 * lookups per pin and device) suit small writes and pages of a full sync alike. Once per transaction; not on
 * the embedded database (its statements are not prepared, so nothing is saved).
 */
export async function preferGenericPlans(m: EntityManager): Promise<void> {
  const qr = m.queryRunner;
  if (!qr || qr.isReleased || !qr.isTransactionActive || !namesStatements(m.connection) || generic.has(qr)) return;
  generic.add(qr);
  await m.query(`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`);
}

/**
 * Whether statements on this data source may be named. A pool of one connection is the embedded database, whose
 * connections share one session: a name prepared by one connection would collide on the next.
 */
function namesStatements(ds: DataSource): boolean {
  return ((ds.options as { poolSize?: number }).poolSize ?? 10) > 1;
}

function queryConfig(ds: DataSource, text: string, values: unknown[]): { name?: string; text: string; values: unknown[] } {
  return namesStatements(ds) ? { name: statementName(text), text, values } : { text, values };
}
