import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, totp, verifyTotp } from './totp';

// RFC 6238 appendix B (SHA-1 rows): the secret is the ASCII string "12345678901234567890", 8 digits.
const SECRET = Buffer.from('12345678901234567890');
const RFC6238: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
// RFC 4226 appendix D: HOTP values for counters 0..9.
const RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('TOTP (RFC 6238) and HOTP (RFC 4226)', () => {
  it.each(RFC6238)('RFC 6238 vector at T=%i is %s', (t, code) => {
    expect(totp(SECRET, t, 8)).toBe(code);
  });

  it.each(RFC4226.map((c, i) => [i, c] as const))('RFC 4226 counter %i gives %s', (counter, code) => {
    expect(hotp(SECRET, counter)).toBe(code);
  });

  it('base32 round-trips and matches RFC 4648 examples', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
    expect(base32Decode(base32Encode(SECRET)).equals(SECRET)).toBe(true);
  });

  it('accepts the current step and one either side, refuses older codes and junk', () => {
    const b32 = base32Encode(SECRET);
    const now = 1111111111_000;
    const at = (s: number) => totp(SECRET, s);
    expect(verifyTotp(b32, at(1111111111), now)).toBe(true);
    expect(verifyTotp(b32, at(1111111111 - 30), now)).toBe(true);
    expect(verifyTotp(b32, at(1111111111 + 30), now)).toBe(true);
    expect(verifyTotp(b32, at(1111111111 - 90), now)).toBe(false);
    expect(verifyTotp(b32, 'abcdef', now)).toBe(false);
    expect(verifyTotp(b32, '', now)).toBe(false);
    expect(matchTotp(b32, at(1111111111 - 30), now)).toBe(Math.floor(1111111111 / 30) - 1);
  });
});
