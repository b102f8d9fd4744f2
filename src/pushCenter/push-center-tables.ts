import { intoOf, rawTable } from '../database/columns';

/**
 * The Push Center outbox, written with SQL only (by the statements that store events, in the same statement);
 * created by migration 1763700000400.
 */
export const PUSH_OUTBOX = rawTable('push_outbox', {
  id: ['id', 'bigint'],
  targetId: ['target_id', 'character(32)'],
  transactionId: ['transaction_id', 'bigint'],
  deviceSn: ['device_sn', 'character varying(64)'],
  xid: ['xid', 'bigint'],
  event: ['event', 'jsonb'],
  state: ['state', 'character varying(16)'],
  attempts: ['attempts', 'integer'],
  nextAttemptAt: ['next_attempt_at', 'timestamp with time zone'],
  leaseUntil: ['lease_until', 'timestamp with time zone'],
  lastStatus: ['last_status', 'integer'],
  lastError: ['last_error', 'character varying(500)'],
  createdAt: ['created_at', 'timestamp with time zone'],
  deliveredAt: ['delivered_at', 'timestamp with time zone'],
});

/** `push_outbox (…)` of an event's outbox rows: the target, the event's id, SN, feed position and JSON, in this order. */
export const OUTBOX_INTO = intoOf(PUSH_OUTBOX, ['targetId', 'transactionId', 'deviceSn', 'xid', 'event']);
