import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { decodeCodePage, encodeCodePage, WESTERN, type CodePage } from '../common/code-page';
import { encodeGbk } from '../common/gbk';
import { declaredCharset, isUtf8Charset } from '../common/rest-body';

/**
 * How a device's text that is not UTF-8 is read: `gbk` for a terminal set to Chinese (the whole body), or the code
 * page of the terminal's language (code-page.ts) for lines that are neither UTF-8 nor GBK.
 */
export type LegacyText = 'gbk' | CodePage;

/** A body's text, and the code page some line of it was read in (null: none, every line was UTF-8 or GBK). */
export interface DeviceText {
  text: string;
  codePage: CodePage | null;
}

/**
 * The text of a device's body (field notes, Devices 2 and 9), from its raw bytes whatever the declared content type:
 * - a charset other than UTF-8 that the body declares (`charset=GB2312`), when this runtime knows it;
 * - else UTF-8, when the bytes are valid UTF-8 (what the protocol asks for, and all ASCII);
 * - else GBK (GB2312's superset, attendance manual 11.5: "When the equipment is in Chinese, the GB2312 code is
 *   used") for the whole body when the device announced Chinese (`language=83`);
 * - else line by line: UTF-8 lines as UTF-8; a line whose other bytes all pair up as GBK characters (both bytes
 *   above 0x7F, as every GB2312 character's are) as GBK when the legacy page is Western (bytes that are not UTF-8
 *   from these vendors' firmware are GBK far more often than anything else, even under the `charset=UTF-8` every
 *   terminal declares); any other line in the terminal's code page (`legacy`, Latin-1's superset windows-1252 by
 *   default): older firmware keeps names in its menu language's code page, where `José` is `4A 6F 73 E9` and
 *   `Müller`'s `FC 6C` would pass for a GBK character. Every byte is a character there: a record is never lost,
 *   nor given replacement characters.
 * Binary uploads (ATTPHOTO) are not text: their callers read them byte for byte.
 */
export function deviceBodyText(raw: Buffer, contentType: string | undefined, legacy: LegacyText | boolean | null = null): string {
  return decodeDeviceBody(raw, contentType, legacy === true ? 'gbk' : legacy === false ? null : legacy).text;
}

/** deviceBodyText, saying which code page it read a line in (a terminal whose text is that code page). */
export function decodeDeviceBody(raw: Buffer, contentType: string | undefined, legacy: LegacyText | null = null): DeviceText {
  // A byte order mark (a body written by a tool or firmware that marks its UTF-8) is no text of the first record:
  // kept, it would stick to the first line's word (`\uFEFFUSER`) and cost that record.
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) raw = raw.subarray(3);
  if (raw.length === 0) return { text: '', codePage: null };
  const charset = contentType === undefined || UTF8_DECLARED.test(contentType) ? null : declaredCharset(contentType);
  if (charset !== null && !isUtf8Charset(charset)) {
    const decoder = decoderFor(charset);
    if (decoder) return { text: decoder.decode(raw), codePage: null };
  }
  if (isUtf8(raw)) return { text: raw.toString('utf8'), codePage: null };
  if (legacy === 'gbk') return { text: GBK.decode(withoutCutGbk(raw)), codePage: null };
  // Line by line: a body mixing UTF-8 lines with GBK ones (users enrolled under another language setting) keeps
  // each right, and GBK under a declared charset=UTF-8 (the header every terminal sends) is still read as GBK.
  return decodeLines(raw, legacy ?? WESTERN, legacy === null);
}

/**
 * Whether the bytes are UTF-8 text with at least one character beyond ASCII: what a terminal writing UTF-8 sends
 * for an accented or Chinese name, and what a code page's bytes (windows-1252's `Jos\xE9`) practically never are.
 */
export function isUtf8Text(raw: Buffer): boolean {
  return raw.some((b) => b >= 0x80) && isUtf8(raw);
}

/** The content type of device replies: UTF-8, the protocol's own. */
const DEVICE_TEXT_UTF8 = 'text/plain;charset=UTF-8';
/** The content type of replies to a terminal set to Chinese (`language=83`): their bodies are GBK. */
const DEVICE_TEXT_GBK = 'text/plain;charset=GBK';

/**
 * A reply's content type and body in the encoding the device reads (attendance manual 1.2: "For Chinese data, the
 * GB2312 encoding is used", user names above all; 12.1.1.1): GBK bytes for a terminal that announced `language=83`
 * at its last initialisation, the code page of a terminal whose uploads are in one (older firmware: its names are
 * read there, and shown from there), else the text itself (sent as UTF-8). A character the encoding cannot hold
 * reaches the terminal as `?` (encodeGbk, encodeCodePage). ASCII replies (`OK`, the option block) are the same
 * bytes either way.
 */
export function deviceReply(body: string, legacy: LegacyText | boolean | null): { contentType: string; payload: string | Buffer } {
  if (legacy === true || legacy === 'gbk') return { contentType: DEVICE_TEXT_GBK, payload: encodeGbk(body) };
  if (legacy === false || legacy === null) return { contentType: DEVICE_TEXT_UTF8, payload: body };
  return { contentType: `text/plain;charset=${legacy}`, payload: encodeCodePage(body, legacy) };
}

/**
 * Each line of a body that is not UTF-8 as a whole (ended by LF or CR, either a line end: splitLines), line ends
 * kept: UTF-8 when the line is, else GBK (a Western page only) when its other bytes pair up as GBK characters, else
 * the code page. Neither LF (0x0A) nor CR (0x0D) is ever part of a multi-byte character in UTF-8 or GBK.
 */
function decodeLines(raw: Buffer, page: CodePage, utf8Terminal: boolean): DeviceText {
  let out = '';
  let used: CodePage | null = null;
  const line = (bytes: Buffer) => {
    const r = decodeLine(bytes, page, utf8Terminal);
    if (r.codePage) used = r.codePage;
    out += r.text;
  };
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b !== 0x0a && b !== 0x0d) continue;
    if (i > start) line(raw.subarray(start, i));
    out += b === 0x0a ? '\n' : '\r';
    start = i + 1;
  }
  if (start < raw.length) line(raw.subarray(start));
  return { text: out, codePage: used };
}

function decodeLine(line: Buffer, page: CodePage, utf8Terminal: boolean): DeviceText {
  if (isUtf8(line)) return { text: line.toString('utf8'), codePage: null };
  const cut = utf8Terminal ? utf8CutFields(line) : null;
  if (cut !== null) return { text: cut, codePage: null };
  const shape = page === WESTERN ? gbkShape(line) : 'no';
  if (shape === 'cut') return { text: GBK.decode(withoutCutGbk(line)), codePage: null };
  if (shape === 'yes') {
    try {
      return { text: GBK_STRICT.decode(line), codePage: null };
    } catch {
      // a pair GBK has no character for: the code page's, below
    }
  }
  return { text: decodeCodePage(line, page), codePage: page };
}

/** Bytes of a name field from which a trailing lead byte is taken for a cut (NAME_FIELD_MIN_BYTES of isTerminalNameOf). */
const CUT_FIELD_MIN_BYTES = 20;

/**
 * A UTF-8 line of a terminal not known to write anything else, whose long field (a name at the terminal's short name
 * field, 24 bytes on many models: field notes, Devices 9) was cut mid-character: each field is UTF-8 but for an
 * incomplete sequence at its end. Read as UTF-8 without the half character (so the name reads as the cut of the
 * person's, isTerminalNameOf), rather than as windows-1252 (`…wÃ`, and the terminal taken for Latin-1 firmware and
 * answered so) or as GBK (`Müller` as `M眉ller`). Null when the line is not so.
 */
function utf8CutFields(line: Buffer): string | null {
  const fields: Buffer[] = [];
  let cut = false;
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && line[i] !== 0x09) continue;
    const field = line.subarray(start, i);
    start = i + 1;
    if (isUtf8(field)) {
      fields.push(field);
      continue;
    }
    let lead = field.length - 1;
    while (lead > 0 && field.length - lead < 4 && (field[lead] & 0xc0) === 0x80) lead--;
    const b = field[lead];
    const needs = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    // The value's bytes (after `Name=`) filled the field: a cut, not a Latin-1 letter ending a short name.
    const value = field.length - (field.indexOf(0x3d) + 1);
    if (needs <= field.length - lead || value < CUT_FIELD_MIN_BYTES || !isUtf8(field.subarray(0, lead))) return null;
    fields.push(field.subarray(0, lead));
    cut = true;
  }
  return cut ? fields.map((f) => f.toString('utf8')).join('\t') : null;
}

/**
 * GBK bytes less each lead byte left alone at the end of a field (before a TAB, a line end or the end): the first half
 * of a character a terminal's short name field cut (field notes, Devices 9). Read as GBK it would be a replacement
 * character, and the name would no longer read as the cut of the person's (isTerminalNameOf) but as a rename to it.
 */
function withoutCutGbk(bytes: Buffer): Buffer {
  const drop: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] < 0x81 || bytes[i] === 0xff) continue;
    const next = bytes[i + 1];
    if (next === undefined || next === 0x09 || next === 0x0a || next === 0x0d) drop.push(i);
    else if (next >= 0x40 && next !== 0x7f && next !== 0xff) i++;
  }
  if (drop.length === 0) return bytes;
  return Buffer.concat(drop.map((at, k) => bytes.subarray(k === 0 ? 0 : drop[k - 1] + 1, at)).concat(bytes.subarray(drop[drop.length - 1] + 1)));
}

/**
 * `yes`: every byte above 0x7F is the lead of a GBK pair (0x81-0xFE) whose trail is above 0x7F too (GB2312's shape).
 * `cut`: so, but for lone leads at the end of a field (before a TAB or the line's end), after at least one pair: a
 * Chinese name cut mid-character by the terminal's short name field (field notes, Devices 9), read as GBK without
 * the half (withoutCutGbk). `no`: anything else (Latin-1's `é` followed by a letter, or alone).
 */
function gbkShape(line: Buffer): 'yes' | 'cut' | 'no' {
  let pairs = 0;
  let cut = false;
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (b < 0x80) continue;
    const trail = line[i + 1];
    if (b === 0x80 || b === 0xff) return 'no';
    if (trail === undefined || trail === 0x09) {
      cut = true;
      continue;
    }
    if (trail < 0x80 || trail === 0xff) return 'no';
    pairs++;
    i++;
  }
  return !cut ? 'yes' : pairs > 0 ? 'cut' : 'no';
}

/** `charset=UTF-8` (the common case: tested without building a match). */
const UTF8_DECLARED = /;\s*charset\s*=\s*"?utf-?8"?\s*(;|$)/i;
const GBK = new TextDecoder('gbk');
const GBK_STRICT = new TextDecoder('gbk', { fatal: true });
const decoders = new Map<string, TextDecoder | null>();

function decoderFor(charset: string): TextDecoder | null {
  let d = decoders.get(charset);
  if (d === undefined) {
    try {
      d = new TextDecoder(charset);
    } catch {
      d = null; // a label this runtime does not know: read as if none was declared
    }
    if (decoders.size < 32) decoders.set(charset, d);
  }
  return d;
}
