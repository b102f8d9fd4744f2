import { ConfigError } from '../config/config-error';

export interface RetentionConfig {
  /** Events older than this many days (by event time) are deleted; undefined keeps them forever. */
  retentionDays: number | undefined;
}

/** EVENT_RETENTION_DAYS: unset or blank = keep forever; otherwise a whole number of days from 1 to 36500. */
export function parseRetentionConfig(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  const raw = env.EVENT_RETENTION_DAYS?.trim();
  if (raw === undefined || raw === '') return { retentionDays: undefined };
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 36500) {
    throw new ConfigError('EVENT_RETENTION_DAYS', `must be a whole number of days from 1 to 36500 (unset keeps events forever), got "${raw}"`);
  }
  return { retentionDays: Number(raw) };
}
