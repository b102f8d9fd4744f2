/**
 * SQL that holds when `pattern` (an ILIKE pattern, `%…%`) matches a person's name as an operator types it: the first
 * name then the last name or the other way round with a space between, or the family name first with none, as
 * Chinese names are written (张伟 for last name 张, first name 伟). Each name alone matches too.
 */
export function fullNameMatchSql(name: string, lastName: string, pattern: string): string {
  return [`concat_ws(' ', ${name}, ${lastName})`, `concat_ws(' ', ${lastName}, ${name})`, `concat(${lastName}, ${name})`].map((e) => `${e} ILIKE ${pattern}`).join(' OR ');
}
