import type { Logger } from '@nestjs/common';
import type { GatewayMetrics, REJECTED_LINE_KINDS } from '../metrics/gateway-metrics';
import type { RejectedLine } from './protocol';

/** What a rejected line was part of, as the `kind` label of cvgw_device_lines_rejected_total (a closed set). */
export type RejectedKind = (typeof REJECTED_LINE_KINDS)[number];

const PAYLOAD_KEYS = /^(tmp|template|content|photo|photojpg|photodata|fp_?template\d*|additional|data)$/i;

/**
 * A rejected line as it may appear in a log: template, photo and other long values are replaced by their
 * length, and the line is cut at 300 characters. Biometric payloads never reach a log.
 */
export function redactLine(line: string): string {
  const out = line
    .split('\t')
    .map((tok) => {
      const eq = tok.indexOf('=');
      if (eq < 0) return tok.length > 64 ? `<${tok.length} chars>` : tok;
      const key = tok.slice(0, eq).trim().replace(/^\S+ /, '');
      const value = tok.slice(eq + 1);
      if (PAYLOAD_KEYS.test(key) || value.length > 64) return `${tok.slice(0, eq)}=<${value.length} chars>`;
      return tok;
    })
    .join('\\t');
  return (out.length > 300 ? `${out.slice(0, 300)}…` : out).replace(/[\0-\x08\x0b-\x1f]/g, '?');
}

/** One log line per rejected device line, with its reason; counted in the metrics when given. */
export function logRejected(
  logger: Logger,
  sn: string,
  what: string,
  rejected: readonly RejectedLine[],
  count?: { metrics: GatewayMetrics; kind: RejectedKind },
): void {
  if (rejected.length === 0) return;
  count?.metrics.deviceLinesRejected.inc({ kind: count.kind }, rejected.length);
  for (const r of rejected.slice(0, 100)) logger.warn(`device ${sn}: ${what} line ${r.lineNo} rejected (${r.reason}): ${redactLine(r.line)}`);
  if (rejected.length > 100) logger.warn(`device ${sn}: ${what}: ${rejected.length - 100} more rejected lines not logged`);
}
