import { rawTable } from '../database/columns';

/** Access-event tables beside acc_transaction, written with SQL only; created by migration 1763700000400. */
export const TRANSACTION_MONITOR_CURSOR = rawTable('transaction_monitor_cursor', {
  clientId: ['client_id', 'character varying(64)'],
  timestamp: ['timestamp', 'bigint'],
  xid: ['xid', 'bigint'],
  transactionId: ['transaction_id', 'bigint'],
  startSnapshot: ['start_snapshot', 'character varying(4000)'],
  createdAt: ['created_at', 'timestamp with time zone'],
  polledAt: ['polled_at', 'timestamp with time zone'],
});

/** Each access event's feed position: the id of the transaction that inserted it (the monitor, the live stream). */
export const ACC_TRANSACTION_FEED = rawTable('acc_transaction_feed', {
  transactionId: ['transaction_id', 'bigint'],
  xid: ['xid', 'bigint'],
  createdAt: ['created_at', 'timestamp with time zone'],
});

/** Event counts per device and day, summed on read and compacted now and then. */
export const ACC_TRANSACTION_TALLY = rawTable('acc_transaction_tally', {
  id: ['id', 'bigint'],
  deviceSn: ['device_sn', 'character varying(64)'],
  day: ['day', 'date'],
  n: ['n', 'bigint'],
});
