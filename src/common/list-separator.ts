/**
 * What separates the items of a list sent as one string (levelIds, pins, deptCodes, supplyCards, accLevelIds, ...):
 * the manual's ASCII comma; the full-width comma (U+FF0C) that the manual itself prints between secondary cards
 * (2.13.7: "987643，2233452") and that clients typing on a Chinese input method send; and the semicolon, ASCII and
 * full-width (U+FF1B), that clients joining ids the way their spreadsheet or config file lists them send
 * (`levelIds=a;b`), which was taken as one id that does not exist (-24). Every list input is split here: ListInput
 * (client-forms.ts) and splitList (paging.ts).
 */
export const LIST_SEPARATOR = /[,;\uFF0C\uFF1B]/;

/** The items of a list string, trimmed, empty ones dropped, in the order given (duplicates kept). */
export function listParts(text: string): string[] {
  return text
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
