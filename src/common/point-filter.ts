import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * The exact filters of the point lists (doors, floors, gates, readers: PointListDto): the point's name and its
 * device's SN. One place, so every list narrows alike, whether it reads through a query builder or through SQL.
 */
export interface PointFilter {
  name?: string;
  deviceSn?: string;
}

/** The point's name column and its device's SN column, as the query names them (`door.name`, `d.sn`). */
export interface PointColumns {
  name: string;
  sn: string;
}

/** Narrows a query builder to the point filter (each an exact match; an absent or empty one narrows nothing). */
export function wherePoint<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, cols: PointColumns, only: PointFilter = {}): SelectQueryBuilder<T> {
  if (only.name) qb.andWhere(`${cols.name} = :pointName`, { pointName: only.name });
  if (only.deviceSn) qb.andWhere(`${cols.sn} = :pointSn`, { pointSn: only.deviceSn });
  return qb;
}

/** The same as SQL: ` AND …` conditions to append to a WHERE, their values pushed onto `params` ($n numbering). */
export function pointSql(params: unknown[], cols: PointColumns, only: PointFilter = {}): string {
  let sql = '';
  if (only.name) sql += ` AND ${cols.name} = $${params.push(only.name)}`;
  if (only.deviceSn) sql += ` AND ${cols.sn} = $${params.push(only.deviceSn)}`;
  return sql;
}
