import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { Area } from '../area/area.entity';
import { AreaNotFound, findAreaByRef } from '../area/area.service';
import { CvCode, CvError } from '../common/cv-error';
import type { Page } from '../common/paging';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Door } from '../door/door.entity';
import { renameDoorRow } from '../door/door-rename';
import { listRefusals } from '../push/device-refusals';
import { DeviceRegistryService } from '../push/device-registry.service';
import { returnMeaning } from '../push/protocol';
import { DeviceStatusService } from '../push/device-status.service';
import { WorkSignalService } from '../push/work-signal.service';
import { Device, type DeviceAdmission } from './device.entity';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { effectiveKindSql, type DeviceKind } from './device-kind';
import { deviceModel, type DeviceDetailDto } from './dto/device.dto';
import { deviceCapacity, loadDeviceCapacities } from './device-capacity';
import { writeTransaction } from '../common/write-transaction';
import { readSnapshot } from '../database/snapshot';

export class DeviceNotFound extends CvError {
  constructor(sn: string) {
    super(CvCode.NotFound, `Device does not exist: ${sn}`);
  }
}

/**
 * Device reads (2.9) and the gateway's device administration. The CVSecurity endpoints list the devices that
 * were added (admitted or disabled); devices still pending admission appear only in the gateway's own list.
 */
@Injectable()
export class DeviceService {
  constructor(
    @InjectRepository(Device) private readonly devices: Repository<Device>,
    private readonly ds: DataSource,
    private readonly status: DeviceStatusService,
    private readonly registry: DeviceRegistryService,
    private readonly signal: WorkSignalService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attendance: AttendanceSyncService,
  ) {}

  /** Added devices of one module (the access endpoints of 2.9 list access panels only). */
  async listAdded(page: Page, kind: DeviceKind = 'acc'): Promise<{ rows: Device[]; total: number }> {
    const qb = this.ofKind(kind)
      .andWhere("d.admission <> 'pending'")
      .orderBy('d.createdAt', 'ASC')
      .addOrderBy('d.sn', 'ASC')
      .skip(page.offset)
      .take(page.pageSize);
    const [rows, total] = await readSnapshot(this.ds, (m) => qb.setQueryRunner(m.queryRunner!).getManyAndCount());
    return { rows, total };
  }

  private ofKind(kind: DeviceKind) {
    return this.devices.createQueryBuilder('d').where(`${effectiveKindSql('d')} = :kind`, { kind });
  }

  findBySn(sn: string): Promise<Device | null> {
    return this.devices.findOne({ where: { sn } });
  }

  async requireBySn(sn: string): Promise<Device> {
    const d = await this.findBySn(sn);
    if (!d) throw new DeviceNotFound(sn);
    return d;
  }

  /** 2.9.2: only an added device of the module is one of its devices to CVSecurity (access panels by default). */
  async requireAddedBySn(sn: string, kind: DeviceKind = 'acc'): Promise<Device> {
    const d = await this.findBySn(sn);
    if (!d || d.admission === 'pending' || (d.kindOverride ?? d.kind) !== kind) throw new DeviceNotFound(sn);
    return d;
  }

  async listAll(admission: DeviceAdmission | undefined, page: Page | undefined, kind?: DeviceKind): Promise<Device[]> {
    const qb = this.devices.createQueryBuilder('d').where('true');
    if (admission) qb.andWhere('d.admission = :admission', { admission });
    if (kind) qb.andWhere(`${effectiveKindSql('d')} = :kind`, { kind });
    qb.orderBy('d.createdAt', 'ASC').addOrderBy('d.sn', 'ASC');
    if (page) qb.skip(page.offset).take(page.pageSize);
    return qb.getMany();
  }

  /** Renames the device; with renameDoors, doors, readers and floors still named after the old alias follow. */
  async rename(sn: string, alias: string, renameDoors: boolean): Promise<Device> {
    return writeTransaction(this.ds, async (m) => {
      const device = await m.findOne(Device, { where: { sn } });
      if (!device) throw new DeviceNotFound(sn);
      const old = device.alias;
      // Device names are unique, as CVSecurity's device form checks them (isExistAlias): two panels of one name were
      // told apart by nobody (device/getAcc by name, the console, doors named <alias>-<n>). Case aside, as a client
      // typing "lobby" for "Lobby" means the same panel. A name kept as it is stays allowed (older duplicates).
      if (alias !== old) {
        const [other]: Array<{ sn: string; alias: string }> = await m.query(`SELECT sn, alias FROM device WHERE id <> $1 AND lower(alias) = lower($2) LIMIT 1`, [device.id, alias]);
        if (other) throw new CvError(CvCode.Conflict, `The device name already exists: ${other.alias} is device ${other.sn}`);
      }
      device.alias = alias;
      await m.save(device);
      await this.signal.notifyDeviceChanged(m, sn);
      if (renameDoors && old !== alias) {
        // Door and floor names are unique (remoteOpenByName, addLevelDoor): one another device's door or floor has
        // already was refused as "The record already exists", naming nothing.
        const [taken]: Array<{ name: string }> = await m.query(
          `SELECT name FROM door WHERE device_id <> $1 AND name IN (SELECT $2 || '-' || door_no FROM door WHERE device_id = $1 AND name = $3 || '-' || door_no)
           UNION ALL
           SELECT name FROM floor WHERE device_id <> $1 AND name IN (SELECT left($2 || '-' || floor_no, 100) FROM floor WHERE device_id = $1 AND name = $3 || '-' || floor_no)
           LIMIT 1`,
          [device.id, alias, old],
        );
        if (taken) throw new CvError(CvCode.Conflict, `Cannot rename the doors to ${alias}-<n>: ${taken.name} is another device's; rename without renameDoors, or rename that one first`);
        const doors = await m.find(Door, { where: { deviceId: device.id } });
        for (const door of doors) {
          if (door.name !== `${old}-${door.doorNo}`) continue;
          await renameDoorRow(m, door.id, door.name, `${alias}-${door.doorNo}`);
        }
        // An elevator controller's floors are named like doors (`<alias>-<n>`, 2.12.1), and follow the same way.
        await m.query(
          `UPDATE floor SET name = left($2 || '-' || floor_no, 100), updated_at = now() WHERE device_id = $1 AND name = $3 || '-' || floor_no`,
          [device.id, alias, old],
        );
      }
      return device;
    }).finally(() => this.forgetSession(sn));
  }

  async moveToArea(sn: string, areaCode: string): Promise<Device> {
    // A terminal or kiosk moved to another area holds that area's members instead (no-op for other kinds).
    return writeTransaction(this.ds, async (m) => {
      // The device locked and read inside: one deleted meanwhile is not found, never saved (inserted) again.
      const device = await m.findOne(Device, { where: { sn }, lock: { mode: 'pessimistic_write' } });
      if (!device) throw new DeviceNotFound(sn);
      // Key-share locked: an area delete committed meanwhile reads as none (-80), never a device moved into an area
      // gone (a bare -409 from the foreign key); one under way waits for the move, then finds the device.
      // By code, or by id (the code wins).
      const area = await findAreaByRef(m.getRepository(Area), areaCode, { mode: 'for_key_share' });
      if (!area) throw new AreaNotFound(areaCode);
      await m.update(Device, { id: device.id }, { areaId: area.id });
      device.areaId = area.id;
      await this.attendance.syncTerminalFull(m, device.id);
      return device;
    });
  }

  /**
   * Deletes the device with its doors and readers (FK cascades), and drops the commands still queued for it.
   * Commands already answered stay as history.
   */
  async delete(sn: string): Promise<void> {
    await writeTransaction(this.ds, async (m) => {
      const device = await m.findOne(Device, { where: { sn } });
      if (!device) throw new DeviceNotFound(sn);
      await m.query(
        `DELETE FROM device_command_attempt WHERE command_id IN (SELECT id FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent'))`,
        [sn],
      );
      await m.query(`DELETE FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent')`, [sn]);
      await m.delete(Device, { id: device.id });
      await this.signal.notifyDeviceChanged(m, sn);
    });
    this.forgetSession(sn);
  }

  /** The PUSH registry caches a session per SN for the poll path; after a rename or delete it reloads the row. */
  private forgetSession(sn: string): void {
    this.registry.forget(sn);
  }

  async toDetails(rows: Device[]): Promise<DeviceDetailDto[]> {
    const ids = rows.map((r) => r.id);
    const areaIds = [...new Set(rows.map((r) => r.areaId).filter((a): a is string => !!a))];
    const [areas, doors, refusals, capacities] = await Promise.all([
      areaIds.length ? this.ds.getRepository(Area).find({ where: { id: In(areaIds) } }) : Promise.resolve([]),
      ids.length ? this.ds.getRepository(Door).find({ where: { deviceId: In(ids) }, order: { doorNo: 'ASC' } }) : Promise.resolve([]),
      listRefusals(this.ds.manager, ids),
      loadDeviceCapacities(this.ds, rows.map((r) => r.sn)),
    ]);
    const areaOf = new Map(areas.map((a) => [a.id, a]));
    return rows.map((d) => {
      const area = d.areaId ? areaOf.get(d.areaId) : undefined;
      const lastSeen = this.status.lastSeen(d);
      return {
        id: d.id,
        sn: d.sn,
        alias: d.alias,
        admission: d.admission,
        kind: d.kindOverride ?? d.kind,
        detectedKind: d.kind,
        kindOverride: d.kindOverride,
        online: d.admission === 'admitted' && this.status.isOnline(d),
        lastSeen: formatCvDateTime(lastSeen, this.config.timeZone),
        areaCode: area?.code ?? null,
        areaName: area?.name ?? null,
        type: deviceModel(d),
        ipAddress: d.ipAddress,
        firmVer: d.firmVer,
        // A terminal never registers: the PushVersion of its options, else the pushver of its initialisation.
        pushVersion: d.pushVersion ?? (['att', 'facekiosk'].includes(d.kindOverride ?? d.kind) ? (d.registration?.pushver ?? null) : null),
        lockCount: d.lockCount,
        readerCount: d.readerCount,
        timeZone: d.timeZone,
        doors: doors.filter((x) => x.deviceId === d.id).map((x) => ({ id: x.id, doorNo: x.doorNo, name: x.name })),
        lastAddress: d.lastIp,
        snConflict: d.snConflictIp ? { address: d.snConflictIp, at: formatCvDateTime(d.snConflictAt, this.config.timeZone) } : null,
        refusedCapabilities: (refusals.get(d.id) ?? []).map((r) => ({
          what: r.what,
          returnCode: r.returnCode,
          returnMeaning: returnMeaning(r.returnCode),
          refusals: r.refusals,
          command: r.command,
          firstAt: formatCvDateTime(r.firstAt, this.config.timeZone),
          lastAt: formatCvDateTime(r.lastAt, this.config.timeZone),
          probeAt: new Date(r.probeAt).toISOString(),
          excessRows: r.excessRows,
        })),
        capacity: capacities.get(d.sn) ?? deviceCapacity(d.registration, null),
      };
    });
  }
}
