import { rawTable } from '../database/columns';

/**
 * Each punch's feed position (the id of the transaction that inserted it), read by the live stream; written
 * with SQL only, in the statement that stores the punch; created by migration 1763700001301.
 */
export const ATT_TRANSACTION_FEED = rawTable('att_transaction_feed', {
  transactionId: ['transaction_id', 'bigint'],
  xid: ['xid', 'bigint'],
  createdAt: ['created_at', 'timestamp with time zone'],
});
