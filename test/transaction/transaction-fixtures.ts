import * as fs from 'node:fs';
import { specPath } from '../fixtures/spec-files';
import { expect } from 'vitest';


interface ApiEndpoint {
  section: string;
  response: { example?: unknown; exampleReconstructed?: unknown };
}

let api: { endpoints: ApiEndpoint[] } | undefined;

/** The manual's response example of a section (cvsecurity-api.json), reconstructed where the printed one is not JSON. */
export function manualExample(section: string): any {
  api ??= JSON.parse(fs.readFileSync(specPath('cvsecurity-api.json'), 'utf8'));
  const e = api!.endpoints.find((x) => x.section === section);
  if (!e) throw new Error(`no section ${section}`);
  const ex = typeof e.response.example === 'string' ? e.response.exampleReconstructed : e.response.example;
  if (!ex) throw new Error(`no example for ${section}`);
  return ex;
}

/** The failure example of a ret/msg section. */
export function manualFailureExample(section: string): any {
  api ??= JSON.parse(fs.readFileSync(specPath('cvsecurity-api.json'), 'utf8'));
  const e = api!.endpoints.find((x) => x.section === section) as (ApiEndpoint & { response: { errorExample?: unknown } }) | undefined;
  if (!e?.response.errorExample) throw new Error(`no failure example for ${section}`);
  return e.response.errorExample;
}

let tables: { eventCodes: Array<{ code: number; name: string; kind: string }>; verifyModes: Array<{ code: number; meaning: string }> } | undefined;

export function pushTables() {
  tables ??= JSON.parse(fs.readFileSync(specPath('push-tables.json'), 'utf8'));
  return tables!;
}

export const verifyNameOf = (code: number) => pushTables().verifyModes.find((v) => v.code === code)?.meaning ?? null;

/** Same key set as the manual's example, and the same JSON type wherever both values are non-null. */
export function expectSameShape(actual: Record<string, unknown>, example: Record<string, unknown>, label: string): void {
  expect(Object.keys(actual).sort(), `${label}: keys`).toEqual(Object.keys(example).sort());
  for (const [k, v] of Object.entries(example)) {
    const a = actual[k];
    if (v === null || a === null) continue;
    expect(Array.isArray(a) ? 'array' : typeof a, `${label}: type of ${k}`).toBe(Array.isArray(v) ? 'array' : typeof v);
  }
}
