import * as path from 'node:path';
import { parseConsoleConfig, type ConsoleConfig } from '../console/console.config';
import { parsePushCenterConfig, type PushCenterConfig } from '../pushCenter/push-center.config';
import { parseRetentionConfig } from '../transaction/retention.config';
import { parseVisitorSweepIntervalMs } from '../visitor/visitor.config';
import { parseAddressOrCidr } from './address-or-cidr';
import { ConfigError } from './config-error';
import { LEAST_PERIOD_MS, parsePeriod } from './period';

export { ConfigError };

export type DeviceAdmission = 'manual' | 'auto';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type SnConflictPolicy = 'refuse' | 'allow';
/** Fastify's trustProxy: off, every hop, a hop count, or the addresses/CIDRs of the proxies. */
export type TrustProxy = boolean | number | string[];

export interface AppConfig {
  port: number;
  host: string;
  /** Unset means the embedded PGlite database under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /**
   * How long a start waits for DATABASE_URL's server to answer (a container started beside PostgreSQL may come
   * up first) before it gives up with a message; 0 tries once.
   */
  databaseWaitSeconds: number;
  apiToken: string | undefined;
  deviceAdmission: DeviceAdmission;
  timeZone: string;
  logLevel: LogLevel;
  /** /api requests per minute per API client (the burst is the same number); 0 turns the limit off. */
  apiRateLimit: number;
  /** /api requests per minute per client address; 0 turns the limit off. */
  apiIpRateLimit: number;
  /** Wrong-token attempts per minute per client address before that address is refused for a while. */
  authFailureLimit: number;
  /** Device uploads (POSTs under /iclock) per minute per SN (the burst is the same number); 0 turns the limit off. */
  deviceUploadRateLimit: number;
  /** An admitted SN heard from a second address while its first address is still online: refused, or only flagged. */
  deviceSnConflict: SnConflictPolicy;
  /** When set, every /iclock request must present it (query `CommKey=` or header `X-Comm-Key`). */
  deviceCommKey: string | undefined;
  /** Which proxies' X-Forwarded-For to believe for the client address (rate limits, SN conflicts, logs). */
  trustProxy: TrustProxy;
  /** Seconds a delivered command may go without a result before it is offered again under a new CmdID. */
  deviceCommandTimeout: number;
  /** Milliseconds after a delivery from which a device polling again without its results lost the reply (DEVICE_LOST_REPLY_MS; 0 = off). */
  deviceLostReplyMs: number;
  /** The floor of a device's online window, ms (DEVICE_ONLINE_FLOOR_MS; src/push/online-window.ts). */
  deviceOnlineFloorMs: number;
  /** How often each process writes the device contacts it had to device.last_seen_at, ms (DEVICE_LAST_SEEN_FLUSH_MS). */
  deviceLastSeenFlushMs: number;
  /** Seconds a remote action (door, floor or gate control) may wait for its device before it is dropped (DEVICE_ACTION_VALID_SECONDS; 0 = no limit). */
  deviceActionValidSeconds: number;
  /**
   * Milliseconds a REST remote action (door, floor, gate) waits for the device's Return before it answers
   * (DEVICE_ACTION_WAIT_MS; 0, the default, = answer once queued, as the manual's examples and clients that let
   * the device poll only after the call expect).
   */
  deviceActionWaitMs: number;
  /** Days an acknowledged device command stays in the queue table for operators; 0 keeps them forever. */
  deviceCommandKeepDays: number;
  /**
   * Seconds of events before its first poll a new monitor cursor hands out at most, whatever its `timestamp` says
   * (MONITOR_LOOKBACK_SECONDS; 0 = no bound): a client sending the manual's example timestamp (2017) gets live
   * events, not the whole history as if it were live.
   */
  monitorLookbackSeconds: number;
  /** Days a stored device upload (device_upload: table records, query results, capture photos) is kept; 0 keeps them forever. */
  deviceUploadKeepDays: number;
  /** Events older than this many days are deleted; undefined keeps them forever (EVENT_RETENTION_DAYS). */
  eventRetentionDays: number | undefined;
  /** Push Center delivery timings (PUSH_CENTER_*). */
  pushCenter: PushCenterConfig;
  /** Milliseconds between sweeps that end expired visits; 0 turns the sweeper off (VISITOR_SWEEP_INTERVAL_MS). */
  visitorSweepIntervalMs: number;
  /** Convergence (src/sync): first retry delay after a refused/expired command, its cap, and the reconciler's period (0 = off). */
  syncRetryBaseMs: number;
  syncRetryMaxMs: number;
  /**
   * A terminal's ERRORLOG (or an access panel's errorlog) failure of the same content this many times in a row
   * (SYNC_GIVE_UP_FAILURES) gives the item up: not sent again, shown failed, until the data changes (errorlog-commands.ts).
   */
  syncGiveUpFailures: number;
  /**
   * A table or command refused for good is probed again after SYNC_REFUSAL_PROBE_MS, doubling per refusal up to
   * SYNC_REFUSAL_PROBE_MAX_MS (src/push/device-refusals.ts, RefusalProbe).
   */
  syncRefusalProbeMs: number;
  syncRefusalProbeMaxMs: number;
  syncReconcileIntervalMs: number;
  /** How often each online, converged access panel is asked to count its users (SYNC_VERIFY_INTERVAL_MS; 0 = never). */
  syncVerifyIntervalMs: number;
  /**
   * How often such a panel, when its periodic verification is due, is also asked which users it holds (`DATA QUERY
   * tablename=user`; SYNC_VERIFY_PINS_INTERVAL_MS; 0 = never): a stranger added at its menu while another user was
   * deleted there leaves the count unchanged.
   */
  syncVerifyPinsIntervalMs: number;
  /**
   * CVSecurity's "Clear data in the device when adding" (DEVICE_CLEAR_ON_ADD, default true): a device admitted that
   * should hold nothing yet is cleared (full sync) all the same; false leaves what it holds until a count finds it.
   */
  deviceClearOnAdd: boolean;
  /** Planner statistics of fast-growing tables (src/database/statistics-keeper.service.ts): period (0 = off), least changes. */
  statsRefreshMs: number;
  statsMinChanges: number;
  /** Operator console sessions, sign-in limits and the first administrator (CONSOLE_*). */
  console: ConsoleConfig;
  /** Body temperature (°C) from which a hep event's status is "Abnormal" (HEP_FEVER_THRESHOLD). */
  hepFeverThreshold: number;
  /** Whether the parking camera extension lets in cars on neither list (PARKING_UNLISTED: allow or refuse). */
  parkingAllowUnlisted: boolean;
  /** Largest adMedia upload in bytes (MEDIA_MAX_BYTES). */
  mediaMaxBytes: number;
  /** Absolute base URL devices reach the gateway at, for URLs sent to devices (PUBLIC_URL); unset: the operator request's host. */
  publicUrl: string | undefined;
}

export const APP_CONFIG = Symbol('APP_CONFIG');


const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function blankToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function parsePort(raw: string | undefined): number {
  const v = blankToUndefined(raw);
  if (v === undefined) return 8088;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new ConfigError('PORT', `must be an integer from 0 to 65535, got "${v}"`);
  return Number(v);
}

function parseDatabaseUrl(raw: string | undefined): string | undefined {
  const v = blankToUndefined(raw);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must use the postgres:// scheme, got "${url.protocol}"`);
  }
  // Without one, PostgreSQL picks the database named after the user (often the server's own "postgres"), and the
  // gateway's tables would be made there.
  if (url.pathname.replace(/^\/+/, '') === '') {
    throw new ConfigError('DATABASE_URL', 'names no database: add its name after the port (postgres://user:password@host:5432/cvgw); one the server does not have is created at start');
  }
  return v;
}

function parseAdmission(raw: string | undefined): DeviceAdmission {
  const v = (blankToUndefined(raw) ?? 'manual').toLowerCase();
  if (v !== 'manual' && v !== 'auto') throw new ConfigError('DEVICE_ADMISSION', `must be "manual" or "auto", got "${raw}"`);
  return v;
}

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function parseTimeZone(raw: string | undefined): string {
  const v = blankToUndefined(raw);
  if (v === undefined) return systemTimeZone();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
  } catch {
    throw new ConfigError('TIME_ZONE', `must be an IANA zone name such as "Europe/Berlin", got "${v}"`);
  }
  return v;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  const v = (blankToUndefined(raw) ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(v)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return v;
}

function parseApiToken(raw: string | undefined): string | undefined {
  const v = blankToUndefined(raw);
  if (v !== undefined && (v.length < 8 || v.length > 256)) throw new ConfigError('API_TOKEN', 'must be 8 to 256 characters long');
  return v;
}

function parseHost(raw: string | undefined): string {
  const v = blankToUndefined(raw) ?? '0.0.0.0';
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(v)) throw new ConfigError('HOST', `is not a host name or address: "${v}"`);
  return v;
}

function parseCount(name: string, raw: string | undefined, fallback: number): number {
  const v = blankToUndefined(raw);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) > 10_000_000) throw new ConfigError(name, `must be a whole number from 0 to 10000000, got "${v}"`);
  return Number(v);
}

function parseSnConflict(raw: string | undefined): SnConflictPolicy {
  const v = (blankToUndefined(raw) ?? 'refuse').toLowerCase();
  if (v !== 'refuse' && v !== 'allow') throw new ConfigError('DEVICE_SN_CONFLICT', `must be "refuse" or "allow", got "${raw}"`);
  return v;
}

function parseCommKey(raw: string | undefined): string | undefined {
  const v = blankToUndefined(raw);
  if (v !== undefined && !/^[\x21-\x7e]{4,128}$/.test(v)) throw new ConfigError('DEVICE_COMM_KEY', 'must be 4 to 128 printable ASCII characters without spaces');
  return v;
}

function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = blankToUndefined(raw);
  if (v === undefined || v.toLowerCase() === 'false') return false;
  if (v.toLowerCase() === 'true') return true;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0 || !list.every((s) => parseAddressOrCidr(s) !== undefined || s === 'loopback' || s === 'linklocal' || s === 'uniquelocal')) {
    throw new ConfigError('TRUST_PROXY', `must be true, false, a hop count from 0 to 99 or a comma list of proxy addresses/CIDRs (or loopback, linklocal, uniquelocal), got "${v}"`);
  }
  return list;
}

function parseFlag(name: string, raw: string | undefined, fallback: boolean): boolean {
  const v = blankToUndefined(raw)?.toLowerCase();
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(name, `must be true, false, 1 or 0 (any case), got "${raw}"`);
}

function parseRange(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const v = blankToUndefined(raw);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${v}"`);
  return Number(v);
}


/** A temperature in degrees Celsius with at most 2 decimals, within a body's plausible range. */
function parseFeverThreshold(raw: string | undefined): number {
  const v = blankToUndefined(raw);
  if (v === undefined) return 37.3;
  if (!/^\d{2}(\.\d{1,2})?$/.test(v) || Number(v) < 34 || Number(v) > 42) {
    throw new ConfigError('HEP_FEVER_THRESHOLD', `must be a temperature in degrees Celsius from 34 to 42 with at most two decimals (e.g. 37.3), got "${v}"`);
  }
  return Number(v);
}

function parseUnlistedCars(raw: string | undefined): boolean {
  const v = (blankToUndefined(raw) ?? 'allow').toLowerCase();
  if (v !== 'allow' && v !== 'refuse') throw new ConfigError('PARKING_UNLISTED', `must be "allow" or "refuse", got "${raw}"`);
  return v === 'allow';
}

function parsePublicUrl(raw: string | undefined): string | undefined {
  const v = blankToUndefined(raw);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('PUBLIC_URL', `is not an absolute URL (expected http://host:port), got "${v}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('PUBLIC_URL', `must use http or https, got "${url.protocol}"`);
  if (/[,\s]/.test(v)) throw new ConfigError('PUBLIC_URL', 'must not contain commas or spaces (devices read comma-separated options)');
  return v.replace(/\/+$/, '');
}

/** A backoff's ceiling below its first wait would cut even the first wait short: refused, as PUSH_CENTER_RETRY_MAX_MS is. */
function ceilingNotBelow<T extends object>(config: T, pairs: [keyof T, string, keyof T, string][]): T {
  for (const [base, baseName, max, maxName] of pairs) {
    if ((config[max] as number) < (config[base] as number)) throw new ConfigError(maxName, `must not be below ${baseName}`);
  }
  return config;
}

/** Reads and validates the environment once, at start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return Object.freeze(ceilingNotBelow<AppConfig>({
    port: parsePort(env.PORT),
    host: parseHost(env.HOST),
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    dataDir: path.resolve(blankToUndefined(env.DATA_DIR) ?? './data'),
    databaseWaitSeconds: parseRange('DATABASE_WAIT_SECONDS', env.DATABASE_WAIT_SECONDS, 30, 0, 3600),
    apiToken: parseApiToken(env.API_TOKEN),
    deviceAdmission: parseAdmission(env.DEVICE_ADMISSION),
    timeZone: parseTimeZone(env.TIME_ZONE),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    apiRateLimit: parseCount('API_RATE_LIMIT', env.API_RATE_LIMIT, 60_000),
    apiIpRateLimit: parseCount('API_IP_RATE_LIMIT', env.API_IP_RATE_LIMIT, 60_000),
    authFailureLimit: parseCount('AUTH_FAILURE_LIMIT', env.AUTH_FAILURE_LIMIT, 300),
    deviceUploadRateLimit: parseCount('DEVICE_UPLOAD_RATE_LIMIT', env.DEVICE_UPLOAD_RATE_LIMIT, 3000),
    deviceSnConflict: parseSnConflict(env.DEVICE_SN_CONFLICT),
    deviceCommKey: parseCommKey(env.DEVICE_COMM_KEY),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    deviceCommandTimeout: parseRange('DEVICE_COMMAND_TIMEOUT', env.DEVICE_COMMAND_TIMEOUT, 60, 1, 3600),
    deviceLostReplyMs: parsePeriod('DEVICE_LOST_REPLY_MS', env.DEVICE_LOST_REPLY_MS, 2500, 3_600_000),
    deviceOnlineFloorMs: parseRange('DEVICE_ONLINE_FLOOR_MS', env.DEVICE_ONLINE_FLOOR_MS, 30_000, 1000, 3_600_000),
    deviceLastSeenFlushMs: parseRange('DEVICE_LAST_SEEN_FLUSH_MS', env.DEVICE_LAST_SEEN_FLUSH_MS, 5000, 100, 60_000),
    deviceActionValidSeconds: parseRange('DEVICE_ACTION_VALID_SECONDS', env.DEVICE_ACTION_VALID_SECONDS, 60, 0, 86_400),
    deviceActionWaitMs: parseRange('DEVICE_ACTION_WAIT_MS', env.DEVICE_ACTION_WAIT_MS, 0, 0, 30_000),
    deviceCommandKeepDays: parseRange('DEVICE_COMMAND_KEEP_DAYS', env.DEVICE_COMMAND_KEEP_DAYS, 30, 0, 36500),
    monitorLookbackSeconds: parseRange('MONITOR_LOOKBACK_SECONDS', env.MONITOR_LOOKBACK_SECONDS, 600, 0, 36500 * 86_400),
    deviceUploadKeepDays: parseRange('DEVICE_UPLOAD_KEEP_DAYS', env.DEVICE_UPLOAD_KEEP_DAYS, 30, 0, 36500),
    eventRetentionDays: parseRetentionConfig(env).retentionDays,
    pushCenter: parsePushCenterConfig(env),
    visitorSweepIntervalMs: parseVisitorSweepIntervalMs(env),
    syncRetryBaseMs: parseRange('SYNC_RETRY_BASE_MS', env.SYNC_RETRY_BASE_MS, 10_000, LEAST_PERIOD_MS, 86_400_000),
    syncRetryMaxMs: parseRange('SYNC_RETRY_MAX_MS', env.SYNC_RETRY_MAX_MS, 600_000, LEAST_PERIOD_MS, 86_400_000),
    syncGiveUpFailures: parseRange('SYNC_GIVE_UP_FAILURES', env.SYNC_GIVE_UP_FAILURES, 5, 1, 1000),
    syncRefusalProbeMs: parseRange('SYNC_REFUSAL_PROBE_MS', env.SYNC_REFUSAL_PROBE_MS, 60_000, LEAST_PERIOD_MS, 86_400_000),
    syncRefusalProbeMaxMs: parseRange('SYNC_REFUSAL_PROBE_MAX_MS', env.SYNC_REFUSAL_PROBE_MAX_MS, 86_400_000, LEAST_PERIOD_MS, 30 * 86_400_000),
    syncReconcileIntervalMs: parsePeriod('SYNC_RECONCILE_INTERVAL_MS', env.SYNC_RECONCILE_INTERVAL_MS, 15_000, 86_400_000),
    // Every verification asks each due panel to count its tables: more often than once a second only floods them.
    syncVerifyIntervalMs: parsePeriod('SYNC_VERIFY_INTERVAL_MS', env.SYNC_VERIFY_INTERVAL_MS, 3_600_000, 7 * 86_400_000, 1000),
    syncVerifyPinsIntervalMs: parseRange('SYNC_VERIFY_PINS_INTERVAL_MS', env.SYNC_VERIFY_PINS_INTERVAL_MS, 86_400_000, 0, 30 * 86_400_000),
    deviceClearOnAdd: parseFlag('DEVICE_CLEAR_ON_ADD', env.DEVICE_CLEAR_ON_ADD, true),
    statsRefreshMs: parsePeriod('STATS_REFRESH_MS', env.STATS_REFRESH_MS, 2_000, 3_600_000),
    statsMinChanges: parseRange('STATS_MIN_CHANGES', env.STATS_MIN_CHANGES, 500, 1, 100_000_000),
    console: parseConsoleConfig(env),
    hepFeverThreshold: parseFeverThreshold(env.HEP_FEVER_THRESHOLD),
    parkingAllowUnlisted: parseUnlistedCars(env.PARKING_UNLISTED),
    mediaMaxBytes: parseRange('MEDIA_MAX_BYTES', env.MEDIA_MAX_BYTES, 20 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
  }, [
    ['syncRetryBaseMs', 'SYNC_RETRY_BASE_MS', 'syncRetryMaxMs', 'SYNC_RETRY_MAX_MS'],
    ['syncRefusalProbeMs', 'SYNC_REFUSAL_PROBE_MS', 'syncRefusalProbeMaxMs', 'SYNC_REFUSAL_PROBE_MAX_MS'],
  ]));
}
