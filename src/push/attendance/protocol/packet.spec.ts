import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isPackedUpload, unpackDataPacket } from './packet';

describe('data packets (attendance manual 11.14)', () => {
  it('names ContentType=tgz in any case', () => {
    expect(isPackedUpload('tgz')).toBe(true);
    expect(isPackedUpload('TGZ')).toBe(true);
    expect(isPackedUpload(undefined)).toBe(false);
    expect(isPackedUpload('text')).toBe(false);
  });

  it('passes a body that is not gzip through, unpacks plain gzip, and refuses a damaged or oversized one', () => {
    const text = Buffer.from('USER PIN=1\tName=A\n');
    expect(unpackDataPacket(text, 1000)).toBe(text);
    expect(unpackDataPacket(gzipSync(text), 1000)?.toString()).toBe(text.toString());
    const damaged = gzipSync(text).subarray(0, 12);
    expect(unpackDataPacket(damaged, 1000)).toBeNull();
    expect(unpackDataPacket(gzipSync(Buffer.alloc(5000, 0x41)), 1000)).toBeNull();
  });
});
