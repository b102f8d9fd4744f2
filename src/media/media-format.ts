/**
 * The formats an advertising screen can show (2.6, -71 otherwise): pictures (mediaType 1) and videos
 * (mediaType 2), by file suffix, the way CVSecurity's upload form filters them. Pictures are also sniffed,
 * so a renamed non-picture is refused rather than pushed to a screen that cannot show it.
 */
const PICTURES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', bmp: 'image/bmp' };
const VIDEOS: Record<string, string> = {
  mp4: 'video/mp4',
  avi: 'video/x-msvideo',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  wmv: 'video/x-ms-wmv',
  flv: 'video/x-flv',
  '3gp': 'video/3gpp',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  webm: 'video/webm',
  rmvb: 'application/vnd.rn-realmedia-vbr',
};

const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  jpg: (b) => b[0] === 0xff && b[1] === 0xd8,
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8,
  png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  gif: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
  bmp: (b) => b.subarray(0, 2).toString('latin1') === 'BM',
};

export interface MediaFormat {
  suffix: string;
  /** 1 picture, 2 video. */
  mediaType: 1 | 2;
  contentType: string;
}

/** The suffix of a file name, or the one a MIME type implies when the name has none. */
export function suffixOf(fileName: string | undefined, mimeType: string | undefined): string | undefined {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec((fileName ?? '').trim());
  if (m) return m[1].toLowerCase();
  const mime = (mimeType ?? '').toLowerCase().split(';')[0].trim();
  return Object.entries({ ...PICTURES, ...VIDEOS }).find(([, t]) => t === mime)?.[0];
}

/** The format of an upload, or a reason it is refused. */
export function mediaFormat(fileName: string | undefined, mimeType: string | undefined, content: Buffer): MediaFormat | string {
  const suffix = suffixOf(fileName, mimeType);
  if (!suffix) return 'the file has no suffix or known type';
  if (content.length === 0) return 'the file is empty';
  if (PICTURES[suffix]) {
    if (!SIGNATURES[suffix](content)) return `the file is not a ${suffix} picture`;
    return { suffix, mediaType: 1, contentType: PICTURES[suffix] };
  }
  if (VIDEOS[suffix]) return { suffix, mediaType: 2, contentType: VIDEOS[suffix] };
  return `.${suffix} is not a supported picture (${Object.keys(PICTURES).join(', ')}) or video (${Object.keys(VIDEOS).join(', ')})`;
}

/** `21KB` as the manual prints mediaSize: whole KB (rounded up) below 1 MB, MB with 2 decimals above. */
export function formatMediaSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)}KB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)}MB`;
}
