import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type AppConfig } from './config';

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

describe('loadConfig: each variable refuses what it does not take, naming itself and what it takes', () => {
  // Every whole-number variable, with a value it takes. Each refuses a sign, a word, a fraction, an exponent, a hex
  // number, two numbers and a number past any range, and reads ` n ` as n and an empty value as unset.
  const WHOLE_NUMBERS: Array<[string, string]> = [
    ['PORT', '9000'], ['DATABASE_WAIT_SECONDS', '5'], ['API_RATE_LIMIT', '5'], ['API_IP_RATE_LIMIT', '5'], ['AUTH_FAILURE_LIMIT', '5'],
    ['DEVICE_UPLOAD_RATE_LIMIT', '5'], ['DEVICE_COMMAND_TIMEOUT', '5'], ['DEVICE_LOST_REPLY_MS', '500'], ['DEVICE_ONLINE_FLOOR_MS', '5000'],
    ['DEVICE_LAST_SEEN_FLUSH_MS', '500'], ['DEVICE_ACTION_VALID_SECONDS', '5'], ['DEVICE_ACTION_WAIT_MS', '5000'], ['DEVICE_COMMAND_KEEP_DAYS', '5'],
    ['MONITOR_LOOKBACK_SECONDS', '5'], ['DEVICE_UPLOAD_KEEP_DAYS', '5'], ['EVENT_RETENTION_DAYS', '5'], ['PUSH_CENTER_RETRY_BASE_MS', '500'],
    ['PUSH_CENTER_RETRY_MAX_MS', '5000'], ['PUSH_CENTER_POLL_MS', '500'], ['PUSH_CENTER_TIMEOUT_MS', '5000'], ['PUSH_CENTER_KEEP_DELIVERED_DAYS', '5'],
    ['VISITOR_SWEEP_INTERVAL_MS', '500'], ['SYNC_RETRY_BASE_MS', '500'], ['SYNC_RETRY_MAX_MS', '700000'], ['SYNC_GIVE_UP_FAILURES', '7'],
    ['SYNC_REFUSAL_PROBE_MS', '500'], ['SYNC_REFUSAL_PROBE_MAX_MS', '90000000'], ['SYNC_RECONCILE_INTERVAL_MS', '500'], ['SYNC_VERIFY_INTERVAL_MS', '5000'],
    ['SYNC_VERIFY_PINS_INTERVAL_MS', '5000'], ['STATS_REFRESH_MS', '500'], ['STATS_MIN_CHANGES', '5'], ['MEDIA_MAX_BYTES', '5000'],
    ['CONSOLE_SESSION_IDLE_MINUTES', '5'], ['CONSOLE_SESSION_MAX_HOURS', '5'], ['CONSOLE_LOGIN_LIMIT', '5'], ['CONSOLE_PASSWORD_COST', '12'],
  ];
  describe.each(WHOLE_NUMBERS)('%s', (name, good) => {
    it.each(['-1', 'ten', '1.5', '1e3', '0x10', '5 5', '+5', '99999999999999999999'])('refuses %j', (bad) => {
      expect(() => loadConfig({ [name]: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: bad })).toThrow(new RegExp(`^Invalid configuration: ${name} must be .*(whole number|integer).* from \\d+ to \\d+.*, got "${bad.replace(/[+.]/g, '\\$&')}"$`));
    });
    it(`takes ${good}, with spaces around it too; an empty value is unset`, () => {
      expect(JSON.stringify(loadConfig({ [name]: ` ${good} ` }))).toBe(JSON.stringify(loadConfig({ [name]: good })));
      expect(JSON.stringify(loadConfig({ [name]: good }))).not.toBe(JSON.stringify(loadConfig({})));
      expect(JSON.stringify(loadConfig({ [name]: '' }))).toBe(JSON.stringify(loadConfig({})));
      expect(JSON.stringify(loadConfig({ [name]: '  ' }))).toBe(JSON.stringify(loadConfig({})));
    });
  });

  // A timer or backoff of the gateway's own under 100 ms (1 s for the verification) re-sends or re-queries in a tight
  // loop: refused, naming the least it takes; 0 is taken where it turns the work off, and only there.
  it.each([
    ['SYNC_RETRY_BASE_MS', ['0', '1', '99'], [['100', 'syncRetryBaseMs', 100]], /from 100 to/],
    ['SYNC_RETRY_MAX_MS', ['0', '99'], [['100', undefined, undefined]], /from 100 to/],
    ['SYNC_REFUSAL_PROBE_MS', ['0', '99'], [['100', 'syncRefusalProbeMs', 100]], /from 100 to/],
    ['SYNC_RECONCILE_INTERVAL_MS', ['1', '99'], [['0', 'syncReconcileIntervalMs', 0], ['100', 'syncReconcileIntervalMs', 100]], /0 \(off\) or .* from 100 to/],
    ['VISITOR_SWEEP_INTERVAL_MS', ['1', '99'], [['0', 'visitorSweepIntervalMs', 0], ['100', 'visitorSweepIntervalMs', 100]], /0 \(off\) or .* from 100 to/],
    ['STATS_REFRESH_MS', ['1', '99'], [['0', 'statsRefreshMs', 0], ['100', 'statsRefreshMs', 100]], /0 \(off\) or .* from 100 to/],
    ['DEVICE_LOST_REPLY_MS', ['1', '99'], [['0', 'deviceLostReplyMs', 0], ['100', 'deviceLostReplyMs', 100]], /0 \(off\) or .* from 100 to/],
    ['SYNC_VERIFY_INTERVAL_MS', ['1', '999'], [['0', 'syncVerifyIntervalMs', 0], ['1000', 'syncVerifyIntervalMs', 1000]], /0 \(off\) or .* from 1000 to/],
  ] as Array<[string, string[], Array<[string, keyof AppConfig | undefined, unknown]>, RegExp]>)('%s: refuses %j', (name, refused, taken, message) => {
    for (const v of refused) expect(() => loadConfig({ [name]: v }), `${name}=${v}`).toThrow(message);
    // SYNC_RETRY_MAX_MS at its least needs a base no higher.
    for (const [v, field, want] of taken) {
      const c = loadConfig(name === 'SYNC_RETRY_MAX_MS' ? { [name]: v, SYNC_RETRY_BASE_MS: v } : { [name]: v });
      if (field) expect(c[field]).toBe(want);
    }
  });

  it.each([
    // [variable, refused, taken as [value, field, expected], what the message says it takes]
    ['DEVICE_CLEAR_ON_ADD', ['yes', 'on', '2', 'ture'], [['TRUE', true], ['False', false], ['1', true], ['0', false], [' false ', false]], 'deviceClearOnAdd', /must be true, false, 1 or 0 \(any case\)/],
    ['DEVICE_ADMISSION', ['automatic', '1'], [['AUTO', 'auto'], [' manual ', 'manual']], 'deviceAdmission', /must be "manual" or "auto"/],
    ['DEVICE_SN_CONFLICT', ['ignore'], [['ALLOW', 'allow']], 'deviceSnConflict', /must be "refuse" or "allow"/],
    ['PARKING_UNLISTED', ['deny'], [['REFUSE', false], ['allow', true]], 'parkingAllowUnlisted', /must be "allow" or "refuse"/],
    ['LOG_LEVEL', ['verbose', '3'], [['WARN', 'warn'], ['silent', 'silent']], 'logLevel', /must be one of fatal, error, warn, info, debug, trace, silent/],
    ['TRUST_PROXY', ['100', '-1', '1.5', ',', 'yes'], [['0', 0], ['99', 99], ['TRUE', true], ['FALSE', false], ['uniquelocal', ['uniquelocal']]], 'trustProxy', /hop count from 0 to 99/],
    ['HEP_FEVER_THRESHOLD', ['37.333', '33.99', '42.01', '-37', '3e1', '37,5'], [['34', 34], ['42', 42], ['37.25', 37.25], [' 38 ', 38]], 'hepFeverThreshold', /from 34 to 42 with at most two decimals/],
    ['API_TOKEN', ['1234567', 'x'.repeat(257)], [['12345678', '12345678'], [' 12345678 ', '12345678']], 'apiToken', /8 to 256 characters/],
  ] as Array<[string, string[], Array<[string, unknown]>, keyof AppConfig, RegExp]>)('%s', (name, refused, taken, field, message) => {
    for (const v of refused) expect(() => loadConfig({ [name]: v }), `${name}=${v}`).toThrow(new RegExp(`${name} .*${message.source}`));
    for (const [v, want] of taken) expect(loadConfig({ [name]: v })[field], `${name}=${v}`).toEqual(want);
  });
});
