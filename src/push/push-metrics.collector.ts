import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { DeviceStatusService } from './device-status.service';

/**
 * cvgw_devices_online, computed at scrape time with the same rule as the device endpoints
 * (DeviceStatusService: not silent past its online window, online-window.ts, this process's memory or the last
 * contact any process wrote to device.last_seen_at).
 */
@Injectable()
export class PushMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly ds: DataSource,
    private readonly status: DeviceStatusService,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('cvgw_devices_online', 'Admitted devices seen within their online window', [], async (g) => {
      const rows: Array<{ sn: string; last_seen_at: Date | null; request_delay: number | null }> = await this.ds.query(
        `SELECT sn, last_seen_at, request_delay FROM device WHERE admission = 'admitted'`,
      );
      const now = Date.now();
      let online = 0;
      for (const r of rows) if (this.status.isOnline({ sn: r.sn, lastSeenAt: r.last_seen_at, requestDelay: r.request_delay }, now)) online++;
      g.set(online);
    });
    this.metrics.gauge('cvgw_att_terminals_online', 'Admitted attendance terminals and FaceKiosks seen within their online window', ['kind'], async (g) => {
      const rows: Array<{ sn: string; last_seen_at: Date | null; request_delay: number | null; kind: string }> = await this.ds.query(
        `SELECT sn, last_seen_at, request_delay, coalesce(kind_override, kind) AS kind FROM device
          WHERE admission = 'admitted' AND coalesce(kind_override, kind) IN ('att', 'facekiosk')`,
      );
      const now = Date.now();
      const online: Record<string, number> = { att: 0, facekiosk: 0 };
      for (const r of rows) if (this.status.isOnline({ sn: r.sn, lastSeenAt: r.last_seen_at, requestDelay: r.request_delay }, now)) online[r.kind]++;
      for (const [kind, n] of Object.entries(online)) g.set({ kind }, n);
    });
  }
}
