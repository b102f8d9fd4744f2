import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayMetrics } from './gateway-metrics';

const QUEUE_STATES = ['pending', 'sent', 'done', 'failed'];

/** Figures that live in the database, read once per scrape (a scrape every 15 s or so costs a few queries). */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly ds: DataSource,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('cvgw_device_commands', 'Device commands in the queue, by state', ['state'], async (g) => {
      g.reset();
      const rows: Array<{ state: string; n: number }> = await this.ds.query(
        `SELECT state, count(*)::int AS n FROM device_command WHERE state IN ('pending', 'sent') GROUP BY state
         UNION ALL SELECT 'failed', count(*)::int FROM device_command WHERE state = 'failed'`,
      );
      for (const s of QUEUE_STATES) if (s !== 'done') g.set({ state: s }, 0);
      for (const r of rows) g.set({ state: r.state }, r.n);
    });
    // Push Center (src/pushCenter): how far event delivery lags behind ingest, across every gateway process.
    this.metrics.gauge('cvgw_push_delivery_lag_seconds', 'Age of the oldest event waiting in the push outbox (0 when none waits)', [], async (g) => {
      const [row]: Array<{ lag: number | null }> = await this.ds.query(
        `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS lag FROM push_outbox WHERE state = 'pending'`,
      );
      g.set(Math.max(0, row?.lag ?? 0));
    });
    this.metrics.gauge('cvgw_push_outbox_pending', 'Events waiting in the push outbox (all targets)', [], async (g) => {
      const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM push_outbox WHERE state = 'pending'`);
      g.set(row?.n ?? 0);
    });
    this.metrics.gauge('cvgw_devices_registered', 'Devices known to the gateway, by admission state', ['admission'], async (g) => {
      g.reset();
      const rows: Array<{ admission: string; n: number }> = await this.ds.query('SELECT admission, count(*)::int AS n FROM device GROUP BY admission');
      for (const r of rows) g.set({ admission: r.admission }, r.n);
    });
  }
}
