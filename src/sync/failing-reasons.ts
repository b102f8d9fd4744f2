/**
 * What a device refused, grouped by why (protocol/return-reasons.ts), for the convergence views: a full device, data
 * it cannot take and a busy moment call for different hands (the operator freeing room, someone correcting a
 * template, nobody). Pure.
 */
import { isPhotoCommand, REASON_ADVICE, RETURN_REASONS, returnMeaning, returnReason, type ReturnCodeManual, type ReturnReason } from '../push/protocol';
import type { FailingReasonDto } from './dto/sync-status.dto';

/** A failing item as sync_item keeps it. */
export interface FailingItemRow {
  kind: string;
  key: string;
  last_return: number | null;
  last_error: string | null;
}

/** Items named per reason. */
const EXAMPLES = 20;

/**
 * An item's reason: its last Return's; without one, a terminal's ERRORLOG (the data: a face not detected, a template
 * not extracted) or no result at all (transient: it may have run, it is sent again).
 */
export function itemReason(r: Pick<FailingItemRow, 'kind' | 'last_return' | 'last_error'>, manual: ReturnCodeManual = 'security'): ReturnReason {
  if (r.last_return !== null && r.last_return < 0) return returnReason(r.last_return, manual, r.kind === 'photo')!;
  return r.last_error?.startsWith('ERRORLOG') ? 'data' : 'transient';
}

/** The reason of a command's Return as the last answered commands list it. */
export function lastReturnReason(code: number | null, manual: ReturnCodeManual, command: string): ReturnReason | null {
  return returnReason(code, manual, isPhotoCommand(command));
}

/** Failing items by reason and Return code, capacity first, then data, unsupported, transient. */
export function failingReasons(rows: readonly FailingItemRow[], manual: ReturnCodeManual): FailingReasonDto[] {
  const groups = new Map<string, FailingReasonDto>();
  for (const r of rows) {
    const reason = itemReason(r, manual);
    const code = r.last_return !== null && r.last_return < 0 ? r.last_return : null;
    const errorLog = code === null && reason === 'data' ? r.last_error : null;
    const id = `${reason}\t${code ?? errorLog ?? ''}`;
    let g = groups.get(id);
    if (!g) {
      const meaning = code !== null ? (returnMeaning(code, manual) ?? 'unknown error code') : (errorLog ?? 'no result');
      groups.set(id, (g = { reason, returnCode: code, meaning, items: 0, examples: [], advice: REASON_ADVICE[reason] }));
    }
    g.items++;
    if (g.examples.length < EXAMPLES) g.examples.push(`${r.kind} ${r.key}`);
  }
  return [...groups.values()].sort((a, b) => RETURN_REASONS.indexOf(a.reason) - RETURN_REASONS.indexOf(b.reason) || b.items - a.items);
}
