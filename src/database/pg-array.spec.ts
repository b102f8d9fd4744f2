import { describe, expect, it } from 'vitest';
import { numberArray, textArray } from './pg-array';

describe('PostgreSQL array literals', () => {
  it('numbers, with NULL for null, undefined and non-finite values', () => {
    expect(numberArray([])).toBe('{}');
    expect(numberArray([1, null, -3, undefined, 36.5, Number.NaN])).toBe('{1,NULL,-3,NULL,36.5,NULL}');
  });

  it('text, every element quoted, quotes and backslashes escaped', () => {
    expect(textArray([])).toBe('{}');
    expect(textArray(['a', null, 'NULL', 'x,y {z}', 'say "hi"', 'c:\\dir', ''])).toBe('{"a",NULL,"NULL","x,y {z}","say \\"hi\\"","c:\\\\dir",""}');
  });
});
