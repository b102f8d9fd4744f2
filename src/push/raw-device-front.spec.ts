import { describe, expect, it } from 'vitest';
import { readHead } from './raw-device-front';

const head = (lines: string[]) => Buffer.from(`POST /iclock/cdata?SN=A1&table=rtlog HTTP/1.1\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');

describe('readHead (the raw front reads a head only as node:http would)', () => {
  it('reads names case-insensitively and strips only SP and HTAB around values', () => {
    const h = readHead(head(['Host: 10.0.0.5', 'User-Agent:iClock Proxy/1.09', 'X-Pad: \t a b \t ', 'X-Latin: caf\xe9', 'Content-Length: 0']));
    expect(h).toMatchObject({ method: 'POST', url: '/iclock/cdata?SN=A1&table=rtlog', length: 0, close: false });
    expect(h !== null && h !== 'more' && h.headers).toEqual({ host: '10.0.0.5', 'user-agent': 'iClock Proxy/1.09', 'x-pad': 'a b', 'x-latin': 'caf\xe9', 'content-length': '0' });
  });

  it('reads a head without headers, and empty values', () => {
    expect(readHead(Buffer.from('GET /iclock/getrequest?SN=A1 HTTP/1.1\r\n\r\n'))).toMatchObject({ method: 'GET', headers: {}, headLength: 41 });
    expect(readHead(head(['X-Empty:', 'X-Blank:  \t']))).toMatchObject({ headers: { 'x-empty': '', 'x-blank': '' } });
  });

  it.each([
    ['a space before the colon', 'Host : a'],
    ['no colon', 'Host a'],
    ['an empty name', ': a'],
    ['a separator in the name', 'Ho(st: a'],
    ['a control character in the value', 'Host: a\x01b'],
    ['DEL in the value', 'Host: a\x7f'],
    ['a lone CR in the value', 'Host: a\rb'],
    ['a lone LF in the value', 'Host: a\nb'],
    ['a form feed around the value', 'Host: \fa'],
  ])('leaves %s to node:http', (_why, line) => {
    expect(readHead(head(['Content-Length: 0', line]))).toBeNull();
  });

  it('leaves repeated headers, bodies it does not read and odd lengths to node:http', () => {
    expect(readHead(head(['Content-Length: 1', 'content-length: 1']))).toBeNull();
    expect(readHead(head(['Transfer-Encoding: chunked']))).toBeNull();
    expect(readHead(head(['Content-Length: 1e3']))).toBeNull();
    expect(readHead(head(['Connection: keep-alive, Close', 'Content-Length: 3']))).toMatchObject({ close: true, length: 3 });
  });

  it('waits for the rest of a head', () => {
    expect(readHead(Buffer.from('POST /iclock/cdata?SN=A1 HTTP/1.1\r\nHost: a\r\n'))).toBe('more');
  });
});
