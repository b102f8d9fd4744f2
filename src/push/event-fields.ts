/**
 * What an uploaded event's level and verification name are, for every store of events: access events
 * (acc_transaction) and the elevator and channel controllers' (module_transaction) read them alike, so an event
 * is named the same whichever list serves it.
 */
import { eventInfo, verifyModeName, verifyTypeBits, type RtlogEvent } from './protocol';

/** 0 normal, 1 warning (the manual's error/abnormal class), 2 alarm. Unlisted codes by their range. */
export function eventLevel(code: number): number {
  const info = eventInfo(code);
  if (info?.level === 'alarm') return 2;
  if (info?.level === 'error') return 1;
  if (info?.level === 'normal') return 0;
  if (code >= 6000 && code < 7000) return 2;
  if (code >= 5000 && code < 6000) return 1;
  return 0;
}

/** `0000100000000000` → `Card`: the factor names of a new-style verification bit string (bit 0 = rightmost). */
export function verifyBitsName(bits: string): string {
  const names: string[] = [];
  for (let bit = 1; bit < bits.length; bit++) {
    if (bits[bits.length - 1 - bit] !== '1') continue;
    names.push(verifyTypeBits.find((b) => b.bit === bit)?.meaning ?? `bit ${bit}`);
  }
  return names.join('+') || bits;
}

/**
 * The event's verification name: a new-style bit string (7.2 verifytype, 16 characters) by its factors, an
 * Appendix 3 number by its name, none when the device sent neither.
 */
export function eventVerifyName(e: Pick<RtlogEvent, 'verifyBits' | 'verifyType'>): string | null {
  return e.verifyBits ? verifyBitsName(e.verifyBits) : e.verifyType !== null ? verifyModeName(e.verifyType) : null;
}
