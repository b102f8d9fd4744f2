import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { declaredCharset, isUtf8Charset } from '../common/rest-body';

/**
 * The text of a device's body (field notes, Devices 2 and 9), from its raw bytes whatever the declared content type:
 * - a charset other than UTF-8 that the body declares (`charset=GB2312`), when this runtime knows it;
 * - else UTF-8, when the bytes are valid UTF-8 (what the protocol asks for, and all ASCII);
 * - else GBK (GB2312's superset, attendance manual 11.5: "When the equipment is in Chinese, the GB2312 code is
 *   used"), when the device announced Chinese (`language=83`) or the body declares no charset at all: bytes
 *   that are not UTF-8 from these vendors' firmware are GBK far more often than anything else;
 * - else UTF-8 with replacement characters: a bad byte never drops a record.
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
  return (contentType === undefined || chinese || !CHARSET_DECLARED.test(contentType)) ? GBK.decode(raw) : raw.toString('utf8');
}

/** `charset=UTF-8` (the common case: tested without building a match). */
const UTF8_DECLARED = /;\s*charset\s*=\s*"?utf-?8"?\s*(;|$)/i;
const CHARSET_DECLARED = /;\s*charset\s*=/i;
const GBK = new TextDecoder('gbk');
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
