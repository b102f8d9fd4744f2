import { appendFileSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * Test files share their worker process (`isolate: false` in vitest.config.ts: loading Nest, TypeORM and the
 * gateway's modules once per worker instead of once per file halves the suite's time). What a file changes in
 * the environment (PUSH_CENTER_POLL_MS, EVENT_RETENTION_DAYS…, often at module level, before its app starts)
 * ends with the file, so that the next file in the same process starts from the environment the run began with.
 */
const saved = { ...process.env };

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

/**
 * TEST_PROFILE=<file>: one line per test file appended there: file, wall seconds, seconds its worker's event loop
 * was busy and idle, the worker's CPU seconds, and the CPU seconds of the child processes that ended meanwhile (the
 * gateway processes and CLIs a file spawns; not the worker's Chromium, which outlives the file, nor PostgreSQL's).
 * Idle is time spent waiting (sleeps, timers, PostgreSQL, child processes): a file whose idle seconds are far above
 * its children's CPU seconds mostly waits on timers, the part of a file that neither a faster machine nor a quieter
 * one shortens. Wall times swing with the machine's load; CPU seconds much less.
 */
const profile = process.env.TEST_PROFILE;

/** CPU ms of this process's ended and reaped children (Linux: /proc/self/stat cutime + cstime); 0 elsewhere. */
function childrenCpuMs(): number {
  try {
    // Fields after the command's closing parenthesis: state is field 3, cutime and cstime fields 16 and 17.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

if (profile) {
  let start: { at: number; elu: ReturnType<typeof performance.eventLoopUtilization>; cpu: NodeJS.CpuUsage; children: number; file: string } | undefined;
  beforeAll(() => {
    start = {
      at: performance.now(),
      elu: performance.eventLoopUtilization(),
      cpu: process.cpuUsage(),
      children: childrenCpuMs(),
      file: expect.getState().testPath ?? '?',
    };
  });
  afterAll(() => {
    if (!start) return;
    const elu = performance.eventLoopUtilization(start.elu);
    const cpu = process.cpuUsage(start.cpu);
    const s = (ms: number) => (ms / 1000).toFixed(1);
    appendFileSync(profile, `${start.file.slice(process.cwd().length + 1)}\t${s(performance.now() - start.at)}\t${s(elu.active)}\t${s(elu.idle)}\t${s((cpu.user + cpu.system) / 1000)}\t${s(childrenCpuMs() - start.children)}\n`);
  });
}
