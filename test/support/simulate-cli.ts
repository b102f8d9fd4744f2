import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The built simulator CLI that `npm run simulate` runs (package.json), which `npm test` builds first. */
export const SIMULATE_CLI = path.resolve('dist/test/simulator/cli.js');

export interface SimulatorProcess {
  child: ChildProcess;
  /** Its output so far, stdout and stderr together. */
  out(): string;
  /** Resolves with the first match of `re` in its output; throws once `ms` pass or it exits without one. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  exit: Promise<number | null>;
}

/** `npm run simulate -- <args>` as a child process; every child is added to `children`, for the file's afterAll to kill. */
export function spawnSimulator(args: string[], children: ChildProcess[]): SimulatorProcess {
  if (!existsSync(SIMULATE_CLI)) throw new Error(`${SIMULATE_CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [SIMULATE_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    out: () => out,
    exit,
    async waitFor(re, ms = 20_000) {
      const until = Date.now() + ms;
      for (;;) {
        const m = re.exec(out);
        if (m) return m[0];
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no ${re} in the simulator's output:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
