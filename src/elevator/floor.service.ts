import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { newId } from '../common/ids';
import type { Page } from '../common/paging';
import { intoOf } from '../database/columns';
import { effectiveKindSql } from '../device/device-kind';
import { checkInterval, requireOnlineFor, type QueuedDoorCommand } from '../door/door-control.service';
import { CommandQueueService } from '../push/command-queue.service';
import { DeviceStatusService } from '../push/device-status.service';
import { cancelElevatorEmergency, closeFloors, endFloorsNormalOpen, holdFloorsOpen, MAX_FLOORS, openFloors } from '../push/protocol';
import { ElevatorPlannerService } from '../sync/elevator-planner.service';
import { FLOOR } from './module-tables';
import { DROPPED_FLOOR, floorInUseSql } from './floor-in-use';
import { readSnapshot } from '../database/snapshot';
import { pointSql, type PointFilter } from '../common/point-filter';

export const FloorIdRequired = -201;

/** New floors of device $1 ($2… ids, numbers, names), created by $5 (device or operator). */
const INSERT_FLOORS = `INSERT INTO ${intoOf(FLOOR, ['id', 'deviceId', 'floorNo', 'name', 'source'])}
  SELECT i, $1, n, nm, $5 FROM unnest($2::text[], $3::int[], $4::text[]) AS t(i, n, nm) ON CONFLICT DO NOTHING`;

export interface FloorRow {
  id: string;
  device_id: string;
  floor_no: number;
  name: string;
  source: string;
}

/** LIKE patterns a floor list is narrowed by (floor name, controller name or SN); absent: not narrowed. */
export interface FloorListFilter {
  name?: string;
  device?: string;
  /** 2.12.1 / 2.12.4: exact floor name and controller SN. */
  exact?: PointFilter;
}

/** Floors per expansion board (8.16: EX308 = 8 floors, EX316 = 16), by name or by DevType code. */
export const BOARD_FLOORS: Record<string, number> = { EX308: 8, '104': 8, EX316: 16, '105': 16 };

const int = (v: string | undefined): number | null => (v !== undefined && /^\d{1,4}$/.test(v.trim()) ? Number(v.trim()) : null);

/**
 * How many floors a controller reports. The manual never says (digest §21), so: a floor count parameter
 * if the firmware sends one (`FloorCount`, `MaxFloorCount`), else its auxiliary outputs (`AuxOutCount`: on an
 * elevator controller every relay drives one floor button), else its lock outputs (`LockCount`); at most 256.
 */
export function reportedFloorCount(registration: Record<string, string> | null | undefined): number {
  return floorCountOf(registration, ['floorcount', 'maxfloorcount', 'elevatorfloorcount', 'auxoutcount', 'lockcount']);
}

/**
 * The floor outputs a registration states outright (a floor count parameter or `AuxOutCount`), or 0: the only count
 * that sets floors aside (followReported). The `LockCount` fallback does not, as a registration trimmed of its
 * AuxOutCount would otherwise take away every floor above the controller's lock count.
 */
export function statedFloorOutputs(registration: Record<string, string> | null | undefined): number {
  return floorCountOf(registration, ['floorcount', 'maxfloorcount', 'elevatorfloorcount', 'auxoutcount']);
}

function floorCountOf(registration: Record<string, string> | null | undefined, names: readonly string[]): number {
  const k = new Map(Object.entries(registration ?? {}).map(([key, v]) => [key.replace(/^~/, '').toLowerCase(), String(v)]));
  for (const name of names) {
    const n = int(k.get(name));
    if (n !== null && n > 0) return Math.min(n, MAX_FLOORS);
  }
  return 0;
}

const FLOOR_COLUMNS = 'f.id, f.device_id, f.floor_no, f.name, f.source';

const IN_USE = floorInUseSql();

/**
 * Floors of elevator controllers (2.12): created from what the controller reports, or declared by an
 * operator; opened and closed remotely with `CONTROL DEVICE 11` (an action, queued like door commands).
 */
@Injectable()
export class FloorService {
  constructor(
    private readonly ds: DataSource,
    private readonly queue: CommandQueueService,
    private readonly status: DeviceStatusService,
    private readonly planner: ElevatorPlannerService,
  ) {}

  /** Floors of added elevator controllers, by controller then floor number. */
  async list(page: Page, filter: FloorListFilter = {}): Promise<{ rows: FloorRow[]; total: number }> {
    // The console's Floors list narrows them as CVSecurity's floor list does: by floor name, by controller (name or SN).
    const params: unknown[] = [];
    let from = `FROM floor f JOIN device d ON d.id = f.device_id WHERE d.admission <> 'pending' AND ${effectiveKindSql('d')} = 'ele' AND ${IN_USE}`;
    if (filter.name) from += ` AND f.name ILIKE $${params.push(filter.name)}`;
    if (filter.device) from += ` AND (d.alias ILIKE $${params.push(filter.device)} OR d.sn ILIKE $${params.length})`;
    from += pointSql(params, { name: 'f.name', sn: 'd.sn' }, filter.exact);
    return readSnapshot(this.ds, async (m) => {
      const rows: FloorRow[] = await m.query(`SELECT ${FLOOR_COLUMNS} ${from} ORDER BY d.created_at, d.sn, f.floor_no OFFSET $${params.length + 1} LIMIT $${params.length + 2}`, [...params, page.offset, page.pageSize]);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n ${from}`, params);
      return { rows, total: n };
    });
  }

  /** A floor of an elevator controller: one whose device is now of another kind (an operator's declaration, a new registration) is no floor any more, as in list(). */
  async requireById(id: string | undefined): Promise<FloorRow & { sn: string; admission: string; last_seen_at: Date | null }> {
    if (!id) throw new CvError(FloorIdRequired, 'Floor Id is required');
    const [row] = await this.ds.query(
      `SELECT ${FLOOR_COLUMNS}, d.sn, d.admission, d.last_seen_at FROM floor f JOIN device d ON d.id = f.device_id WHERE f.id = $1 AND d.admission <> 'pending' AND ${effectiveKindSql('d')} = 'ele' AND ${IN_USE}`,
      [id],
    );
    if (!row) throw new CvError(CvCode.NotFound, `Floor does not exist: ${id}`);
    return row;
  }

  /** 2.12.3: release the floor button for `interval` seconds (1-254). */
  async remoteOpen(floorId: string | undefined, interval: string | undefined): Promise<QueuedDoorCommand> {
    const floor = await this.requireById(floorId);
    const seconds = checkInterval(interval, 'Floor');
    return this.send(floor, openFloors([floor.floor_no], seconds));
  }

  /** 2.12.2: lock the floor button again. */
  async remoteClose(floorId: string | undefined): Promise<QueuedDoorCommand> {
    const floor = await this.requireById(floorId);
    return this.send(floor, closeFloors([floor.floor_no]));
  }

  /**
   * CVSecurity's Remote Normally Open on a floor (CONTROL DEVICE 12, DD FF): the button stays released until the
   * normal opening is ended (`normal` false: `12 … 00`), as a door's normal open is until a remote close.
   */
  async normalOpen(floorId: string | undefined, normal = true): Promise<QueuedDoorCommand> {
    const floor = await this.requireById(floorId);
    return this.send(floor, normal ? holdFloorsOpen([floor.floor_no]) : endFloorsNormalOpen([floor.floor_no]));
  }

  /** Gateway extension: cancel the elevator emergency state of a controller (`CONTROL DEVICE 0F`). */
  async cancelEmergency(sn: string): Promise<QueuedDoorCommand> {
    const device = await this.requireController(this.ds.manager, sn);
    return this.send({ sn: device.sn, admission: device.admission }, cancelElevatorEmergency());
  }

  private async send(target: { sn: string; admission: string }, command: string): Promise<QueuedDoorCommand> {
    if (target.admission === 'disabled') throw new CvError(CvCode.Conflict, `Device ${target.sn} is disabled`);
    requireOnlineFor(await this.status.isOnlineNow(target.sn), target.sn);
    // The command's id lets the console follow it to the controller's Return (answered late, refused, or never).
    const { validSeconds, commandId } = await this.ds.transaction(async (m) => {
      const valid = await this.queue.enqueueAction(m, target.sn, command);
      return { validSeconds: valid, commandId: await this.queue.lastQueuedId(m, target.sn) };
    });
    return { deviceSn: target.sn, online: true, validSeconds, commandId };
  }

  /**
   * Creates floors 1..count that do not exist yet, named `<device alias>-<n>` like CVSecurity's
   * "192.168.214.15-1" (or `<SN>-<n>` when the name is taken). Returns how many were created.
   */
  async ensureFloors(m: EntityManager, deviceId: string, count: number, source: 'device' | 'operator'): Promise<number> {
    if (count <= 0) return 0;
    const [device] = await m.query(`SELECT id, sn, alias FROM device WHERE id = $1`, [deviceId]);
    if (!device) return 0;
    const have: Array<{ floor_no: number }> = await m.query(`SELECT floor_no FROM floor WHERE device_id = $1`, [deviceId]);
    const existing = new Set(have.map((h) => Number(h.floor_no)));
    const missing: number[] = [];
    for (let n = 1; n <= Math.min(count, MAX_FLOORS); n++) if (!existing.has(n)) missing.push(n);
    if (missing.length === 0) return 0;
    const wanted = missing.map((n) => `${device.alias}-${n}`.slice(0, 100));
    const taken = new Set<string>(
      (await m.query(`SELECT name FROM floor WHERE name = ANY($1::text[])`, [wanted])).map((r: { name: string }) => r.name),
    );
    const names = missing.map((n, i) => (taken.has(wanted[i]) ? `${device.sn}-${n}-${newId().slice(0, 6)}` : wanted[i]).slice(0, 100));
    await m.query(
      INSERT_FLOORS,
      [deviceId, missing.map(() => newId()), missing, names, source],
    );
    return missing.length;
  }

  /** Whether an operator declared the controller's floors (declareFloors): its registrations then add none. */
  async floorsDeclared(m: EntityManager, deviceId: string): Promise<boolean> {
    const [row] = await m.query(`SELECT 1 FROM floor WHERE device_id = $1 AND source = 'operator' LIMIT 1`, [deviceId]);
    return !!row;
  }

  /**
   * A registration (not an operator's declaration) reports `count` floors: floors 1..count exist (set-aside ones
   * back as they were, missing ones created), and when it states its floor outputs (`stated`, statedFloorOutputs)
   * the floors a registration created above them are set aside. The controller's rights are planned again when a
   * floor came back or went, in the registration's transaction. A registration that reports no count (0) changes nothing.
   */
  async followReported(m: EntityManager, deviceId: string, count: number, stated: number): Promise<{ created: number; restored: number; dropped: number }> {
    if (count <= 0) return { created: 0, restored: 0, dropped: 0 };
    const [, restored] = await m.query(
      `UPDATE floor SET source = 'device', updated_at = now() WHERE device_id = $1 AND source = '${DROPPED_FLOOR}' AND floor_no <= $2`,
      [deviceId, count],
    );
    const created = await this.ensureFloors(m, deviceId, count, 'device');
    const [, dropped] = stated > 0
      ? await m.query(`UPDATE floor SET source = '${DROPPED_FLOOR}', updated_at = now() WHERE device_id = $1 AND source = 'device' AND floor_no > $2`, [deviceId, stated])
      : [null, 0];
    if (Number(restored) > 0 || Number(dropped) > 0) await this.planner.syncDevice(m, deviceId);
    return { created, restored: Number(restored), dropped: Number(dropped) };
  }

  /**
   * Gateway extension: the operator declares how many floors a controller drives (a number, expansion
   * boards EX308/EX316, or both added up). Missing floors are created; floors above the count are removed,
   * and the controller's rights are planned again.
   */
  declareFloors(sn: string, count: number | undefined, boards: Array<string | number> | undefined): Promise<FloorRow[]> {
    return this.ds.transaction(async (m) => {
      const device = await this.requireController(m, sn);
      let total = count ?? 0;
      for (const b of boards ?? []) {
        const floors = BOARD_FLOORS[String(b).trim().toUpperCase()];
        if (floors === undefined) throw new CvError(CvCode.InvalidParameter, `Unknown expansion board ${String(b)} (EX308, EX316, 104 or 105)`);
        total += floors;
      }
      if (total < 1 || total > MAX_FLOORS) throw new CvError(CvCode.InvalidParameter, `The number of floors must be 1-${MAX_FLOORS}, got ${total}`);
      await this.ensureFloors(m, device.id, total, 'operator');
      const [, removed] = await m.query(`DELETE FROM floor WHERE device_id = $1 AND floor_no > $2`, [device.id, total]);
      // A floor set aside by a smaller reported count and now declared is a floor again, with its levels.
      const [, restored] = await m.query(`UPDATE floor SET source = 'operator' WHERE device_id = $1 AND source = '${DROPPED_FLOOR}'`, [device.id]);
      // The declaration replaces what the controller reports: every floor it left is the operator's now, which the
      // controller's next registration (at every reconnect) reads as "declared" and leaves alone (floorsDeclared).
      await m.query(`UPDATE floor SET source = 'operator' WHERE device_id = $1 AND source <> 'operator'`, [device.id]);
      if (Number(removed) > 0 || Number(restored) > 0) await this.planner.syncDevice(m, device.id);
      return m.query(`SELECT ${FLOOR_COLUMNS} FROM floor f WHERE f.device_id = $1 ORDER BY f.floor_no`, [device.id]);
    });
  }

  private async requireController(m: EntityManager, sn: string): Promise<{ id: string; sn: string; admission: string }> {
    if (!sn) throw new CvError(CvCode.SnRequired, 'SN is required');
    const [device] = await m.query(`SELECT id, sn, admission FROM device d WHERE d.sn = $1 AND ${effectiveKindSql('d')} = 'ele'`, [sn]);
    if (!device) throw new CvError(CvCode.NotFound, `No elevator controller with SN ${sn}`);
    return device;
  }
}

