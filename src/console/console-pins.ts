/** Pins as the level forms send them: a list, or one text of pins separated by commas, spaces or new lines. */
export function pinsOf(v: unknown): string[] {
  const parts = Array.isArray(v) ? v.map(String) : typeof v === 'string' || typeof v === 'number' ? String(v).split(/[\s,;]+/) : [];
  return parts.map((p) => p.trim()).filter(Boolean);
}
