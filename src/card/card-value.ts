/**
 * The number a card number stands for, as a reader and a panel read it: leading zeros do not count, so "026802"
 * and "26802" are one card (a panel given both would hold one card for two users). Card numbers are stored as
 * written; uniqueness is checked on this value (indexes on `ltrim(card_no, '0')`, migration 1763700004100).
 */
export const cardValue = (cardNo: string): string => cardNo.replace(/^0+/, '');

/** cardValue in SQL, on a column: the expression the card indexes are built on. */
export const cardValueSql = (column: string): string => `ltrim(${column}, '0')`;
