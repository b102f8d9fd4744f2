import { Inject, Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import type { V2PageDocs } from '../common/envelope';
import { v2Page, type Page, type V2Page } from '../common/paging';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { insertOf } from '../database/columns';
import { toV1Item, TransactionV1ItemDto } from '../transaction/dto/transaction-response.dto';
import { TRANSACTION_COLUMNS, type TransactionRow } from '../transaction/transaction.repository';
import type { ModuleKind } from '../sync/module-rights';
import { MODULE_MONITOR_CURSOR } from './module-tables';
import { NEVER_GONE, type ClientGoneCheck } from '../transaction/client-gone.decorator';
import { CREATED_MS, CURSOR_IDLE_MS } from '../transaction/monitor-start';
import { boundCursors, feedAfterSql, HANDED_COLUMNS, handing, MAX_EVENT_ID, pollMonitor, type FeedStart, type MonitorCursorStore, type MonitorFeed } from '../transaction/monitor-poll';
import { readSnapshot } from '../database/snapshot';
import { FEED_XMIN } from '../database/feed-xmin';

/** A client's monitor cursor, started at a feed position; a concurrent first poll's cursor wins. */
const START_CURSOR = `INSERT INTO ${insertOf(MODULE_MONITOR_CURSOR, ['clientId', 'module', 'timestamp', 'xid', 'transactionId', 'startSnapshot'])} ON CONFLICT DO NOTHING`;

/** A module_transaction row: the acc_transaction columns plus the channel controller's gate type. */
export interface ModuleTransactionRow extends TransactionRow {
  gate_type: number | null;
  feed_xid?: string;
}

export interface ModuleTransactionFilter {
  pin?: string;
  deviceSn?: string;
  from?: Date;
  to?: Date;
  /** Events stored up to this id only: an export ends where it started, so events arriving meanwhile neither repeat nor push rows out. */
  maxId?: string;
}

/** The v2 pages of 2.19.2 and 2.34.5-2.34.7, as their examples show them: `page` is pageNo (1 for the first). */
export const moduleTransactionPageDocs: V2PageDocs = {
  page: { example: 1, description: 'pageNo (the first page is 1 here, as the examples of 2.19.2 and 2.34.5-2.34.7 show)' },
  offset: { example: 0, description: '(pageNo - 1) * pageSize' },
};

/** The entrance-control item (2.34): the v1 item plus the event code and the gate type. */
export class PsgTransactionItemDto extends TransactionV1ItemDto {
  @ApiProperty({ example: 110 }) eventNo!: number;
  @ApiProperty({ example: 0, description: '0 unknown, 1 tripod turnstile, 2 flap barrier, 3 swing barrier (PassWayType of the controller)' }) gateType!: number;
}

/** The entrance-control monitor item (2.34.3): every list field, id null (as the manual's example). */
export class PsgMonitorItemDto extends PsgTransactionItemDto {}

const COLUMNS = [...TRANSACTION_COLUMNS, 'gate_type'].map((c) => `t.${c}`).join(', ');

/**
 * The API id of an elevator or channel-controller event. Module events are numbered apart from access events,
 * so their plain ids repeat the access transactions' ids ("…0001" in both feeds); the module is set in the id's
 * first hex digit (1 elevator, 2 entrance control), so a client that merges the feeds and dedupes by id keeps
 * every event.
 */
export function moduleTransactionIdToApi(module: ModuleKind, id: string | number | bigint): string {
  return ((BigInt(module === 'ele' ? 1 : 2) << 124n) | BigInt(id)).toString(16).padStart(32, '0');
}

/** The elevator item (2.19.1) of a stored elevator-controller event. */
export function toEleItem(r: ModuleTransactionRow, timeZone: string): TransactionV1ItemDto {
  return { ...toV1Item(r, timeZone), id: moduleTransactionIdToApi('ele', r.id) };
}

/** The entrance-control item of a stored channel-controller event. */
export function toPsgItem(r: ModuleTransactionRow, timeZone: string): PsgTransactionItemDto {
  const { accZone: _drop, ...item } = toV1Item(r, timeZone);
  void _drop;
  return { ...item, id: moduleTransactionIdToApi('psg', r.id), eventNo: r.event_no, gateType: r.gate_type ?? 0 };
}

/**
 * Elevator and channel-controller events after a feed position (xid, id), in commit order, below the
 * feed's horizon, FEED_XMIN (so an event of a transaction committing late is not skipped): the live stream's reader.
 * Each is the list item of its module (2.19.1 or 2.34.2) with `module` and its position.
 */
export async function moduleEventsAfter(
  m: DataSource,
  xid: string,
  id: string,
  limit: number,
  timeZone: string,
): Promise<ModuleFeedEvent[]> {
  const rows: LiveModuleRow[] = await m.query(
    `SELECT t.module, t.xid::text AS feed_xid, ${COLUMNS} FROM module_transaction t
      WHERE t.module IN ('ele', 'psg') AND (t.xid, t.id) > ($1::bigint, $2::bigint) AND t.xid < ${FEED_XMIN}
      ORDER BY t.xid, t.id LIMIT $3`,
    [xid, id, limit],
  );
  return toModuleFeedEvents(rows, timeZone);
}

/** The newest `limit` elevator and channel-controller events of the feed, newest first (a live list's start). */
export async function moduleEventsLatest(m: DataSource, limit: number, timeZone: string): Promise<ModuleFeedEvent[]> {
  const rows: LiveModuleRow[] = await m.query(
    `SELECT t.module, t.xid::text AS feed_xid, ${COLUMNS} FROM module_transaction t
      WHERE t.module IN ('ele', 'psg') AND t.xid < ${FEED_XMIN}
      ORDER BY t.xid DESC, t.id DESC LIMIT $1`,
    [limit],
  );
  return toModuleFeedEvents(rows, timeZone);
}

type LiveModuleRow = ModuleTransactionRow & { module: ModuleKind; feed_xid: string };
export type ModuleFeedEvent = { xid: string; id: string; item: (TransactionV1ItemDto | PsgTransactionItemDto) & { module: ModuleKind } };

function toModuleFeedEvents(rows: LiveModuleRow[], timeZone: string): ModuleFeedEvent[] {
  return rows.map((r) => ({
    xid: r.feed_xid,
    id: String(r.id),
    item: { ...(r.module === 'psg' ? toPsgItem(r, timeZone) : toEleItem(r, timeZone)), module: r.module },
  }));
}

/** Events per monitor poll; the rest come with the next poll. */
const MONITOR_BATCH = 1000;
/** Polls finding only events held back by a running transaction wait for it this often (100 ms each) at most. */
const HELD_BACK_WAITS = 20;

/**
 * Reads of elevator and channel-controller events (module_transaction), newest first, each list one range
 * scan of a (module, …, event_time) index; and the psgTransaction monitor, a cursor per (API client,
 * timestamp) over (inserting transaction id, event id) positions like the access monitor, so an event whose
 * transaction commits late is still handed out exactly once.
 */
@Injectable()
export class ModuleTransactionService {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private where(module: ModuleKind, f: ModuleTransactionFilter, params: unknown[]): string {
    const parts = [`t.module = $${params.push(module)}`];
    if (f.pin !== undefined) parts.push(`t.pin = $${params.push(f.pin)}`);
    if (f.deviceSn !== undefined) parts.push(`t.device_sn = $${params.push(f.deviceSn)}`);
    if (f.from) parts.push(`t.event_time >= $${params.push(f.from)}`);
    if (f.to) parts.push(`t.event_time < $${params.push(f.to)}`);
    if (f.maxId !== undefined) parts.push(`t.id <= $${params.push(f.maxId)}`);
    return parts.join(' AND ');
  }

  async findPage(module: ModuleKind, f: ModuleTransactionFilter, page: Page, m: EntityManager | DataSource = this.ds): Promise<ModuleTransactionRow[]> {
    const params: unknown[] = [];
    const w = this.where(module, f, params);
    return m.query(
      `SELECT ${COLUMNS} FROM module_transaction t WHERE ${w} ORDER BY t.event_time DESC, t.id DESC OFFSET $${params.push(page.offset)} LIMIT $${params.push(page.pageSize)}`,
      params,
    );
  }

  async count(module: ModuleKind, f: ModuleTransactionFilter, m: EntityManager | DataSource = this.ds): Promise<number> {
    const params: unknown[] = [];
    const [{ n }] = await m.query(`SELECT count(*)::bigint AS n FROM module_transaction t WHERE ${this.where(module, f, params)}`, params);
    return Number(n);
  }

  /** A page of the module's events as its list answers them (the console's exports read them in batches). */
  async items(module: ModuleKind, f: ModuleTransactionFilter, page: Page): Promise<TransactionV1ItemDto[]> {
    return (await this.findPage(module, f, page)).map((r) => (module === 'psg' ? this.toPsgItem(r) : toEleItem(r, this.config.timeZone)));
  }

  /** The id of the module's newest stored event ('0' when none): where an export ends. */
  async lastId(module: ModuleKind): Promise<string> {
    const [{ id }] = await this.ds.query(`SELECT coalesce(max(id), 0)::text AS id FROM module_transaction WHERE module = $1`, [module]);
    return id;
  }

  /** A page and the total it is answered with, from one snapshot (src/database/snapshot.ts says why). */
  private pageAndCount(module: ModuleKind, f: ModuleTransactionFilter, page: Page): Promise<{ rows: ModuleTransactionRow[]; total: number }> {
    return readSnapshot(this.ds, async (m) => ({ rows: await this.findPage(module, f, page, m), total: await this.count(module, f, m) }));
  }

  /** 2.19.1: the v1 item, as the manual's example (accZone null). */
  async listEle(f: ModuleTransactionFilter, page: Page): Promise<TransactionV1ItemDto[]> {
    return (await this.findPage('ele', f, page)).map((r) => toEleItem(r, this.config.timeZone));
  }

  /** 2.19.2: its example counts `page` from 1 (unlike the access lists). */
  async listEleV2(f: ModuleTransactionFilter, page: Page): Promise<V2Page<TransactionV1ItemDto>> {
    const { rows, total } = await this.pageAndCount('ele', f, page);
    return v2Page(rows.map((r) => toEleItem(r, this.config.timeZone)), total, page, 1);
  }

  toPsgItem(r: ModuleTransactionRow): PsgTransactionItemDto {
    return toPsgItem(r, this.config.timeZone);
  }

  async listPsg(f: ModuleTransactionFilter, page: Page): Promise<PsgTransactionItemDto[]> {
    return (await this.findPage('psg', f, page)).map((r) => this.toPsgItem(r));
  }

  /** 2.34.5-2.34.7: their examples count `page` from 1 (unlike the access lists). */
  async listPsgV2(f: ModuleTransactionFilter, page: Page): Promise<V2Page<PsgTransactionItemDto>> {
    const { rows, total } = await this.pageAndCount('psg', f, page);
    return v2Page(rows.map((r) => this.toPsgItem(r)), total, page, 1);
  }

  /**
   * 2.34.3: a cursor per (API client, module, timestamp) over the module's events, by
   * the same machinery as the access monitor (monitor-poll.ts); each item as the list's, id null (as the
   * manual's example).
   */
  monitor(clientId: string, module: ModuleKind, timestamp: number, gone: ClientGoneCheck = NEVER_GONE): Promise<PsgMonitorItemDto[]> {
    return pollMonitor(this.ds, moduleCursor(this.ds, clientId, module, timestamp), moduleFeed(module), {
      timestamp,
      lookbackSeconds: this.config.monitorLookbackSeconds,
      limit: MONITOR_BATCH,
      heldBackWaits: HELD_BACK_WAITS,
      select: async (_m, rows) => rows.map((r) => ({ ...this.toPsgItem(r), id: null as unknown as string })),
      gone,
    });
  }
}


type ModuleFeedRow = ModuleTransactionRow & { feed_xid: string };

/** One module's events (module_transaction) by feed position. */
function moduleFeed(module: ModuleKind): MonitorFeed<ModuleFeedRow> {
  const after = (xid: string, id: string, skip: FeedStart) => {
    const { where, params } = feedAfterSql(xid, id, skip);
    return { where: `t.module = $${params.push(module)} AND ${where}`, params };
  };
  return {
    after: (m, xid, id, limit, skip) => {
      const { where, params } = after(xid, id, skip);
      return m.query(
        `SELECT t.xid::text AS feed_xid, ${COLUMNS} FROM module_transaction t
          WHERE ${where} AND t.xid < ${FEED_XMIN}
          ORDER BY t.xid, t.id LIMIT $${params.push(limit)}`,
        params,
      );
    },
    heldBack: async (m, xid, id, skip) => {
      const { where, params } = after(xid, id, skip);
      const [{ held }] = await m.query(
        `SELECT EXISTS (SELECT 1 FROM module_transaction t WHERE ${where} AND t.xid >= ${FEED_XMIN}) AS held`,
        params,
      );
      return held === true;
    },
    positionAt: async (m, at) => {
      const [row] = await m.query(
        `SELECT LEAST((SELECT min(xid) FROM module_transaction WHERE module = $1 AND created_at >= $2),
                      ${FEED_XMIN}) AS xid, pg_current_snapshot()::text AS snapshot`,
        [module, at],
      );
      return { xid: String(BigInt(row.xid) - 1n), id: MAX_EVENT_ID, snapshot: row.snapshot };
    },
  };
}

/** The cursor of one (API client, module, timestamp) in module_monitor_cursor. */
function moduleCursor(ds: DataSource, clientId: string, module: ModuleKind, timestamp: number): MonitorCursorStore {
  const key = [clientId, module, timestamp];
  return {
    lock: async (m) =>
      (
        await m.query(
          `SELECT xid::text AS xid, transaction_id::text AS transaction_id, start_snapshot, ${CREATED_MS}, ${HANDED_COLUMNS} FROM module_monitor_cursor WHERE client_id = $1 AND module = $2 AND timestamp = $3 FOR UPDATE`,
          key,
        )
      )[0],
    create: async (m, start) => {
      // A new cursor is the moment to drop those nobody polled for CURSOR_IDLE_MS (clients that moved on).
      await m.query(`DELETE FROM module_monitor_cursor WHERE polled_at < now() - make_interval(secs => $1)`, [CURSOR_IDLE_MS / 1000]);
      await m.query(START_CURSOR, [...key, start.xid, start.id, start.snapshot]);
      await boundCursors(m, 'module_monitor_cursor', { client_id: clientId, module }, timestamp);
    },
    move: async (m, xid, id) => {
      await m.query(`UPDATE module_monitor_cursor SET xid = $4, transaction_id = $5, polled_at = now() WHERE client_id = $1 AND module = $2 AND timestamp = $3`, [...key, xid, id]);
    },
    ...handing(ds, 'module_monitor_cursor', ['client_id', 'module', 'timestamp'], key),
  };
}
