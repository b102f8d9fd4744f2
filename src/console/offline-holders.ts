import type { DataSource } from 'typeorm';
import type { DeviceStatusService } from '../push/device-status.service';

export interface OfflineHolder {
  sn: string;
  alias: string;
}

/**
 * The devices that may still hold `pin` and are offline now: a user item whose last confirmed (or unknown, after
 * a refused or unanswered write) state is held. A panel decides at the door by itself: until it polls again and
 * removes them, a person who left, was deleted or a visitor checked out still opens its doors. The console says
 * so next to "the panels are told to remove them", which alone reads as done.
 */
export async function offlineHolders(ds: DataSource, status: DeviceStatusService, pin: string): Promise<OfflineHolder[]> {
  const rows: OfflineHolder[] = await ds.query(
    `SELECT d.sn, COALESCE(d.alias, d.sn) AS alias FROM sync_item s JOIN device d ON d.id = s.device_id
      WHERE s.kind = 'user' AND s.key = $1 AND s.hash IS NOT NULL AND d.admission = 'admitted' ORDER BY d.sn`,
    [pin],
  );
  const online = await Promise.all(rows.map((r) => status.isOnlineNow(r.sn)));
  return rows.filter((_, i) => !online[i]);
}
