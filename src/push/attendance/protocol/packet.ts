import { gunzipSync } from 'node:zlib';

/**
 * Data packets (attendance manual 11.14): `POST /iclock/cdata?SN=&table=OPERLOG&ContentType=tgz` carries the
 * usual LF-joined records of the table packed as a tgz. Unpacked here to those records, so the upload is read as
 * if it had come as text:
 * - the body is gunzipped (a body that is not gzip, from firmware that names the type but sends text, is used as
 *   it is);
 * - a tar inside is read member by member: the contents of its regular files, in order, each ending in a line
 *   break; a plain gzip stream is taken whole, ending in a line break too (what inflates is whole);
 * - null when the body claims gzip but cannot be unpacked (damaged, or over `maxBytes` unpacked): the caller then
 *   reads the bytes as they came.
 */
export function unpackDataPacket(raw: Buffer, maxBytes: number): Buffer | null {
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  let inflated: Buffer;
  try {
    inflated = gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch {
    return null;
  }
  if (isTar(inflated)) return tarContents(inflated);
  // A gzip stream that inflates is whole (its length and CRC checked): its last record is too. Ended with a line
  // break like the tar's files, so the line readers do not judge it as a body cut inside its last line.
  return inflated.length === 0 || inflated[inflated.length - 1] === 0x0a || inflated[inflated.length - 1] === 0x0d ? inflated : Buffer.concat([inflated, LF]);
}

/** `ContentType=tgz` (any case) on an upload's query. */
export function isPackedUpload(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*(tgz|tar\.gz|gz|gzip)\s*$/i.test(contentType);
}

const BLOCK = 512;

/** A POSIX/GNU tar: `ustar` at offset 257 of the first header. */
function isTar(b: Buffer): boolean {
  return b.length >= BLOCK && b.subarray(257, 262).toString('latin1') === 'ustar';
}

/** The regular files of a tar archive, concatenated, each ending with LF. */
function tarContents(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + BLOCK <= b.length) {
    const header = b.subarray(at, at + BLOCK);
    if (header.every((x) => x === 0)) break; // end of archive
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156]);
    const start = at + BLOCK;
    const end = Math.min(b.length, start + size);
    if (type === '0' || type === '\0' || type === '7') {
      const content = b.subarray(start, end);
      if (content.length) {
        parts.push(content);
        if (content[content.length - 1] !== 0x0a) parts.push(LF);
      }
    }
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return Buffer.concat(parts);
}

const LF = Buffer.from('\n');

/** A tar header's octal number field (NUL or space terminated); 0 when unreadable. */
function octal(field: Buffer): number {
  const s = field.toString('latin1').replace(/[\0 ]+$/g, '').replace(/^[\0 ]+/, '');
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : 0;
}
