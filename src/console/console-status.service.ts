import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeviceService } from '../device/device.service';
import { DoorService } from '../door/door.service';

export interface QueueCounts {
  pending: number;
  sent: number;
  done: number;
  failed: number;
  /** Failed in the last 24 hours: a panel with these has not converged even when nothing is pending. */
  failedRecently: number;
}

/**
 * What the dashboard shows: panels online/offline/waiting, panels that have not converged (commands still
 * queued, or refused by the panel in the last day), and every door's state.
 */
@Injectable()
export class ConsoleStatusService {
  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly doors: DoorService,
  ) {}

  async queueCounts(sn: string): Promise<QueueCounts> {
    return (await this.allQueueCounts(sn)).get(sn) ?? { pending: 0, sent: 0, done: 0, failed: 0, failedRecently: 0 };
  }

  private async allQueueCounts(sn?: string): Promise<Map<string, QueueCounts>> {
    const rows: Array<QueueCounts & { device_sn: string }> = await this.ds.query(
      `SELECT device_sn,
              count(*) FILTER (WHERE state = 'pending')::int AS pending,
              count(*) FILTER (WHERE state = 'sent')::int AS sent,
              count(*) FILTER (WHERE state = 'done')::int AS done,
              count(*) FILTER (WHERE state = 'failed')::int AS failed,
              count(*) FILTER (WHERE state = 'failed' AND created_at > now() - interval '1 day')::int AS "failedRecently"
         FROM device_command ${sn === undefined ? '' : 'WHERE device_sn = $1'} GROUP BY device_sn`,
      sn === undefined ? [] : [sn],
    );
    return new Map(rows.map(({ device_sn, ...c }) => [device_sn, c]));
  }

  async dashboard() {
    const [all, counts, doors] = await Promise.all([this.devices.listAll(undefined, undefined), this.allQueueCounts(), this.doors.allStates()]);
    const details = await this.devices.toDetails(all);
    const admitted = details.filter((d) => d.admission === 'admitted');
    const notConverged = admitted
      .map((d) => ({ sn: d.sn, alias: d.alias, online: d.online, ...(counts.get(d.sn) ?? { pending: 0, sent: 0, done: 0, failed: 0, failedRecently: 0 }) }))
      .filter((d) => d.pending + d.sent + d.failedRecently > 0);
    return {
      devices: {
        online: admitted.filter((d) => d.online).length,
        offline: admitted.filter((d) => !d.online).length,
        pending: details.filter((d) => d.admission === 'pending').length,
        disabled: details.filter((d) => d.admission === 'disabled').length,
      },
      pendingDevices: details.filter((d) => d.admission === 'pending').map((d) => ({ sn: d.sn, alias: d.alias, ipAddress: d.ipAddress, lastSeen: d.lastSeen, type: d.type })),
      offlineDevices: admitted.filter((d) => !d.online).map((d) => ({ sn: d.sn, alias: d.alias, lastSeen: d.lastSeen })),
      notConverged,
      doors: doors.map((s) => ({ id: s.door.id, name: s.door.name, doorNo: s.door.doorNo, deviceId: s.door.deviceId, ...s.state })),
    };
  }
}
