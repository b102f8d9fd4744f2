import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8088);
    expect(c.host).toBe('0.0.0.0');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.databaseWaitSeconds).toBe(30);
    expect(c.deviceAdmission).toBe('manual');
    expect(c.timeZone.length).toBeGreaterThan(0);
    expect(c.deviceUploadRateLimit).toBe(3000);
    expect(c.deviceSnConflict).toBe('refuse');
    expect(c.deviceCommKey).toBeUndefined();
    expect(c.trustProxy).toBe(false);
    expect(c.deviceCommandTimeout).toBe(60);
    expect(c.syncRefusalProbeMs).toBe(60_000);
    expect(c.syncRefusalProbeMaxMs).toBe(86_400_000);
    // A remote action answers once queued unless asked to wait: clients let the device poll after the call.
    expect(c.deviceActionWaitMs).toBe(0);
    expect(loadConfig({ DEVICE_ACTION_WAIT_MS: '6000' }).deviceActionWaitMs).toBe(6000);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x@y/z' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    // No database name: PostgreSQL would take the one named after the user (the server's own "postgres").
    ['DATABASE_URL', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/' }],
    ['DATABASE_WAIT_SECONDS', { DATABASE_WAIT_SECONDS: 'forever' }],
    ['DATABASE_WAIT_SECONDS', { DATABASE_WAIT_SECONDS: '-1' }],
    ['DEVICE_ADMISSION', { DEVICE_ADMISSION: 'sometimes' }],
    ['TIME_ZONE', { TIME_ZONE: 'Mars/Olympus' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['API_TOKEN', { API_TOKEN: 'short' }],
    ['API_RATE_LIMIT', { API_RATE_LIMIT: '-5' }],
    ['EVENT_RETENTION_DAYS', { EVENT_RETENTION_DAYS: '0' }],
    ['DEVICE_COMMAND_KEEP_DAYS', { DEVICE_COMMAND_KEEP_DAYS: 'week' }],
    ['PUSH_CENTER_POLL_MS', { PUSH_CENTER_POLL_MS: 'soon' }],
    ['VISITOR_SWEEP_INTERVAL_MS', { VISITOR_SWEEP_INTERVAL_MS: '-1' }],
    ['AUTH_FAILURE_LIMIT', { AUTH_FAILURE_LIMIT: 'many' }],
    ['DEVICE_UPLOAD_RATE_LIMIT', { DEVICE_UPLOAD_RATE_LIMIT: '1.5' }],
    ['DEVICE_SN_CONFLICT', { DEVICE_SN_CONFLICT: 'ignore' }],
    ['DEVICE_COMM_KEY', { DEVICE_COMM_KEY: 'has space' }],
    ['DEVICE_COMM_KEY', { DEVICE_COMM_KEY: 'abc' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'the load balancer' }],
    // Shaped like addresses, yet none: the HTTP framework threw on them after Nest had loaded.
    ['TRUST_PROXY', { TRUST_PROXY: '999.1.1.1' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/33' }],
    ['DEVICE_COMMAND_TIMEOUT', { DEVICE_COMMAND_TIMEOUT: '0' }],
    ['SYNC_REFUSAL_PROBE_MS', { SYNC_REFUSAL_PROBE_MS: '0' }],
    ['SYNC_REFUSAL_PROBE_MS', { SYNC_REFUSAL_PROBE_MS: 'hourly' }],
    ['SYNC_REFUSAL_PROBE_MAX_MS', { SYNC_REFUSAL_PROBE_MAX_MS: '-1' }],
    ['DEVICE_ACTION_WAIT_MS', { DEVICE_ACTION_WAIT_MS: '60000' }],
  ])('a bad %s names the variable', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(variable));
  });

  it('accepts valid values', () => {
    const c = loadConfig({ PORT: '9000', DATABASE_URL: 'postgres://u@h:5432/d', DEVICE_ADMISSION: 'AUTO', TIME_ZONE: 'Europe/Berlin', LOG_LEVEL: 'debug' });
    expect(c).toMatchObject({ port: 9000, databaseUrl: 'postgres://u@h:5432/d', deviceAdmission: 'auto', timeZone: 'Europe/Berlin', logLevel: 'debug' });
  });

  it('reads the device-side hardening variables', () => {
    expect(loadConfig({ DATABASE_WAIT_SECONDS: '0' }).databaseWaitSeconds).toBe(0);
    const c = loadConfig({ DEVICE_UPLOAD_RATE_LIMIT: '0', DEVICE_SN_CONFLICT: 'Allow', DEVICE_COMM_KEY: ' s3cret-key ', DEVICE_COMMAND_TIMEOUT: '5' });
    expect(c).toMatchObject({ deviceUploadRateLimit: 0, deviceSnConflict: 'allow', deviceCommKey: 's3cret-key', deviceCommandTimeout: 5 });
  });

  it('refuses a backoff ceiling below its first wait, naming the ceiling', () => {
    expect(() => loadConfig({ SYNC_RETRY_BASE_MS: '60000', SYNC_RETRY_MAX_MS: '1000' })).toThrow(/SYNC_RETRY_MAX_MS must not be below SYNC_RETRY_BASE_MS/);
    expect(() => loadConfig({ SYNC_REFUSAL_PROBE_MAX_MS: '1000' })).toThrow(/SYNC_REFUSAL_PROBE_MAX_MS must not be below SYNC_REFUSAL_PROBE_MS/);
    expect(loadConfig({ SYNC_RETRY_BASE_MS: '5000', SYNC_RETRY_MAX_MS: '5000' }).syncRetryMaxMs).toBe(5000);
  });

  it('reads the refusal probe variables', () => {
    expect(loadConfig({ SYNC_REFUSAL_PROBE_MS: '200', SYNC_REFUSAL_PROBE_MAX_MS: '3600000' })).toMatchObject({ syncRefusalProbeMs: 200, syncRefusalProbeMaxMs: 3_600_000 });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.5, 10.1.0.0/16', ['10.0.0.5', '10.1.0.0/16']],
    ['loopback,::1', ['loopback', '::1']],
  ])('TRUST_PROXY=%s', (raw, expected) => {
    expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });
});

describe('loadConfig: temperature, media and parking', () => {
  it('defaults: fever from 37.3 °C, unlisted cars let in, media up to 20 MiB, no PUBLIC_URL', () => {
    const c = loadConfig({});
    expect([c.hepFeverThreshold, c.parkingAllowUnlisted, c.mediaMaxBytes, c.publicUrl]).toEqual([37.3, true, 20 * 1024 * 1024, undefined]);
  });

  it('reads valid values', () => {
    const c = loadConfig({ HEP_FEVER_THRESHOLD: '37.5', PARKING_UNLISTED: 'Refuse', MEDIA_MAX_BYTES: '1048576', PUBLIC_URL: 'http://10.0.0.5:8088/' });
    expect([c.hepFeverThreshold, c.parkingAllowUnlisted, c.mediaMaxBytes, c.publicUrl]).toEqual([37.5, false, 1048576, 'http://10.0.0.5:8088']);
  });

  it.each([
    ['HEP_FEVER_THRESHOLD', { HEP_FEVER_THRESHOLD: '99.5' }],
    ['HEP_FEVER_THRESHOLD', { HEP_FEVER_THRESHOLD: 'hot' }],
    ['PARKING_UNLISTED', { PARKING_UNLISTED: 'maybe' }],
    ['MEDIA_MAX_BYTES', { MEDIA_MAX_BYTES: '10' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'gateway:8088' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://gw' }],
  ])('refuses a bad %s', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});
