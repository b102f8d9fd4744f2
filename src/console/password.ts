import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Operator passwords: scrypt (node:crypto, no native dependency) with a random 16-byte salt, stored as
 * `scrypt$N$r$p$salt$hash` (base64url) so the cost can be raised later without breaking stored hashes.
 * N=2^15, r=8 costs about 32 MiB and a few tens of milliseconds per check. New hashes take N=2^cost
 * (CONSOLE_PASSWORD_COST, 15 unless set); a check always uses the N stored with the hash.
 */
export const DEFAULT_PASSWORD_COST = 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...opts, maxmem: 128 * opts.N! * opts.r! * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_COST): Promise<string> {
  const N = 2 ** cost;
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await derive(password, Buffer.from(parts[4], 'base64url'), { N: n, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of a random password at the cost new hashes get: checked against when the name is unknown, so timing
 * does not tell names apart.
 */
const decoys = new Map<number, Promise<string>>();
export function decoyHash(cost = DEFAULT_PASSWORD_COST): Promise<string> {
  let decoy = decoys.get(cost);
  if (!decoy) decoys.set(cost, (decoy = hashPassword(randomBytes(16).toString('hex'), cost)));
  return decoy;
}

/** The console's rule for a new password: long enough to resist guessing when the hash leaks. */
export function passwordProblem(password: string): string | undefined {
  if (typeof password !== 'string' || password.length < 10) return 'A password needs at least 10 characters';
  if (password.length > 200) return 'A password may have at most 200 characters';
  return undefined;
}
