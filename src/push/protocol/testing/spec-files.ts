/** Test-only: reads the shared spec files (`../shared/spec` beside the clone, or $SHARED_DIR). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function specPath(name: string): string {
  return path.resolve(process.env.SHARED_DIR ?? path.resolve(process.cwd(), '../shared'), 'spec', name);
}

export function readSpecJson<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(specPath(name), 'utf8')) as T;
}
