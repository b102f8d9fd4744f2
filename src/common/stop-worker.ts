/**
 * The stop of a background worker (timers that start runs on the database): its timers cleared, so no new run
 * starts, and the runs in progress waited for (each logs its own failure; a stop adds none).
 *
 * Workers call it from beforeApplicationShutdown, never onApplicationShutdown. Nest's close runs every module's
 * onModuleDestroy, then every module's beforeApplicationShutdown, then closes the HTTP server, and only then every
 * module's onApplicationShutdown, where TypeORM's core module destroys the DataSource. That module is global, and
 * global modules (distance MAX_VALUE) take their turn in the order they were imported: a worker of a global module
 * (StatisticsKeeper, GroupCommitModule) was stopped after the DataSource closed, and a run in progress then met a
 * closed pool (`refreshing planner statistics failed: Connection terminated` on about one Ctrl-C in four).
 */
export async function stopWorker(timers: ReadonlyArray<NodeJS.Timeout | undefined>, ...runs: Array<Promise<unknown> | undefined>): Promise<void> {
  for (const timer of timers) if (timer) clearTimeout(timer); // clears an interval as well
  await Promise.allSettled(runs);
}
