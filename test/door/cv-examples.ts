import * as fs from 'node:fs';
import { specPath } from '../fixtures/spec-files';

/** An endpoint of the manual, as cvsecurity-api.json describes it. */
export interface ManualEndpoint {
  section: string;
  title: string;
  module: string;
  method: string;
  path: string;
  likelyPath: string;
  routeAliases: string[];
  printedPathCollidesWith: string | null;
  printedUrl: string;
  pathParams: Array<{ name: string; example?: unknown }>;
  query: Array<{ name: string; required: boolean; example?: unknown }>;
  body: { example?: unknown; exampleIsRawText?: boolean } | null;
  response: { envelope: string; example: unknown; exampleIsRawText?: boolean; exampleReconstructed?: unknown; errorExample?: unknown };
  likelyErrorCodes: number[];
}

let cache: ManualEndpoint[] | undefined;

/** Every endpoint of the manual, in the manual's order. */
export function manualEndpoints(): ManualEndpoint[] {
  if (!cache) {
    const file = specPath('cvsecurity-api.json');
    cache = (JSON.parse(fs.readFileSync(file, 'utf8')) as { endpoints: ManualEndpoint[] }).endpoints;
  }
  return cache;
}

export function manualEndpoint(section: string): ManualEndpoint {
  const e = manualEndpoints().find((x) => x.section === section);
  if (!e) throw new Error(`no endpoint ${section} in cvsecurity-api.json`);
  return e;
}

/** The example as JSON; where the manual printed text that is not JSON, the JSON file's reconstruction of it. */
export function manualExample(section: string): any {
  const r = manualEndpoint(section).response;
  const ex = r.exampleIsRawText ? r.exampleReconstructed : r.example;
  if (!ex) throw new Error(`endpoint ${section} has no response example`);
  return ex;
}

/**
 * The shape of a JSON value: key sets and value types, recursively; an array's shape is the shape of its first
 * element (every element is checked against it by `shapeOf` on the response side through `everyShape`).
 */
export function shapeOf(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length ? [shapeOf(v[0])] : [];
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = shapeOf((v as Record<string, unknown>)[k]);
    return out;
  }
  return typeof v;
}

/** Every element of an array has the same shape as the first (so shapeOf's first-element rule is sound). */
export function uniformArrays(v: unknown): boolean {
  if (Array.isArray(v)) {
    const first = JSON.stringify(shapeOf(v[0]));
    return v.every((x) => JSON.stringify(shapeOf(x)) === first && uniformArrays(x));
  }
  if (v && typeof v === 'object') return Object.values(v).every(uniformArrays);
  return true;
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Where `actual` differs from the manual's `example`: the same key set at every level (arrays through their
 * first element), and the same JSON type wherever the example's value is not null. An empty list answers
 * nothing about its items, so an empty actual array where the example has items is a difference too.
 */
export function shapeDifferences(actual: unknown, example: unknown, at = '$'): string[] {
  if (example === null) return [];
  const ka = kindOf(actual);
  const ke = kindOf(example);
  if (ka !== ke) return [`${at}: ${ka} where the manual has ${ke}`];
  if (ke === 'array') {
    const a = actual as unknown[];
    const e = example as unknown[];
    if (!e.length) return [];
    if (!a.length) return [`${at}: empty, cannot compare with the manual's items`];
    return a.flatMap((x, i) => shapeDifferences(x, e[0], `${at}[${i}]`));
  }
  if (ke !== 'object') return [];
  const a = actual as Record<string, unknown>;
  const e = example as Record<string, unknown>;
  const out = [
    ...Object.keys(e).filter((k) => !(k in a)).map((k) => `${at}.${k}: missing`),
    ...Object.keys(a).filter((k) => !(k in e)).map((k) => `${at}.${k}: not in the manual`),
  ];
  for (const k of Object.keys(e)) if (k in a) out.push(...shapeDifferences(a[k], e[k], `${at}.${k}`));
  return out;
}
