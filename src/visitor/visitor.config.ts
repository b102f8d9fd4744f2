import { ConfigError } from '../config/config-error';

/** VISITOR_SWEEP_INTERVAL_MS: milliseconds between sweeps that end expired visits; 0 turns the sweeper off. */
export function parseVisitorSweepIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VISITOR_SWEEP_INTERVAL_MS?.trim();
  if (raw === undefined || raw === '') return 30_000;
  if (!/^\d+$/.test(raw) || Number(raw) > 86_400_000) {
    throw new ConfigError('VISITOR_SWEEP_INTERVAL_MS', `must be a whole number of milliseconds from 0 to 86400000, got "${raw}"`);
  }
  return Number(raw);
}
