import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OutboxEvent } from './push-payload';

export interface ClaimedDelivery {
  id: string;
  target_id: string;
  device_sn: string;
  attempts: number;
  event: OutboxEvent;
  url: string;
  secret: string | null;
}

export interface DeliveryGroup {
  target_id: string;
  device_sn: string;
}

export interface TargetDeliveryStats {
  target_id: string;
  pending: number;
  delivered: number;
  oldest_pending_at: Date | null;
  last_delivered_at: Date | null;
  retrying: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  last_status: number | null;
}

export interface OutboxRow {
  id: string;
  transaction_id: string;
  device_sn: string;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

/** Committed by transactions older than every running one: nothing can still be inserted before these rows. */
const SETTLED = `xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

/**
 * push_outbox, filled by the acc_transaction insert trigger (one row per event and enabled target). Each
 * (target, device) is a queue delivered strictly in (xid, id) order: only its head is ever claimed, with a
 * lease so that two gateway processes never send the same head at once.
 */
@Injectable()
export class PushOutboxRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** (target, device) queues whose head is due and not leased. */
  async findDueGroups(limit: number): Promise<DeliveryGroup[]> {
    return this.ds.query(
      `SELECT h.target_id, h.device_sn FROM (
         SELECT DISTINCT ON (o.target_id, o.device_sn) o.target_id, o.device_sn, o.next_attempt_at, o.lease_until
         FROM push_outbox o JOIN push_target t ON t.id = o.target_id AND t.enabled
         WHERE o.state = 'pending' AND o.${SETTLED}
         ORDER BY o.target_id, o.device_sn, o.xid, o.id
       ) h
       WHERE h.next_attempt_at <= now() AND (h.lease_until IS NULL OR h.lease_until < now())
       ORDER BY h.next_attempt_at LIMIT $1`,
      [limit],
    );
  }

  /** Leases the head of one queue when it is due; undefined when it is not (or another process has it). */
  /**
   * Leases the group's head delivery. The UPDATE checks the state again: its `head` was read with the statement's
   * snapshot, and when another process's worker delivers that row meanwhile (markDelivered clears the lease), the
   * UPDATE re-reads the row after that commit; without `state = 'pending'` it would lease a delivered row and push
   * the event a second time (seen with two processes under load).
   */
  async claimHead(g: DeliveryGroup, leaseMs: number): Promise<ClaimedDelivery | undefined> {
    const rows: ClaimedDelivery[] = await this.ds.query(
      `WITH head AS (
         SELECT id FROM push_outbox
         WHERE target_id = $1 AND device_sn = $2 AND state = 'pending' AND ${SETTLED}
         ORDER BY xid, id LIMIT 1
       ), claimed AS (
         UPDATE push_outbox o SET lease_until = now() + make_interval(secs => $3)
         FROM head WHERE o.id = head.id AND o.state = 'pending' AND o.next_attempt_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
         RETURNING o.id, o.target_id, o.device_sn, o.attempts, o.event
       )
       SELECT c.id::text AS id, c.target_id, c.device_sn, c.attempts, c.event, t.url, t.secret
       FROM claimed c JOIN push_target t ON t.id = c.target_id AND t.enabled`,
      [g.target_id, g.device_sn, leaseMs / 1000],
    );
    return rows[0];
  }

  async markDelivered(id: string, status: number): Promise<void> {
    await this.ds.query(
      `UPDATE push_outbox SET state = 'delivered', delivered_at = now(), attempts = attempts + 1, last_status = $2, last_error = NULL, lease_until = NULL WHERE id = $1`,
      [id, status],
    );
  }

  async markFailed(id: string, status: number | null, error: string, retryInMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE push_outbox SET attempts = attempts + 1, last_status = $2, last_error = $3, lease_until = NULL,
         next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
      [id, status, error.slice(0, 500), retryInMs / 1000],
    );
  }

  /** Every pending delivery of the target becomes due now. */
  async retryNow(targetId: string): Promise<number> {
    const [, n] = await this.ds.query(`UPDATE push_outbox SET next_attempt_at = now() WHERE target_id = $1 AND state = 'pending' AND next_attempt_at > now()`, [targetId]);
    return Number(n ?? 0);
  }

  async statsByTarget(targetIds: string[]): Promise<Map<string, TargetDeliveryStats>> {
    if (!targetIds.length) return new Map();
    const rows: TargetDeliveryStats[] = await this.ds.query(
      `SELECT t.id AS target_id,
         (SELECT count(*)::int FROM push_outbox o WHERE o.target_id = t.id AND o.state = 'pending') AS pending,
         (SELECT count(*)::int FROM push_outbox o WHERE o.target_id = t.id AND o.state = 'delivered') AS delivered,
         (SELECT min(created_at) FROM push_outbox o WHERE o.target_id = t.id AND o.state = 'pending') AS oldest_pending_at,
         (SELECT max(delivered_at) FROM push_outbox o WHERE o.target_id = t.id AND o.state = 'delivered') AS last_delivered_at,
         (SELECT count(*)::int FROM push_outbox o WHERE o.target_id = t.id AND o.state = 'pending' AND o.attempts > 0) AS retrying,
         (SELECT min(next_attempt_at) FROM push_outbox o WHERE o.target_id = t.id AND o.state = 'pending' AND o.attempts > 0) AS next_attempt_at,
         e.last_error, e.last_status
       FROM push_target t
       LEFT JOIN LATERAL (
         SELECT last_error, last_status FROM push_outbox o
         WHERE o.target_id = t.id AND o.state = 'pending' AND o.attempts > 0 ORDER BY o.next_attempt_at DESC LIMIT 1
       ) e ON true
       WHERE t.id = ANY($1)`,
      [targetIds],
    );
    return new Map(rows.map((r) => [r.target_id, r]));
  }

  async findByTarget(targetId: string, state: string | undefined, offset: number, limit: number): Promise<{ rows: OutboxRow[]; total: number }> {
    const params: unknown[] = [targetId];
    const stateSql = state ? `AND state = $${params.push(state)}` : '';
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM push_outbox WHERE target_id = $1 ${stateSql}`, params);
    const rows: OutboxRow[] = await this.ds.query(
      `SELECT id::text AS id, transaction_id::text AS transaction_id, device_sn, state, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at
       FROM push_outbox WHERE target_id = $1 ${stateSql} ORDER BY push_outbox.id DESC OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, offset, limit],
    );
    return { rows, total: n };
  }

  async pruneDelivered(olderThanDays: number): Promise<number> {
    const [, n] = await this.ds.query(
      `DELETE FROM push_outbox WHERE id IN (SELECT id FROM push_outbox WHERE state = 'delivered' AND delivered_at < now() - make_interval(days => $1) LIMIT 10000)`,
      [olderThanDays],
    );
    return Number(n ?? 0);
  }
}
