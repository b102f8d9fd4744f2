import { describe, expect, it } from 'vitest';
import { parseLooseRestBody } from './rest-body';

describe('parseLooseRestBody', () => {
  it('reads a form body into an object (the last value of a repeated key wins)', () => {
    expect(parseLooseRestBody('pin=1&levelIds=a%2Cb&pin=2', 'application/x-www-form-urlencoded; charset=UTF-8')).toEqual({ pin: '2', levelIds: 'a,b' });
  });

  it('reads JSON sent under another content type', () => {
    expect(parseLooseRestBody(' {"pin":"1"} ', 'application/x-www-form-urlencoded')).toEqual({ pin: '1' });
    expect(parseLooseRestBody('[{"pin":"1"}]', 'text/plain')).toEqual([{ pin: '1' }]);
    expect(parseLooseRestBody('null', undefined)).toBeNull();
  });

  it('leaves other text alone, and an empty body is no body', () => {
    expect(parseLooseRestBody('{not json', 'text/plain')).toBe('{not json');
    expect(parseLooseRestBody('pin=1', 'text/plain')).toBe('pin=1');
    expect(parseLooseRestBody('  ', 'application/x-www-form-urlencoded')).toBeUndefined();
  });
});
