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
    ['AUTH_FAILURE_LIMIT', { AUTH_FAILURE_LIMIT: 'many' }],
  ])('a bad %s names the variable', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(variable));
  });

  it('accepts valid values', () => {
    const c = loadConfig({ PORT: '9000', DATABASE_URL: 'postgres://u@h:5432/d', DEVICE_ADMISSION: 'AUTO', TIME_ZONE: 'Europe/Berlin', LOG_LEVEL: 'debug' });
    expect(c).toMatchObject({ port: 9000, databaseUrl: 'postgres://u@h:5432/d', deviceAdmission: 'auto', timeZone: 'Europe/Berlin', logLevel: 'debug' });
  });
});
