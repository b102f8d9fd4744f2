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
  handedXid: ['handed_xid', 'bigint'],
  handedId: ['handed_id', 'bigint'],
  handedBy: ['handed_by', 'character varying(100)'],
});

/**
 * Event counts per device and day: delta rows (one per device and day per insert statement, negative ones from
 * the delete trigger) since the last compaction, which moves them into ACC_TRANSACTION_TALLY_DAY and
 * ACC_TRANSACTION_TALLY_TOTAL (migration 1764905000000). No key: nothing reads a row by itself.
 */
export const ACC_TRANSACTION_TALLY = rawTable('acc_transaction_tally', {
  deviceSn: ['device_sn', 'character varying(64)'],
  day: ['day', 'date'],
  n: ['n', 'bigint'],
});

/** The compacted counts per UTC day and device: the tally's deltas summed in by each compaction. */
export const ACC_TRANSACTION_TALLY_DAY = rawTable('acc_transaction_tally_day', {
  day: ['day', 'date'],
  deviceSn: ['device_sn', 'character varying(64)'],
  n: ['n', 'bigint'],
});

/** The compacted counts per device (all days): what the totals without a time range read, one row per device. */
export const ACC_TRANSACTION_TALLY_TOTAL = rawTable('acc_transaction_tally_total', {
  deviceSn: ['device_sn', 'character varying(64)'],
  n: ['n', 'bigint'],
});
