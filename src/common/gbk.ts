import { TextDecoder } from 'node:util';

/**
 * GBK (code page 936, the superset of GB2312 that attendance terminals set to Chinese read: attendance manual 1.2,
 * 11.5) encoding without a dependency. The table is node's own `gbk` decoder (WHATWG Encoding Standard) inverted:
 * built once, on first use, by decoding every double-byte code (lead 0x81–0xFE, trail 0x40–0x7E and 0x80–0xFE:
 * 23,940 codes, each one character) and every byte above 0x7F that stands alone (0x80, the euro sign), then
 * kept as one 64K-entry array indexed by UTF-16 code unit (every GBK character is in the Basic Multilingual Plane).
 * Where two codes decode to the same character the first (lowest) code is kept, as the standard's encoder does.
 *
 * ASCII is itself. A character GBK has no code for (an emoji, CJK Extension B and later, most other scripts'
 * letters, a lone surrogate) becomes `?` (0x3F), one per code point: never an error, so a name with one such
 * character still reaches a terminal readable but for that character. `gbkUnencodable` lists those characters
 * for callers that want to say so.
 */
export function encodeGbk(text: string): Buffer {
  if (ASCII.test(text)) return Buffer.from(text, 'latin1');
  const table = gbkTable();
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    const code = ch.length === 1 ? (unit < 0x80 ? unit : table[unit]) : 0;
    if (code === 0 && unit !== 0) out[n++] = QUESTION_MARK;
    else if (code > 0xff) {
      out[n++] = code >> 8;
      out[n++] = code & 0xff;
    } else out[n++] = code;
  }
  return out.subarray(0, n);
}

/** The distinct characters of `text` that GBK cannot hold (what encodeGbk turns into `?`), in order of appearance. */
export function gbkUnencodable(text: string): string[] {
  if (ASCII.test(text)) return [];
  const table = gbkTable();
  const out = new Set<string>();
  for (const ch of text) if (ch.length > 1 || (ch.charCodeAt(0) >= 0x80 && table[ch.charCodeAt(0)] === 0)) out.add(ch);
  return [...out];
}

/** The text as a GBK device gives it back (decoding encodeGbk's bytes): each character GBK cannot hold as `?`. */
export function gbkRoundTrip(text: string): string {
  return ASCII.test(text) ? text : (decoder ??= new TextDecoder('gbk')).decode(encodeGbk(text));
}

let decoder: TextDecoder | undefined;
const ASCII = /^[\x00-\x7f]*$/;
const QUESTION_MARK = 0x3f;
/** UTF-16 code unit → its GBK code (one byte, or lead << 8 | trail); 0 = none. */
let table: Uint16Array | undefined;

function gbkTable(): Uint16Array {
  if (table) return table;
  const t = new Uint16Array(0x10000);
  const gbk = new TextDecoder('gbk');
  const learn = (code: number, bytes: Uint8Array) => {
    const s = gbk.decode(bytes);
    if (s.length !== 1 || s === '\ufffd') return;
    const unit = s.charCodeAt(0);
    if (t[unit] === 0 && unit >= 0x80) t[unit] = code;
  };
  for (let b = 0x80; b <= 0xff; b++) learn(b, Uint8Array.of(b));
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) learn((lead << 8) | trail, Uint8Array.of(lead, trail));
  }
  table = t;
  return t;
}
