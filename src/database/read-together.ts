import type { EntityManager } from 'typeorm';
import { namedQuery } from './prepared-query.service';

/**
 * A read that can share a round trip with others: its SQL, its parameters ($1… of its own), and what to make of
 * its rows. Rows must be JSON-safe (text, numbers, booleans, json) or parsed as such: read together, they come
 * back through `json_agg`, so a timestamp arrives as an ISO string and a bigint as a number.
 */
export interface Read<T> {
  text: string;
  values: unknown[];
  parse: (rows: any[]) => T;
}

export function read<T>(text: string, values: unknown[], parse: (rows: any[]) => T): Read<T> {
  return { text, values, parse };
}

export type Results<T extends Record<string, Read<unknown>>> = { [K in keyof T]: T[K] extends Read<infer R> ? R : never };

/**
 * Several independent reads as one read: `SELECT (SELECT json_agg(q) FROM (<read a>) q) AS a, …`, one row, each
 * read's parameters renumbered after the previous ones'. It nests (a read of reads is a read). The rows of each
 * come in the order of its own ORDER BY, as PostgreSQL feeds an aggregate from a sorted subquery.
 */
export function readAll<T extends Record<string, Read<unknown>>>(reads: T): Read<Results<T>> {
  const values: unknown[] = [];
  const keys = Object.keys(reads);
  const columns = keys.map((k) => {
    const r = reads[k];
    const offset = values.length;
    values.push(...r.values);
    const text = r.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    return `(SELECT coalesce(json_agg(q), '[]'::json) FROM (${text}) q) AS "${k}"`;
  });
  return read(`SELECT ${columns.join(',\n       ')}`, values, ([row]: Array<Record<string, unknown[]>>) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = reads[k].parse(row[k]);
    return out as Results<T>;
  });
}

/**
 * Runs independent reads in one round trip (readAll). A plan holds its devices' order locks from its first read
 * to its commit (src/sync/plan-scope.ts), and every other plan of those devices waits meanwhile: on a loaded
 * machine each round trip costs milliseconds, so the reads that do not depend on each other go together. A
 * single read runs as it is.
 */
export async function readTogether<T extends Record<string, Read<unknown>>>(m: EntityManager, reads: T): Promise<Results<T>> {
  const keys = Object.keys(reads);
  if (keys.length === 1) return { [keys[0]]: await runRead(m, reads[keys[0]]) } as Results<T>;
  return runRead(m, readAll(reads));
}

/** One read, run on its own. */
export async function runRead<T>(m: EntityManager, r: Read<T>): Promise<T> {
  return r.parse(await namedQuery(m, r.text, r.values));
}
