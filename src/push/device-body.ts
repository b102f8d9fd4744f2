import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { encodeGbk } from '../common/gbk';
import { declaredCharset, isUtf8Charset } from '../common/rest-body';

/**
 * The text of a device's body (field notes, Devices 2 and 9), from its raw bytes whatever the declared content type:
 * - a charset other than UTF-8 that the body declares (`charset=GB2312`), when this runtime knows it;
 * - else UTF-8, when the bytes are valid UTF-8 (what the protocol asks for, and all ASCII);
 * - else GBK (GB2312's superset, attendance manual 11.5: "When the equipment is in Chinese, the GB2312 code is
 *   used") for the whole body when the device announced Chinese (`language=83`);
 * - else line by line: UTF-8 lines as UTF-8, the others as GBK when they are valid GBK (bytes that are not UTF-8
 *   from these vendors' firmware are GBK far more often than anything else, even under the `charset=UTF-8` every
 *   terminal declares), else as GBK anyway when no charset was declared, else UTF-8 with replacement characters:
 *   a bad byte never drops a record.
 * Binary uploads (ATTPHOTO) are not text: their callers read them byte for byte.
 */
export function deviceBodyText(raw: Buffer, contentType: string | undefined, chinese = false): string {
  if (raw.length === 0) return '';
  const charset = contentType === undefined || UTF8_DECLARED.test(contentType) ? null : declaredCharset(contentType);
  if (charset !== null && !isUtf8Charset(charset)) {
    const decoder = decoderFor(charset);
    if (decoder) return decoder.decode(raw);
  }
  if (isUtf8(raw)) return raw.toString('utf8');
  if (chinese) return GBK.decode(raw);
  // Line by line: a body mixing UTF-8 lines with GBK ones (users enrolled under another language setting) keeps
  // each right, and GBK under a declared charset=UTF-8 (the header every terminal sends) is still read as GBK.
  return decodeLines(raw, contentType === undefined || !CHARSET_DECLARED.test(contentType));
}

/** The content type of device replies: UTF-8, the protocol's own. */
const DEVICE_TEXT_UTF8 = 'text/plain;charset=UTF-8';
/** The content type of replies to a terminal set to Chinese (`language=83`): their bodies are GBK. */
const DEVICE_TEXT_GBK = 'text/plain;charset=GBK';

/**
 * A reply's content type and body in the encoding the device reads (attendance manual 1.2: "For Chinese data, the
 * GB2312 encoding is used", user names above all; 12.1.1.1): GBK bytes for a terminal that announced `language=83`
 * at its last initialisation (`gbk`), else the text itself (sent as UTF-8). A character GBK cannot hold reaches a
 * Chinese terminal as `?` (encodeGbk). ASCII replies (`OK`, the option block) are the same bytes either way.
 */
export function deviceReply(body: string, gbk: boolean): { contentType: string; payload: string | Buffer } {
  return gbk ? { contentType: DEVICE_TEXT_GBK, payload: encodeGbk(body) } : { contentType: DEVICE_TEXT_UTF8, payload: body };
}

/**
 * Each line of a body that is not UTF-8 as a whole (ended by LF or CR, either a line end: splitLines), line ends
 * kept: UTF-8 when the line is, else GBK when the line is valid GBK, else GBK (`lenient`: nothing declared) or
 * UTF-8 with replacement characters. Neither LF (0x0A) nor CR (0x0D) is ever part of a multi-byte character in
 * either encoding.
 */
function decodeLines(raw: Buffer, lenient: boolean): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b !== 0x0a && b !== 0x0d) continue;
    if (i > start) out += decodeLine(raw.subarray(start, i), lenient);
    out += b === 0x0a ? '\n' : '\r';
    start = i + 1;
  }
  if (start < raw.length) out += decodeLine(raw.subarray(start), lenient);
  return out;
}

function decodeLine(line: Buffer, lenient: boolean): string {
  if (isUtf8(line)) return line.toString('utf8');
  try {
    return GBK_STRICT.decode(line);
  } catch {
    return lenient ? GBK.decode(line) : line.toString('utf8');
  }
}

/** `charset=UTF-8` (the common case: tested without building a match). */
const UTF8_DECLARED = /;\s*charset\s*=\s*"?utf-?8"?\s*(;|$)/i;
const CHARSET_DECLARED = /;\s*charset\s*=/i;
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
