import { base64Text } from '../common/base64-text';
import { CvCode, CvError } from '../common/cv-error';

const MAGIC: Array<[string, number[]]> = [
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['png', [0x89, 0x50, 0x4e, 0x47]],
  ['bmp', [0x42, 0x4d]],
];

/**
 * A photo as the API receives it (base64, maybe with a `data:image/...;base64,` prefix, line breaks, or a form's
 * `+` read as a space: base64-text.ts)
 * normalised to bare base64 of a JPEG, PNG or BMP; anything else is -27 "Invalid personnel photo".
 * Line breaks must go: inside a device command they would start a new record.
 */
export function normalizePhoto(raw: string): string {
  const text = base64Text(raw);
  if (text.length < 8 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new CvError(CvCode.InvalidPhoto, 'Invalid personnel photo');
  }
  const head = Buffer.from(text.slice(0, 8), 'base64');
  if (!MAGIC.some(([, bytes]) => bytes.every((b, i) => head[i] === b))) throw new CvError(CvCode.InvalidPhoto, 'Invalid personnel photo');
  return text;
}

/** The MIME type of stored photo bytes (normalizePhoto admitted only these). */
export function photoMimeType(bytes: Buffer): string {
  const kind = MAGIC.find(([, magic]) => magic.every((b, i) => bytes[i] === b))?.[0] ?? 'jpeg';
  return `image/${kind}`;
}

/**
 * Where a person's face photo is served (the `vislightPhotoPath` of 2.13.3/2.13.4: `/upload/pers/user/cropface/<pin>/<pin>.jpg`),
 * or "" for a person without one.
 */
export const personPhotoPath = (pin: string, photo: string | null): string =>
  photo ? `/upload/pers/user/cropface/${encodeURIComponent(pin)}/${encodeURIComponent(pin)}.jpg` : '';
