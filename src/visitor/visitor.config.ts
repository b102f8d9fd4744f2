import { parsePeriod } from '../config/period';

/** VISITOR_SWEEP_INTERVAL_MS: milliseconds between sweeps that end expired visits (100 at least); 0 turns the sweeper off. */
export function parseVisitorSweepIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  return parsePeriod('VISITOR_SWEEP_INTERVAL_MS', env.VISITOR_SWEEP_INTERVAL_MS, 30_000, 86_400_000);
}
