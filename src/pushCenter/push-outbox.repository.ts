import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { FEED_XMIN } from '../database/feed-xmin';
import { DataSource } from 'typeorm';
import type { OutboxEvent } from './push-payload';
import { readSnapshot } from '../database/snapshot';
import { PROCESS_TAG } from '../database/process-tag';

export interface ClaimedDelivery {
  id: string;
  target_id: string;
  device_sn: string;
  attempts: number;
  event: OutboxEvent;
  url: string;
  secret: string | null;
}

/** How a leased run ended: what was delivered, the delivery that failed (at most one: the run stops there), what was not sent. */
export interface RunOutcome {
  delivered: Array<{ id: string; status: number }>;
  failed?: { id: string; status: number | null; error: string; retryInMs: number };
  unsent: string[];
}

/** How many rows each part of settleRun changed. */
export interface SettledCounts {
  delivered: number;
  failed: number;
  released: number;
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
  /** The event's module as queued (`event.module`): null for an access event, else att, ele or psg. */
  module: string | null;
  /** A punch's id as the attendance list shows it (md5 of its unique key, as punchColumns reads it); null otherwise. */
  punch_uid: string | null;
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
const SETTLED = `xid < ${FEED_XMIN}`;
/** A pending row whose lease is still held by the process the query parameter `param` ('$2') names (see settleRun). */
const heldBy = (param: string) => `state = 'pending' AND leased_by = ${param} AND lease_until IS NOT NULL`;

/**
 * push_outbox, filled by the acc_transaction insert trigger (one row per event and enabled target). Each
 * (target, device) is a queue delivered strictly in (xid, id) order: a run is leased from its head (with the
 * deliveries right behind it), so that two gateway processes never send the same delivery at once.
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

  /**
   * Leases a run: the group's head, when it is due and not leased, and with it up to `max - 1` pending deliveries
   * that follow it in (xid, id) order, in one statement; empty when the head is not claimable. Only the holder of
   * the head's lease ever leases the rows behind it, so a run never overlaps another process's run; a backed-off
   * head holds the whole queue (it is not due, so nothing is leased).
   *
   * The head's UPDATE checks the state again: `head` was read with the statement's snapshot, and when another
   * process's worker settles that row meanwhile (settleRun clears the lease), the UPDATE re-reads the row after
   * that commit; without `state = 'pending'` it would lease a delivered row and push the event a second time
   * (seen with two processes under load). The rows behind are re-checked the same way; the caller sends only the
   * unbroken prefix it got back (`pos` 1, 2, 3 …).
   */
  async claimRun(g: DeliveryGroup, leaseMs: number, max: number): Promise<ClaimedDelivery[]> {
    const rows: Array<ClaimedDelivery & { pos: number }> = await this.ds.query(
      `WITH head AS (
         SELECT id FROM push_outbox
         WHERE target_id = $1 AND device_sn = $2 AND state = 'pending' AND ${SETTLED}
         ORDER BY xid, id LIMIT 1
       ), claimed_head AS (
         UPDATE push_outbox o SET lease_until = now() + make_interval(secs => $3), leased_by = $5
         FROM head WHERE o.id = head.id AND o.state = 'pending' AND o.next_attempt_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
         RETURNING o.id, o.xid
       ), behind AS (
         SELECT p.id, row_number() OVER (ORDER BY p.xid, p.id) + 1 AS pos
         FROM (SELECT p.id, p.xid FROM push_outbox p, claimed_head h
               WHERE p.target_id = $1 AND p.device_sn = $2 AND p.state = 'pending' AND p.${SETTLED} AND (p.xid, p.id) > (h.xid, h.id)
               ORDER BY p.xid, p.id LIMIT $4) p
       ), claimed_behind AS (
         UPDATE push_outbox o SET lease_until = now() + make_interval(secs => $3), leased_by = $5
         FROM behind WHERE o.id = behind.id AND o.state = 'pending' AND (o.lease_until IS NULL OR o.lease_until < now())
         RETURNING o.id, behind.pos
       ), claimed AS (
         SELECT id, 1::bigint AS pos FROM claimed_head UNION ALL SELECT id, pos FROM claimed_behind
       )
       SELECT o.id::text AS id, o.target_id, o.device_sn, o.attempts, o.event, t.url, t.secret, c.pos::int AS pos
       FROM claimed c JOIN push_outbox o ON o.id = c.id JOIN push_target t ON t.id = o.target_id AND t.enabled
       ORDER BY c.pos`,
      [g.target_id, g.device_sn, leaseMs / 1000, Math.max(0, max - 1), PROCESS_TAG],
    );
    const gap = rows.findIndex((r, i) => r.pos !== i + 1);
    if (gap < 0) return rows.map(({ pos: _pos, ...d }) => d);
    // A row behind the head was leased by someone else (only after an expired lease): ours past it go back unsent.
    await this.ds.query(`UPDATE push_outbox SET lease_until = NULL WHERE id = ANY($1::bigint[]) AND ${heldBy('$2')}`, [rows.slice(gap).map((r) => r.id), PROCESS_TAG]);
    return rows.slice(0, gap).map(({ pos: _pos, ...d }) => d);
  }

  /**
   * Settles a run in one statement: the deliveries sent with a 2xx answer become delivered, the one that failed
   * (if any) is scheduled again after `retryInMs` (it stays the head, so the rest wait behind it), and the leases
   * of the rest are released unsent. The row sets are disjoint, as one statement may change a row only once.
   *
   * Each part touches only rows this process may still settle, so that a process that stalled past its lease (a GC
   * pause, a database stall, or its leases released as those of a process gone) never undoes the run of the process
   * that leased the queue after it. Were it to clear that lease or reschedule that head, a third pass could lease the
   * same deliveries while their holder still sends them: two senders on one queue, its order broken.
   * - failed and released: only while the lease is still ours (leased_by is this process and the lease was not
   *   released; an expired lease no one took over is still ours, since a claim and this statement lock the row in turn).
   * - delivered: a 2xx answer is recorded unless another process holds a live lease on the row. That process is
   *   sending it again, and recording it would move the queue's head past its run while that run is still out: the
   *   next pending delivery could be leased and sent before (or while) the holder sends this one. Left to the holder,
   *   the event is sent once more and recorded by it (at-least-once; the receiver deduplicates on x-gateway-delivery),
   *   and the queue keeps one sender and its order. With no live lease of another process on it (ours, released,
   *   expired) no one else sends it, so the answer it got is recorded and the queue moves on.
   * Says how many rows each part settled: fewer than asked means the rest were taken over.
   */
  async settleRun(run: RunOutcome): Promise<SettledCounts> {
    const f = run.failed;
    const [counts]: SettledCounts[] = await this.ds.query(
      `WITH ok AS (
         UPDATE push_outbox o SET state = 'delivered', delivered_at = now(), attempts = attempts + 1, last_status = s.status, last_error = NULL, lease_until = NULL
         FROM unnest($1::bigint[], $2::int[]) AS s(id, status)
         WHERE o.id = s.id AND o.state = 'pending' AND (o.leased_by = $8 OR o.lease_until IS NULL OR o.lease_until < now()) RETURNING 1
       ), failed AS (
         UPDATE push_outbox SET attempts = attempts + 1, last_status = $4, last_error = $5, lease_until = NULL,
           next_attempt_at = now() + make_interval(secs => $6) WHERE id = $3 AND ${heldBy('$8')} RETURNING 1
       ), released AS (
         UPDATE push_outbox SET lease_until = NULL WHERE id = ANY($7::bigint[]) AND ${heldBy('$8')} RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM ok) AS delivered, (SELECT count(*)::int FROM failed) AS failed, (SELECT count(*)::int FROM released) AS released`,
      [
        run.delivered.map((d) => d.id),
        run.delivered.map((d) => d.status),
        f?.id ?? null,
        f?.status ?? null,
        f ? f.error.slice(0, 500) : null,
        f ? f.retryInMs / 1000 : 0,
        run.unsent,
        PROCESS_TAG,
      ],
    );
    return counts;
  }

  /**
   * The processes other than this one holding a lease that has not expired ('' for a lease taken before leased_by
   * existed: by a process of an older version, all of which stopped before this one started).
   */
  async otherLeaseHolders(): Promise<string[]> {
    const rows: Array<{ tag: string }> = await this.ds.query(
      `SELECT DISTINCT coalesce(leased_by, '') AS tag FROM push_outbox
       WHERE lease_until IS NOT NULL AND state = 'pending' AND lease_until >= now() AND leased_by IS DISTINCT FROM $1`,
      [PROCESS_TAG],
    );
    return rows.map((r) => r.tag);
  }

  /** Of `tags`, those under which PostgreSQL lists no connection (process-tag.ts): processes that are gone. */
  async withoutConnection(tags: string[]): Promise<string[]> {
    const rows: Array<{ tag: string }> = await this.ds.query(`SELECT DISTINCT application_name AS tag FROM pg_stat_activity WHERE application_name = ANY($1::text[])`, [tags]);
    const alive = new Set(rows.map((r) => r.tag));
    return tags.filter((t) => !alive.has(t));
  }

  /** Releases the leases held by the processes `tags` (gone): their runs are sent again from the queue's head. */
  async releaseLeasesOf(tags: string[]): Promise<number> {
    const [, n] = await this.ds.query(
      `UPDATE push_outbox SET lease_until = NULL WHERE lease_until IS NOT NULL AND state = 'pending' AND coalesce(leased_by, '') = ANY($1::text[])`,
      [tags],
    );
    return Number(n ?? 0);
  }

  /** Every pending delivery of the target becomes due now. */
  async retryNow(targetId: string): Promise<number> {
    const [, n] = await this.ds.query(`UPDATE push_outbox SET next_attempt_at = now() WHERE target_id = $1 AND state = 'pending' AND next_attempt_at > now()`, [targetId]);
    return Number(n ?? 0);
  }

  /** Whether any target is enabled (events are only queued for enabled targets). */
  async anyEnabledTarget(): Promise<boolean> {
    const [{ found }] = await this.ds.query(`SELECT EXISTS (SELECT 1 FROM push_target WHERE enabled) AS found`);
    return found === true;
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
    // The count and the page in one snapshot: events queued or delivered between them (the worker runs all the
    // while) would answer a total that does not match the page.
    return readSnapshot(this.ds, async (m) => {
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM push_outbox WHERE target_id = $1 ${stateSql}`, params);
      const rows: OutboxRow[] = await m.query(
        `SELECT id::text AS id, transaction_id::text AS transaction_id, event->>'module' AS module,
                CASE WHEN event->>'module' = 'att' THEN md5(event->>'unique_key') END AS punch_uid, device_sn, state, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at
         FROM push_outbox WHERE target_id = $1 ${stateSql} ORDER BY push_outbox.id DESC OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
        [...params, offset, limit],
      );
      return { rows, total: n as number };
    });
  }

  async pruneDelivered(olderThanDays: number): Promise<number> {
    const [, n] = await this.ds.query(
      `DELETE FROM push_outbox WHERE id IN (SELECT id FROM push_outbox WHERE state = 'delivered' AND delivered_at < now() - make_interval(days => $1) LIMIT 10000)`,
      [olderThanDays],
    );
    return Number(n ?? 0);
  }
}
