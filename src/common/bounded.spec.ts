import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { inputLength, MaxInputLength } from './bounded';
import { redactUrl } from './redact';

class Probe {
  @MaxInputLength(10)
  v?: unknown;
}

const errorsFor = (v: unknown) => {
  const p = new Probe();
  p.v = v;
  return validateSync(p).length;
};

describe('MaxInputLength', () => {
  it('measures strings, numbers, arrays and objects as the text they arrive as', () => {
    expect(inputLength('abc')).toBe(3);
    expect(inputLength(12345)).toBe(5);
    expect(inputLength(['a', 'b'])).toBe(9);
    expect(inputLength({ a: 1 })).toBe(7);
    expect(inputLength(undefined)).toBe(0);
  });

  it('passes values within the bound and refuses longer ones of any type', () => {
    expect([errorsFor('0123456789'), errorsFor(1234567890), errorsFor(['a']), errorsFor(null)]).toEqual([0, 0, 0, 0]);
    expect([errorsFor('0123456789a'), errorsFor(12345678901), errorsFor(['abcdefgh']), errorsFor({ key: 'value' })]).toEqual([1, 1, 1, 1]);
  });
});

describe('redactUrl', () => {
  it('hides tokens and the device comm key, whatever their case', () => {
    expect(redactUrl('/api/x?access_token=abc&pin=1')).toBe('/api/x?access_token=[REDACTED]&pin=1');
    expect(redactUrl('/iclock/cdata?SN=1&CommKey=s3cret&table=rtlog')).toBe('/iclock/cdata?SN=1&CommKey=[REDACTED]&table=rtlog');
  });
});
