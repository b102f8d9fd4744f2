import { afterAll } from 'vitest';

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
