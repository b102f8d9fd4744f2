/**
 * A REST (/api) body that is not declared JSON. Spring, behind the real CVSecurity, reads its query-string
 * inputs (@RequestParam) from a form body too, so clients may POST `pin=1&levelIds=...` as
 * application/x-www-form-urlencoded; and clients that leave the content type out or wrong (`curl -d '{...}'`
 * sends JSON as a form) send JSON text. Both become an object for @CvInput(); anything else stays text.
 * Device routes never come here: their bodies are always read as text.
 */
export function parseLooseRestBody(text: string, contentType: string | undefined): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed === 'null') {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(trimmed)) out[k] = v;
    return out;
  }
  return text;
}
