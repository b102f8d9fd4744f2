import { ConfigError } from '../config/config-error';

export interface PushCenterConfig {
  /** First retry delay; doubles per failed attempt. */
  retryBaseMs: number;
  /** Ceiling of the retry delay (retries never stop: delivery is at-least-once). */
  retryMaxMs: number;
  /** How often the worker looks for due deliveries. */
  pollMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Delivered outbox rows are kept this long for the state endpoint, then pruned. */
  keepDeliveredDays: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

/** PUSH_CENTER_* variables, all optional. */
export function parsePushCenterConfig(env: NodeJS.ProcessEnv = process.env): PushCenterConfig {
  const retryBaseMs = int(env, 'PUSH_CENTER_RETRY_BASE_MS', 1000, 10, 3_600_000);
  const retryMaxMs = int(env, 'PUSH_CENTER_RETRY_MAX_MS', 300_000, 10, 86_400_000);
  if (retryMaxMs < retryBaseMs) throw new ConfigError('PUSH_CENTER_RETRY_MAX_MS', 'must not be below PUSH_CENTER_RETRY_BASE_MS');
  return {
    retryBaseMs,
    retryMaxMs,
    pollMs: int(env, 'PUSH_CENTER_POLL_MS', 1000, 10, 60_000),
    timeoutMs: int(env, 'PUSH_CENTER_TIMEOUT_MS', 10_000, 100, 300_000),
    keepDeliveredDays: int(env, 'PUSH_CENTER_KEEP_DELIVERED_DAYS', 7, 0, 3650),
  };
}

/** Delay before attempt n+1 after n failed attempts: base·2^(n-1), capped. */
export function retryDelayMs(failedAttempts: number, c: Pick<PushCenterConfig, 'retryBaseMs' | 'retryMaxMs'>): number {
  const exp = Math.min(Math.max(failedAttempts - 1, 0), 40);
  return Math.min(c.retryBaseMs * 2 ** exp, c.retryMaxMs);
}
