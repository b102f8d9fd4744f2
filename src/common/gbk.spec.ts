import { TextDecoder } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeGbk, gbkRoundTrip, gbkUnencodable } from './gbk';

const decode = (b: Buffer) => new TextDecoder('gbk', { fatal: true }).decode(b);

describe('encodeGbk', () => {
  it.each([
    ['ASCII as itself', 'PIN=1\tName=Ann', '50494e3d31094e616d653d416e6e'],
    ['张三 (GB2312 D5C5 C8FD)', '张三', 'd5c5c8fd'],
    ['李四 and a full-width space (A1A1)', '李四\u3000', 'c0eecbc4a1a1'],
    ['a GBK-only (not GB2312) character: 镕 (E946)', '镕', 'e946'],
    ['the euro sign as the single byte 0x80 (CP936, the standard encoder)', '€', '80'],
    ['an emoji (outside the BMP) as one ?', 'A😀B', '413f42'],
    ['CJK Extension B as one ?', '𠀀', '3f'],
    ['Hangul (no GBK code) as ?', '한', '3f'],
    ['a lone surrogate as ?', 'x\ud800y', '783f79'],
    ['NUL as itself', '\0', '00'],
    ['empty', '', ''],
  ])('%s', (_name, text, hex) => {
    expect(encodeGbk(text).toString('hex')).toBe(hex);
  });

  it('round-trips every double-byte code: decoding it and encoding the character gives the same two bytes', () => {
    const mismatches: string[] = [];
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const bytes = Buffer.from([lead, trail]);
        const back = encodeGbk(decode(bytes));
        if (!back.equals(bytes)) mismatches.push(`${bytes.toString('hex')}→${back.toString('hex')}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('round-trips any text of GBK characters and ASCII; what GBK cannot hold comes back as ?, one per code point', () => {
    const gbkChar = fc
      .tuple(fc.integer({ min: 0x81, max: 0xfe }), fc.integer({ min: 0x40, max: 0xfe }).filter((t) => t !== 0x7f))
      .map(([l, t]) => decode(Buffer.from([l, t])));
    const ascii = fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c));
    const foreign = fc.constantFrom('😀', '𠀀', '한', 'ש', '\ud800');
    fc.assert(
      fc.property(fc.array(fc.oneof(gbkChar, ascii, foreign), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        const expected = chars.map((c) => (c.length > 1 || ['😀', '𠀀', '한', 'ש', '\ud800'].includes(c) ? '?' : c)).join('');
        expect(decode(encodeGbk(text))).toBe(expected);
        expect(gbkUnencodable(text)).toEqual([...new Set(chars.filter((c) => decode(encodeGbk(c)) !== c))]);
      }),
    );
  });
});

describe('gbkUnencodable', () => {
  it('names the characters that become ?, once each; none for ASCII or GBK text', () => {
    expect(gbkUnencodable('张三 Ann')).toEqual([]);
    expect(gbkUnencodable('张😀三😀한')).toEqual(['😀', '한']);
  });
});

describe('gbkRoundTrip', () => {
  it('gives GBK text back as it is and what GBK cannot hold as ?', () => {
    expect(gbkRoundTrip('Ann Lee')).toBe('Ann Lee');
    expect(gbkRoundTrip('张三')).toBe('张三');
    expect(gbkRoundTrip('王😀五 한')).toBe('王?五 ?');
  });
});
