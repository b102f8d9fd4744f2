import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { DeviceAddressService } from '../push/device-address.service';
import { DeviceAdmissionService } from '../push/device-admission.service';
import { DeviceStatusService } from '../push/device-status.service';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { SyncReconciler } from '../sync/sync-reconciler.service';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import type { Device } from './device.entity';
import { DeviceService } from './device.service';
import type { DeviceSyncResultDto } from './dto/device.dto';
import { writeTransaction } from '../common/write-transaction';

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
      const next = await this.planner.syncDeviceFull(m, device.id);
      await this.attendance.syncTerminalFull(m, device.id);
      if (next !== null) await m.query(`INSERT INTO sync_owed (device_id, kind, cursor) VALUES ($1, 'full', $2) ON CONFLICT (device_id, kind) DO UPDATE SET cursor = EXCLUDED.cursor, attempts = 0, next_try_at = now()`, [device.id, next]);
      return next !== null;
    });
    if (more) this.reconciler.kick();
    const result = this.status.isOnline(device)
      ? 'success: a full sync is queued'
      : 'success: a full sync is queued; the device is offline and will receive it when it reconnects';
    return { sn, result };
  }
}
