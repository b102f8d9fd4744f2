import type { EntityManager } from 'typeorm';
import { lockKeys } from '../database/advisory-locks';
/**
 * A card number in the one case it is stored and sent in: a hexadecimal number's letters in upper case, as the
 * panels write them (`CardNo=DF349C3BEA5277ED`, mulcarduser's hex) and as readers print them. `1a2b` and `1A2B`
 * are one card: stored apart, they were two cards for two persons, and a look-up by the other spelling missed.
 * Decimal numbers have no letters and are unchanged.
 */
export const canonicalCardNo = (cardNo: string): string => cardNo.toUpperCase();

/**
 * The number a card number stands for, as a reader and a panel read it: leading zeros do not count, so "026802"
 * and "26802" are one card (a panel given both would hold one card for two users), and neither does the case of a
 * hexadecimal one's letters (canonicalCardNo). Card numbers are stored as written, in canonical case; uniqueness is
 * checked on this value (indexes on `upper(ltrim(card_no, '0'))`, migration 1764100004000), so that a number
 * stored before in another case is still the same card.
 */
export const cardValue = (cardNo: string): string => canonicalCardNo(cardNo.replace(/^0+/, ''));

/** cardValue in SQL, on a column: the expression the card indexes are built on. */
export const cardValueSql = (column: string): string => `upper(ltrim(${column}, '0'))`;

/** Class id of the per-card write lock: `pg_advisory_xact_lock(CARD_LOCK, hashtext(cardValue))`. */
const CARD_LOCK = 0x43415244;

/**
 * Takes the write locks of these card numbers (by the number they stand for) until the transaction ends, in one
 * sorted order so that two writers never wait on each other in a cycle. A writer checks that a card is free and
 * then inserts it; without the lock, two concurrent writers both find it free and both store it (two persons,
 * or a person and a visitor, holding one card). With it the second one waits, then reads the first one's card
 * (READ COMMITTED: each statement sees what committed before it) and answers -23 as a sequential duplicate does.
 */
export function lockCardValues(m: EntityManager, cardNos: readonly string[]): Promise<void> {
  return lockKeys(m, CARD_LOCK, cardNos.map(cardValue).filter((v) => v !== ''));
}
