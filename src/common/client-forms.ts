import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { URL_ENCODED_KEYS } from './base64-text';
import { CvCode, CvError } from './cv-error';
import { LIST_SEPARATOR } from './list-separator';

/**
 * The forms real clients send for the same input (field notes REST 4, 6, 7; clients built from CVSecurity's
 * Swagger), accepted by every endpoint through one mechanism rather than per controller:
 *
 * - **synonyms**: the manual's several names for one thing (`pin`, `personPin`, `personId`; `deviceSn`,
 *   `devSn`, `sn`; `pageNo`, `page`). A DTO that declares one name of a group also receives the value sent
 *   under another name of it (a name the DTO declares itself is never overwritten).
 * - **wrappers**: a JSON body wrapped in its Swagger parameter name, `{"department": {...}}`. Unwrapped when
 *   the key is one the DTO declares as a wrapper or one of the global names below, or when the key is not a
 *   field of the DTO and its value is an object carrying at least one field of the DTO.
 * - **path forms**: which fields of a query-parameter DTO a client may send as trailing path segments instead,
 *   `GET /api/v2/person/get/{pin}` for `GET /api/v2/person/get?pin=` (see route-forms.ts). By default, the
 *   first field of the DTO named in DEFAULT_PATH_KEYS.
 *
 * - **lists**: a field declared with `@ListInput()` takes a JSON array (also written into a string,
 *   `levelIds=["a","b"]`), one comma-separated string, or the
 *   key repeated in the query or a form body (`?pins=1&pins=2`, also as `pins[]=`, and PHP's indexed
 *   `pins[0]=1&pins[1]=2` from `http_build_query`, in index order). Any other field repeated there takes its
 *   value when every repeat gives the same one, and is refused (-400) when they differ (oneValueOf). A field that
 *   takes a list of objects also takes it as indexed field keys in a form or the query
 *   (`accApiLevelAddItems[0][name]=`, `accApiLevelAddItems[0].name=`; indexedObjects).
 * - **array bodies**: a bare JSON array as the whole body, the form of a Swagger body parameter that is a
 *   list (`accApiLevelAddItems`, CVSecurity's `List<...>` request body), fills the field the DTO names as its
 *   `arrayBody`; the wrapped form `{"accApiLevelAddItems": [...]}` is its ordinary field.
 * - **any case**: a name written in another case than the DTO's (`PageNo`, `pagesize`, `PIN`, `DeviceSn`: the
 *   manual's own parameter descriptions capitalise them, and .NET and Delphi clients write them so) fills the
 *   field it names, or the field of the synonym it names, when the exact name is absent, as the token's name
 *   is read in any case (access-token.guard.ts). The exact spelling always wins.
 *
 * The defaults apply to every DTO, so a new endpoint gets them without work; a DTO adds its own forms with
 * `@ClientForms({...})` next to its fields.
 */
export interface ClientFormsOptions {
  /** Wrapper keys (CVSecurity's Swagger parameter names) this DTO's body may come in, e.g. `apiBioTemplate`. */
  wrappers?: string[];
  /** Extra names for a field: `{ pin: ['persPersonPin'] }` accepts `persPersonPin` for `pin`. */
  synonyms?: Record<string, string[]>;
  /** Global synonym names that mean something else in this DTO, never mapped onto its fields. */
  notSynonyms?: string[];
  /** The fields a client may send as trailing path segments, in order; `[]` turns the default off. */
  path?: string[];
  /** The list field a bare JSON array body fills, e.g. `accApiLevelAddItems`. */
  arrayBody?: string;
}

/** The manual's names for one thing, accepted alike by every DTO that declares one of them. */
export const GLOBAL_SYNONYMS: readonly (readonly string[])[] = [
  ['pin', 'personPin', 'personId'],
  ['deviceSn', 'devSn', 'sn'],
  ['pageNo', 'page'],
];

/** Swagger parameter names seen wrapping bodies (field notes REST 7 and client code), unwrapped for every DTO. */
export const GLOBAL_WRAPPERS: readonly string[] = ['apiBioTemplate', 'person', 'department', 'accLevel', 'visitor', 'reader', 'card'];

/** Fields that may come as one trailing path segment when the DTO names no path form of its own. */
export const DEFAULT_PATH_KEYS: readonly string[] = ['pin', 'code', 'id', 'deviceSn', 'sn', 'name'];

const FORMS = Symbol('clientForms');
const LISTS = Symbol('listInputs');

/**
 * Keys of a merged input that came repeated in the query string or a form body (CvInput marks them): kept as
 * arrays for list fields, reduced to their last value for every other field.
 */
export const REPEATED_QUERY_KEYS = Symbol('repeatedQueryKeys');

/** A body that was a bare JSON array (CvInput keeps it here, as it merges only object bodies). */
export const ARRAY_BODY = Symbol('arrayBody');


/**
 * A JSON array written into a string (`levelIds=["a","b"]` in a query or form body, `"accLevelIds": "[\"a\"]"`:
 * clients that serialise every value to a string): its items, or undefined when the string is no such array.
 */
function jsonArrayIn(value: string): unknown[] | undefined {
  const text = value.trim();
  if (!text.startsWith('[') || !text.endsWith(']')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The items of a list input, trimmed, empty ones dropped; undefined when the value is not a list of scalars. */
function listItems(value: unknown): string[] | undefined {
  const raw = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? (jsonArrayIn(value) ?? value.split(LIST_SEPARATOR))
      : typeof value === 'number'
        ? [value]
        : undefined;
  if (!raw || raw.some((v) => typeof v !== 'string' && typeof v !== 'number')) return undefined;
  return raw.map((v) => String(v).trim()).filter((v) => v !== '');
}

/**
 * A list field (see the header): `'comma'` keeps the manual's one comma-separated string (`"a,b"`, `""` for
 * none), `'array'` an array of strings. Anything else (an object, an array of objects) is left for the
 * field's validators to refuse.
 */
export function ListInput(shape: 'comma' | 'array' = 'comma'): PropertyDecorator {
  const transform = Transform(({ value }) => {
    if (value === undefined || value === null) return value;
    const items = listItems(value);
    if (!items) return value;
    return shape === 'array' ? items : items.join(',');
  });
  return (target, key) => {
    const cls = target.constructor;
    Reflect.defineMetadata(LISTS, [...((Reflect.getOwnMetadata(LISTS, cls) as string[] | undefined) ?? []), String(key)], cls);
    transform(target, key);
  };
}

/** Declares the extra forms a DTO accepts (next to its fields); the global defaults apply anyway. */
export function ClientForms(options: ClientFormsOptions): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(FORMS, options, target);
  };
}

interface ResolvedForms {
  fields: Set<string>;
  /** field → the other names it is accepted under, in preference order. */
  aliases: Map<string, string[]>;
  wrappers: Set<string>;
  path: string[];
  /** Fields declared with `@ListInput()`. */
  lists: Set<string>;
  /** Fields that take one object (`@ValidateNested()` or `@IsObject()`: 2.18.11's `content`). */
  objects: Set<string>;
  /** The field a bare JSON array body fills, if any. */
  arrayBody?: string;
  /** Lower-cased field and alias names → the field they name (any case). */
  byLowerName: Map<string, string>;
}

const cache = new WeakMap<Function, ResolvedForms>();

/** The fields class-validator knows for a DTO (what the whitelist keeps), inherited ones included. */
export function declaredFields(dto: Function): Set<string> {
  return new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName));
}

/** The fields of a DTO that take one object: validated as nested or as an object. */
function objectFields(dto: Function): Set<string> {
  const metas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  return new Set(metas.filter((m) => m.type === ValidationTypes.NESTED_VALIDATION || m.name === 'isObject').map((m) => m.propertyName));
}

/**
 * A JSON object written into a string (`content={"devSn":"A"}` in a form body or the query, `"content": "{...}"` in a
 * JSON body, as CVSecurity's own Push Center writes its `content`): the object, or undefined when it is no such string.
 */
function jsonObjectIn(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function formsOf(dto: Function): ResolvedForms {
  const known = cache.get(dto);
  if (known) return known;
  // Own and inherited declarations (a subclass adds to its parent's).
  const chain: ClientFormsOptions[] = [];
  const lists = new Set<string>();
  for (let c: Function | null = dto; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const o = Reflect.getOwnMetadata(FORMS, c) as ClientFormsOptions | undefined;
    if (o) chain.unshift(o);
    for (const l of (Reflect.getOwnMetadata(LISTS, c) as string[] | undefined) ?? []) lists.add(l);
  }
  const fields = declaredFields(dto);
  const notSynonyms = new Set(chain.flatMap((o) => o.notSynonyms ?? []));
  const aliases = new Map<string, string[]>();
  const add = (field: string, names: string[]) => {
    const list = aliases.get(field) ?? [];
    for (const n of names) if (n !== field && !fields.has(n) && !list.includes(n)) list.push(n);
    if (list.length) aliases.set(field, list);
  };
  for (const o of chain) for (const [field, names] of Object.entries(o.synonyms ?? {})) if (fields.has(field)) add(field, names);
  for (const group of GLOBAL_SYNONYMS) {
    const members = group.filter((n) => !notSynonyms.has(n));
    for (const field of members) if (fields.has(field)) add(field, members);
  }
  const declaredPath = [...chain].reverse().find((o) => o.path !== undefined)?.path;
  const path = declaredPath ?? DEFAULT_PATH_KEYS.filter((k) => fields.has(k)).slice(0, 1);
  const arrayBody = [...chain].reverse().find((o) => o.arrayBody !== undefined)?.arrayBody;
  const byLowerName = new Map<string, string>();
  for (const f of fields) byLowerName.set(f.toLowerCase(), f);
  for (const [f, names] of aliases) for (const n of names) if (!byLowerName.has(n.toLowerCase())) byLowerName.set(n.toLowerCase(), f);
  const resolved: ResolvedForms = { fields, aliases, wrappers: new Set([...GLOBAL_WRAPPERS, ...chain.flatMap((o) => o.wrappers ?? [])]), path, lists, objects: objectFields(dto), arrayBody, byLowerName };
  cache.set(dto, resolved);
  return resolved;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** A key naming one item of a list by its index, `pins[0]`: the list's name and the index. */
const INDEXED_KEY = /^(.+)\[(\d{1,6})\]$/;

/**
 * A key naming one field of one object of a list: `items[0][name]`, as PHP's http_build_query, Guzzle's
 * form_params and jQuery's `$.param` (the body of `$.post(url, {items: [...]})`) write an array of objects
 * into a form, or `items[0].name`, as Spring's and ASP.NET's form binders name it.
 */
const INDEXED_FIELD_KEY = /^(.+?)\[(\d{1,6})\](?:\[([^[\]]+)\]|\.([^.[\]]+))$/;

/**
 * A key naming one field of one object: `content[devSn]`, as PHP's http_build_query, Guzzle's form_params and
 * jQuery's `$.param` write an object into a form, or `content.devSn`, as Spring's and ASP.NET's form binders name it.
 */
const NESTED_FIELD_KEY = /^([^[\].]+)(?:\[([^[\]\d][^[\]]*)\]|\.([^.[\]]+))$/;

/**
 * The lists of objects that indexed field keys spell (`items[0][name]=a&items[0][doorName]=b&items[1][name]=c`),
 * for the list names `target` accepts (it returns the field to fill, or undefined), in index order; and the keys
 * they were read from. A key repeated takes its last value, as any field that is not a list.
 */
export function indexedObjects(input: Record<string, unknown>, target: (name: string) => string | undefined): { lists: Map<string, Record<string, unknown>[]>; keys: string[] } {
  const byIndex = new Map<string, Map<number, Record<string, unknown>>>();
  const keys: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const m = INDEXED_FIELD_KEY.exec(key);
    const field = m ? target(m[1]) : undefined;
    if (!m || field === undefined) continue;
    keys.push(key);
    const items = byIndex.get(field) ?? new Map<number, Record<string, unknown>>();
    const item = items.get(Number(m[2])) ?? {};
    item[m[3] ?? m[4]] = Array.isArray(value) ? value[value.length - 1] : value;
    items.set(Number(m[2]), item);
    byIndex.set(field, items);
  }
  const lists = new Map([...byIndex].map(([field, items]): [string, Record<string, unknown>[]] => [field, [...items].sort((a, b) => a[0] - b[0]).map(([, item]) => item)]));
  return { lists, keys };
}

/**
 * The one value of a field that is no list, sent under a key repeated (`?pin=1&pin=1`). Spring, behind CVSecurity,
 * binds a repeated key into a String parameter as the values joined by commas (`pin=1&pin=2` is the pin "1,2",
 * which no person has) and into a number parameter as its first value; the gateway took the last, so
 * `person/delete?pin=1&pin=2` deleted person 2 and answered success for a call that named two. Now every repeat
 * that says the same thing is that value, and repeats that differ are refused (-400 naming the field and the
 * values) for every field alike, text or number: a client sending several values to a field that takes one is
 * told so, never served one of them; a blank repeat beside a value (`?pin=&pin=5`) does not count. A key that
 * names no field of the endpoint is left as it was (the last value: the whitelist drops it anyway). Fields that take
 * lists (`@ListInput()`) keep every value instead.
 */
function oneValueOf(forms: ResolvedForms, key: string, values: unknown[]): unknown {
  const refused = forms.fields.has(key) || forms.byLowerName.has(key.toLowerCase()) ? differingRepeats(key, values) : undefined;
  if (refused) throw refused;
  // A blank repeat beside a value (`?pin=&pin=5`: a form's empty default, then the value) says nothing: the value.
  return values.filter((v) => !isBlank(v)).at(-1) ?? values[values.length - 1];
}

const isBlank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * The refusal of a single-valued input whose repeats differ (oneValueOf), or undefined when they agree; a path
 * parameter given in the query is held to it too (route-forms.ts).
 */
export function differingRepeats(key: string, values: readonly unknown[]): CvError | undefined {
  const distinct = [...new Set(values.filter((v) => !isBlank(v)).map((v) => (typeof v === 'string' ? v.trim() : JSON.stringify(v))))];
  if (distinct.length < 2) return undefined;
  const shown = distinct.slice(0, 5).map((v) => JSON.stringify(v.slice(0, 40))).join(', ');
  return new CvError(CvCode.InvalidParameter, `${key} takes one value, but was sent ${values.length} times with different values (${shown}${distinct.length > 5 ? ', …' : ''})`);
}

/** The list field a key names: the field itself, one of its synonyms, or either written `name[]`. */
function listFieldOf(forms: ResolvedForms, key: string): string | undefined {
  const name = key.endsWith('[]') ? key.slice(0, -2) : key;
  if (forms.lists.has(name)) return name;
  const field = [...forms.lists].find((l) => forms.aliases.get(l)?.includes(name)) ?? forms.byLowerName.get(name.toLowerCase());
  return field !== undefined && forms.lists.has(field) ? field : undefined;
}

/**
 * One input object (query and body merged, or a body) brought to the DTO's own field names: repeated query
 * keys reduced (lists keep every value), wrappers unwrapped (the wrapped fields win over loose ones, as the
 * body wins over the query), then synonyms mapped.
 * Returns the input itself when there is nothing to do; never mutates it.
 */
export function normaliseClientForms(dto: Function, input: unknown): unknown {
  if (!isPlainObject(input)) return input;
  const forms = formsOf(dto);
  if (forms.fields.size === 0) return input;
  let out: Record<string, unknown> | undefined;
  const arrayBody = (input as { [ARRAY_BODY]?: unknown[] })[ARRAY_BODY];
  if (forms.arrayBody !== undefined && arrayBody !== undefined && !present(input[forms.arrayBody])) out = { ...input, [forms.arrayBody]: arrayBody };
  for (const key of (input as { [REPEATED_QUERY_KEYS]?: string[] })[REPEATED_QUERY_KEYS] ?? []) {
    const value = input[key];
    if (!Array.isArray(value)) continue;
    out ??= { ...input };
    const list = listFieldOf(forms, key);
    if (list === undefined) out[key] = oneValueOf(forms, key, value);
    else if (key !== list && !forms.aliases.get(list)?.includes(key)) {
      delete out[key];
      if (!present(out[list])) out[list] = value;
    }
  }
  for (const key of Object.keys(input)) {
    // `pins[]=1` once: the PHP form of a one-item list.
    if (!key.endsWith('[]') || (input as { [REPEATED_QUERY_KEYS]?: string[] })[REPEATED_QUERY_KEYS]?.includes(key)) continue;
    const list = listFieldOf(forms, key);
    if (list === undefined) continue;
    out ??= { ...input };
    delete out[key];
    if (!present(out[list])) out[list] = ([] as unknown[]).concat(input[key]);
  }
  // `pins[0]=1&pins[1]=2`: PHP's http_build_query (and Guzzle's query option) writes a list so, by index.
  const indexed = new Map<string, Array<[number, unknown]>>();
  for (const key of Object.keys(input)) {
    const m = INDEXED_KEY.exec(key);
    const list = m ? listFieldOf(forms, m[1]) : undefined;
    if (!m || list === undefined) continue;
    out ??= { ...input };
    delete out[key];
    const items = indexed.get(list) ?? [];
    for (const v of ([] as unknown[]).concat(input[key])) items.push([Number(m[2]), v]);
    indexed.set(list, items);
  }
  for (const [list, items] of indexed) if (!present(out![list])) out![list] = items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  // `items[0][name]=a`: a list of objects (accApiLevelAddItems) in a form or the query, for a field that is no list of scalars.
  const objects = indexedObjects(out ?? input, (name) => {
    const field = forms.fields.has(name) ? name : forms.byLowerName.get(name.toLowerCase());
    return field !== undefined && !forms.lists.has(field) ? field : undefined;
  });
  if (objects.keys.length) {
    out ??= { ...input };
    for (const key of objects.keys) delete out[key];
    for (const [field, items] of objects.lists) if (!present(out[field])) out[field] = items;
  }
  // `content={"devSn":"x"}`: an object field (or a Swagger wrapper) sent as JSON text, which a form body or the query
  // can only carry so. Before, it was refused (-400 "content must be an object").
  for (const [key, value] of Object.entries(out ?? input)) {
    if (!forms.objects.has(key) && (forms.fields.has(key) || !forms.wrappers.has(key))) continue;
    const parsed = jsonObjectIn(Array.isArray(value) ? value[value.length - 1] : value);
    if (parsed === undefined) continue;
    out ??= { ...input };
    out[key] = parsed;
  }
  // `content[devSn]=x` or `content.devSn=x`: one object's fields (2.18.11's `content`, a Swagger wrapper) in a form or
  // the query. Before, such keys were dropped: getDoorTransactions answered every event, as if filtered.
  for (const key of Object.keys(out ?? input)) {
    const m = NESTED_FIELD_KEY.exec(key);
    if (!m) continue;
    const name = forms.fields.has(m[1]) ? m[1] : (forms.byLowerName.get(m[1].toLowerCase()) ?? (forms.wrappers.has(m[1]) ? m[1] : undefined));
    if (name === undefined || forms.lists.has(name)) continue;
    out ??= { ...input };
    const held = out[name];
    if (present(held) && !isPlainObject(held)) continue;
    const value = out[key];
    delete out[key];
    const target: Record<string, unknown> = { ...(held as Record<string, unknown> | undefined) };
    const sub = m[2] ?? m[3];
    // The object sent whole (a JSON body's `content`) wins over loose keys, as wrapped fields win over loose ones.
    if (!present(target[sub])) target[sub] = Array.isArray(value) ? value[value.length - 1] : value;
    out[name] = target;
  }
  for (const [key, value] of Object.entries(out ?? input)) {
    if (forms.fields.has(key) || !isPlainObject(value)) continue;
    const named = forms.wrappers.has(key);
    const carriesFields = Object.keys(value).some((k) => forms.fields.has(k) || [...forms.aliases.values()].some((a) => a.includes(k)));
    if (!named && !carriesFields) continue;
    out ??= { ...input };
    delete out[key];
    Object.assign(out, value);
  }
  for (const [field, names] of forms.aliases) {
    const source = out ?? input;
    if (present(source[field])) continue;
    const from = names.find((n) => present(source[n]));
    if (from === undefined) continue;
    out ??= { ...input };
    out[field] = source[from];
  }
  for (const [key, value] of Object.entries(out ?? input)) {
    // A name in another case: the field it names, when nothing fills that field under its own or a synonym's name.
    if (forms.fields.has(key) || !present(value)) continue;
    const field = forms.byLowerName.get(key.toLowerCase());
    if (field === undefined || present((out ?? input)[field])) continue;
    out ??= { ...input };
    out[field] = value;
  }
  // Which values came URL-encoded (CvInput's mark) holds for the copy too: base64 fields read it (base64-text.ts).
  const urlEncoded = (input as { [URL_ENCODED_KEYS]?: unknown })[URL_ENCODED_KEYS];
  if (out && urlEncoded !== undefined) Object.defineProperty(out, URL_ENCODED_KEYS, { value: urlEncoded, enumerable: false });
  return out ?? input;
}
