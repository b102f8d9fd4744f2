import { describe, expect, it } from 'vitest';
import { namesNoMediaType, parseLooseRestBody, repeatedBodyValues } from './rest-body';

describe('parseLooseRestBody', () => {
  it('reads a form body into an object (the last value of a repeated key there, every value aside)', () => {
    const body = parseLooseRestBody('pin=1&levelIds=a%2Cb&pin=2', 'application/x-www-form-urlencoded; charset=UTF-8');
    expect(body).toEqual({ pin: '2', levelIds: 'a,b' });
    expect(repeatedBodyValues(body)).toEqual({ pin: ['1', '2'] });
    expect(repeatedBodyValues(parseLooseRestBody('pin=1', 'application/x-www-form-urlencoded'))).toBeUndefined();
  });

  it('reads form text sent without a type or as text/plain (Python requests with a string, fetch with a string) as a form', () => {
    expect(parseLooseRestBody('pin=1&name=Ann+Lee', 'text/plain;charset=UTF-8')).toEqual({ pin: '1', name: 'Ann Lee' });
    expect(parseLooseRestBody('pin=1', undefined)).toEqual({ pin: '1' });
  });

  it('reads JSON sent under another content type', () => {
    expect(parseLooseRestBody(' {"pin":"1"} ', 'application/x-www-form-urlencoded')).toEqual({ pin: '1' });
    expect(parseLooseRestBody('[{"pin":"1"}]', 'text/plain')).toEqual([{ pin: '1' }]);
    expect(parseLooseRestBody('null', undefined)).toBeNull();
  });

  it('leaves other text alone, and an empty body is no body', () => {
    expect(parseLooseRestBody('{not json', 'text/plain')).toBe('{not json');
    expect(parseLooseRestBody('pin 1', 'text/plain')).toBe('pin 1');
    expect(parseLooseRestBody('  ', 'application/x-www-form-urlencoded')).toBeUndefined();
  });
});

describe('namesNoMediaType', () => {
  it('is true of a header that names no type/subtype (read as no Content-Type on /api), false of every real type', () => {
    for (const t of ['', '  ', 'undefined', 'null', 'json', 'application', ';;;', 'application/json, text/plain', '/json', 'application/', 'application /json', 'undefined; charset=GBK']) {
      expect(namesNoMediaType(t), JSON.stringify(t)).toBe(true);
    }
    for (const t of ['application/json', 'APPLICATION/JSON', ' application/json ', 'application/json;;', 'application/json; charset="UTF-8"', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/vnd.api+json', '*/*']) {
      expect(namesNoMediaType(t), JSON.stringify(t)).toBe(false);
    }
  });
});
