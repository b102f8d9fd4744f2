import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { FOR_GOOD_SQL } from '../push/device-refusals';

/**
 * Convergence figures for /metrics, read at scrape time (a few cheap queries): devices that diverge
 * (items refused or unanswered, or work owed), and how long the oldest planned command has waited for its
 * Return.
 */
@Injectable()
export class SyncMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly ds: DataSource,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('cvgw_sync_divergent_devices', 'Devices with items refused or unanswered (retried with backoff, no retry on its way) or with work owed', [], async (g) => {
      // An item whose last Return is that of a refusal for good of its device is kept off by that refusal until its
      // probe, not retried: such a device is reported refused, not divergent (SyncStatusService). Nor is an item whose
      // retry (or a later command putting, deleting or clearing it) is on its way: pending there too (onItsWay).
      const [row]: Array<{ n: number }> = await this.ds.query(
        `SELECT count(*)::int AS n FROM (
           SELECT i.device_id FROM sync_item i WHERE i.failures > 0
              AND NOT EXISTS (SELECT 1 FROM device_refusal r WHERE r.device_id = i.device_id AND r.return_code = i.last_return AND ${FOR_GOOD_SQL})
              AND NOT EXISTS (SELECT 1 FROM device d JOIN device_command c ON c.device_sn = d.sn
                               WHERE d.id = i.device_id AND c.state IN ('pending', 'sent') AND c.meta ? 'sync'
                                 AND (c.meta->>'kind' = i.kind OR c.meta->'cascade' ? i.kind)
                                 AND (c.meta ? 'clear' OR c.keys ? i.key))
           UNION SELECT device_id FROM sync_owed) d`,
      );
      g.set(row?.n ?? 0);
    });
    this.metrics.gauge('cvgw_sync_failing_items', 'Device items whose last command was refused or unanswered', [], async (g) => {
      const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM sync_item WHERE failures > 0`);
      g.set(row?.n ?? 0);
    });
    this.metrics.gauge('cvgw_sync_skipped_members', 'Members not sent to a device because a stored value cannot travel in a command', [], async (g) => {
      const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM sync_item WHERE skipped IS NOT NULL`);
      g.set(row?.n ?? 0);
    });
    this.metrics.gauge('cvgw_sync_oldest_unconfirmed_seconds', 'Age of the oldest planned device command without a Return (0 when none waits)', [], async (g) => {
      const [row]: Array<{ age: number | null }> = await this.ds.query(
        `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS age FROM device_command WHERE state IN ('pending', 'sent') AND meta ? 'sync'`,
      );
      g.set(Math.max(0, row?.age ?? 0));
    });
  }
}
