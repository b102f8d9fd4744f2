import { describe, expect, it } from 'vitest';
import { javaInteger } from './java-integer';

describe('javaInteger', () => {
  it('reads decimal digits, a sign and blanks around, from a string or a JSON number', () => {
    expect([javaInteger('10'), javaInteger(' 7 '), javaInteger('+3'), javaInteger('-2'), javaInteger('007'), javaInteger(12)]).toEqual([10, 7, 3, -2, 7, 12]);
  });
  it('refuses what Number() reads but a Java Integer does not', () => {
    for (const v of ['1e1', '0x10', '0b1', '1.0', '1.5', '', ' ', 'Infinity', '12abc', '99999999999999999999', 1.5, true, null, undefined, [1]]) expect(javaInteger(v)).toBeNaN();
  });
});
