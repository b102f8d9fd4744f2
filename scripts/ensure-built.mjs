#!/usr/bin/env node
// Builds dist/ only when it is missing or older than the sources it is built from, for the command-line
// tools (`npm run token`, `operator`, `simulate`), for `npm start` and for `npm test`. They used to run `npm run build` every
// time, and that build empties dist/ first (nest's deleteOutDir, vite's emptyOutDir): a gateway already running
// from dist/ (as the README's walk-through has it) answered 500 on /console for the minute the rebuild took.
// A build that is due runs under build.mjs's lock, and is skipped when the build it waited for made it current.
// `node scripts/ensure-built.mjs --check` prints whether a build is due and exits 1 when it is.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBuild, withBuildLock } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the tools run, and what a build writes last (the console). */
export const OUTPUTS = [
  'dist/src/main.js',
  'dist/src/cli/token.js',
  'dist/src/cli/operator.js',
  'dist/test/simulator/cli.js',
  'dist/console/index.html',
];
/** What a build reads. */
export const INPUTS = [
  'src',
  'test/simulator',
  'test/fixtures/spec-files.ts',
  'ormconfig.ts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

function newestMtime(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Why a build is due, or null when dist/ is up to date. */
export function buildDue(dir = root) {
  const missing = OUTPUTS.find((o) => !existsSync(path.join(dir, o)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...OUTPUTS.map((o) => statSync(path.join(dir, o)).mtimeMs));
  const changed = Math.max(...INPUTS.map((i) => newestMtime(path.join(dir, i))));
  return changed > built ? 'sources changed since the last build' : null;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const due = buildDue();
  if (process.argv.includes('--check')) {
    console.log(due ?? 'up to date');
    process.exit(due ? 1 : 0);
  }
  if (due) {
    const status = withBuildLock(() => {
      const still = buildDue();
      if (!still) return 0;
      console.error(`building (${still})...`);
      return runBuild();
    });
    process.exit(status);
  }
}
