import { describe, expect, it } from 'vitest';
import { fixPrintedQuery } from './printed-url';

describe('fixPrintedQuery (2.6 print `&access_token=` without `?`)', () => {
  it.each([
    ['/api/adMedia/get/111&access_token=abc', '/api/adMedia/get/111?access_token=abc'],
    ['/api/adMedia/add&access_token=abc&x=1', '/api/adMedia/add?access_token=abc&x=1'],
    ['/api/adMedia/get/a&b&acc_token=abc', '/api/adMedia/get/a?b&acc_token=abc'],
    ['/api/adMedia/get/111?access_token=abc', '/api/adMedia/get/111?access_token=abc'],
    ['/api/person/get/a&b', '/api/person/get/a&b'],
    ['/iclock/cdata&access_token=abc', '/iclock/cdata&access_token=abc'],
  ])('%s → %s', (url, fixed) => {
    expect(fixPrintedQuery(url)).toBe(fixed);
  });
});
