import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeKey, parseQuery, parseTabRecord, splitLines } from './kv';

/**
 * The key/value primitives skip work in the common case (a cached key, nothing to decode, no padding to strip,
 * a record that starts `key=`). These properties hold them to the plain definitions on text built from the
 * characters that decide those cases: spaces of every kind, `~`, `=`, `%`, `+`, CR, NUL, TAB.
 */
const edgeChar = fc.constantFrom(' ', '\t', '\u00a0', '\ufeff', '\u2028', '~', '=', '%', '+', '2', '0', '\r', '\0', 'a', 'B', 'é', '&', '\n');
const edgeText = fc.array(edgeChar, { maxLength: 24 }).map((a) => a.join(''));
const text = fc.oneof(edgeText, fc.string({ maxLength: 24 }));

const plainNormalize = (key: string) => key.trim().replace(/^~+/, '').toLowerCase();
const plainKey = (rawKey: string) => rawKey.trim().replace(/^~+/, '');
function plainDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

describe('key/value fast paths read as the plain definitions', () => {
  it('normalizeKey, asked once or many times', () => {
    fc.assert(
      fc.property(text, (k) => {
        expect(normalizeKey(k)).toBe(plainNormalize(k));
        expect(normalizeKey(k)).toBe(plainNormalize(k));
      }),
      { numRuns: 400 },
    );
  });

  it('keeps answering right past the cache size (a peer sending endless distinct keys)', () => {
    for (let i = 0; i < 10_000; i++) expect(normalizeKey(` ~Key${i} `)).toBe(`key${i}`);
    expect(normalizeKey('~SN')).toBe('sn');
  });

  it('parseQuery: keys and values decoded, NUL dropped, bare keys as sent', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 5 }), (pairs) => {
        const q = pairs.map(([k, v]) => `${k.replace(/[&=]/g, '')}=${v.replace(/&/g, '')}`).join('&');
        const parsed = parseQuery(q);
        const expected = (q.startsWith('?') ? q.slice(1) : q)
          .split('&')
          .filter((p) => p !== '')
          .map((p) => {
            const eq = p.indexOf('=');
            const rawKey = plainDecode(eq < 0 ? p : p.slice(0, eq)).replace(/\0/g, '');
            return { rawKey, key: plainKey(rawKey), value: plainDecode(eq < 0 ? '' : p.slice(eq + 1)).replace(/\0/g, '') };
          });
        expect(parsed.fields).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  // A lone CR ends a line like LF and CR LF do (CRs before an LF are one line end with it), so no CR is left in
  // any line; NUL padding is stripped only at line ends.
  it('splitLines ends lines at LF, CR LF and a lone CR, and strips NUL padding only at line ends', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), (lines) => {
        const body = lines.join('\n');
        const expected = body
          .split(/\r*\n|\r/)
          .map((t, i) => ({ text: t.replace(/\0+$/, ''), lineNo: i + 1 }))
          .filter((l) => l.text.trim() !== '');
        expect(splitLines(body)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('parseTabRecord finds a table-name prefix exactly when the first token has no `=`', () => {
    const token = fc.stringMatching(/^[A-Za-z~ ][A-Za-z0-9=_ ]{0,8}$/);
    fc.assert(
      fc.property(token, fc.constantFrom(' ', '\t', '  '), token, (first, sep, rest) => {
        const line = `${first}${sep}pin=1\t${rest}`;
        const m = /^([^\s=]+)[ \t]+/.exec(line.replace(/^[ ]+/, ''));
        const r = parseTabRecord(line);
        if (r.prefix !== null) expect(m?.[1]).toBe(r.prefix);
        if (!m || m[1].includes('=')) expect(r.prefix).toBeNull();
      }),
      { numRuns: 300 },
    );
    expect(parseTabRecord('user uid=5\tpin=7').prefix).toBe('user');
    expect(parseTabRecord('time=2026-01-01 10:00:00\tpin=7')).toMatchObject({ prefix: null });
    expect(parseTabRecord('time=2026-01-01 10:00:00\tpin=7').map.get('time')).toBe('2026-01-01 10:00:00');
  });

  it('parseTabRecord ends a value at a NUL, as the C string it was built in does', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9=%~+é-]{0,12}$/), text, (a, b) => {
        const v = parseTabRecord(`pin=${a}\0${b.replace(/[\t\n]/g, '')}\tname=x`).map.get('pin');
        expect(v).toBe(a);
        expect(v).not.toContain('\0');
      }),
      { numRuns: 300 },
    );
    expect(parseTabRecord('user pin=7\tcardno=123\0garbage\tname=Ann').map.get('cardno')).toBe('123');
  });
});
