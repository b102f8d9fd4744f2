import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeviceService } from '../device/device.service';
import { DoorService } from '../door/door.service';
import type { DeviceConvergenceDto, DeviceRefusalHoldDto, FailingReasonDto } from '../sync/dto/sync-status.dto';
import { SyncStatusService } from '../sync/sync-status.service';

export interface QueueCounts {
  pending: number;
  sent: number;
  done: number;
  failed: number;
  /** Failed in the last 24 hours: a panel with these has not converged even when nothing is pending. */
  failedRecently: number;
}

/** A device's convergence as the dashboard and the Devices page show it. */
export interface DeviceSyncSummary {
  sn: string;
  alias: string;
  online: boolean;
  /** The convergence view's state: synced, pending, refused (lacks only what the firmware refused for good) or divergent. */
  state: DeviceConvergenceDto['state'];
  divergent: boolean;
  desiredItems: number;
  confirmedItems: number;
  unconfirmedItems: number;
  failingItems: number;
  /** Desired items it lacks only because its firmware refused them for good, and those refusals (the ones keeping items off). */
  refusedItems: number;
  refusals: Array<Pick<DeviceRefusalHoldDto, 'what' | 'returnCode' | 'probeAt' | 'items'>>;
  /** What it refused or left unanswered, by reason (capacity, data, unsupported, transient) and Return code. */
  failing: Array<Pick<FailingReasonDto, 'reason' | 'returnCode' | 'meaning' | 'items'>>;
  pendingCommands: number;
  owed: string[];
  /**
   * Owed work not tried yet (attempts 0: a full sync an approval owes, before the worker queues it a moment later):
   * the device is about to be synced, not failing; the console says "syncing", not "divergent".
   */
  owedUntried: boolean;
}

/** Devices whose convergence the dashboard works out on each load; past this, the likeliest ones first. */
const CONVERGENCE_CHECKS = 100;

/**
 * What the dashboard shows: panels online/offline/waiting, devices whose state has not converged (from the
 * convergence view: desired against confirmed, failing items, owed work), and every door's state.
 */
@Injectable()
export class ConsoleStatusService {
  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly doors: DoorService,
    private readonly sync: SyncStatusService,
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
    const [all, doors] = await Promise.all([this.devices.listAll(undefined, undefined), this.doors.allStates()]);
    const details = await this.devices.toDetails(all);
    const admitted = details.filter((d) => d.admission === 'admitted');
    return {
      devices: {
        online: admitted.filter((d) => d.online).length,
        offline: admitted.filter((d) => !d.online).length,
        pending: details.filter((d) => d.admission === 'pending').length,
        disabled: details.filter((d) => d.admission === 'disabled').length,
      },
      pendingDevices: details.filter((d) => d.admission === 'pending').map((d) => ({ sn: d.sn, alias: d.alias, kind: d.kind, ipAddress: d.ipAddress, lastSeen: d.lastSeen, type: d.type })),
      offlineDevices: admitted.filter((d) => !d.online).map((d) => ({ sn: d.sn, alias: d.alias, lastSeen: d.lastSeen })),
      // Refused by the gateway: it takes nothing from them and sends them nothing, yet a panel still decides at its
      // doors with what it last held. Neither online, offline nor waiting: counted and listed on their own.
      disabledDevices: details.filter((d) => d.admission === 'disabled').map((d) => ({ sn: d.sn, alias: d.alias, lastSeen: d.lastSeen })),
      notConverged: await this.notConverged(admitted),
      doors: doors.map((s) => ({ id: s.door.id, name: s.door.name, doorNo: s.door.doorNo, deviceId: s.door.deviceId, ...s.state })),
    };
  }

  /**
   * Admitted devices that do not hold what the database says: the convergence view of each (the same as
   * `GET /api/gateway/devices/{sn}/convergence`): divergent (failing items, owed work, or a desired state
   * nothing in flight will reach), or items desired and not yet confirmed by Return codes. On a large site
   * the devices counted by `cvgw_sync_divergent_devices` and those with commands in flight are looked at first.
   */
  private async notConverged(admitted: Array<{ id: string; sn: string; alias: string; online: boolean }>) {
    return [...(await this.convergence(admitted)).values()].filter((c) => c.divergent || c.unconfirmedItems > 0);
  }

  /**
   * Each admitted device's convergence summary (up to CONVERGENCE_CHECKS of them, the likeliest to be behind
   * first): the Devices page's Sync column, and the dashboard's devices not converged.
   */
  async convergence(admitted: Array<{ id: string; sn: string; alias: string; online: boolean }>): Promise<Map<string, DeviceSyncSummary>> {
    const likely: Array<{ id: string }> = await this.ds.query(
      `SELECT device_id AS id FROM sync_item WHERE failures > 0 UNION SELECT device_id FROM sync_owed
        UNION SELECT d.id FROM device d WHERE EXISTS (SELECT 1 FROM device_command c WHERE c.device_sn = d.sn AND c.state IN ('pending', 'sent'))`,
    );
    const first = new Set(likely.map((r) => r.id));
    const ordered = [...admitted.filter((d) => first.has(d.id)), ...admitted.filter((d) => !first.has(d.id))].slice(0, CONVERGENCE_CHECKS);
    // One snapshot for the whole page: like panels share the work of a large person set (SyncStatusService.ofDevices).
    const views = await this.sync.ofDevices(ordered.map((d) => d.sn));
    const out = new Map<string, DeviceSyncSummary>();
    for (const d of ordered) {
      const c = views.get(d.sn);
      // Deleted since the device list was read.
      if (!c) continue;
      out.set(d.sn, {
        sn: d.sn,
        alias: d.alias,
        online: d.online,
        state: c.state,
        divergent: c.divergent,
        desiredItems: c.desiredItems,
        confirmedItems: c.confirmedItems,
        unconfirmedItems: c.unconfirmedItems,
        failingItems: c.failingItems,
        refusedItems: c.refusedItems,
        refusals: c.refusals.filter((r) => r.items > 0).map(({ what, returnCode, probeAt, items }) => ({ what, returnCode, probeAt, items })),
        failing: c.failing.map(({ reason, returnCode, meaning, items }) => ({ reason, returnCode, meaning, items })),
        pendingCommands: c.pendingCommands,
        owed: c.owed.map((o) => o.kind),
        owedUntried: c.owed.length > 0 && c.owed.every((o) => o.attempts === 0) && c.unknownRows.length === 0,
      });
    }
    return out;
  }
}
