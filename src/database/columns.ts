import { getMetadataArgsStorage } from 'typeorm';

/**
 * Raw SQL (upserts, bulk inserts) names a table's columns from one description of that table: its entity's
 * decorators, or, for a table written with SQL only, a `RawTable` declared once next to the code that owns it.
 * Property names are typed, so a renamed property fails to compile; a property without a column fails when the
 * module loads (every statement builds its text once, as a module constant), not in a query; and the schema
 * test compares each `RawTable` with the migrated database.
 */
type EntityClass<E> = abstract new (...args: never[]) => E;

/** A table without an entity: property name → column name and SQL type (as PostgreSQL's format_type prints it). */
export interface RawTable<P extends string> {
  readonly table: string;
  readonly columns: { readonly [K in P]: readonly [column: string, type: string] };
}

/** Declares a table written by raw SQL only; the one place its columns are named. */
export function rawTable<P extends string>(table: string, columns: { readonly [K in P]: readonly [column: string, type: string] }): RawTable<P> {
  return { table, columns };
}

/** An entity class or a raw table description. */
export type TableSource = EntityClass<unknown> | RawTable<string>;

/** The property names a table source has columns for. */
export type PropOf<S> = S extends RawTable<infer P> ? P : S extends EntityClass<infer E> ? keyof E & string : never;

function isRaw(s: TableSource): s is RawTable<string> {
  return typeof s !== 'function';
}

/** The table a source maps to. */
export function tableOf(s: TableSource): string {
  if (isRaw(s)) return s.table;
  const table = getMetadataArgsStorage().tables.find((t) => t.target === s);
  if (!table?.name) throw new Error(`${s.name} is not an entity with a table name`);
  return table.name;
}

// Words PostgreSQL reserves: a column so named must be quoted (all others here are plain lower-case names).
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog ' +
    'current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except ' +
    'false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp ' +
    'not null offset on only or order placing primary references returning select session_user some symmetric table then to ' +
    'trailing true union unique user using variadic when where window with').split(' '),
);

/** A column name as it must be written in SQL. */
export function quoted(column: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(column) && !RESERVED.has(column) ? column : `"${column.replace(/"/g, '""')}"`;
}

/** Column name and array-cast type of one property. */
function columnOf(s: TableSource, prop: string): { name: string; type: string } {
  if (isRaw(s)) {
    const c = (s.columns as Record<string, readonly [string, string]>)[prop];
    if (!c) throw new Error(`${s.table}.${prop} is not a column`);
    return { name: c[0], type: c[1] };
  }
  const chain: Function[] = [];
  for (let c: Function | null = s as unknown as Function; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.push(c);
  const col = getMetadataArgsStorage()
    .filterColumns(chain)
    .find((x) => x.propertyName === prop);
  if (!col) throw new Error(`${s.name}.${prop} is not a column`);
  const t = col.options.type;
  const type = typeof t !== 'string' ? '' : t === 'char' && col.options.length ? `char(${col.options.length})` : t;
  return { name: col.options.name ?? prop, type };
}

/** The column names of these properties (inherited columns included), quoted where needed, in the order given. */
export function columnsOf<S extends TableSource>(s: S, props: ReadonlyArray<PropOf<S>>): string[] {
  return props.map((p) => quoted(columnOf(s, p).name));
}

/** `a, b, c`: the column list of these properties, for a conflict target, a SELECT or a RETURNING. */
export function listOf<S extends TableSource>(s: S, props: ReadonlyArray<PropOf<S>>): string {
  return columnsOf(s, props).join(', ');
}

/** `table (a, b, c)`, for an INSERT whose values come from a SELECT (unnest, a join) or are written out. */
export function intoOf<S extends TableSource>(s: S, props: ReadonlyArray<PropOf<S>>): string {
  return `${tableOf(s)} (${listOf(s, props)})`;
}

/** `$first, $first+1, …`: `count` placeholders. */
export function placeholders(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}

/** `table (a, b, c) VALUES ($1, $2, $3)` for an INSERT of these properties, in this order. */
export function insertOf<S extends TableSource>(s: S, props: ReadonlyArray<PropOf<S>>): string {
  return `${intoOf(s, props)} VALUES (${placeholders(props.length)})`;
}

/** `unnest($first::t1[], $first+1::t2[], …)`: one array parameter per property, cast to its column's type. */
export function unnestOf<S extends TableSource>(s: S, props: ReadonlyArray<PropOf<S>>, first = 1): string {
  const casts = props.map((p, i) => {
    const { type } = columnOf(s, p);
    if (!type) throw new Error(`${tableOf(s)}.${p} has no SQL type to cast an array to`);
    return `$${first + i}::${type}[]`;
  });
  return `unnest(${casts.join(', ')})`;
}

/** `a = EXCLUDED.a, b = EXCLUDED.b`: the update list of an upsert that takes these properties from the new row. */
export function excludedOf<S extends TableSource>(s: S, props: ReadonlyArray<PropOf<S>>): string {
  return columnsOf(s, props)
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
}

/** The parameters of an `insertOf(…, props)` statement: the row's values in the order of `props` (absent: NULL). */
export function valuesOf<P extends string>(props: ReadonlyArray<P>, row: { readonly [K in P]?: unknown }): unknown[] {
  return props.map((p) => row[p] ?? null);
}
