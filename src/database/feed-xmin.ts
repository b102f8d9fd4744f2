/**
 * The feeds' horizon in SQL (migration 1763700011700 says why it is not the snapshot's xmin): events stored by a
 * transaction whose xid lies below it are settled, and nothing can appear below it any more. Wrapped in a
 * sub-select so that it runs once per statement.
 */
export const FEED_XMIN = '(SELECT feed_xmin())';
