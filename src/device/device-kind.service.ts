import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeviceRegistryService } from '../push/device-registry.service';
import { WorkSignalService } from '../push/work-signal.service';
import type { DeviceKind, KindEvidence } from './device-kind';

/**
 * Where the device side reports what a device said (handshake, registration, uploads) and where an operator
 * overrides the verdict. Provided by the PUSH module, because its controllers observe; modules read the
 * effective kind from the device row (`effectiveKindSql`) or the session (`DeviceSession.kind`).
 */
@Injectable()
export class DeviceKindService {
  constructor(
    private readonly registry: DeviceRegistryService,
    private readonly ds: DataSource,
    private readonly signal: WorkSignalService,
  ) {}

  /** Stores a changed detected kind; answers the effective kind. */
  observe(sn: string, e: KindEvidence): Promise<DeviceKind> {
    return this.registry.observeKind(sn, e);
  }

  /** Sets (or, with null, clears) the operator's override; every process reloads the device's session. */
  async setOverride(sn: string, kind: DeviceKind | null): Promise<boolean> {
    const found = await this.ds.transaction(async (m) => {
      const [before]: Array<{ kind: DeviceKind; kind_override: DeviceKind | null }> = await m.query(`SELECT kind, kind_override FROM device WHERE sn = $1 FOR UPDATE`, [sn]);
      if (!before) return false;
      const [rows] = await m.query(`UPDATE device SET kind_override = $2, updated_at = now() WHERE sn = $1 RETURNING id, sn, admission, kind, kind_override`, [sn, kind]);
      await this.registry.kindChanged(m, rows[0], before.kind_override ?? before.kind);
      await this.signal.notifyDeviceChanged(m, sn);
      return true;
    });
    this.registry.forget(sn);
    return found;
  }
}
