import { describe, expect, it } from 'vitest';
import { redactLine } from './ingest-log';
import { eventLevel, verifyBitsName } from './event-fields';

describe('redactLine', () => {
  it('never shows a template or photo payload, only its length', () => {
    const tmp = 'A'.repeat(2000);
    const out = redactLine(`biodata pin=1\tno=0\ttype=9\ttmp=${tmp}`);
    expect(out).toBe('biodata pin=1\\tno=0\\ttype=9\\ttmp=<2000 chars>');
    expect(redactLine(`userpic pin=1\tcontent=QUJD`)).toBe('userpic pin=1\\tcontent=<4 chars>');
  });

  it('cuts long lines and replaces control characters', () => {
    const out = redactLine(`a=1\0\x01${'b=2\t'.repeat(200)}`);
    expect(out.length).toBeLessThanOrEqual(301);
    expect(out).not.toMatch(/[\0\x01]/);
  });
});

describe('eventLevel', () => {
  it.each([
    [0, 0],
    [27, 1],
    [4000, 0],
    [5999, 1],
    [6999, 2],
  ])('event %i has level %i', (code, level) => {
    expect(eventLevel(code)).toBe(level);
  });
});

describe('verifyBitsName', () => {
  it('names the factors of a new-style bit string, rightmost character = bit 0', () => {
    expect(verifyBitsName('0000100000000000')).toBe('Card');
    expect(verifyBitsName('0000001000010000')).toBe('Fingerprint+Password');
  });
});
