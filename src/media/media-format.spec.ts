import { describe, expect, it } from 'vitest';
import { formatMediaSize, mediaFormat } from './media-format';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]);

describe('mediaFormat', () => {
  it('reads pictures and videos by suffix, any case, or by MIME type without one', () => {
    expect(mediaFormat('bayue.PNG', 'application/octet-stream', PNG)).toEqual({ suffix: 'png', mediaType: 1, contentType: 'image/png' });
    expect(mediaFormat('clip.mp4', undefined, Buffer.from('....ftypisom'))).toEqual({ suffix: 'mp4', mediaType: 2, contentType: 'video/mp4' });
    expect(mediaFormat('blob', 'image/jpeg', JPEG)).toMatchObject({ suffix: 'jpg', mediaType: 1 });
  });

  it.each([
    ['notes.txt', 'text/plain', Buffer.from('hello')],
    ['fake.png', 'image/png', JPEG],
    ['empty.jpg', 'image/jpeg', Buffer.alloc(0)],
    ['noext', 'application/octet-stream', PNG],
  ])('refuses %s', (name, mime, content) => {
    expect(typeof mediaFormat(name, mime, content)).toBe('string');
  });
});

describe('formatMediaSize', () => {
  it('prints KB below a megabyte and MB above', () => {
    expect(formatMediaSize(21 * 1024)).toBe('21KB');
    expect(formatMediaSize(100)).toBe('1KB');
    expect(formatMediaSize(3 * 1024 * 1024 + 512 * 1024)).toBe('3.50MB');
  });
});
