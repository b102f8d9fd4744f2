import { describe, expect, it } from 'vitest';
import { encodeRawUrlBytes } from './raw-url-bytes';

describe('encodeRawUrlBytes', () => {
  it('percent-encodes the non-ASCII bytes of the request line only, as UTF-8 would be encoded', () => {
    const head = Buffer.concat([Buffer.from('GET /api/x/', 'latin1'), Buffer.from('前门 Fö', 'utf8'), Buffer.from(' HTTP/1.1\r\nX-Name: ', 'latin1'), Buffer.from('é', 'utf8'), Buffer.from('\r\n\r\n')]);
    const out = encodeRawUrlBytes(head)!.toString('latin1');
    expect(out.split('\r\n')[0]).toBe(`GET /api/x/${encodeURIComponent('前门')} F${encodeURIComponent('ö')} HTTP/1.1`);
    // Header bytes are the parser's business (it takes them as they are).
    expect(out.split('\r\n')[1]).toBe(`X-Name: ${Buffer.from('é', 'utf8').toString('latin1')}`);
  });

  it('leaves a chunk alone when its request line is plain ASCII, or not whole yet', () => {
    expect(encodeRawUrlBytes(Buffer.from('GET /iclock/getrequest?SN=A1 HTTP/1.1\r\nHost: x\r\n\r\n'))).toBeNull();
    expect(encodeRawUrlBytes(Buffer.concat([Buffer.from('GET /api/x/'), Buffer.from('前', 'utf8')]))).toBeNull();
  });
});
