import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { writeDeadlockRetries } from '../common/write-transaction';

/** What a rejected device line was part of: the `kind` label of cvgw_device_lines_rejected_total (a closed set). */
export const REJECTED_LINE_KINDS = ['rtlog', 'rtstate', 'devicecmd', 'table', 'querydata', 'remoteauth'] as const;
/** Why a device request was refused before its handler: the `reason` label of cvgw_device_requests_refused_total. */
export const DEVICE_REFUSAL_REASONS = ['query_too_long', 'comm_key', 'no_sn', 'sn_conflict', 'rate_limit', 'unavailable'] as const;

/**
 * The process's Prometheus metrics, one registry per app instance (tests run several apps in a process).
 * Gauges whose value lives in the database are filled at scrape time by collectors registered by the
 * modules that own the data.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'cvgw_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'cvgw_http_request_duration_seconds',
    help: 'HTTP request latency, by route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly eventsIngested = new Counter({
    name: 'cvgw_events_ingested_total',
    help: 'Access events (rtlog) stored from devices',
    registers: [this.registry],
  });

  readonly groupCommitBatches = new Counter({
    name: 'cvgw_group_commit_batches_total',
    help: 'Ingest transactions written by group commit, by kind; fallback=yes for an upload rewritten alone after its batch failed',
    labelNames: ['kind', 'fallback'] as const,
    registers: [this.registry],
  });

  readonly groupCommitItems = new Counter({
    name: 'cvgw_group_commit_items_total',
    help: 'Uploads written by group commit, by kind (items ÷ batches = the mean batch size)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly idlePolls = new Counter({
    name: 'cvgw_device_idle_polls_total',
    help: 'getrequest polls answered OK from memory (nothing queued for the device)',
    registers: [this.registry],
  });

  readonly attPunchesIngested = new Counter({
    name: 'cvgw_att_punches_ingested_total',
    help: 'Attendance punches (ATTLOG) stored from terminals',
    registers: [this.registry],
  });

  readonly deviceLinesRejected = new Counter({
    name: 'cvgw_device_lines_rejected_total',
    help: 'Lines of device uploads and command results refused as malformed',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly deviceRequestsRefused = new Counter({
    name: 'cvgw_device_requests_refused_total',
    help: 'Device (/iclock) requests refused before their handler: comm_key, no_sn, sn_conflict, rate_limit, query_too_long, unavailable',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Every series of a closed label set is served from the start, at 0: a scraper's rate() and an alert on a
    // refusal or a rejected line see the series before its first increment instead of an absent one.
    for (const kind of REJECTED_LINE_KINDS) this.deviceLinesRejected.inc({ kind }, 0);
    for (const reason of DEVICE_REFUSAL_REASONS) this.deviceRequestsRefused.inc({ reason }, 0);
    // Process-wide (write-transaction.ts), not per app: a count since the process started.
    this.gauge('cvgw_write_deadlock_retries', 'Write transactions aborted by PostgreSQL as a deadlock and run again, since the process started', [], (g) => g.set(writeDeadlockRetries()));
  }

  /** A gauge whose value is computed at scrape time. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (g: Gauge<L>) => Promise<void> | void): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
