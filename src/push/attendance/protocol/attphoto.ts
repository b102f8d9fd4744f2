/**
 * `POST /iclock/cdata?SN=<sn>&table=ATTPHOTO&Stamp=<n>` (attendance manual 11.3), one photo per request:
 *
 *   PIN=<file name><LF>SN=<sn><LF>size=<n><LF>CMD=uploadphoto<NUL><binary JPEG>
 *
 * `PIN` is the file name, `<yyyyMMddHHmmss>-<pin>.jpg` on the firmware seen (the manual's example
 * `20150731103012-123.jpg`); an identity-card attendance photo (11.8) is named `<time>-<photo type>-<user ID>-<id
 * number>.jpg` (`20160615093758-0-1457-210218199011304365.jpg`: photo type 0-4, then the PIN). The manual prints
 * the header's fields separated by spaces as well as by LF. The gateway sends `ATTPHOTOBase64=1` at initialisation, so the data after the
 * NUL is normally base64; raw binary is accepted as well. A body cut mid-upload brings part of the base64: read as
 * the part of the photo it holds.
 */
import type { WallClock } from '../../protocol/time';
import { isValidWallClock } from '../../protocol/time';

export interface AttPhotoUpload {
  fileName: string;
  sn: string | null;
  size: number | null;
  cmd: string | null;
  /** Punch time and PIN read from the file name, when it has the usual shape. */
  wallClock: WallClock | null;
  pin: string | null;
  /** An identity-card attendance photo's type (11.8: 0 attendance succeeded, 1 failed, 2 blacklist, 3 verification succeeded, 4 failed), else null. */
  photoType: number | null;
  /** An identity-card attendance photo's ID number (11.8), else null. */
  idNumber: string | null;
  /** The photo bytes. */
  data: Buffer;
}

/** Reads the header lines and the data; a string is the reason the body was refused. */
export function parseAttPhoto(body: Buffer | string): AttPhotoUpload | string {
  const buf = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const nul = buf.indexOf(0);
  const head = (nul < 0 ? buf : buf.subarray(0, nul)).toString('utf8');
  const fields = new Map<string, string>();
  for (const l of head.split(/[\r\n\t]|\s+(?=(?:PIN|SN|size|CMD)=)/i)) {
    const eq = l.indexOf('=');
    if (eq > 0) fields.set(l.slice(0, eq).trim().toLowerCase(), l.slice(eq + 1).trim());
  }
  const fileName = fields.get('pin');
  if (!fileName) return 'ATTPHOTO without PIN (file name)';
  if (nul < 0) return 'ATTPHOTO without data';
  const rawData = buf.subarray(nul + 1);
  const asText = rawData.toString('latin1').replace(/[\r\n\0 ]+$/g, '');
  // Base64 whatever its length: a JPEG's own bytes (FF D8 …) are never all base64 characters, and a body cut mid-upload
  // ends inside a group of four; read as the bytes it decodes to (a prefix of the photo, which the whole upload sent
  // again then replaces: STORE_PHOTO), not its text taken for the photo.
  const data = /^[A-Za-z0-9+/]+$/.test(asText) || (/^[A-Za-z0-9+/]+={1,2}$/.test(asText) && asText.length % 4 === 0) ? Buffer.from(asText, 'base64') : rawData;
  if (data.length === 0) return 'ATTPHOTO with empty data';
  const size = fields.get('size');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-([^.\s]+)\./.exec(fileName);
  let wallClock: WallClock | null = null;
  if (m) {
    const w: WallClock = { year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +m[6] };
    if (isValidWallClock(w)) wallClock = w;
  }
  const idCard = wallClock && m ? /^([0-4])-([^-]+)-(.+)$/.exec(m[7]) : null;
  return {
    fileName,
    sn: fields.get('sn') ?? null,
    size: size && /^\d+$/.test(size) ? Number(size) : null,
    cmd: fields.get('cmd') ?? null,
    wallClock,
    pin: idCard ? idCard[2] : wallClock && m ? m[7] : null,
    photoType: idCard ? Number(idCard[1]) : null,
    idNumber: idCard ? idCard[3] : null,
    data,
  };
}
