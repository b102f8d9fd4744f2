import { Injectable } from '@nestjs/common';
import { forgetBusyRefusals } from '../push/device-refusals';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { newId } from '../common/ids';
import { excludedOf, intoOf, listOf } from '../database/columns';
import { DeviceAddressService } from '../push/device-address.service';
import { DeviceAdmissionService } from '../push/device-admission.service';
import { DeviceStatusService } from '../push/device-status.service';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { SyncReconciler } from '../sync/sync-reconciler.service';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { SyncOwed } from '../sync/sync-state.entity';
import type { Device } from './device.entity';
import { DeviceService } from './device.service';
import type { DeviceSyncResultDto } from './dto/device.dto';
import { writeTransaction } from '../common/write-transaction';

/** The rest of a full sync ($2, where it stopped) is owed to device $1, due now. */
const OWE_FULL_REST = `INSERT INTO ${intoOf(SyncOwed, ['deviceId', 'kind', 'cursor', 'plan'])} VALUES ($1, 'full', $2, $3)
  ON CONFLICT (${listOf(SyncOwed, ['deviceId', 'kind'])}) DO UPDATE SET ${excludedOf(SyncOwed, ['cursor', 'plan'])}, attempts = 0, next_try_at = now()`;

/** The gateway's device administration that reaches into PUSH (admission) and the sync planner (full resync). */
@Injectable()
export class DeviceAdminService {
  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly admission: DeviceAdmissionService,
    private readonly status: DeviceStatusService,
    private readonly planner: SyncPlannerService,
    private readonly reconciler: SyncReconciler,
    private readonly addresses: DeviceAddressService,
    private readonly attendance: AttendanceSyncService,
  ) {}

  /** Admits a pending or disabled device; for an admitted one flagged with an SN conflict, accepts the flagged address. */
  async approve(sn: string): Promise<Device> {
    const device = await this.devices.requireBySn(sn);
    if (device.admission === 'admitted' && device.snConflictIp) await this.addresses.acceptFlaggedAddress(sn);
    await this.admission.approve(sn);
    return this.devices.requireBySn(sn);
  }

  /**
   * Adds a device by its SN before it has contacted the gateway, admitted: when it first calls it registers and is
   * sent what it should hold, with no approval to wait for. A known SN is a conflict (approve it instead).
   */
  async add(sn: string, alias: string | undefined): Promise<Device> {
    if (!(await this.admission.add(sn, alias))) throw new CvError(CvCode.Conflict, `Device ${sn} is already known (${(await this.devices.requireBySn(sn)).admission})`);
    return this.devices.requireBySn(sn);
  }

  async disable(sn: string): Promise<Device> {
    await this.devices.requireBySn(sn);
    await this.admission.disable(sn);
    return this.devices.requireBySn(sn);
  }

  /**
   * A full sync: the first page is planned and queued in this transaction; if the device should hold more,
   * the rest is recorded as owed and carried out by the reconciler, page by page.
   */
  async syncAll(sn: string): Promise<DeviceSyncResultDto> {
    const device = await this.devices.requireBySn(sn);
    if (device.admission !== 'admitted') throw new CvError(CvCode.Conflict, `Device ${sn} is ${device.admission}; approve it first`);
    const more = await writeTransaction(this.ds, async (m) => {
      // One plan id for every page (sync_owed.plan): the reconciler's later pages skip this page's commands in their replay.
      const plan = newId();
      await forgetBusyRefusals(m, device.id);
      const next = await this.planner.syncDevicesFull(m, [device.id], null, plan);
      await this.attendance.syncTerminalFull(m, device.id);
      if (next !== null) await m.query(OWE_FULL_REST, [device.id, next, plan]);
      return next !== null;
    });
    if (more) this.reconciler.kick();
    const result = this.status.isOnline(device)
      ? 'success: a full sync is queued'
      : 'success: a full sync is queued; the device is offline and will receive it when it reconnects';
    return { sn, result };
  }
}
