import { describe, expect, it } from 'vitest';
import { parseLenientJson, quoteUnsafeIntegers, repairManualJson } from './lenient-json';

describe('parseLenientJson', () => {
  it('reads strict JSON as JSON.parse does, untouched', () => {
    const text = '{"a":"x\\"\\",","b":[1,2],"c":"“q”","d":""}';
    expect(parseLenientJson(text)).toEqual(JSON.parse(text));
    expect(parseLenientJson('null')).toBeNull();
  });

  it('drops trailing commas (2.13.7, 2.13.8, 2.18.12)', () => {
    expect(parseLenientJson('{\n"pin": "1234567",\n"personPhoto": "string",\n }')).toEqual({ pin: '1234567', personPhoto: 'string' });
    expect(parseLenientJson('[{"pin":"1",},]')).toEqual([{ pin: '1' }]);
  });

  it('drops a doubled closing quote (2.18.10)', () => {
    expect(parseLenientJson('{"startTime": "2021-11-19 18:00:00"",\n"endTime": "2021-11-19 18:00:00",\n}')).toEqual({
      startTime: '2021-11-19 18:00:00',
      endTime: '2021-11-19 18:00:00',
    });
  });

  it('reads typographic quotes around a value as quotes (2.13.1), keeping them inside strings', () => {
    expect(parseLenientJson('{"pin": "1", "personPhoto":“picture-base64”, "x": "“y”",}')).toEqual({ pin: '1', personPhoto: 'picture-base64', x: '“y”' });
    expect(repairManualJson('{"a":“say "hi"”}')).toBe('{"a":"say \\"hi\\""}');
  });

  it('reads a member list without its braces (2.18.11)', () => {
    expect(parseLenientJson('"content": {\n"devSn": "7633223440032",\n"pageSize": "2"\n}')).toEqual({ content: { devSn: '7633223440032', pageSize: '2' } });
  });

  it('puts back a comma missing at a line break between members (2.15.1), not one missing within a line', () => {
    expect(parseLenientJson('{\n\n"visitDate": "2018-08-31 14:40:00"\n\n“visitEndDate”: "2018-08-31 23:59:59"\n\n}')).toEqual({
      visitDate: '2018-08-31 14:40:00',
      visitEndDate: '2018-08-31 23:59:59',
    });
    expect(() => parseLenientJson('{"a": "b" "c": "d"}')).toThrow(SyntaxError);
  });

  it('closes braces and brackets left open at the end (2.17.3), not ones cut inside a value or mismatched', () => {
    expect(parseLenientJson('{\n“pin”: “80000001”\n')).toEqual({ pin: '80000001' });
    expect(parseLenientJson('{"a": [1, {"b": "}"},')).toEqual({ a: [1, { b: '}' }] });
    expect(() => parseLenientJson('{"a": "b')).toThrow(SyntaxError);
    expect(() => parseLenientJson('{"a": ')).toThrow(SyntaxError);
    expect(() => parseLenientJson('{"a": [1}')).toThrow(SyntaxError);
  });

  it('still refuses what is not JSON', () => {
    expect(() => parseLenientJson('{"a": }')).toThrow(SyntaxError);
    expect(() => parseLenientJson('{"a" "b"}')).toThrow(SyntaxError);
    expect(() => parseLenientJson('"just a string')).toThrow(SyntaxError);
  });
});

describe('quoteUnsafeIntegers', () => {
  it('reads integers beyond 2^53 digit for digit, as strings', () => {
    expect(parseLenientJson('{"certNumber":110101199001011234,"cardNo":-12345678901234567890,"n":9007199254740991}')).toEqual({
      certNumber: '110101199001011234',
      cardNo: '-12345678901234567890',
      n: 9007199254740991,
    });
    expect(parseLenientJson('[12345678901234567890, 1.5, 1e300, "12345678901234567890", "a\\"12345678901234567890"]')).toEqual([
      '12345678901234567890',
      1.5,
      1e300,
      '12345678901234567890',
      'a"12345678901234567890',
    ]);
  });
  it('leaves an integer a double reads back as written a number (JSON.stringify of a number that lost digits)', () => {
    expect(parseLenientJson('{"cardNo":12345678901234567000,"n":1e21}')).toEqual({ cardNo: 12345678901234567000, n: 1e21 });
  });
  it('leaves ordinary bodies as they are', () => {
    const body = '{"pin":"1","n":123,"photo":"QUJDRA=="}';
    expect(quoteUnsafeIntegers(body)).toBe(body);
  });
  it('works with the manual-quirk repairs (a trailing comma)', () => {
    expect(parseLenientJson('{"certNumber": 110101199001011234,}')).toEqual({ certNumber: '110101199001011234' });
  });
  it('leaves long digits in strings alone after a doubled closing quote or inside typographic quotes', () => {
    expect(parseLenientJson('{"startTime":"2021-11-19 18:00:00"",\n"certNumber":"110101199001011234"}')).toEqual({
      startTime: '2021-11-19 18:00:00',
      certNumber: '110101199001011234',
    });
    expect(parseLenientJson('{"cardNo":\u201c12345678901234567891\u201d}')).toEqual({ cardNo: '12345678901234567891' });
    expect(parseLenientJson('"pin": "1", "certNumber": 110101199001011234')).toEqual({ certNumber: '110101199001011234', pin: '1' });
  });
});
