import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { int32 } from '../common/whole-number';
import { forgetRefusalsSql } from './device-refusals';
import { Reader } from '../reader/reader.entity';
import { readerLayout } from '../reader/reader-layout';
import { Door } from '../door/door.entity';
import { intoOf, listOf, unnestOf } from '../database/columns';
import { Device } from '../device/device.entity';
import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '../common/ids';
import { CvCode, CvError } from '../common/cv-error';
import { writeTransaction } from '../common/write-transaction';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { DeviceAdmission, DroppedDoor, DroppedReader, StoredCapabilities } from '../device/device.entity';
import { detectDeviceKind, type DeviceKind, type KindEvidence } from '../device/device-kind';
import { chooseDialect, FUNCTION_SWITCH_TYPES, impliedLockCount, KvMap, PANEL_BIODATA_TYPE_REFUSAL, parseCapabilities, parseRegistrationBody, type DeviceCapabilities } from './protocol';
import { PUSH_SETTINGS, type PushSettings } from './push-settings';
import { WorkSignalService } from './work-signal.service';

/** What the device side keeps in memory per SN, so that a poll needs no database round trip. */
export interface DeviceSession {
  id: string;
  sn: string;
  alias: string;
  admission: DeviceAdmission;
  /** Has posted /iclock/registry and holds a RegistryCode. */
  registered: boolean;
  registryCode: string | null;
  sessionId: string | null;
  lockCount: number;
  timeZone: string;
  requestDelay: number | null;
  lastSeenAt: Date | null;
  capabilities: StoredCapabilities | null;
  /** The kind detection decided (device-kind.ts). */
  detectedKind: DeviceKind;
  /** The kind every module goes by: the operator's override, else the detected kind. */
  kind: DeviceKind;
}

export interface DeviceRegisteredEvent {
  deviceId: string;
  sn: string;
  /** First registration of this SN (no earlier registration stored). */
  first: boolean;
  /** Admitted now (by approval), as opposed to a re-registration of an admitted device. */
  admittedNow: boolean;
  /**
   * A registration (`POST /iclock/registry`) of a device that registered before: its parameters as stored before
   * and as sent now (device.registration), so that a change of how it stores records can be told.
   */
  registration?: { before: Record<string, string>; after: Record<string, string> };
  /**
   * Levels that lost a door of this device because it registered with fewer locks (dropDoorsBeyond), or got one back
   * because it reported that door again (restoreDroppedDoors): access levels (`acc`), whose members' rights on it are
   * planned again, and entrance-control levels (`psg`).
   */
  droppedLevels?: { acc: string[]; psg: string[] };
}

/**
 * An admitted device whose effective kind (the operator's override, else the detected kind) changed: from an upload
 * that showed what it is (an irstate upload, Appendix 20 or voice-module options), a registration, or the operator.
 */
export interface DeviceKindChangedEvent {
  deviceId: string;
  sn: string;
  before: DeviceKind;
  after: DeviceKind;
}

/** Whether the device registered (`POST /iclock/registry` stores its capabilities, admitted or not). */
const registeredOf = (s: DeviceSession): boolean => s.capabilities !== null;

/** Kind evidence with whether the registration decided the kind (device-kind.ts). */
const withRegistered = (s: DeviceSession, e: KindEvidence): KindEvidence => ({ ...e, registered: registeredOf(s) });

interface DeviceRow {
  id: string;
  sn: string;
  alias: string;
  admission: DeviceAdmission;
  registry_code: string | null;
  session_id: string | null;
  registration: Record<string, string> | null;
  lock_count: number;
  reader_count: number;
  time_zone: string;
  request_delay: number | null;
  last_seen_at: Date | null;
  capabilities: StoredCapabilities | null;
  registered_at: Date | null;
  area_id: string | null;
  kind: DeviceKind;
  kind_override: DeviceKind | null;
}

/**
 * Serialises the choice of aliases and door names across concurrent registrations (and gateway processes)
 * until the transaction ends: two devices behind one IP must not both take `<ip>-1`.
 */
async function lockNaming(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(7330002)`);
}

/** `UPDATE … RETURNING` through ds.query answers [rows, count] (TypeORM 1.x); plain rows elsewhere. */
function firstReturned<T>(result: unknown): T {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result;
  return (rows as T[])[0];
}

const DEVICE_COLUMNS = `id, sn, alias, admission, registry_code, session_id, registration, lock_count, reader_count, time_zone, request_delay, last_seen_at, capabilities, registered_at, area_id, kind, kind_override`;

/** A device seen for the first time ($1 id, $2 SN, also its alias, $3 admission, $4 time zone), in the default area. */
const INSERT_DEVICE = `INSERT INTO ${intoOf(Device, ['id', 'sn', 'alias', 'areaId', 'admission', 'timeZone', 'kind'])}
  VALUES ($1, $2, $2, (SELECT id FROM area ORDER BY (code = '1') DESC, created_at LIMIT 1), $3, $4, $5)
  ON CONFLICT (${listOf(Device, ['sn'])}) DO NOTHING`;

/** The doors a device reports and the gateway does not know yet ($1 device id; $2… ids, door numbers, names). */
const INSERT_DOORS = `INSERT INTO ${intoOf(Door, ['id', 'deviceId', 'doorNo', 'name'])}
  SELECT i, $1, n, nm FROM unnest($2::text[], $3::int[], $4::text[]) AS t(i, n, nm)
  ON CONFLICT DO NOTHING RETURNING id, door_no, name`;

const READER_COLUMNS = ['id', 'doorId', 'readerNo', 'inOut', 'name'] as const;
/** The readers of those doors, one array per column. */
const INSERT_READERS = `INSERT INTO ${intoOf(Reader, READER_COLUMNS)} SELECT * FROM ${unnestOf(Reader, READER_COLUMNS)}
  ON CONFLICT (${listOf(Reader, ['doorId', 'inOut'])}) DO NOTHING`;

/** A registration naming firmware other than the known one (one naming none says nothing of its firmware). */
const FORGET_ON_NEW_FIRMWARE = forgetRefusalsSql('USING device d', 'd.sn = $1 AND r.device_id = d.id AND $2::varchar IS NOT NULL AND d.firm_ver IS DISTINCT FROM $2');
/** The template types a panel refused (refusals.ts PANEL_BIODATA_TYPE_REFUSAL): forgotten when it announces other types. */
const FORGET_BIO_TYPES = forgetRefusalsSql('USING device d', `d.sn = $1 AND r.device_id = d.id AND starts_with(r.what, '${PANEL_BIODATA_TYPE_REFUSAL}')`);

/** Values a text column can hold: no NUL (PostgreSQL refuses it), at most `max` characters. */
export function clip(v: string | null | undefined, max: number): string | null {
  if (v === null || v === undefined) return null;
  const s = v.indexOf('\0') < 0 ? v : v.replace(/\0/g, '');
  return s.length > max ? s.slice(0, max) : s;
}


/** A count a registration states (LockCount, ReaderCount...), at least 0 and at most `max`; null when it states none. */
const statedCount = (n: number | null | undefined, max = 2147483647): number | null => {
  const v = int32(n);
  return v === null ? null : Math.min(Math.max(v, 0), max);
};

/** The keys of `o` that name `option` (any case, `~` prefix or not). */
const keysNaming = (o: Record<string, string>, option: string) => Object.keys(o).filter((k) => k.trim().replace(/^~+/, '').toLowerCase() === option.toLowerCase());
/** The value a function switch has in `o` when it says one (`0` or `1`); an empty one says nothing. */
const switchIn = (o: Record<string, string> | null, option: string) => (o ? keysNaming(o, option).map((k) => String(o[k]).trim()).find((v) => v === '0' || v === '1') : undefined);

/** Stored capabilities of raw parameters as device.registration keeps them. */
function storedOf(raw: Record<string, string>): StoredCapabilities {
  return toStored(parseCapabilities(new KvMap(Object.entries(raw).map(([k, v]) => ({ rawKey: k, key: k.trim().replace(/^~+/, ''), value: String(v) })))));
}

/**
 * The function switches (FingerFunOn, FaceFunOn, FvFunOn, PvFunOn: which template types the device holds, registry.ts
 * switchedOffBioTypes) `said` in `raw`, replacing what it said before; the others as `before` had them. The last word
 * of the device on a switch, in its registration or its parameters (4.6), stands until it says another: a
 * registration that names none of them (short bodies, field samples) would otherwise turn a function an options upload
 * switched off back on, and every reconnect would change what the panel is sent. Answers whether `raw` changed.
 */
function keepSwitches(before: Record<string, string> | null, raw: Record<string, string>, said: ReadonlyArray<readonly [string, string]>): boolean {
  let changed = false;
  for (const { option } of FUNCTION_SWITCH_TYPES) {
    const value = said.find(([o]) => o === option)?.[1] ?? (switchIn(raw, option) === undefined ? switchIn(before, option) : undefined);
    if (value === undefined || (switchIn(raw, option) === value && keysNaming(raw, option).length === 1)) continue;
    for (const k of keysNaming(raw, option)) delete raw[k];
    raw[option] = value;
    changed = true;
  }
  return changed;
}

function toStored(c: DeviceCapabilities): StoredCapabilities {
  const { accSupportFunList, ...rest } = c;
  return { ...rest, accSupportFunList: [...accSupportFunList].sort((a, b) => a - b), dialect: chooseDialect(c) } as StoredCapabilities;
}

/**
 * The device registry: first contact, registration (4.4) with its doors and readers, admission, and the
 * in-memory sessions the poll path reads. Registration is idempotent: devices register on every reconnect.
 */
@Injectable()
export class DeviceRegistryService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('DeviceRegistry');
  private readonly sessions = new Map<string, DeviceSession>();
  /**
   * The kind of each SN whose session this process dropped (a delete, any change): a device deleted through REST
   * while it stays connected is added again at its next poll, which says nothing of its kind (see loadOrCreate).
   */
  private readonly formerKinds = new Map<string, DeviceKind>();
  private readonly loading = new Map<string, Promise<DeviceSession>>();
  private readonly pushvers = new Map<string, string>();
  /** SNs whose initialisation is marked on their row (noteHandshake); forgotten with the session. */
  private readonly handshakesMarked = new Set<string>();
  private readonly tableVerdicts = new Map<string, DeviceKind | null>();
  private readonly listeners: Array<(e: DeviceRegisteredEvent) => unknown> = [];
  private readonly txListeners: Array<(m: EntityManager, e: DeviceRegisteredEvent) => Promise<void>> = [];
  private readonly kindListeners: Array<(m: EntityManager, e: DeviceKindChangedEvent) => Promise<void>> = [];

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly signal: WorkSignalService,
  ) {}

  /**
   * Every device's clock follows TIME_ZONE: it is what the devices are told (`TimeZone`, the time sync) and so
   * what their uploads' wall-clock times are read in. A device stores the zone it was first seen under; after
   * TIME_ZONE changes (say from the container's UTC to the site's zone) the devices seen before would be told the
   * new zone while their punches and events were still read in the old one, hours off. So the stored zones
   * follow the setting at start.
   */
  async onApplicationBootstrap(): Promise<void> {
    const [{ n }]: Array<{ n: number }> = await this.ds.query(
      `WITH moved AS (UPDATE device SET time_zone = $1, updated_at = now() WHERE time_zone IS DISTINCT FROM $1 RETURNING 1) SELECT count(*)::int AS n FROM moved`,
      [this.config.timeZone],
    );
    if (n > 0) {
      this.sessions.clear();
      this.logger.log(`${n} device(s) now read in TIME_ZONE ${this.config.timeZone} (the zone they are told)`);
    }
  }

  onModuleInit(): void {
    this.signal.onDeviceChanged((sn) => {
      if (sn === null) this.sessions.clear();
      else this.forget(sn);
    });
  }

  /**
   * Called after a device registers while admitted, or is approved (e.g. to queue a full sync). Errors are
   * logged, never passed to the device.
   */
  onRegistered(fn: (e: DeviceRegisteredEvent) => unknown): void {
    this.listeners.push(fn);
  }

  /**
   * Called INSIDE the transaction that registers or admits a device, so that work owed to it (a full sync)
   * is recorded with the event that causes it. A failure rolls the registration back.
   */
  onRegisteredInTransaction(fn: (m: EntityManager, e: DeviceRegisteredEvent) => Promise<void>): void {
    this.txListeners.push(fn);
  }

  /**
   * Called INSIDE the transaction that changes an admitted device's effective kind: what it should hold changes with
   * it (an elevator controller holds floors in usereleauthorize, a channel controller only its gate levels, a panel its
   * access levels), so the work that brings it there is recorded with the change. A failure rolls the change back.
   */
  onKindChangedInTransaction(fn: (m: EntityManager, e: DeviceKindChangedEvent) => Promise<void>): void {
    this.kindListeners.push(fn);
  }

  /** Runs the kind-change listeners in `m` when an admitted device's effective kind moved from `before`. */
  async kindChanged(m: EntityManager, d: { id: string; sn: string; admission: DeviceAdmission; kind: DeviceKind; kind_override: DeviceKind | null }, before: DeviceKind): Promise<void> {
    const after = d.kind_override ?? d.kind;
    if (after === before || d.admission !== 'admitted') return;
    this.logger.log(`device ${d.sn} is now of kind ${after} (was ${before}): planned again as one`);
    for (const fn of this.kindListeners) await fn(m, { deviceId: d.id, sn: d.sn, before, after });
  }

  /** The in-memory session, if this process has seen the SN. */
  cached(sn: string): DeviceSession | undefined {
    return this.sessions.get(sn);
  }

  /**
   * The session of an SN; an unknown SN is recorded at once (admitted under DEVICE_ADMISSION=auto, pending
   * otherwise). Only the first contact of an SN with this process costs a query.
   */
  resolve(sn: string, introducing = false, evidence?: KindEvidence): Promise<DeviceSession> {
    const s = this.sessions.get(sn);
    if (s) return Promise.resolve(s);
    let p = this.loading.get(sn);
    if (!p) {
      p = this.loadOrCreate(sn, introducing, evidence).finally(() => this.loading.delete(sn));
      this.loading.set(sn, p);
    }
    return p;
  }

  /**
   * `introducing`: the request is the device's initialisation (4.1) or registration (4.4), the first things firmware
   * sends on every connection. An SN first seen on any other request (a poll, a result, an upload) has been talking
   * to this server before, and was deleted since (`DELETE /api/gateway/devices/{sn}` while it stayed connected): it
   * still holds what it was sent in its former life, users and rights included, and will not register again before
   * it reconnects. Admitted now (DEVICE_ADMISSION=auto), it is an added device like one approved: the work owed to
   * it (the clear of DEVICE_CLEAR_ON_ADD, or a full sync) is recorded in the transaction that creates it. It is
   * added as the kind this process last knew it as, when it held its session: nothing such a request says tells an
   * elevator or channel controller from a panel, and cleared as a panel, an elevator controller kept its former
   * floor rights (`usereleauthorize`) and was said synced; a terminal refused the panel's clear (-1004).
   * `evidence`: what the request itself says of the kind (a poll's `INFO=`, an upload's table), read when no former
   * kind is known: an attendance terminal first seen on a poll with INFO (firmware that never initialises) or an
   * ATTLOG upload was added as a panel, its work owed as a panel's, and sent the panel's clear (`DATA DELETE user *`,
   * `userauthorize *` ...) before the kind its request showed was stored.
   */
  private async loadOrCreate(sn: string, introducing: boolean, evidence?: KindEvidence): Promise<DeviceSession> {
    let rows: DeviceRow[] = await this.ds.query(`SELECT ${DEVICE_COLUMNS} FROM device WHERE sn = $1`, [sn]);
    let event: DeviceRegisteredEvent | undefined;
    // The row may be deleted (DELETE /api/gateway/devices/{sn}) between the insert and the read after it: the SN is
    // then new again and created anew, as a request arriving a moment later would find it (a few tries, then give up).
    for (let attempt = 0; rows.length === 0 && attempt < 3; attempt++) {
      event = undefined;
      const admission: DeviceAdmission = this.config.deviceAdmission === 'auto' ? 'admitted' : 'pending';
      await writeTransaction(this.ds, async (m) => {
        event = undefined;
        const id = newId();
        const kind: DeviceKind = (!introducing && this.formerKinds.get(sn)) || (evidence && detectDeviceKind(null, { ...evidence, registered: false })) || 'acc';
        const inserted: unknown[] = await m.query(`${INSERT_DEVICE} RETURNING id`, [id, sn, admission, this.config.timeZone, kind]);
        if (inserted.length === 0 || admission !== 'admitted' || introducing) return;
        event = { deviceId: id, sn, first: true, admittedNow: true };
        for (const fn of this.txListeners) await fn(m, event);
      });
      rows = await this.ds.query(`SELECT ${DEVICE_COLUMNS} FROM device WHERE sn = $1`, [sn]);
      this.logger.log(`new device ${sn}: ${rows[0]?.admission}${event ? ' (first seen on a request other than its initialisation: added as if approved)' : ''}`);
    }
    // Deleted each time: the device is answered 503 and sends the request again, as while the database is away.
    if (rows.length === 0) throw new CvError(CvCode.Unavailable, `device ${sn} was deleted while it was being added; try again`, 503);
    const s = this.remember(rows[0]);
    if (event) this.fire(event);
    return s;
  }

  private remember(r: DeviceRow): DeviceSession {
    const s: DeviceSession = {
      id: r.id,
      sn: r.sn,
      alias: r.alias,
      admission: r.admission,
      registered: !!r.registry_code && !!r.registered_at,
      registryCode: r.registry_code,
      sessionId: r.session_id,
      lockCount: r.lock_count,
      timeZone: r.time_zone,
      requestDelay: r.request_delay,
      lastSeenAt: r.last_seen_at,
      capabilities: r.capabilities,
      detectedKind: r.kind,
      kind: r.kind_override ?? r.kind,
    };
    this.sessions.set(r.sn, s);
    return s;
  }

  /**
   * True when observeKind(sn, e) would change nothing: the session is cached and the evidence shows the kind
   * it already has (or none). Synchronous, for the hot upload path; an upload table's verdict is remembered
   * per (current kind, table), since a device posts the same one or two tables all day.
   */
  kindSettled(sn: string, e: KindEvidence): boolean {
    const s = this.sessions.get(sn);
    if (!s) return false;
    let detected: DeviceKind | null;
    if (e.uploadTable !== undefined && Object.keys(e).length === 1) {
      const key = `${s.detectedKind}\n${registeredOf(s)}\n${e.uploadTable}`;
      const known = this.tableVerdicts.get(key);
      if (known !== undefined) detected = known;
      else {
        detected = detectDeviceKind(s.detectedKind, withRegistered(s, e));
        if (this.tableVerdicts.size >= 256) this.tableVerdicts.clear(); // table names come from devices: keep it bounded
        this.tableVerdicts.set(key, detected);
      }
    } else detected = detectDeviceKind(s.detectedKind, withRegistered(s, e));
    return !detected || detected === s.detectedKind;
  }

  /**
   * Stores a newly detected kind (device-kind.ts) and answers the effective kind. Cheap when nothing changed:
   * the cached session is compared first, so a device's steady traffic costs no query.
   */
  async observeKind(sn: string, e: KindEvidence): Promise<DeviceKind> {
    const s = await this.resolve(sn, false, e);
    const detected = detectDeviceKind(s.detectedKind, withRegistered(s, e));
    if (!detected || detected === s.detectedKind) return s.kind;
    const row = await writeTransaction(this.ds, async (m) => {
      const [rows] = await m.query(`UPDATE device SET kind = $2, updated_at = now() WHERE sn = $1 RETURNING ${DEVICE_COLUMNS}`, [sn, detected]);
      const r = (rows as DeviceRow[])[0];
      if (r) await this.kindChanged(m, r, r.kind_override ?? s.detectedKind);
      return r;
    });
    if (!row) return s.kind;
    this.logger.log(`device ${sn} is ${detected === 'acc' ? 'an access panel' : `of kind ${detected}`} (was ${s.detectedKind})`);
    return this.remember(row).kind;
  }

  /** Whether the device row of a session still exists (it is gone once the device was deleted through REST). */
  private async exists(id: string): Promise<boolean> {
    return (await this.ds.query(`SELECT 1 FROM device WHERE id = $1`, [id])).length > 0;
  }

  /**
   * The session to store an upload under again when the device row of `s` is gone: a device deleted through REST
   * (on this process, or on another one that has not told this one yet) while this process still held its session.
   * Its SN is then taken as new (admitted as DEVICE_ADMISSION says). Null while the row exists: nothing to redo.
   */
  async renewIfGone(s: DeviceSession): Promise<DeviceSession | null> {
    if (s.admission !== 'admitted' || (await this.exists(s.id))) return null;
    this.forget(s.sn);
    return this.resolve(s.sn);
  }

  /** Drops the cached session (the next request reloads it). */
  forget(sn: string): void {
    const s = this.sessions.get(sn);
    if (s) {
      if (this.formerKinds.size >= 4096) this.formerKinds.clear(); // SNs come from devices: keep it bounded
      this.formerKinds.set(sn, s.kind);
    }
    this.sessions.delete(sn);
    this.handshakesMarked.delete(sn);
  }

  /**
   * Whether the device made an initialisation (`GET /iclock/cdata?options=all`) before: noteHandshake keeps a mark on
   * its row (registration.handshake; a registration replaces the row's registration, so the mark goes with it).
   */
  async handshookBefore(sn: string): Promise<boolean> {
    const [r]: Array<{ before: boolean }> = await this.ds.query(`SELECT coalesce(registration ? 'handshake', false) AS before FROM device WHERE sn = $1`, [sn]);
    return r?.before === true;
  }

  /** The handshake's `pushver` is kept in registration.pushver for operators (written when it changes). */
  async noteHandshake(sn: string, pushver: string | null): Promise<DeviceSession> {
    const s = await this.resolve(sn, true);
    // A device taken for a panel that never registered: its initialisation is marked, so that one made again instead
    // of a registration tells it for a terminal (handshookBefore, device-kind.ts handshakeAgain).
    const mark = s.detectedKind === 'acc' && s.capabilities === null && !this.handshakesMarked.has(sn);
    if ((pushver && this.pushvers.get(sn) !== pushver) || mark) {
      await this.ds.query(
        `UPDATE device SET registration = COALESCE(registration, '{}'::jsonb) || jsonb_strip_nulls(jsonb_build_object('pushver', $2::text, 'handshake', $3::text)) WHERE sn = $1`,
        [sn, clip(pushver, 64), mark ? '1' : null],
      );
      if (pushver) this.pushvers.set(sn, pushver);
      if (mark) {
        if (this.handshakesMarked.size >= 4096) this.handshakesMarked.clear(); // SNs come from devices: keep it bounded
        this.handshakesMarked.add(sn);
      }
    }
    return s;
  }

  /**
   * `POST /iclock/registry` (4.4): stores every parameter raw and parsed, gives an admitted device its doors
   * and readers (idempotently) and a RegistryCode. Returns the session; `registered` is false for a device
   * that is not admitted. Its transaction (like every one here that runs the registration listeners: order locks,
   * owed work) is run again when PostgreSQL aborts it to break a deadlock with the reconciler or a REST write
   * (writeTransaction): the device got a 500 for it before.
   */
  async register(sn: string, body: string, attempts = 3): Promise<DeviceSession> {
    await this.resolve(sn, true);
    const { params, capabilities } = parseRegistrationBody(body.replace(/\0/g, ''));
    const stored = toStored(capabilities);
    const raw = params.toObject();
    let event: DeviceRegisteredEvent | undefined;
    const row = await writeTransaction(this.ds, async (m) => {
      event = undefined;
      const [cur]: DeviceRow[] = await m.query(`SELECT ${DEVICE_COLUMNS} FROM device WHERE sn = $1 FOR UPDATE`, [sn]);
      // Deleted (DELETE /api/gateway/devices/{sn}, perhaps by another gateway process) since its session was resolved.
      if (!cur) return null;
      const pushver = cur.registration?.pushver;
      if (pushver !== undefined && raw.pushver === undefined) raw.pushver = pushver;
      // The gate type a channel controller reported among its parameters (4.6) outlives a registration without it.
      const passWayType = cur.registration?.PassWayType;
      if (passWayType !== undefined && !Object.keys(raw).some((k) => k.replace(/^~/, '').toLowerCase() === 'passwaytype')) raw.PassWayType = passWayType;
      // So do its function switches (keepSwitches), and what it holds follows them.
      const capabilitiesStored = keepSwitches(cur.registration, raw, []) ? storedOf(raw) : stored;
      const admitted = cur.admission === 'admitted';
      // A registration that only says "Security PUSH device" (the access rule, the weakest) does not undo what the
      // controller's uploads showed it to be (an irstate upload, Appendix 20 or voice-module options): firmware
      // registers at every connection, and each would turn an elevator or channel controller back into a panel.
      const detected = detectDeviceKind(cur.kind, { registration: raw });
      const kind = detected === 'acc' && (cur.kind === 'ele' || cur.kind === 'psg') ? cur.kind : (detected ?? cur.kind);
      const ip = clip(capabilities.ipAddress, 64);
      let alias = cur.alias;
      if (alias === sn && ip) {
        await lockNaming(m);
        const [taken] = await m.query(`SELECT 1 FROM device WHERE alias = $1 AND sn <> $2 LIMIT 1`, [ip, sn]);
        if (!taken) alias = ip;
      }
      // Another firmware may accept what this one refused for good (device-refusals.ts): forget its refusals (and
      // owe the full sync that sends what was never planned because of them).
      await m.query(FORGET_ON_NEW_FIRMWARE, [
        sn,
        clip(capabilities.firmVer, 100),
      ]);
      // The same firmware announcing other template types (a face module licensed or enabled): a type it refused
      // may be taken now, not only at its probe (up to SYNC_REFUSAL_PROBE_MAX_MS away).
      if (cur.registration && raw.MultiBioDataSupport !== undefined && cur.registration.MultiBioDataSupport !== raw.MultiBioDataSupport) await m.query(FORGET_BIO_TYPES, [sn]);
      // A registration that does not name its IP address, versions, model or counts (short bodies, field samples)
      // leaves what the device said of them before, here or among its parameters (upload-ingest noteIdentity): a
      // re-registration without ReaderCount is no panel without readers (REST readerCount, elevator reader names).
      const updated = firstReturned<DeviceRow>(await m.query(
        `UPDATE device SET alias = $2, ip_address = COALESCE($3, ip_address), push_version = COALESCE($4, push_version), firm_ver = COALESCE($5, firm_ver),
           device_type = $6, device_name = COALESCE($7, device_name),
           lock_count = COALESCE($8, lock_count), reader_count = COALESCE($9, reader_count), aux_in_count = COALESCE($10, aux_in_count),
           aux_out_count = COALESCE($11, aux_out_count), capabilities = $12::jsonb,
           registration = $13::jsonb, request_delay = $14,
           registry_code = CASE WHEN admission = 'admitted' THEN COALESCE(registry_code, $15) ELSE registry_code END,
           session_id = CASE WHEN admission = 'admitted' THEN $16 ELSE session_id END,
           registered_at = CASE WHEN admission = 'admitted' THEN now() ELSE registered_at END,
           area_id = COALESCE(area_id, (SELECT id FROM area ORDER BY (code = '1') DESC, created_at LIMIT 1)),
           kind = $17, updated_at = now()
         WHERE sn = $1 RETURNING ${DEVICE_COLUMNS}`,
        [
          sn,
          clip(alias, 100),
          ip,
          clip(capabilities.pushVersionRaw, 64),
          clip(capabilities.firmVer, 100),
          clip(capabilities.deviceType, 64),
          clip(capabilities.deviceName, 100),
          statedCount(impliedLockCount(capabilities), 64),
          statedCount(capabilities.readerCount),
          statedCount(capabilities.auxInCount),
          statedCount(capabilities.auxOutCount),
          JSON.stringify(capabilitiesStored),
          JSON.stringify(raw),
          this.settings.requestDelay,
          randomBytes(12).toString('base64url').slice(0, 16),
          randomBytes(16).toString('hex').toUpperCase(),
          kind,
        ],
      ));
      if (admitted) {
        const restored = await this.ensureDoors(m, updated);
        const dropped = capabilities.lockCount !== null ? await this.dropDoorsBeyond(m, updated, capabilities.lockCount) : null;
        const droppedLevels = restored || dropped ? mergeLevels(restored, dropped) : null;
        await this.kindChanged(m, updated, cur.kind_override ?? cur.kind);
        event = {
          deviceId: updated.id,
          sn,
          first: cur.registered_at === null,
          admittedNow: false,
          ...(droppedLevels ? { droppedLevels } : {}),
          ...(cur.capabilities !== null && cur.registration ? { registration: { before: cur.registration, after: raw } } : {}),
        };
        for (const fn of this.txListeners) await fn(m, event);
      }
      await this.signal.notifyDeviceChanged(m, sn);
      return updated;
    });
    if (!row) {
      // The device registers again as a new one would (recorded anew, admitted or pending as configured).
      this.forget(sn);
      if (attempts > 1) return this.register(sn, body, attempts - 1);
      throw new Error(`device ${sn} was deleted at each of its registration attempts`);
    }
    const s = this.remember(row);
    if (event) this.fire(event);
    return s;
  }

  /**
   * A panel's parameters (`table=options`, 4.6) naming its function switches (FingerFunOn, FaceFunOn, FvFunOn, PvFunOn):
   * an installer turns a function on or off at the panel, and the panel says so in its parameters, not necessarily
   * in a registration. The switches are kept with its registration (keepSwitches) and its capabilities read again;
   * where that changes how it stores templates (device-dialect.ts storageChanges: the types it holds), the
   * registration listeners hear it in this transaction as they hear such a registration (the reconciler owes the full
   * sync that sends the templates of a function turned on), without operator action.
   */
  async noteFunctionSwitches(sn: string, options: KvMap): Promise<void> {
    const said = FUNCTION_SWITCH_TYPES.map((s) => [s.option, options.text(s.option)?.trim()] as const).filter((e): e is readonly [string, string] => e[1] === '0' || e[1] === '1');
    if (said.length === 0) return;
    let event: DeviceRegisteredEvent | undefined;
    const row = await writeTransaction(this.ds, async (m) => {
      event = undefined;
      const [cur]: DeviceRow[] = await m.query(`SELECT ${DEVICE_COLUMNS} FROM device WHERE sn = $1 FOR UPDATE`, [sn]);
      if (!cur?.registration || cur.capabilities === null) return null;
      const before = cur.registration;
      const after = { ...before };
      if (!keepSwitches(before, after, said)) return null;
      const stored = storedOf(after);
      const updated = firstReturned<DeviceRow>(
        await m.query(`UPDATE device SET registration = $2::jsonb, capabilities = $3::jsonb, updated_at = now() WHERE sn = $1 RETURNING ${DEVICE_COLUMNS}`, [sn, JSON.stringify(after), JSON.stringify(stored)]),
      );
      if (cur.admission === 'admitted' && JSON.stringify(storedOf(before).dialect) !== JSON.stringify(stored.dialect)) {
        event = { deviceId: updated.id, sn, first: false, admittedNow: false, registration: { before, after } };
        for (const fn of this.txListeners) await fn(m, event);
      }
      await this.signal.notifyDeviceChanged(m, sn);
      return updated;
    });
    if (!row) return;
    this.remember(row);
    if (event) this.fire(event);
  }

  /**
   * CVSecurity's Device > New: a device added by its SN before it has ever contacted the gateway, admitted, so that
   * when it first calls it is served at once (registered, then cleared and sent everything, as a device approved
   * on arrival is: its first registration owes that). Access panel unless its registration shows another kind;
   * doors are made when it registers, from the LockCount it states. Null when the SN is already known.
   */
  async addAdmitted(sn: string, alias: string | undefined): Promise<DeviceSession | null> {
    const row = await writeTransaction(this.ds, async (m) => {
      if (alias !== undefined) {
        const [other]: Array<{ sn: string; alias: string }> = await m.query(`SELECT sn, alias FROM device WHERE lower(alias) = lower($1) AND sn <> $2 LIMIT 1`, [alias, sn]);
        if (other) throw new CvError(CvCode.Conflict, `The device name already exists: ${other.alias} is device ${other.sn}`);
      }
      const inserted: unknown[] = await m.query(`${INSERT_DEVICE} RETURNING id`, [newId(), sn, 'admitted', this.config.timeZone, this.formerKinds.get(sn) ?? 'acc']);
      if (inserted.length === 0) return null;
      const [added]: DeviceRow[] = await m.query(`UPDATE device SET alias = COALESCE($2, alias) WHERE sn = $1 RETURNING ${DEVICE_COLUMNS}`, [sn, alias ?? null]);
      await this.signal.notifyDeviceChanged(m, sn);
      return added;
    });
    if (!row) return null;
    this.logger.log(`device ${sn} added before its first contact: admitted`);
    return this.remember(row);
  }

  /** Admits a pending (or disabled) device: creates its doors and readers from its stored registration. */
  async setAdmission(sn: string, admission: DeviceAdmission): Promise<DeviceSession | null> {
    let event: DeviceRegisteredEvent | undefined;
    const row = await writeTransaction(this.ds, async (m) => {
      event = undefined;
      const [cur]: DeviceRow[] = await m.query(`SELECT ${DEVICE_COLUMNS} FROM device WHERE sn = $1 FOR UPDATE`, [sn]);
      if (!cur) return null;
      if (cur.admission === admission) return cur;
      const updated = firstReturned<DeviceRow>(
        await m.query(`UPDATE device SET admission = $2, updated_at = now() WHERE sn = $1 RETURNING ${DEVICE_COLUMNS}`, [sn, admission]),
      );
      if (admission === 'admitted') {
        await this.ensureDoors(m, updated);
        event = { deviceId: updated.id, sn, first: true, admittedNow: true };
        for (const fn of this.txListeners) await fn(m, event);
      }
      await this.signal.notifyDeviceChanged(m, sn);
      return updated;
    });
    if (!row) return null;
    const s = this.remember(row);
    this.logger.log(`device ${sn} admission: ${admission}`);
    if (event) this.fire(event);
    return s;
  }

  private fire(e: DeviceRegisteredEvent): void {
    for (const fn of this.listeners) {
      Promise.resolve()
        .then(() => fn(e))
        .catch((err) => this.logger.error(`registration listener failed for ${e.sn}: ${(err as Error)?.stack ?? err}`));
    }
  }

  /**
   * A panel that registers with fewer locks than it had (an inBio460 switched from four one-way doors to two
   * two-way doors, a board swapped for a smaller one) has no doors above its `LockCount` any more: kept, they were
   * listed by door/list as its doors, opened "successfully" by remoteOpenById (the panel refuses the number, -11),
   * and their levels kept granting bits of the rights bitmask the panel has no door for. They go, with their readers,
   * their place in access levels and entrance-control levels (foreign keys) and as attendance points; the verification
   * the registration owes plans the panel's rights again without them. Only a `LockCount` the panel stated counts
   * (a trimmed registration's implied count may be a guess), and never 0: a panel drives at least one lock.
   */
  private async dropDoorsBeyond(m: EntityManager, d: DeviceRow, lockCount: number): Promise<{ acc: string[]; psg: string[] } | null> {
    const kind = d.kind_override ?? d.kind;
    if ((kind !== 'acc' && kind !== 'psg') || !Number.isInteger(lockCount) || lockCount < 1) return null;
    const [{ acc, psg }]: Array<{ acc: string[]; psg: string[] }> = await m.query(
      `SELECT ARRAY(SELECT DISTINCT ld.level_id FROM acc_level_door ld JOIN door o ON o.id = ld.door_id WHERE o.device_id = $1 AND o.door_no > $2) AS acc,
              ARRAY(SELECT DISTINCT lg.level_id FROM psg_level_gate lg JOIN door o ON o.id = lg.gate_id WHERE o.device_id = $1 AND o.door_no > $2) AS psg`,
      [d.id, lockCount],
    );
    // A data-modifying WITH answers its rows as a SELECT does (a bare DELETE ... RETURNING answers [rows, count]).
    await this.keepDroppedDoors(m, d, lockCount);
    await keepDroppedReaders(m, d.id, await m.query(`${DROPPABLE_READERS} AND o.door_no > $2`, [d.id, lockCount]));
    const gone: Array<{ id: string; name: string }> = await m.query(
      `WITH gone AS (DELETE FROM door WHERE device_id = $1 AND door_no > $2 RETURNING id, name),
            points AS (DELETE FROM att_point WHERE door_id IN (SELECT id FROM gone))
       SELECT id, name FROM gone ORDER BY name`,
      [d.id, lockCount],
    );
    if (gone.length === 0) return null;
    this.logger.warn(`device ${d.sn} registered with LockCount=${lockCount}: door(s) ${gone.map((g) => g.name).join(', ')} removed`);
    return { acc, psg };
  }

  /**
   * What the doors above `lockCount` are (id, name, lock delay, levels, attendance point), kept on the device
   * (`dropped_doors`) before they are removed: a panel switched back (four one-way doors again) reports the same
   * doors, and they take back their id, name and places, as though they had never gone.
   */
  private async keepDroppedDoors(m: EntityManager, d: DeviceRow, lockCount: number): Promise<void> {
    type Row = { id: string; door_no: number; name: string; lock_delay: number | null; sensor_type: number | null; sensor_delay: number | null; op_interval: number | null; options_set: boolean };
    type More = { keep_open_segment_id: string | null; keep_open_set: boolean; valid_segment_id: string | null; close_and_lock: boolean | null; duress_password: string | null; emergency_password: string | null };
    const rows: Array<Row & More & { acc: string[]; psg: string[]; att: boolean }> = await m.query(
      `SELECT o.id, o.door_no, o.name, o.lock_delay, o.sensor_type, o.sensor_delay, o.op_interval, o.options_set,
              o.keep_open_segment_id, o.keep_open_set, o.valid_segment_id, o.close_and_lock, o.duress_password, o.emergency_password,
              ARRAY(SELECT ld.level_id FROM acc_level_door ld WHERE ld.door_id = o.id ORDER BY ld.level_id) AS acc,
              ARRAY(SELECT lg.level_id FROM psg_level_gate lg WHERE lg.gate_id = o.id ORDER BY lg.level_id) AS psg,
              EXISTS (SELECT 1 FROM att_point a WHERE a.door_id = o.id) AS att
         FROM door o WHERE o.device_id = $1 AND o.door_no > $2 ORDER BY o.door_no`,
      [d.id, lockCount],
    );
    if (rows.length === 0) return;
    const kept = rows.map(
      (r): DroppedDoor => ({
        doorNo: Number(r.door_no),
        id: r.id,
        name: r.name,
        lockDelay: r.lock_delay,
        params: {
          sensorType: r.sensor_type,
          sensorDelay: r.sensor_delay,
          opInterval: r.op_interval,
          optionsSet: r.options_set,
          more: {
            keepOpenSegmentId: r.keep_open_segment_id,
            keepOpenSet: r.keep_open_set,
            validSegmentId: r.valid_segment_id,
            closeAndLock: r.close_and_lock,
            duressPassword: r.duress_password,
            emergencyPassword: r.emergency_password,
          },
        },
        acc: r.acc ?? [],
        psg: r.psg ?? [],
        att: r.att,
      }),
    );
    const numbers = new Set(kept.map((k) => k.doorNo));
    const before = await droppedDoorsOf(m, d.id);
    const next = [...before.filter((b) => !numbers.has(b.doorNo)), ...kept].sort((a, b) => a.doorNo - b.doorNo);
    await m.query(`UPDATE device SET dropped_doors = $2::jsonb WHERE id = $1`, [d.id, JSON.stringify(next)]);
  }

  /**
   * Doors created again that a smaller LockCount had removed take back their places: the levels that still exist,
   * the attendance point, the lock delay and the door edit's parameters. Returns the levels they are back in (their members are planned again).
   */
  private async restoreDroppedDoors(m: EntityManager, deviceId: string, restored: DroppedDoor[], dropped: DroppedDoor[]): Promise<{ acc: string[]; psg: string[] } | null> {
    if (restored.length === 0) return null;
    const acc: string[] = [];
    const psg: string[] = [];
    for (const r of restored) {
      const [{ id }]: Array<{ id: string }> = await m.query(`SELECT id FROM door WHERE device_id = $1 AND door_no = $2`, [deviceId, r.doorNo]);
      if (r.lockDelay !== null) await m.query(`UPDATE door SET lock_delay = $2 WHERE id = $1`, [id, r.lockDelay]);
      // Its parameters too (the door edit's): a door set to send its panel options sends them again (the planner's full view).
      const p = r.params;
      if (p) await m.query(`UPDATE door SET sensor_type = $2, sensor_delay = $3, op_interval = $4, options_set = $5 WHERE id = $1`, [id, p.sensorType, p.sensorDelay, p.opInterval, p.optionsSet]);
      // Its time zones by segment (one deleted meanwhile: none, or the 24-Hour Accessible), lock at closing, passwords.
      const o = p?.more;
      if (o)
        await m.query(
          `UPDATE door SET keep_open_segment_id = (SELECT ts.id FROM time_segment ts WHERE ts.id = $2), keep_open_set = $3, valid_segment_id = (SELECT ts.id FROM time_segment ts WHERE ts.id = $4),
                  close_and_lock = $5, duress_password = $6, emergency_password = $7 WHERE id = $1`,
          [id, o.keepOpenSegmentId, o.keepOpenSet, o.validSegmentId, o.closeAndLock, o.duressPassword, o.emergencyPassword],
        );
      const inAcc: Array<{ level_id: string }> = await m.query(
        `INSERT INTO acc_level_door (level_id, door_id) SELECT l.id, $2 FROM acc_level l WHERE l.id = ANY($1::text[]) ON CONFLICT DO NOTHING RETURNING level_id`,
        [r.acc, id],
      );
      const inPsg: Array<{ level_id: string }> = await m.query(
        `INSERT INTO psg_level_gate (level_id, gate_id) SELECT l.id, $2 FROM psg_level l WHERE l.id = ANY($1::text[]) ON CONFLICT DO NOTHING RETURNING level_id`,
        [r.psg, id],
      );
      if (r.att) await m.query(`INSERT INTO att_point (door_id) VALUES ($1) ON CONFLICT DO NOTHING`, [id]);
      acc.push(...inAcc.map((x) => x.level_id));
      psg.push(...inPsg.map((x) => x.level_id));
    }
    const back = new Set(restored.map((r) => r.doorNo));
    const left = dropped.filter((x) => !back.has(x.doorNo));
    await m.query(`UPDATE device SET dropped_doors = $2::jsonb WHERE id = $1`, [deviceId, left.length ? JSON.stringify(left) : null]);
    this.logger.log(`device ${deviceId}: door(s) ${restored.map((r) => r.name).join(', ')} reported again, back in ${acc.length + psg.length} level(s)`);
    return acc.length + psg.length > 0 ? { acc: [...new Set(acc)], psg: [...new Set(psg)] } : null;
  }

  /**
   * Doors 1..LockCount named `<alias>-<n>` (or `<SN>-<n>` when that name is taken), with the readers its
   * ReaderCount gives them (ensureReaders). Existing doors are left as they are.
   */
  private async ensureDoors(m: EntityManager, d: DeviceRow): Promise<{ acc: string[]; psg: string[] } | null> {
    // Doors belong to access panels and channel controllers (whose doors are their gates, src/passage);
    // other kinds model what they control in their own modules (elevator controllers: floors).
    const kind = d.kind_override ?? d.kind;
    if (kind !== 'acc' && kind !== 'psg') return null;
    const count = d.lock_count;
    const existing: Array<{ id: string; door_no: number; name: string }> = await m.query(`SELECT id, door_no, name FROM door WHERE device_id = $1`, [d.id]);
    const byNo = new Map(existing.map((e) => [e.door_no, e]));
    const missing: number[] = [];
    for (let n = 1; n <= count; n++) if (!byNo.has(n)) missing.push(n);
    let restored: { acc: string[]; psg: string[] } | null = null;
    if (missing.length > 0) {
      await lockNaming(m);
      // A door a smaller LockCount removed comes back as it was: its id and name, when still free.
      const dropped = await droppedDoorsOf(m, d.id);
      const back = missing.map((n) => dropped.find((x) => x.doorNo === n));
      const wanted = missing.map((n, i) => back[i]?.name ?? clip(`${d.alias}-${n}`, 100)!);
      const fallback = missing.map((n) => clip(`${d.sn}-${n}`, 100)!);
      const takenRows: Array<{ name: string }> = await m.query(`SELECT name FROM door WHERE name = ANY($1::text[])`, [[...wanted, ...fallback]]);
      const taken = new Set(takenRows.map((r) => r.name));
      const usedRows: Array<{ id: string }> = await m.query(`SELECT id FROM door WHERE id = ANY($1::text[])`, [back.flatMap((b) => (b ? [b.id] : []))]);
      const used = new Set(usedRows.map((r) => r.id));
      const ids: string[] = [];
      const names: string[] = [];
      missing.forEach((n, i) => {
        let name = !taken.has(wanted[i]) ? wanted[i] : !taken.has(fallback[i]) ? fallback[i] : clip(`${d.sn}-${n}-${newId().slice(0, 6)}`, 100)!;
        taken.add(name);
        const old = back[i];
        ids.push(old && !used.has(old.id) ? old.id : newId());
        names.push(name);
      });
      const inserted: Array<{ id: string; door_no: number; name: string }> = await m.query(
        INSERT_DOORS,
        [d.id, ids, missing, names],
      );
      for (const r of inserted) byNo.set(r.door_no, r);
      const made = new Set(inserted.map((r) => Number(r.door_no)));
      restored = await this.restoreDroppedDoors(m, d.id, back.filter((b): b is DroppedDoor => !!b && made.has(b.doorNo)), dropped);
    }
    if (byNo.size > 0) await this.ensureReaders(m, d, byNo);
    return restored;
  }

  /**
   * The readers of a device's doors: one per physical reader its registration declares (reader-layout.ts), as
   * CVSecurity lists them, named `<door>-In` / `<door>-Out`: a door passed one way (a single-door SpeedFace with its
   * one reader, an inBio460 wired with four) has no out reader to list or name events after. Only a registration
   * stating both LockCount and ReaderCount removes and renumbers readers (a reader the device no longer declares
   * goes, its id and given name kept to return with it, keepDroppedReaders; its events keep its name): a trimmed one's implied LockCount may be a guess and its missing ReaderCount
   * says nothing, so it only gives a door without readers its in and out reader. Doors beyond the LockCount
   * (left by a trimmed registration) keep theirs. Readers keep their id and name; renumbered in door order only
   * when the set changed, so a number an operator gave stays while the device's readers do.
   */
  private async ensureReaders(m: EntityManager, d: DeviceRow, byNo: Map<number, { id: string; door_no: number; name: string }>): Promise<void> {
    const count = d.lock_count;
    const stated = d.capabilities?.lockCount != null && d.capabilities?.readerCount != null;
    const laidOut = readerLayout(count, stated ? Number(d.reader_count) || 0 : 0).flatMap((r) => {
      const door = byNo.get(r.doorNo);
      return door ? [{ door, io: r.inOut, no: r.readerNo }] : [];
    });
    const doors = [...byNo.values()].filter((x) => Number(x.door_no) <= count);
    const have: Array<DroppableReader & { reader_no: number }> = await m.query(
      `${DROPPABLE_READERS} AND r.door_id = ANY($2::text[])`,
      [d.id, doors.map((x) => x.id)],
    );
    const key = (doorId: string, io: number) => `${doorId}/${io}`;
    const withReaders = new Set(have.map((h) => h.door_id));
    const wanted = stated ? laidOut : laidOut.filter((w) => !withReaders.has(w.door.id));
    const wantedBy = new Map(wanted.map((w) => [key(w.door.id, w.io), w.no]));
    const haveKey = new Set(have.map((h) => key(h.door_id, h.in_out)));
    const added = wanted.filter((w) => !haveKey.has(key(w.door.id, w.io)));
    if (stated) {
      const gone = have.filter((h) => !wantedBy.has(key(h.door_id, h.in_out)));
      if (gone.length > 0) {
        await keepDroppedReaders(m, d.id, gone);
        await m.query(`DELETE FROM reader WHERE id = ANY($1::text[])`, [gone.map((h) => h.id)]);
      }
      const moved = gone.length + added.length === 0 ? [] : have.filter((h) => wantedBy.has(key(h.door_id, h.in_out)) && wantedBy.get(key(h.door_id, h.in_out)) !== Number(h.reader_no));
      if (moved.length > 0) {
        await m.query(
          `UPDATE reader r SET reader_no = v.no, updated_at = now() FROM unnest($1::text[], $2::int[]) AS v(id, no) WHERE r.id = v.id`,
          [moved.map((h) => h.id), moved.map((h) => wantedBy.get(key(h.door_id, h.in_out))!)],
        );
      }
    }
    if (added.length === 0) return;
    // A reader a registration removed, declared again, takes back its id (when still free) and the name it was given.
    const dropped = await droppedReadersOf(m, d.id);
    const back = added.map((w) => dropped.find((x) => x.doorId === w.door.id && x.inOut === w.io));
    const usedRows: Array<{ id: string }> = await m.query(`SELECT id FROM reader WHERE id = ANY($1::text[])`, [back.flatMap((b) => (b ? [b.id] : []))]);
    const used = new Set(usedRows.map((r) => r.id));
    await m.query(INSERT_READERS, [
      added.map((_, i) => (back[i] && !used.has(back[i].id) ? back[i].id : newId())),
      added.map((w) => w.door.id),
      added.map((w) => w.no),
      added.map((w) => w.io),
      added.map((w, i) => back[i]?.name ?? defaultReaderName(w.door.name, w.io)),
    ]);
    if (back.some((b) => b)) {
      const left = dropped.filter((x) => !back.includes(x));
      await m.query(`UPDATE device SET dropped_readers = $2::jsonb WHERE id = $1`, [d.id, left.length ? JSON.stringify(left) : null]);
    }
  }
}

/** `<door>-In` / `<door>-Out`: the name a reader is given, as CVSecurity names them. */
function defaultReaderName(doorName: string, inOut: number): string {
  return clip(`${doorName}-${inOut === 0 ? 'In' : 'Out'}`, 100)!;
}

/** A reader of a device's door as keepDroppedReaders takes it. */
interface DroppableReader {
  id: string;
  door_id: string;
  in_out: number;
  name: string;
  door_name: string;
}
/** The readers of device `$1`'s doors (the caller adds its condition on the door `o` or the reader `r`). */
const DROPPABLE_READERS = `SELECT r.id, r.door_id, r.in_out, r.name, r.reader_no, o.name AS door_name FROM reader r JOIN door o ON o.id = r.door_id WHERE o.device_id = $1`;

/** `device.dropped_readers`: the readers a registration removed, kept to be restored. */
async function droppedReadersOf(m: EntityManager, deviceId: string): Promise<DroppedReader[]> {
  const [row]: Array<{ dropped_readers: DroppedReader[] | null }> = await m.query(`SELECT dropped_readers FROM device WHERE id = $1`, [deviceId]);
  return Array.isArray(row?.dropped_readers) ? row.dropped_readers : [];
}

/**
 * What the readers about to be removed are (id, and the name an operator gave one: a default name is not kept, so
 * the reader declared again is named after its door as it is then), kept on the device (`dropped_readers`) by door
 * and direction. Kept only while their door is the device's or among its dropped doors (restored with its id).
 */
async function keepDroppedReaders(m: EntityManager, deviceId: string, gone: DroppableReader[]): Promise<void> {
  if (gone.length === 0) return;
  const kept = gone.map((g): DroppedReader => ({
    doorId: g.door_id,
    inOut: Number(g.in_out),
    id: g.id,
    name: g.name === defaultReaderName(g.door_name, Number(g.in_out)) ? null : g.name,
  }));
  const keys = new Set(kept.map((k) => `${k.doorId}/${k.inOut}`));
  const [{ doors }]: Array<{ doors: string[] }> = await m.query(`SELECT ARRAY(SELECT id FROM door WHERE device_id = $1) AS doors`, [deviceId]);
  const doorIds = new Set([...(doors ?? []), ...(await droppedDoorsOf(m, deviceId)).map((x) => x.id)]);
  const before = (await droppedReadersOf(m, deviceId)).filter((b) => !keys.has(`${b.doorId}/${b.inOut}`) && doorIds.has(b.doorId));
  await m.query(`UPDATE device SET dropped_readers = $2::jsonb WHERE id = $1`, [deviceId, JSON.stringify([...before, ...kept])]);
}

/** `device.dropped_doors`: the doors a smaller LockCount removed, kept to be restored. */
async function droppedDoorsOf(m: EntityManager, deviceId: string): Promise<DroppedDoor[]> {
  const [row]: Array<{ dropped_doors: DroppedDoor[] | null }> = await m.query(`SELECT dropped_doors FROM device WHERE id = $1`, [deviceId]);
  return Array.isArray(row?.dropped_doors) ? row.dropped_doors : [];
}

/** Levels whose doors on a panel changed at a registration: those restored and those dropped. */
function mergeLevels(a: { acc: string[]; psg: string[] } | null, b: { acc: string[]; psg: string[] } | null): { acc: string[]; psg: string[] } {
  return { acc: [...new Set([...(a?.acc ?? []), ...(b?.acc ?? [])])], psg: [...new Set([...(a?.psg ?? []), ...(b?.psg ?? [])])] };
}
