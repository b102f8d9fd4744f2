import { appendFileSync } from 'node:fs';
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
 * was busy and idle, and the worker's CPU seconds. Idle is time spent waiting (sleeps, timers, PostgreSQL, child
 * processes): the part of a file that neither a faster machine nor a quieter one shortens. Wall times swing with the
 * machine's load; CPU seconds much less.
 */
const profile = process.env.TEST_PROFILE;
if (profile) {
  let start: { at: number; elu: ReturnType<typeof performance.eventLoopUtilization>; cpu: NodeJS.CpuUsage; file: string } | undefined;
  beforeAll(() => {
    start = { at: performance.now(), elu: performance.eventLoopUtilization(), cpu: process.cpuUsage(), file: expect.getState().testPath ?? '?' };
  });
  afterAll(() => {
    if (!start) return;
    const elu = performance.eventLoopUtilization(start.elu);
    const cpu = process.cpuUsage(start.cpu);
    const s = (ms: number) => (ms / 1000).toFixed(1);
    appendFileSync(profile, `${start.file.slice(process.cwd().length + 1)}\t${s(performance.now() - start.at)}\t${s(elu.active)}\t${s(elu.idle)}\t${s((cpu.user + cpu.system) / 1000)}\n`);
  });
}
