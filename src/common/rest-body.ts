import { TextDecoder } from 'node:util';
import { checkedShape } from './body-shape';
import { CvCode, CvError } from './cv-error';
import { parseLenientJson } from './lenient-json';

/**
 * A REST body declared JSON (its text decoded and trimmed): undefined when blank, its value under the body-shape
 * limits, -400 "Request body is not valid JSON" for text that is none. The JSON body parser and a GET body read it.
 * A form body labelled JSON (`doorId=...&interval=5`: axios keeps an instance's `Content-Type: application/json`
 * over the form type it would give a URLSearchParams body) is read as the form it is.
 */
export function parseDeclaredJson(text: string, contentType?: string): unknown {
  if (text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = parseLenientJson(text);
  } catch {
    if (FORM_TEXT.test(text)) return parseFormText(text, contentType);
    throw new CvError(CvCode.InvalidParameter, 'Request body is not valid JSON', 400);
  }
  return checkedShape(unwrapJsonString(parsed));
}

/**
 * A body that is a JSON string holding JSON (`"{\"pin\":\"1\"}"`): what a client sends that serialises its
 * request object to a JSON string and then hands that string to a JSON serialiser again (Gson's toJson of a
 * String, axios given a JSON.stringify'd body with a JSON content type twice over, .NET's JsonContent.Create of
 * a string). Read as the JSON it holds, as a lenient server would: the body's inputs were ignored and the
 * endpoint answered its "missing input" code (department/add -10 "code or name empty") for inputs the client
 * had sent. Up to two layers are taken off. A string that holds no JSON object or array is refused, -400 naming
 * the form, never read as no body at all. A blank string is no body; other JSON values are left as they are.
 */
export function unwrapJsonString(parsed: unknown): unknown {
  for (let layer = 0; layer < 2 && typeof parsed === 'string'; layer++) {
    const inner = parsed.trim();
    if (inner === '' || inner === 'null') return undefined;
    let decoded: unknown;
    try {
      decoded = parseLenientJson(inner);
    } catch {
      decoded = undefined;
    }
    if (decoded === undefined || (typeof decoded !== 'object' && typeof decoded !== 'string')) {
      throw new CvError(
        CvCode.InvalidParameter,
        `Request body is a JSON string, not a JSON object: send the object itself ({"name": "value"}), not a string (got ${JSON.stringify(inner.slice(0, 40))})`,
        400,
      );
    }
    parsed = decoded;
  }
  if (typeof parsed === 'string') throw new CvError(CvCode.InvalidParameter, 'Request body is a JSON string encoded more than twice: send the JSON object itself', 400);
  return parsed;
}

/** `key=value` pairs joined by `&`, as URLSearchParams writes them: no spaces, braces or quotes in a key. */
const FORM_TEXT = /^[^\s{}"=&]+=[^\s&]*(?:&[^\s{}"=&]+=[^\s&]*)*$/;

/**
 * A REST (/api) body that is not declared JSON. Spring, behind the real CVSecurity, reads its query-string
 * inputs (@RequestParam) from a form body too, so clients may POST `pin=1&levelIds=...` as
 * application/x-www-form-urlencoded; and clients that leave the content type out or wrong (`curl -d '{...}'`
 * sends JSON as a form) send JSON text, or form text under no type or text/plain. Each becomes an object for
 * @CvInput(); anything else stays text.
 * Device routes never come here: their bodies are always read as text.
 */
export function parseLooseRestBody(text: string, contentType: string | undefined): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed === 'null' || /^"[^"]*"\s*:/.test(trimmed)) {
    let parsed: unknown;
    try {
      parsed = parseLenientJson(trimmed);
    } catch {
      return text;
    }
    return checkedShape(parsed);
  }
  // A JSON string holding JSON under no or another type (`curl -d '"{\"pin\":1}"'`): as under a JSON type.
  if (/^"\s*[[{]/.test(trimmed) && trimmed.endsWith('"')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return text;
    }
    return checkedShape(unwrapJsonString(parsed));
  }
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return parseFormText(trimmed, contentType);
  // Form text under no type or another one: Python's `requests.post(url, data="pin=1&name=x")` sends none, and
  // `fetch(url, {body: "pin=1&name=x"})` sends text/plain. Read as a form, not dropped for "pin cannot be empty".
  if (FORM_TEXT.test(trimmed)) return parseFormText(trimmed, contentType);
  return text;
}

/**
 * Marks an object parsed from a form body: its values were URL-decoded, a raw `+` read as a space (CvInput passes
 * that on to the fields that must read it back: base64-text.ts).
 */
export const FORM_BODY = Symbol('formBody');

/**
 * Every value of each key a form body sent more than once (`pins=1&pins=2`, as Java's and .NET's form encoders
 * and `curl -d pins=1 -d pins=2` write a list), keyed by that key. The body's own member holds the last value, for
 * readers of single values; CvInput hands the whole list to list fields, as it does for a key repeated in the
 * query string (client-forms.ts), so a list sent so is never cut to its last item.
 */
export const REPEATED_BODY_VALUES = Symbol('repeatedBodyValues');

/** The key → values of a body's repeated keys (REPEATED_BODY_VALUES), or undefined when none repeats. */
export function repeatedBodyValues(body: unknown): Readonly<Record<string, unknown[]>> | undefined {
  return body && typeof body === 'object' ? (body as { [REPEATED_BODY_VALUES]?: Record<string, unknown[]> })[REPEATED_BODY_VALUES] : undefined;
}

/** Sets `out[key] = value` (the last value of a repeated key wins there) and records every value of a repeated key. */
export function putFormValue(out: Record<string, unknown>, key: string, value: unknown): void {
  if (Object.hasOwn(out, key)) {
    let repeated = repeatedBodyValues(out) as Record<string, unknown[]> | undefined;
    if (!repeated) {
      repeated = Object.create(null) as Record<string, unknown[]>;
      Object.defineProperty(out, REPEATED_BODY_VALUES, { value: repeated, enumerable: false });
    }
    (repeated[key] ??= [out[key]]).push(value);
  }
  out[key] = value;
}

/** A form body's fields (a repeated key: see REPEATED_BODY_VALUES), decoded in the charset its Content-Type declares. */
function parseFormText(trimmed: string, contentType: string | undefined): unknown {
  const charset = charsetOf(contentType);
  const out: Record<string, string> = {};
  Object.defineProperty(out, FORM_BODY, { value: true, enumerable: false });
  if (isUtf8Charset(charset)) {
    for (const [k, v] of new URLSearchParams(trimmed)) putFormValue(out, k, v);
    return checkedForm(out);
  }
  // The percent-escapes of a form declared in another charset (GBK from Chinese clients) are that charset's bytes.
  const decoder = decoderFor(charset);
  for (const pair of trimmed.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [k, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    putFormValue(out, formDecode(k, decoder), formDecode(v, decoder));
  }
  return checkedForm(out);
}

/** A form under the body-shape limits, its repeated keys' values counted as the list items they become. */
function checkedForm<T extends object>(out: T): T {
  checkedShape([out, repeatedBodyValues(out) ?? {}]);
  return out;
}

/**
 * A Content-Type header that names no media type: blank (`Content-Type:`), `undefined` (a client's unset variable
 * written into the header), a bare `json`, or two types joined (`application/json, text/plain`). Fastify refused
 * each with 415 "Unsupported Media Type", even on a POST whose inputs are all in the query and whose body is empty;
 * Spring, which CVSecurity runs on, reads a blank one as none and never looks at the type of a request it reads no
 * body from. On /api such a header is read as no type (the body by its look, as when Content-Type is missing).
 */
export function namesNoMediaType(contentType: string): boolean {
  return !/^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+$/.test(contentType.split(';', 1)[0].trim());
}

/** The charset a Content-Type declares (`charset=GBK`), lower case; null when none is declared. */
export function declaredCharset(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1].toLowerCase() : null;
}

/** The charset a Content-Type declares, lower case; utf-8 when none is declared. */
export function charsetOf(contentType: string | undefined): string {
  return declaredCharset(contentType) ?? 'utf-8';
}

export const isUtf8Charset = (charset: string) => charset === 'utf-8' || charset === 'utf8';

/** A request whose declared charset this gateway cannot read: refused (-400), never stored as replacement characters. */
function unsupportedCharset(charset: string): Error {
  const err = new Error(`The request body's charset is not supported: ${charset}`) as Error & { statusCode: number; code: string };
  err.statusCode = 400;
  err.code = 'FST_ERR_CTP_INVALID_CHARSET';
  return err;
}

function decoderFor(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset, { fatal: true });
  } catch {
    throw unsupportedCharset(charset);
  }
}

/** A body's text in its declared charset (utf-8 unless declared otherwise); bytes that are not that charset are refused. */
export function restBodyText(raw: Buffer, contentType: string | undefined): string {
  const charset = charsetOf(contentType);
  const decoder = isUtf8Charset(charset) ? new TextDecoder('utf-8', { fatal: true }) : decoderFor(charset);
  try {
    return decoder.decode(raw);
  } catch {
    throw unsupportedCharset(`bytes that are not ${charset}`);
  }
}

/** `a+b%D5%C5` → the text of those bytes in the form's charset. */
function formDecode(s: string, decoder: TextDecoder): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  try {
    return decoder.decode(Buffer.from(bytes));
  } catch {
    throw unsupportedCharset(`bytes that are not ${decoder.encoding}`);
  }
}
