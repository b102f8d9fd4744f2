import { Injectable } from '@nestjs/common';
import { DeviceKindService } from '../device/device-kind.service';
import { DeviceRegistryService, type DeviceSession } from './device-registry.service';
import { FactoryResetService, mayReportFactoryReset } from './factory-reset.service';
import { RtlogIngestService, type IngestSummary } from './rtlog-ingest.service';

export type RealtimeKind = 'rtlog' | 'rtstate';

/**
 * `POST /iclock/cdata?table=rtlog` (or `rtstate`) once the SN is known to be usable: the commonest upload there
 * is (one access event the moment it happens). Shared by the IclockController and the raw fast path
 * (device-fast-path.ts), so both store an upload the same way.
 */
@Injectable()
export class RealtimeUploadService {
  constructor(
    private readonly registry: DeviceRegistryService,
    private readonly kinds: DeviceKindService,
    private readonly rtlog: RtlogIngestService,
    private readonly resets: FactoryResetService,
  ) {}

  /**
   * Resolves once the upload's rows are committed; the device is then answered `OK`, or `realtimeRefusal` when
   * the summary says its events were held back (a device not admitted).
   */
  receive(sn: string, kind: RealtimeKind, uploadTable: string | null | undefined, body: string): Promise<IngestSummary> {
    // A device's steady traffic: its session is cached and its upload table says nothing new about its kind,
    // so the upload goes straight to the ingest (no promise per step).
    const s = this.registry.cached(sn);
    if (s && (!uploadTable || this.registry.kindSettled(sn, { uploadTable }))) return this.ingest(s, kind, body);
    return this.receiveFirst(sn, kind, uploadTable, body);
  }

  private async receiveFirst(sn: string, kind: RealtimeKind, uploadTable: string | null | undefined, body: string): Promise<IngestSummary> {
    if (uploadTable) await this.kinds.observe(sn, { uploadTable });
    return this.ingest(await this.registry.resolve(sn), kind, body);
  }

  private ingest(s: DeviceSession, kind: RealtimeKind, body: string): Promise<IngestSummary> {
    // A factory reset (event 6016) owes its full sync before the event is stored: stored first, a crash between the
    // two would leave the event known and the reset never handled (factory-reset.service.ts).
    if (kind === 'rtlog' && mayReportFactoryReset(body)) return this.resets.observe(s, body).then(() => this.store(s, kind, body));
    return this.store(s, kind, body);
  }

  private store(s: DeviceSession, kind: RealtimeKind, body: string): Promise<IngestSummary> {
    const stored = kind === 'rtlog' ? this.rtlog.ingestRtlog(s, body) : this.rtlog.ingestRtstate(s, body);
    // Rows not stored are usually an upload sent again (already held). They may also be a device deleted through REST
    // (on this process or another one that has not told this one yet) whose session this process still held: its
    // events, stored under a device that is gone, were left out, and answered OK they were lost. Its SN is then taken
    // as new, and the upload stored under the device that becomes (or answered as that one's admission says).
    if (s.admission !== 'admitted') return stored;
    // A plain callback, not an async one: the usual upload (everything stored) costs no promise more than the one `then` makes.
    return stored.then((summary) => (summary.held || summary.stored >= summary.accepted ? summary : this.ingestIfGone(s, kind, body, summary)));
  }

  /** An upload that stored fewer rows than it holds: the same summary while its device row exists, else stored as a new SN's. */
  private async ingestIfGone(s: DeviceSession, kind: RealtimeKind, body: string, summary: IngestSummary): Promise<IngestSummary> {
    const renewed = await this.registry.renewIfGone(s);
    return renewed ? this.ingest(renewed, kind, body) : summary;
  }
}

/**
 * The answer to an upload whose events were held back: not `OK`, so the panel keeps them in its buffer and sends
 * them again (the attendance uploads' answer to a terminal that is not admitted); null when `OK` is the answer.
 */
export function realtimeRefusal(sn: string, summary: IngestSummary): string | null {
  return summary.held ? notAdmittedReply(sn) : null;
}

/** What an upload of a device that is not admitted is answered, so that it keeps its records. */
export function notAdmittedReply(sn: string): string {
  return `ERROR: device ${sn} is not admitted`;
}
