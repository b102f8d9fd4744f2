import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8088);
    expect(c.host).toBe('0.0.0.0');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.deviceAdmission).toBe('manual');
    expect(c.timeZone.length).toBeGreaterThan(0);
    expect(c.deviceUploadRateLimit).toBe(3000);
    expect(c.deviceSnConflict).toBe('refuse');
    expect(c.deviceCommKey).toBeUndefined();
    expect(c.trustProxy).toBe(false);
    expect(c.deviceCommandTimeout).toBe(60);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x@y/z' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
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
    ['DEVICE_COMMAND_TIMEOUT', { DEVICE_COMMAND_TIMEOUT: '0' }],
  ])('a bad %s names the variable', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(variable));
  });

  it('accepts valid values', () => {
    const c = loadConfig({ PORT: '9000', DATABASE_URL: 'postgres://u@h:5432/d', DEVICE_ADMISSION: 'AUTO', TIME_ZONE: 'Europe/Berlin', LOG_LEVEL: 'debug' });
    expect(c).toMatchObject({ port: 9000, databaseUrl: 'postgres://u@h:5432/d', deviceAdmission: 'auto', timeZone: 'Europe/Berlin', logLevel: 'debug' });
  });

  it('reads the device-side hardening variables', () => {
    const c = loadConfig({ DEVICE_UPLOAD_RATE_LIMIT: '0', DEVICE_SN_CONFLICT: 'Allow', DEVICE_COMM_KEY: ' s3cret-key ', DEVICE_COMMAND_TIMEOUT: '5' });
    expect(c).toMatchObject({ deviceUploadRateLimit: 0, deviceSnConflict: 'allow', deviceCommKey: 's3cret-key', deviceCommandTimeout: 5 });
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
