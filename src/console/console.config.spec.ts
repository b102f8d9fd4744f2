import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error';
import { addressMatcher, parseConsoleConfig } from './console.config';

describe('console configuration', () => {
  it('has safe defaults and no default password', () => {
    expect(parseConsoleConfig({})).toEqual({ sessionIdleMinutes: 30, sessionMaxHours: 12, loginLimit: 10, adminAllow: [], adminPassword: undefined, passwordCost: 15 });
  });

  it('refuses bad values by name', () => {
    expect(() => parseConsoleConfig({ CONSOLE_SESSION_IDLE_MINUTES: '0' })).toThrow(ConfigError);
    expect(() => parseConsoleConfig({ CONSOLE_ADMIN_ALLOW: '10.0.0.0/33' })).toThrow(/CONSOLE_ADMIN_ALLOW/);
    expect(() => parseConsoleConfig({ CONSOLE_ADMIN_ALLOW: 'example' })).toThrow(/CONSOLE_ADMIN_ALLOW/);
    // Commas alone name no address: refused, not read as "anywhere".
    expect(() => parseConsoleConfig({ CONSOLE_ADMIN_ALLOW: ' , ' })).toThrow(/CONSOLE_ADMIN_ALLOW must be a comma list of addresses or CIDRs, got ","/);
    expect(parseConsoleConfig({ CONSOLE_ADMIN_ALLOW: '' }).adminAllow).toEqual([]);
    // The password is taken as written, spaces and all (README); empty is unset.
    expect(parseConsoleConfig({ CONSOLE_ADMIN_PASSWORD: ' change me ' }).adminPassword).toBe(' change me ');
    expect(parseConsoleConfig({ CONSOLE_ADMIN_PASSWORD: '' }).adminPassword).toBeUndefined();
    expect(() => parseConsoleConfig({ CONSOLE_ADMIN_PASSWORD: 'short' })).toThrow(/CONSOLE_ADMIN_PASSWORD/);
    expect(() => parseConsoleConfig({ CONSOLE_PASSWORD_COST: '9' })).toThrow(/CONSOLE_PASSWORD_COST/);
    expect(() => parseConsoleConfig({ CONSOLE_PASSWORD_COST: '21' })).toThrow(/CONSOLE_PASSWORD_COST/);
    expect(parseConsoleConfig({ CONSOLE_PASSWORD_COST: '12' }).passwordCost).toBe(12);
  });

  it('matches addresses and CIDRs of both families, IPv4-mapped IPv6 included', () => {
    const m = addressMatcher(parseConsoleConfig({ CONSOLE_ADMIN_ALLOW: '10.1.0.0/16, 127.0.0.1, fd00::/8' }).adminAllow)!;
    expect(m('10.1.200.3')).toBe(true);
    expect(m('::ffff:127.0.0.1')).toBe(true);
    expect(m('fd12::1')).toBe(true);
    expect(m('10.2.0.1')).toBe(false);
    expect(m('garbage')).toBe(false);
    expect(addressMatcher([])).toBeUndefined();
  });
});
