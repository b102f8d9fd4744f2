import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolValueError } from '../../protocol/errors';
import { attUpdateUserInfo, parseAttInfo, parseAttlog, parseAttPhoto, parseOperlog } from '.';

const RUNS = { numRuns: 150 };
const protoChar = fc.constantFrom('=', '\t', '\n', '\r', ',', ' ', ':', '-', 'O', 'P', 'L', 'G', 'U', 'S', 'E', 'R', '0', '1', '2', '\0', 'é');
const protoText = fc.array(protoChar, { maxLength: 200 }).map((a) => a.join(''));
const anyBody = fc.oneof(fc.string({ maxLength: 300 }), protoText, fc.string({ unit: 'binary', maxLength: 100 }));
const garbage = fc.stringMatching(/^[a-z #!.]{1,30}$/).filter((s) => s.trim() !== '');
const punch = fc.record({ pin: fc.integer({ min: 1, max: 99999 }), s: fc.integer({ min: 0, max: 59 }), st: fc.integer({ min: 0, max: 5 }) }).map(
  (r) => `${r.pin}\t2026-05-04 03:02:${String(r.s).padStart(2, '0')}\t${r.st}\t1\t\t0\t0`,
);

describe('fuzz: attendance parsers never throw, and keep every good line', () => {
  it('any body', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const a = parseAttlog(body);
        const o = parseOperlog(body);
        expect(a.results.length + a.rejected.length).toBeGreaterThanOrEqual(0);
        expect(o.results.length + o.rejected.length).toBeGreaterThanOrEqual(0);
        parseAttPhoto(body);
        parseAttInfo(body);
      }),
      RUNS,
    );
  });

  it('good ATTLOG lines between garbage lines all survive', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), punch, garbage, fc.constantFrom('\n', '\r\n', '\r')), { minLength: 1, maxLength: 12 }), (rows) => {
        const body = rows.map(([g, line, junk, eol]) => (g ? line : junk) + eol).join('');
        const r = parseAttlog(body);
        expect(r.results).toHaveLength(rows.filter(([g]) => g).length);
        expect(r.rejected).toHaveLength(rows.filter(([g]) => !g).length);
      }),
      RUNS,
    );
  });

  it('USERINFO never carries an injected field, record or command', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        try {
          const cmd = attUpdateUserInfo({ pin: '1', name });
          expect(cmd.split('\t')).toHaveLength(8);
          expect(cmd).not.toMatch(/[\r\n\0]/);
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolValueError);
        }
      }),
      RUNS,
    );
  });
});
