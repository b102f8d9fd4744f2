import { spawnSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The command-line tools (`npm run token`, `operator`, `simulate`) build only when dist/ is missing or older
// than its sources: a rebuild empties dist/ under a gateway already running from it (the README's
// walk-through runs the simulator beside a started gateway), whose console then answered 500.
const SCRIPT = path.resolve('scripts/ensure-built.mjs');
const BUILD = path.resolve('scripts/build.mjs');
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
  copyFileSync(BUILD, path.join(dir, 'scripts/build.mjs'));
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

  it('is what `npm test` builds with: a test run beside a gateway started from this checkout leaves its dist/ alone', () => {
    // `npm run build` empties dist/ first: the running gateway's /console answered 500 for the minute it took.
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    for (const name of ['pretest', 'test:embedded']) {
      expect(scripts[name]).toMatch(/^node scripts\/ensure-built\.mjs && /);
      expect(scripts[name]).not.toContain('npm run build');
    }
  });

  it('is what `npm start` runs before it starts, and `npm run build` takes the build lock', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts.prestart).toBe('node scripts/ensure-built.mjs');
    expect(scripts.build).toBe('node scripts/build.mjs');
    // The Docker build stage runs `npm run build`, so it needs the script.
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/^COPY scripts\/build\.mjs /m);
  });
});

/**
 * Stand-ins for nest and vite in a scratch tree's node_modules/.bin: each logs its start and end, and empties
 * and fills its output as the real ones do (nest's deleteOutDir, vite's emptyOutDir), taking `seconds`.
 */
function fakeTools(dir: string, seconds: number): string {
  const log = path.join(dir, 'build.log');
  const bin = path.join(dir, 'node_modules/.bin');
  mkdirSync(bin, { recursive: true });
  const script = (outputs: string[], emptied: string) =>
    [
      '#!/bin/sh',
      `echo "start $(basename "$0") $$" >> ${JSON.stringify(log)}`,
      `rm -rf ${JSON.stringify(path.join(dir, emptied))}`,
      `sleep ${seconds}`,
      ...outputs.map((o) => `mkdir -p ${JSON.stringify(path.dirname(path.join(dir, o)))} && touch ${JSON.stringify(path.join(dir, o))}`),
      `echo "end $(basename "$0") $$" >> ${JSON.stringify(log)}`,
    ].join('\n');
  writeFileSync(path.join(bin, 'nest'), script(OUTPUTS.filter((o) => !o.startsWith('dist/console')), 'dist'));
  writeFileSync(path.join(bin, 'vite'), script(['dist/console/index.html'], 'dist/console'));
  chmodSync(path.join(bin, 'nest'), 0o755);
  chmodSync(path.join(bin, 'vite'), 0o755);
  return log;
}

function run(dir: string, script: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(dir, script)], { cwd: dir, stdio: 'ignore' });
    child.on('exit', (code) => resolve(code));
  });
}

describe('one build at a time (scripts/build.mjs)', () => {
  it('two tools that find dist/ missing at once build it once, the second waiting for the first', async () => {
    const dir = tree();
    rmSync(path.join(dir, 'dist'), { recursive: true });
    const log = fakeTools(dir, 1);
    const codes = await Promise.all([run(dir, 'scripts/ensure-built.mjs'), run(dir, 'scripts/ensure-built.mjs')]);
    expect(codes).toEqual([0, 0]);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(lines).toEqual(['start nest', 'end nest', 'start vite', 'end vite']);
    for (const o of OUTPUTS) expect(existsSync(path.join(dir, o))).toBe(true);
    expect(existsSync(path.join(dir, '.build.lock'))).toBe(false);
  });

  it('`npm run build` beside a tool that builds: the builds run one after the other, never interleaved', async () => {
    const dir = tree();
    rmSync(path.join(dir, 'dist'), { recursive: true });
    const log = fakeTools(dir, 1);
    const codes = await Promise.all([run(dir, 'scripts/build.mjs'), run(dir, 'scripts/ensure-built.mjs'), run(dir, 'scripts/build.mjs')]);
    expect(codes).toEqual([0, 0, 0]);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    // Each build is nest then vite by one process, ended before the next starts; the tool's build may be
    // skipped when a build before it made dist/ current.
    expect(lines.length % 4).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < lines.length; i += 4) {
      const pids = new Set(lines.slice(i, i + 4).map((l) => l.split(' ')[2]));
      expect(lines.slice(i, i + 4).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['start nest', 'end nest', 'start vite', 'end vite']);
      expect(pids.size).toBe(2); // nest's and vite's own shells, one build's pair
    }
    for (const o of OUTPUTS) expect(existsSync(path.join(dir, o))).toBe(true);
  });

  it('takes over a lock whose holder is gone (a build killed half-way)', async () => {
    const dir = tree();
    rmSync(path.join(dir, 'dist'), { recursive: true });
    const log = fakeTools(dir, 0);
    // A pid that is not running: a child that has already exited.
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid;
    await new Promise((r) => gone.on('exit', r));
    writeFileSync(path.join(dir, '.build.lock'), String(pid));
    expect(await run(dir, 'scripts/ensure-built.mjs')).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('end vite');
    expect(existsSync(path.join(dir, '.build.lock'))).toBe(false);
  });

  it('takes over a lock holding no pid once it is a few seconds old (a writer killed before it wrote one)', async () => {
    const dir = tree();
    rmSync(path.join(dir, 'dist'), { recursive: true });
    const log = fakeTools(dir, 0);
    const lock = path.join(dir, '.build.lock');
    writeFileSync(lock, 'not a pid');
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await run(dir, 'scripts/ensure-built.mjs')).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('end vite');
    expect(existsSync(lock)).toBe(false);
  });

  it('Ctrl-C during a build (SIGINT to its process group) ends it and leaves no lock behind', async () => {
    const dir = tree();
    rmSync(path.join(dir, 'dist'), { recursive: true });
    const log = fakeTools(dir, 30);
    const child = spawn(process.execPath, [path.join(dir, 'scripts/build.mjs')], { cwd: dir, stdio: 'ignore', detached: true });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    // The signal has to land while the build step runs (one landing between taking the lock and starting nest is
    // held by the build's handler, and the build goes on): wait for nest to start, however slow the machine.
    const started = () => existsSync(log) && readFileSync(log, 'utf8').includes('start nest');
    for (const deadline = Date.now() + 25_000; Date.now() < deadline && !started(); ) await new Promise((r) => setTimeout(r, 50));
    expect(started()).toBe(true);
    expect(existsSync(path.join(dir, '.build.lock'))).toBe(true);
    process.kill(-child.pid!, 'SIGINT');
    const end = await exited;
    expect(end.code).not.toBe(0);
    expect(readFileSync(log, 'utf8')).not.toContain('start vite');
    expect(existsSync(path.join(dir, '.build.lock'))).toBe(false);
  }, 90_000);
});
