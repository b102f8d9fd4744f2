import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The command-line tools (`npm run token`, `operator`, `simulate`) build only when dist/ is missing or older
// than its sources: a rebuild empties dist/ under a gateway already running from it (the README's
// walk-through runs the simulator beside a started gateway), whose console then answered 500.
const SCRIPT = path.resolve('scripts/ensure-built.mjs');
const OUTPUTS = ['dist/src/main.js', 'dist/src/cli/token.js', 'dist/src/cli/operator.js', 'dist/test/simulator/cli.js', 'dist/console/index.html'];

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ensure-built-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'scripts'));
  copyFileSync(SCRIPT, path.join(dir, 'scripts/ensure-built.mjs'));
  const put = (file: string, seconds: number) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), '');
    utimesSync(path.join(dir, file), seconds, seconds);
  };
  for (const f of ['src/main.ts', 'src/a/b.ts', 'test/simulator/cli.ts', 'package.json', 'tsconfig.json']) put(f, 1_000_000);
  for (const d of ['src/a', 'src', 'test/simulator', 'test']) utimesSync(path.join(dir, d), 1_000_000, 1_000_000);
  for (const f of OUTPUTS) put(f, 2_000_000);
  return dir;
}

function check(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts/ensure-built.mjs'), '--check'], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim() };
}

describe('scripts/ensure-built.mjs', () => {
  it('does not build when dist/ is newer than every source', () => {
    expect(check(tree())).toEqual({ status: 0, out: 'up to date' });
  });

  it('builds when an output is missing', () => {
    const dir = tree();
    rmSync(path.join(dir, 'dist/console/index.html'));
    expect(check(dir)).toEqual({ status: 1, out: 'dist/console/index.html is missing' });
  });

  it('builds when a source (deep in src/, or a config file) changed after the build', () => {
    const dir = tree();
    utimesSync(path.join(dir, 'src/a/b.ts'), 3_000_000, 3_000_000);
    expect(check(dir).status).toBe(1);
    const dir2 = tree();
    utimesSync(path.join(dir2, 'package.json'), 3_000_000, 3_000_000);
    expect(check(dir2)).toEqual({ status: 1, out: 'sources changed since the last build' });
  });

  it('is what the command-line tools run instead of a full build', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    for (const name of ['token', 'operator', 'simulate']) {
      expect(scripts[name]).toMatch(/^node scripts\/ensure-built\.mjs && node dist\//);
      expect(scripts[name]).not.toContain('npm run');
    }
  });
});
