import { rawTable } from '../database/columns';

/**
 * The names an access event is stored with that come from where it happened: its device (SN, alias, area)
 * and its door and reader. They change rarely (a rename, a device moved to another area, a registration that
 * adds doors) while events arrive all day, so the real-time ingest keeps them in memory instead of joining
 * device, area, door and reader for every event (those joins were about a sixth of the database's work per
 * event).
 *
 * Kept honest by one number in the database, `event_names_version.v`, which deferred triggers move at the
 * commit of any change to those rows (migration 1763700003400). Names are loaded together with the version,
 * in one snapshot, and the ingest statement stores nothing when the version it was given is no longer the
 * database's: the gateway then loads the names again and repeats the statement. An event is therefore stored
 * with exactly the names a join in the same statement would have read.
 */
export const EVENT_NAMES_VERSION = rawTable('event_names_version', {
  id: ['id', 'smallint'],
  v: ['v', 'bigint'],
});

export interface ReaderNames {
  id: string;
  name: string;
}

export interface DoorNames {
  id: string;
  name: string;
  /** By `in_out` (rtlog `inoutstatus`: 0 in, 1 out). */
  readers: Map<number, ReaderNames>;
}

export interface DeviceEventNames {
  sn: string;
  alias: string;
  areaName: string | null;
  /** By door number (rtlog `eventaddr`). */
  doors: Map<number, DoorNames>;
}

/** One row of LOAD_EVENT_NAMES_SQL: a device with one of its readers (or door without one, or neither). */
export interface EventNamesRow {
  version: string;
  device_id: string | null;
  sn: string | null;
  alias: string | null;
  area_name: string | null;
  door_no: number | null;
  door_id: string | null;
  door_name: string | null;
  in_out: number | null;
  reader_id: string | null;
  reader_name: string | null;
}

/** The version and the names of the devices `$1` (ids), in one snapshot; always at least the version's row. */
export const LOAD_EVENT_NAMES_SQL = `
  SELECT v.v::text AS version, dv.id AS device_id, dv.sn, dv.alias, a.name AS area_name,
         d.door_no, d.id AS door_id, d.name AS door_name, r.in_out, r.id AS reader_id, r.name AS reader_name
  FROM event_names_version v
  LEFT JOIN device dv ON dv.id = ANY($1::bpchar[])
  LEFT JOIN area a ON a.id = dv.area_id
  LEFT JOIN door d ON d.device_id = dv.id
  LEFT JOIN reader r ON r.door_id = d.id
  WHERE v.id = 1`;

/** Folds LOAD_EVENT_NAMES_SQL's rows into names per device id. */
export function foldEventNames(rows: readonly EventNamesRow[]): { version: string; devices: Map<string, DeviceEventNames> } {
  const devices = new Map<string, DeviceEventNames>();
  for (const r of rows) {
    if (r.device_id === null) continue;
    let dev = devices.get(r.device_id);
    if (!dev) {
      dev = { sn: r.sn ?? '', alias: r.alias ?? '', areaName: r.area_name, doors: new Map() };
      devices.set(r.device_id, dev);
    }
    if (r.door_no === null || r.door_id === null) continue;
    let door = dev.doors.get(r.door_no);
    if (!door) {
      door = { id: r.door_id, name: r.door_name ?? '', readers: new Map() };
      dev.doors.set(r.door_no, door);
    }
    if (r.in_out !== null && r.reader_id !== null) door.readers.set(r.in_out, { id: r.reader_id, name: r.reader_name ?? '' });
  }
  return { version: rows[0]?.version ?? '0', devices };
}

/**
 * The names of the devices seen so far, all read at one version. A device missing from a load at the current
 * version is remembered as absent (its events cannot be stored under its id until it exists again).
 */
export class EventNamesCache {
  private v: string | null = null;
  private readonly devices = new Map<string, DeviceEventNames | null>();

  /** The version every cached entry was read at (null before the first load). */
  get version(): string | null {
    return this.v;
  }

  /** The device's names at `version`; undefined when not loaded at it, null when the device does not exist. */
  get(deviceId: string): DeviceEventNames | null | undefined {
    return this.devices.get(deviceId);
  }

  /** Ids among `deviceIds` that need loading at the current version. */
  missing(deviceIds: Iterable<string>): string[] {
    const out: string[] = [];
    for (const id of deviceIds) if (!this.devices.has(id)) out.push(id);
    return out;
  }

  /**
   * Takes a load of `requested` devices: at a new version everything cached before is dropped (it may be
   * stale), at the same version the load adds to what is there.
   */
  accept(requested: readonly string[], loaded: { version: string; devices: Map<string, DeviceEventNames> }): void {
    if (loaded.version !== this.v) {
      this.devices.clear();
      this.v = loaded.version;
    }
    for (const id of requested) this.devices.set(id, loaded.devices.get(id) ?? null);
  }

  /** Forgets everything (the database said the version moved). */
  invalidate(): void {
    this.devices.clear();
    this.v = null;
  }
}
