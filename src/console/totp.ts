import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * RFC 6238 TOTP over RFC 4226 HOTP with HMAC-SHA1, 6 digits, 30-second steps: what every authenticator
 * app reads from an `otpauth://totp/...` URI. Secrets travel as RFC 4648 base32.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error('not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 section 5.3: dynamic truncation of HMAC-SHA1(secret, counter). */
export function hotp(secret: Buffer, counter: number, digits = 6): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}

export function totp(secret: Buffer, unixSeconds: number, digits = 6, step = 30): string {
  return hotp(secret, Math.floor(unixSeconds / step), digits);
}

/**
 * The time step whose code this is: this step or one either side (clock drift between phone and server);
 * undefined when it matches none. Callers refuse a step already used, so a seen code cannot be replayed.
 */
export function matchTotp(secretBase32: string, code: string, now = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code.trim())) return undefined;
  const secret = base32Decode(secretBase32);
  const step = Math.floor(now / 30_000);
  const given = Buffer.from(code.trim());
  return [step - 1, step, step + 1].find((s) => timingSafeEqual(Buffer.from(hotp(secret, s)), given));
}

export function verifyTotp(secretBase32: string, code: string, now = Date.now()): boolean {
  return matchTotp(secretBase32, code, now) !== undefined;
}

export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function totpUri(secretBase32: string, account: string, issuer = 'cvsecurity-gateway'): string {
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?secret=${secretBase32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
