import { getMetadataArgsStorage } from 'typeorm';

/**
 * Raw SQL (upserts, bulk inserts) names a table's columns from its entity, so that each table's columns are
 * described once, in the entity's decorators; a property without a column fails at load, not in a query.
 */
type EntityClass<E> = abstract new (...args: never[]) => E;

/** The table an entity maps to. */
export function tableOf(entity: EntityClass<unknown>): string {
  const table = getMetadataArgsStorage().tables.find((t) => t.target === entity);
  if (!table?.name) throw new Error(`${entity.name} is not an entity with a table name`);
  return table.name;
}

/** The column names of these properties of an entity (inherited columns included), in the order given. */
export function columnsOf<E>(entity: EntityClass<E>, props: ReadonlyArray<keyof E & string>): string[] {
  const chain: Function[] = [];
  for (let c: Function | null = entity as unknown as Function; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.push(c);
  const columns = getMetadataArgsStorage().filterColumns(chain);
  return props.map((p) => {
    const c = columns.find((col) => col.propertyName === p);
    if (!c) throw new Error(`${entity.name}.${p} is not a column`);
    return c.options.name ?? p;
  });
}

/** `table (a, b, c) VALUES ($1, $2, $3)` for an INSERT of these properties, in this order. */
export function insertOf<E>(entity: EntityClass<E>, props: ReadonlyArray<keyof E & string>): string {
  const columns = columnsOf(entity, props);
  return `${tableOf(entity)} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
}

const into = new Map<string, string>();

/** `table (a, b, c)`, for an INSERT whose values come from a SELECT (unnest, a join); computed once per list. */
export function intoOf<E>(entity: EntityClass<E>, props: ReadonlyArray<keyof E & string>): string {
  const key = `${entity.name}:${props.join(',')}`;
  let text = into.get(key);
  if (text === undefined) into.set(key, (text = `${tableOf(entity)} (${columnsOf(entity, props).join(', ')})`));
  return text;
}
