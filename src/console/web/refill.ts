/**
 * A form filled again from what a save stored, over what the operator typed since pressing Save.
 *
 * The save's answer and the re-read behind it take a moment; an operator who changes a field in that moment (a person
 * moved to another department and straight back) must not see the change wiped by the refill, nor have the next Save
 * send the old value. A field still holding what was sent takes the stored value (the server may have normalised it);
 * a field changed since the save was sent keeps the operator's value.
 */
export function refillAfterSave<F extends object>(current: F, sent: F | undefined, stored: F): F {
  if (!sent) return stored;
  const out = { ...stored };
  for (const k of Object.keys(stored) as (keyof F)[]) {
    if (!same(current[k], sent[k])) out[k] = current[k];
  }
  return out;
}

// Fields are strings, booleans or lists of strings (the levels ticked): compared by value.
function same(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}
