import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { FOR_GOOD_SQL } from '../push/device-refusals';

/**
 * The tables an item of kind `i.kind` is written to, on a panel (sync-plan.ts tableOf) or a terminal (USERINFO, its
 * template and photo tables), lower case: a refusal keeps an item off only when it names the item's table (a panel
 * refusing `DATA UPDATE biophoto` with -1004 does not keep off a user whose delete it also refused with -1004).
 */
const TABLES_OF_KIND = `(CASE i.kind WHEN 'user' THEN ARRAY['user', 'userinfo'] WHEN 'auth' THEN ARRAY['userauthorize'] WHEN 'eleauth' THEN ARRAY['usereleauthorize']
  WHEN 'card' THEN ARRAY['mulcarduser'] WHEN 'photo' THEN ARRAY['biophoto', 'userpic'] WHEN 'bio' THEN ARRAY['biodata', 'templatev10', 'fingertmp', 'face', 'fvein']
  WHEN 'tz' THEN ARRAY['timezone'] WHEN 'hday' THEN ARRAY['holiday'] ELSE ARRAY[i.kind::text] END)`;

/**
 * A failing item (`sync_item i`) as the convergence view counts it (SyncStatusService, failingItems): an item whose last
 * Return is that of a refusal for good of a write to its table (`DATA UPDATE <table>`, or of a template type) is kept
 * off by that refusal until its probe, not retried (the device is reported refused, not divergent), and one whose
 * retry (or a later command putting, deleting or clearing it) is on its way is pending there (onItsWay). A delete
 * refused for good leaves the item held beyond what the database gives: failing and divergent in the view (a panel
 * refusing `DATA DELETE user` keeps a person who left), so counted here too.
 */
const FAILING_SQL = `i.failures > 0
  AND NOT EXISTS (SELECT 1 FROM device_refusal r WHERE r.device_id = i.device_id AND r.return_code = i.last_return AND r.what LIKE 'DATA UPDATE %'
                     AND lower(split_part(r.what, ' ', 3)) = ANY(${TABLES_OF_KIND}) AND ${FOR_GOOD_SQL})
  AND NOT EXISTS (SELECT 1 FROM device d JOIN device_command c ON c.device_sn = d.sn
                   WHERE d.id = i.device_id AND c.state IN ('pending', 'sent') AND c.meta ? 'sync'
                     AND (c.meta->>'kind' = i.kind OR c.meta->'cascade' ? i.kind)
                     AND (c.meta ? 'clear' OR c.keys ? i.key))`;

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
      const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM (SELECT i.device_id FROM sync_item i WHERE ${FAILING_SQL} UNION SELECT device_id FROM sync_owed) d`);
      g.set(row?.n ?? 0);
    });
    this.metrics.gauge(
      'cvgw_sync_failing_items',
      'Device items whose last command was refused or unanswered, retried with backoff and no retry on its way (the sum of the convergence views\' failingItems)',
      [],
      async (g) => {
        // The items the convergence view counts as failing (and that make the divergent devices above): counted whatever
        // was on its way, a panel whose retry was queued was said pending there and failing here at the same moment.
        const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM sync_item i WHERE ${FAILING_SQL}`);
        g.set(row?.n ?? 0);
      },
    );
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
