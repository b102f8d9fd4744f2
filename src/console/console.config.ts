import { BlockList, isIP } from 'node:net';
import { parseAddressOrCidr } from '../config/address-or-cidr';
import { ConfigError } from '../config/config-error';
import { DEFAULT_PASSWORD_COST } from './password';

export interface ConsoleConfig {
  /** Minutes without a request after which a session ends (CONSOLE_SESSION_IDLE_MINUTES). */
  sessionIdleMinutes: number;
  /** Hours after sign-in after which a session ends whatever happens (CONSOLE_SESSION_MAX_HOURS). */
  sessionMaxHours: number;
  /** Failed sign-ins allowed per address and per operator name within 15 minutes (CONSOLE_LOGIN_LIMIT). */
  loginLimit: number;
  /** Addresses/CIDRs administrators may sign in from; empty = anywhere (CONSOLE_ADMIN_ALLOW). */
  adminAllow: string[];
  /** Password of an `admin` operator created on first start when there is no operator yet (CONSOLE_ADMIN_PASSWORD). */
  adminPassword: string | undefined;
  /**
   * scrypt's cost for new operator password hashes: N = 2^passwordCost (CONSOLE_PASSWORD_COST, 15: about 32 MiB
   * and 100 ms a hash). Stored hashes keep the cost they were made with. The test harness lowers it; a site
   * should not.
   */
  passwordCost: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

/** CONSOLE_* variables, all optional. */
export function parseConsoleConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const allowRaw = env.CONSOLE_ADMIN_ALLOW?.trim() ?? '';
  const adminAllow = allowRaw ? allowRaw.split(',').map((s) => s.trim()).filter(Boolean) : [];
  // Commas alone would silently mean "anywhere", the opposite of what setting it asks for.
  if (allowRaw && adminAllow.length === 0) throw new ConfigError('CONSOLE_ADMIN_ALLOW', `must be a comma list of addresses or CIDRs, got "${allowRaw}"`);
  for (const a of adminAllow) {
    if (!parseAddressOrCidr(a)) throw new ConfigError('CONSOLE_ADMIN_ALLOW', `must be a comma list of addresses or CIDRs, got "${a}"`);
  }
  const adminPassword = env.CONSOLE_ADMIN_PASSWORD === undefined || env.CONSOLE_ADMIN_PASSWORD === '' ? undefined : env.CONSOLE_ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < 10) throw new ConfigError('CONSOLE_ADMIN_PASSWORD', 'must be at least 10 characters long');
  return {
    sessionIdleMinutes: int(env, 'CONSOLE_SESSION_IDLE_MINUTES', 30, 1, 10_080),
    sessionMaxHours: int(env, 'CONSOLE_SESSION_MAX_HOURS', 12, 1, 720),
    loginLimit: int(env, 'CONSOLE_LOGIN_LIMIT', 10, 1, 10_000),
    adminAllow,
    adminPassword,
    passwordCost: int(env, 'CONSOLE_PASSWORD_COST', DEFAULT_PASSWORD_COST, 10, 20),
  };
}

/** A matcher over CONSOLE_ADMIN_ALLOW; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as their IPv4 address. */
export function addressMatcher(entries: string[]): ((ip: string) => boolean) | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const e of entries) {
    const p = parseAddressOrCidr(e)!;
    if (p.prefix === undefined) list.addAddress(p.address, p.family);
    else list.addSubnet(p.address, p.prefix, p.family);
  }
  return (ip: string) => {
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const v = isIP(plain);
    return v !== 0 && list.check(plain, v === 4 ? 'ipv4' : 'ipv6');
  };
}
