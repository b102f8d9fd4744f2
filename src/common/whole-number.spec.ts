import { describe, expect, it } from 'vitest';
import { wholeNumber } from './whole-number';

describe('wholeNumber', () => {
  it('reads decimal digits, a sign and blanks around, a zero fraction, from a string or a JSON number', () => {
    expect([wholeNumber('10'), wholeNumber(' 7 '), wholeNumber('+3'), wholeNumber('-2'), wholeNumber('007'), wholeNumber(12), wholeNumber('14.0'), wholeNumber('6.00'), wholeNumber(14.0)]).toEqual([
      10, 7, 3, -2, 7, 12, 14, 6, 14,
    ]);
  });
  it('refuses a fraction in either form, and what Number() reads but no client means as a number', () => {
    for (const v of ['1e1', '0x10', '0b1', '1.5', '29.9', '1.', '.0', '', ' ', 'Infinity', '12abc', '99999999999999999999', 1.5, 29.9, true, null, undefined, [1]]) expect(wholeNumber(v)).toBeNaN();
  });
});
