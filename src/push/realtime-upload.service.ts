import { Injectable } from '@nestjs/common';
import { DeviceKindService } from '../device/device-kind.service';
import { DeviceRegistryService } from './device-registry.service';
import { RtlogIngestService } from './rtlog-ingest.service';

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
  ) {}

  /** Resolves once the upload's rows are committed; the device is then answered `OK`. */
  async receive(sn: string, kind: RealtimeKind, uploadTable: string | null | undefined, body: string): Promise<void> {
    if (uploadTable) await this.kinds.observe(sn, { uploadTable });
    const s = await this.registry.resolve(sn);
    if (kind === 'rtlog') await this.rtlog.ingestRtlog(s, body);
    else await this.rtlog.ingestRtstate(s, body);
  }
}
