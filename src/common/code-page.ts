import { TextDecoder } from 'node:util';

/**
 * The single-byte code pages older attendance firmware keeps names in when it is not set to Chinese (GBK: gbk.ts):
 * the Windows code page of the language the terminal announces (`language=`, attendance manual Appendix 2). The
 * manual says UTF-8 for every language but Chinese (1.2); terminals whose uploads are neither UTF-8 nor GBK are
 * the older firmware that predates it, and hold their names in the code page of their menu language.
 */
export type CodePage = 'windows-1250' | 'windows-1251' | 'windows-1252' | 'windows-1253' | 'windows-1254' | 'windows-1255' | 'windows-1256' | 'windows-1258' | 'windows-874';

/** Western European: English and the languages written in Latin-1 (and what a terminal of no known language gets). */
export const WESTERN: CodePage = 'windows-1252';

/** Appendix 2 language numbers → their code page; Chinese (83, 84), Japanese (74) and Korean (75) are not single-byte. */
const BY_LANGUAGE: Record<string, CodePage> = {
  '69': WESTERN, // English
  '97': WESTERN, // Spanish
  '70': WESTERN, // French
  '80': WESTERN, // Portuguese
  '71': WESTERN, // German
  '73': WESTERN, // Indonesian
  '68': WESTERN, // Dutch
  '105': WESTERN, // Italian
  '82': 'windows-1251', // Russian
  '66': 'windows-1256', // Arabic
  '65': 'windows-1256', // Persian
  '76': 'windows-874', // Thai
  '116': 'windows-1254', // Turkish
  '72': 'windows-1255', // Hebrew
  '90': 'windows-1250', // Czech
  '89': 'windows-1250', // Slovak
  '112': 'windows-1250', // Polish
  '103': 'windows-1253', // Greek
  '86': 'windows-1258', // Vietnamese
};

/** The code page of a terminal's `language=`; null for a language that has none (Chinese, Japanese, Korean). */
export function codePageOfLanguage(language: string | null | undefined): CodePage | null {
  const key = (language ?? '').trim();
  if (key === '') return WESTERN;
  if (key === '83' || key === '84' || key === '74' || key === '75') return null;
  return BY_LANGUAGE[key] ?? WESTERN;
}

export function isCodePage(label: string | null | undefined): label is CodePage {
  return label !== null && label !== undefined && CODE_PAGES.has(label);
}

const CODE_PAGES = new Set<string>(['windows-1250', 'windows-1251', 'windows-1252', 'windows-1253', 'windows-1254', 'windows-1255', 'windows-1256', 'windows-1258', 'windows-874']);

/** Bytes read in a code page (every byte is a character in these, so nothing is ever lost). */
export function decodeCodePage(bytes: Uint8Array, page: CodePage): string {
  // This runtime reads `windows-1252` as ISO-8859-1 (0x80-0x9F as C1 controls): its 27 characters there are mapped here.
  if (page === WESTERN) return Buffer.from(bytes).toString('latin1').replace(C1, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] || c);
  let d = decoders.get(page);
  if (!d) decoders.set(page, (d = new TextDecoder(page)));
  return d.decode(bytes);
}

const C1 = /[\x80-\x9f]/g;
/** windows-1252 bytes 0x80-0x9F (WHATWG Encoding Standard); '' where the page leaves the byte undefined (kept as is). */
const WINDOWS_1252_C1 = [...'€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ'].map((c) => (c === '\0' ? '' : c));

/**
 * Text in a code page: ASCII is itself, a character the page has is its byte, any other (`€` where the page lacks
 * it, a Chinese character, an emoji) is `?`, one per code point, so a name reaches the terminal readable but for it.
 */
export function encodeCodePage(text: string, page: CodePage): Buffer {
  if (ASCII.test(text)) return Buffer.from(text, 'latin1');
  const table = tableOf(page);
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    out[n++] = unit < 0x80 ? unit : ch.length === 1 ? (table.get(unit) ?? QUESTION_MARK) : QUESTION_MARK;
  }
  return out.subarray(0, n);
}

const ASCII = /^[\x00-\x7f]*$/;
const QUESTION_MARK = 0x3f;
const decoders = new Map<CodePage, TextDecoder>();
const tables = new Map<CodePage, Map<number, number>>();

/** UTF-16 code unit → byte, the page's decoder inverted over its 128 upper bytes (built once per page). */
function tableOf(page: CodePage): Map<number, number> {
  let t = tables.get(page);
  if (t) return t;
  t = new Map();
  for (let b = 0x80; b <= 0xff; b++) {
    const s = decodeCodePage(Uint8Array.of(b), page);
    if (s.length === 1 && s !== '\ufffd' && !t.has(s.charCodeAt(0))) t.set(s.charCodeAt(0), b);
  }
  tables.set(page, t);
  return t;
}
