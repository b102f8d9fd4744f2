import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { toV2Item } from '../transaction/dto/transaction-response.dto';
import { TransactionRepository } from '../transaction/transaction.repository';
import { punchColumns, toAttItem, type AttItemRow } from '../attendance/att-transaction.service';
import { moduleEventsAfter, moduleEventsLatest } from '../elevator/module-transaction.service';
import { FEED_XMIN } from '../database/feed-xmin';
import { DeviceStatusService } from '../push/device-status.service';

export type StreamEventType = 'transaction' | 'doorState' | 'punch' | 'moduleTransaction' | 'deviceState';

export interface StreamSink {
  send(event: StreamEventType, data: unknown, id?: string): void;
  close(): void;
}

interface Subscriber {
  sink: StreamSink;
  types: Set<StreamEventType>;
  /** Feed position of the last transaction sent: (xid, id). */
  xid: string;
  id: string;
  /** Feed position of the last punch sent (att_transaction_feed). */
  punchXid: string;
  punchId: string;
  /** Feed position of the last elevator or channel-controller event sent (module_transaction). */
  moduleXid: string;
  moduleId: string;
}

export interface DoorStateEvent {
  doorId: string;
  doorName: string;
  doorNo: number;
  devSn: string | null;
  sensor: 'none' | 'closed' | 'open' | 'unknown' | null;
  relay: number | null;
  alarm: string | null;
  time: string | null;
}

/**
 * A device's connection as the console's dashboard counts it (DeviceService.toDetails): `online`/`offline` for an
 * admitted device (DeviceStatusService.isOnline, the same window), else its admission (`pending`, `disabled`).
 */
export interface DeviceStateEvent {
  sn: string;
  alias: string;
  kind: string;
  state: 'online' | 'offline' | 'pending' | 'disabled';
  /** Its last contact, in the site's zone. */
  lastSeen: string | null;
  /** When the gateway saw the change (a device going offline sends nothing: its polls just stop). */
  time: string | null;
}

const POLL_MS = 500;
/** Devices' connections are worked out at most this often: a device table read, not a feed. */
const DEVICE_CHECK_MS = 2000;
const BATCH = 500;
const SENSOR = ['none', 'closed', 'open', 'unknown'] as const;

type FeedPosition = { xid: string; id: string };

/**
 * An event's SSE id: its own feed's position first (`t:` access events, `p:` punches, `m:` elevator and
 * channel-controller events, each `<xid>:<id>`), then the subscriber's position in every other feed it
 * receives, comma-separated (`p:<xid>:<id>,t:<xid>:<id>,m:<xid>:<id>`). A browser's EventSource sends back
 * only the last id it received; were that the punch feed's alone, a client reconnecting after a punch would
 * restart the access feed at "now" and never get the access events stored while it was away.
 */
function streamId(own: 't' | 'p' | 'm' | undefined, sub: Omit<Subscriber, 'sink'>): string {
  const parts: string[] = [];
  const add = (feed: 't' | 'p' | 'm', type: StreamEventType, p: FeedPosition) => {
    if (feed === own) parts.unshift(`${feed}:${p.xid}:${p.id}`);
    else if (sub.types.has(type)) parts.push(`${feed}:${p.xid}:${p.id}`);
  };
  add('t', 'transaction', { xid: sub.xid, id: sub.id });
  add('p', 'punch', { xid: sub.punchXid, id: sub.punchId });
  add('m', 'moduleTransaction', { xid: sub.moduleXid, id: sub.moduleId });
  return parts.join(',');
}

/** One feed's position from a Last-Event-ID (streamId's form, or one part alone as ids were before). */
function feedPart(feed: 't' | 'p' | 'm', text: string | undefined): FeedPosition | undefined {
  for (const part of (text ?? '').split(',')) {
    const m = /^([tpm]):(\d{1,19}):(\d{1,19})$/.exec(part.trim());
    if (m && m[1] === feed) return { xid: m[2], id: m[3] };
  }
  return undefined;
}

/** The access feed's position in a Last-Event-ID. */
export function parseStreamId(text: string | undefined): FeedPosition | undefined {
  return feedPart('t', text);
}

/** The punch feed's position in a Last-Event-ID. */
export function parsePunchStreamId(text: string | undefined): FeedPosition | undefined {
  return feedPart('p', text);
}

/** The elevator and channel-controller feed's position in a Last-Event-ID. */
export function parseModuleStreamId(text: string | undefined): FeedPosition | undefined {
  return feedPart('m', text);
}

/**
 * Server-Sent Events for dashboards (attendance punches too, as `punch` events with `module: "att"`; elevator
 * and channel-controller events as `moduleTransaction` events with `module: "ele"` or `"psg"`; access events
 * carry `module: "acc"`): every access event (the v2 item, in commit order, from the same
 * (xid, id) feed as the monitor, so none is skipped or repeated; a client that reconnects with
 * Last-Event-ID resumes where it was) and every door state change (sensor, relay, alarm; the current state
 * of all doors when a client connects). One poll loop runs while anyone listens.
 */
@Injectable()
export class LiveStreamService implements OnModuleDestroy {
  private readonly logger = new Logger('LiveStream');
  private readonly subscribers = new Set<Subscriber>();
  private readonly doorStates = new Map<string, string>();
  /** Each device's last state sent (DeviceStateEvent.state), the baseline read by the first check. */
  private readonly deviceStates = new Map<string, DeviceStateEvent['state']>();
  private deviceCheckedAt = 0;
  /** Whether deviceStates holds a baseline (it may hold no device: the first device to appear is then a change). */
  private deviceBaseline = false;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly transactions: TransactionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deviceStatus: DeviceStatusService,
  ) {}

  /**
   * The position after everything committed so far in every feed of `types`, as a Last-Event-ID (streamId's form,
   * with no event's own feed first): a client that opens the stream with it later gets every event stored from
   * now on, however long its stream takes to open.
   */
  async positionNow(types: Set<StreamEventType>): Promise<string> {
    const now = await this.transactions.feedPositionNow(this.ds);
    return streamId(undefined, { types, ...now, punchXid: now.xid, punchId: now.id, moduleXid: now.xid, moduleId: now.id });
  }

  async subscribe(sink: StreamSink, types: Set<StreamEventType>, lastEventId?: string): Promise<() => void> {
    const now = await this.transactions.feedPositionNow(this.ds);
    const from = parseStreamId(lastEventId) ?? now;
    const punchFrom = parsePunchStreamId(lastEventId) ?? now;
    const moduleFrom = parseModuleStreamId(lastEventId) ?? now;
    const sub: Subscriber = { sink, types, ...from, punchXid: punchFrom.xid, punchId: punchFrom.id, moduleXid: moduleFrom.xid, moduleId: moduleFrom.id };
    if (types.has('doorState')) {
      const doors = await this.readDoors();
      // The snapshot is the baseline when there is none yet: a door that changes before the first poll tick
      // is then sent as a change, not taken for the baseline and lost.
      const seed = this.doorStates.size === 0;
      for (const d of doors) {
        if (seed) this.doorStates.set(d.key, JSON.stringify(d.event));
        sink.send('doorState', d.event);
      }
    }
    // The devices' connections likewise: read before the stream is answered, so a device that goes offline just
    // after the page saw the stream open is a change, not the baseline (the first tick can come seconds later).
    if (types.has('deviceState') && !this.deviceBaseline) await this.sendDeviceChanges();
    this.subscribers.add(sub);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), POLL_MS);
      this.timer.unref();
    }
    return () => this.unsubscribe(sub);
  }

  private unsubscribe(sub: Subscriber): void {
    this.subscribers.delete(sub);
    if (this.subscribers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.doorStates.clear();
      this.deviceStates.clear();
      this.deviceBaseline = false;
      this.deviceCheckedAt = 0;
    }
  }

  onModuleDestroy(): void {
    for (const s of [...this.subscribers]) {
      s.sink.close();
      this.unsubscribe(s);
    }
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const sub of [...this.subscribers]) if (sub.types.has('transaction')) await this.sendTransactions(sub);
      for (const sub of [...this.subscribers]) if (sub.types.has('punch')) await this.sendPunches(sub);
      for (const sub of [...this.subscribers]) if (sub.types.has('moduleTransaction')) await this.sendModuleEvents(sub);
      if ([...this.subscribers].some((s) => s.types.has('doorState'))) await this.sendDoorChanges();
      if ([...this.subscribers].some((s) => s.types.has('deviceState')) && Date.now() - this.deviceCheckedAt >= DEVICE_CHECK_MS) await this.sendDeviceChanges();
    } catch (err) {
      this.logger.warn(`live stream poll failed: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private async sendTransactions(sub: Subscriber): Promise<void> {
    const rows = await this.transactions.findFeedAfter(this.ds, sub.xid, sub.id, BATCH);
    // A photo uploaded after its event is not in the stream; reads of the event carry it (capturePhotos).
    const photos = rows.length ? await this.transactions.capturePhotos(rows) : new Map<string, string>();
    for (const r of rows) {
      sub.xid = r.feed_xid;
      sub.id = r.id;
      sub.sink.send('transaction', { ...toV2Item(r, this.config.timeZone, photos.get(r.id)), module: 'acc' }, streamId('t', sub));
    }
  }

  /** Attendance punches in commit order (`punch` events, the 2.21 item with `module: "att"`, id p:<xid>:<id>). */
  private async sendPunches(sub: Subscriber): Promise<void> {
    const rows = await this.punchFeed(`(f.xid, f.transaction_id) > ($1::bigint, $2::bigint) AND`, 'ASC', [sub.punchXid, sub.punchId, BATCH]);
    for (const r of rows) {
      sub.punchXid = r.feed_xid;
      sub.punchId = r.feed_id;
      sub.sink.send('punch', { ...toAttItem(r, this.config.timeZone), module: 'att' }, streamId('p', sub));
    }
  }

  /** Punches of the feed below its horizon, after a position (`after`, its parameters first) or the newest (`DESC`). */
  private punchFeed(after: string, order: 'ASC' | 'DESC', params: unknown[]): Promise<Array<AttItemRow & { feed_xid: string; feed_id: string }>> {
    return this.ds.query(
      `SELECT f.xid::text AS feed_xid, f.transaction_id::text AS feed_id, ${punchColumns('t')}
         FROM att_transaction_feed f JOIN att_transaction t ON t.id = f.transaction_id
        WHERE ${after} f.xid < ${FEED_XMIN}
        ORDER BY f.xid ${order}, f.transaction_id ${order} LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * The newest `limit` stored events of the feeds of `types` (access events, punches, elevator and channel-controller
   * events), newest first, each as the stream sends it with its own feed's position as `key` (the first part of its
   * SSE id): a page opening its live list shows what happened last rather than nothing until the next event, and drops
   * an event the stream then sends again (read after positionNow, the two overlap rather than leave a gap).
   */
  async latest(types: Set<StreamEventType>, limit: number): Promise<Array<{ type: StreamEventType; key: string; data: unknown }>> {
    const tz = this.config.timeZone;
    const out: Array<{ type: StreamEventType; key: string; xid: bigint; time: string; data: Record<string, unknown> }> = [];
    if (types.has('transaction')) {
      const rows = await this.transactions.findFeedLatest(this.ds, limit);
      const photos = rows.length ? await this.transactions.capturePhotos(rows) : new Map<string, string>();
      for (const r of rows) {
        const data = { ...toV2Item(r, tz, photos.get(r.id)), module: 'acc' };
        out.push({ type: 'transaction', key: `t:${r.feed_xid}:${r.id}`, xid: BigInt(r.feed_xid), time: String(data.eventTime ?? ''), data });
      }
    }
    if (types.has('punch')) {
      for (const r of await this.punchFeed('', 'DESC', [limit])) {
        const data = { ...toAttItem(r, tz), module: 'att' };
        out.push({ type: 'punch', key: `p:${r.feed_xid}:${r.feed_id}`, xid: BigInt(r.feed_xid), time: String(data.eventTime ?? ''), data });
      }
    }
    if (types.has('moduleTransaction')) {
      for (const e of await moduleEventsLatest(this.ds, limit, tz)) out.push({ type: 'moduleTransaction', key: `m:${e.xid}:${e.id}`, xid: BigInt(e.xid), time: String(e.item.eventTime ?? ''), data: { ...e.item } });
    }
    // Commit order across the feeds (their xids are the database's), as the stream would have sent them; the event
    // time between events of one transaction.
    out.sort((a, b) => (a.xid === b.xid ? b.time.localeCompare(a.time) : a.xid > b.xid ? -1 : 1));
    return out.slice(0, limit).map(({ type, key, data }) => ({ type, key, data }));
  }

  /** Elevator and channel-controller events in commit order (`moduleTransaction`, the 2.19.1 / 2.34.2 item with `module`, id m:<xid>:<id>). */
  private async sendModuleEvents(sub: Subscriber): Promise<void> {
    for (const e of await moduleEventsAfter(this.ds, sub.moduleXid, sub.moduleId, BATCH, this.config.timeZone)) {
      sub.moduleXid = e.xid;
      sub.moduleId = e.id;
      sub.sink.send('moduleTransaction', e.item, streamId('m', sub));
    }
  }

  private async readDoors(): Promise<Array<{ key: string; event: DoorStateEvent }>> {
    const rows: Array<{ id: string; name: string; door_no: number; sn: string | null; sensor_state: number | null; relay_state: number | null; alarm_state: string | null; door_state_at: Date | null }> =
      await this.ds.query(
        `SELECT d.id, d.name, d.door_no, v.sn, d.sensor_state, d.relay_state, d.alarm_state, d.door_state_at
         FROM door d LEFT JOIN device v ON v.id = d.device_id ORDER BY v.sn, d.door_no`,
      );
    return rows.map((r) => {
      const event: DoorStateEvent = {
        doorId: r.id,
        doorName: r.name,
        doorNo: r.door_no,
        devSn: r.sn,
        sensor: r.sensor_state === null ? null : (SENSOR[r.sensor_state] ?? 'unknown'),
        relay: r.relay_state,
        alarm: r.alarm_state,
        time: formatCvDateTime(r.door_state_at, this.config.timeZone),
      };
      return { key: r.id, event };
    });
  }

  private async sendDoorChanges(): Promise<void> {
    const doors = await this.readDoors();
    const first = this.doorStates.size === 0;
    for (const d of doors) {
      const sig = JSON.stringify(d.event);
      if (this.doorStates.get(d.key) === sig) continue;
      this.doorStates.set(d.key, sig);
      if (first) continue;
      for (const s of this.subscribers) if (s.types.has('doorState')) s.sink.send('doorState', d.event);
    }
  }

  /**
   * Devices whose connection changed since the last check: online, offline (silent past its online window: no
   * request marks that moment, so it is seen here), or its admission (a new device waiting, approved, disabled). The
   * first check is the baseline; a device deleted since is forgotten.
   */
  private async sendDeviceChanges(): Promise<void> {
    this.deviceCheckedAt = Date.now();
    const rows: Array<{ sn: string; alias: string; kind: string; admission: string; last_seen_at: Date | null; request_delay: number | null }> = await this.ds.query(
      `SELECT sn, alias, coalesce(kind_override, kind) AS kind, admission, last_seen_at, request_delay FROM device ORDER BY sn`,
    );
    const first = !this.deviceBaseline;
    this.deviceBaseline = true;
    const now = Date.now();
    const seen = new Set<string>();
    for (const r of rows) {
      seen.add(r.sn);
      const device = { sn: r.sn, lastSeenAt: r.last_seen_at, requestDelay: r.request_delay };
      const state: DeviceStateEvent['state'] =
        r.admission === 'admitted' ? (this.deviceStatus.isOnline(device, now) ? 'online' : 'offline') : r.admission === 'disabled' ? 'disabled' : 'pending';
      const before = this.deviceStates.get(r.sn);
      this.deviceStates.set(r.sn, state);
      if (first || before === state) continue;
      const event: DeviceStateEvent = {
        sn: r.sn,
        alias: r.alias,
        kind: r.kind,
        state,
        lastSeen: formatCvDateTime(this.deviceStatus.lastSeen(device), this.config.timeZone),
        time: formatCvDateTime(new Date(now), this.config.timeZone),
      };
      for (const s of this.subscribers) if (s.types.has('deviceState')) s.sink.send('deviceState', event);
    }
    for (const sn of [...this.deviceStates.keys()]) if (!seen.has(sn)) this.deviceStates.delete(sn);
  }
}
