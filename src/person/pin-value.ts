import type { EntityManager } from 'typeorm';
import { lockKeys } from '../database/advisory-locks';

/**
 * The number a digit pin stands for on a panel or terminal that keeps numeric PINs (StringPinFunOn off, the
 * default): leading zeros do not count, so "0412" and "412" are one device user. Given to two persons, the
 * devices held one user for both (the second write replaced the first one's name, cards and rights, deleting
 * either deleted both) and their events came back under one pin. Null for a pin with letters or other signs,
 * which only string-PIN devices take and keep as written.
 */
export function pinValue(pin: string): string | null {
  return /^[0-9]+$/.test(pin) ? pin.replace(/^0+/, '') : null;
}

/** pinValue in SQL, on a column known to hold digits only: the expression ix_person_pin_value is built on. */
export const pinValueSql = (column: string): string => `ltrim(${column}, '0')`;

/** Class id of the per-number write lock: `pg_advisory_xact_lock(PIN_VALUE_LOCK, hashtext(pinValue))`. */
const PIN_VALUE_LOCK = 0x50494e56;

/**
 * Takes the write locks of these pin numbers until the transaction ends (one sorted order, lockKeys): two writers
 * adding "0412" and "412" at once would both find the number free; with the lock the second waits, then reads
 * the first one's person and is refused as a sequential write is.
 */
export function lockPinValues(m: EntityManager, numbers: readonly string[]): Promise<void> {
  return lockKeys(m, PIN_VALUE_LOCK, numbers);
}
