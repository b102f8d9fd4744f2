import type { Logger as PinoLogger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { redactUrl } from './redact';

/** What the access log reads of a served request. */
export interface ServedRequest {
  id: string;
  method: string;
  url: string;
}

/**
 * The access log and the request metrics, for Fastify's onResponse hook and the raw device fast path
 * (device-fast-path.ts) alike: one line per request at info level, except the device side's hot, successful
 * requests (polls, real-time uploads), which every device sends all day and which would drown the rest:
 * those are debug-level (counted in the metrics all the same).
 */
export class AccessLog {
  constructor(
    private readonly log: PinoLogger,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** An idle poll (nothing queued): the commonest request there is, counted, and logged at debug only. */
  idlePoll(req: ServedRequest, status: number, ms: number): void {
    this.metrics.idlePolls.inc();
    if (this.log.isLevelEnabled('debug')) this.log.debug({ reqId: req.id, method: req.method, url: redactUrl(req.url), status, ms: Math.round(ms) }, 'idle poll');
  }

  /** `route` is the route pattern, not the URL: it keeps the metrics' label set bounded. */
  request(req: ServedRequest, route: string, status: number, ms: number): void {
    this.metrics.observeRequest(req.method, route, status, ms / 1000);
    const level = status < 400 && isHotDeviceRoute(req.url) ? 'debug' : 'info';
    if (this.log.isLevelEnabled(level)) {
      this.log[level]({ reqId: req.id, method: req.method, url: redactUrl(req.url), status, ms: Math.round(ms) }, 'request');
    }
  }
}

const HOT_UPLOAD = /[?&]table=(rtlog|rtstate)(&|$)/i;

function isHotDeviceRoute(url: string): boolean {
  return url.startsWith('/iclock/getrequest') || (url.startsWith('/iclock/cdata') && HOT_UPLOAD.test(url));
}
