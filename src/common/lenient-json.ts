/**
 * JSON as the REST manual prints it. Several of its example bodies are not strict JSON, and clients that
 * copied them into their code send them so: a trailing comma before `}` (2.13.7, 2.13.8, 2.18.10, 2.18.12),
 * a doubled closing quote (`"2021-11-19 18:00:00"",` in 2.18.10), typographic quotes around a value
 * (`"personPhoto":“picture-base64”` in 2.13.1), a body without its outer braces (`"content": {...}` in
 * 2.18.11), and a comma missing at a line break between two members (`"visitDate": "…"` then, on the next line,
 * `“visitEndDate”: "…"` in 2.15.1), and a body whose closing brace was left off (`{ “pin”: “80000001”` in 2.17.3). A body that strict JSON.parse reads is never touched (but for integers beyond 2^53,
 * read as strings: quoteUnsafeIntegers); one it refuses is repaired of those quirks only, and read again. Anything
 * still not JSON throws the strict parser's error.
 */
export function parseLenientJson(raw: string): unknown {
  try {
    return JSON.parse(quoteUnsafeIntegers(raw));
  } catch (strictError) {
    // Repaired first, quoted after: the quoting tells strings by their straight quotes, which a doubled closing
    // quote or a typographic pair would mislead (it quoted a string's digits, or digits inside “…”).
    const repaired = repairManualJson(raw);
    if (repaired !== raw) {
      try {
        return JSON.parse(quoteUnsafeIntegers(repaired));
      } catch {
        // fall through to the braces check and then the strict error
      }
    }
    const closed = closeUnclosed(repaired);
    if (closed !== undefined) {
      try {
        return JSON.parse(quoteUnsafeIntegers(closed));
      } catch {
        // fall through to the braces check and then the strict error
      }
    }
    const t = repaired.trim();
    if (t.startsWith('"') && !t.endsWith('"')) {
      try {
        const wrapped: unknown = JSON.parse(`{${quoteUnsafeIntegers(t)}}`);
        return wrapped;
      } catch {
        // not a bare member list either
      }
    }
    throw strictError;
  }
}

/**
 * The text with the braces and brackets it left open closed at its end (2.17.3 prints its body without the final
 * `}`), or undefined when nothing is left open, a string is unterminated, or a closer does not match: only a
 * missing tail is mended, never a body cut in the middle of a value.
 */
function closeUnclosed(text: string): string | undefined {
  const open: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (i >= text.length) return undefined;
    } else if (c === '{' || c === '[') open.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (open.pop() !== c) return undefined;
    }
  }
  return open.length === 0 ? undefined : text.trimEnd().replace(/,$/, '') + open.reverse().join('');
}

const OPEN_QUOTES = new Set(['\u201c', '\u201d', '\u201e']);

/** The text with the manual's quirks removed (see parseLenientJson); strings' contents are left as they are. */
export function repairManualJson(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"' || OPEN_QUOTES.has(c)) {
      // A string: up to its closing quote (a straight one, or a typographic one when it opened so).
      const typographic = c !== '"';
      let j = i + 1;
      let body = '';
      while (j < n) {
        const d = text[j];
        if (d === '\\' && j + 1 < n) {
          body += d + text[j + 1];
          j += 2;
          continue;
        }
        if (typographic ? d === '\u201d' || d === '\u201c' : d === '"') break;
        body += typographic && d === '"' ? '\\"' : d;
        j++;
      }
      if (j >= n) return text; // an unterminated string: not one of the quirks
      out += `"${body}"`;
      i = j + 1;
      // A doubled closing quote before the next separator: `"value"",`.
      if (text[i] === '"' && /^\s*[,}\]\r\n]/.test(text.slice(i + 1, i + 3) || '}')) i++;
      // A comma missing at a line break: a string, then on a later line the next member's key (2.15.1). Strict
      // JSON never has a string straight after a string, so this only mends what would not parse.
      let k = i;
      let lineBreak = false;
      for (; k < n && (text[k] === ' ' || text[k] === '\t' || text[k] === '\r' || text[k] === '\n'); k++) lineBreak ||= text[k] === '\n';
      if (lineBreak && (text[k] === '"' || OPEN_QUOTES.has(text[k]))) out += ',';
      continue;
    }
    if (c === ',') {
      let k = i + 1;
      while (k < n && /\s/.test(text[k])) k++;
      if (text[k] === '}' || text[k] === ']') {
        i++;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * Integers beyond 2^53 written as JSON numbers whose digits a double would change, quoted, so they are read digit
 * for digit. Clients send number-like fields as numbers (field notes, REST 9): an 18-digit national ID as
 * `"certNumber": 110101199001011234` (a Java long), a long card number; JSON.parse reads those as the nearest
 * double, 110101199001011230, and the gateway stored a number the client never sent and answered success.
 * Quoted, a text field keeps the digits, and a field that must be a number refuses them as it refuses any value
 * it cannot hold. An integer that reads back as written (12345678901234567000: what JavaScript's JSON.stringify
 * makes of a number that already lost its digits in the client) stays a number: a text field gets the same digits,
 * a card number refuses it (card.decorator.ts). Strings are left as they are; a body with no run of 16 digits
 * (every ordinary body) is not scanned.
 */
export function quoteUnsafeIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text;
  let out = '';
  let from = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === '"') {
      // Skip the string, escapes included (an unterminated one runs to the end: JSON.parse refuses it anyway).
      for (i++; i < n && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c !== '-' && (c < '0' || c > '9')) continue;
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) continue;
    const token = m[0];
    const value = Number(token);
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(value) && String(value) !== token) {
      out += `${text.slice(from, i)}"${token}"`;
      from = i + token.length;
    }
    i += token.length - 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
