import type { DataSource } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import type { DeviceStatusService } from '../push/device-status.service';

export interface OfflineHolder {
  sn: string;
  alias: string;
}

/** Those of `rows` (devices by SN) that are offline now. */
export async function offlineOf(status: DeviceStatusService, rows: OfflineHolder[]): Promise<OfflineHolder[]> {
  const online = await Promise.all(rows.map((r) => status.isOnlineNow(r.sn)));
  return rows.filter((_, i) => !online[i]);
}

/**
 * The devices that may still hold one of `pins` and are offline now: a user item whose last confirmed (or unknown,
 * after a refused or unanswered write) state is held; with `areaCode`, only the attendance terminals of that area.
 * A device decides by itself: until it polls again and removes them, a person who left, was deleted or taken off an
 * area, or a visitor checked out, still opens its doors or punches there. The console says so next to "the panels
 * are told to remove them", which alone reads as done.
 */
export async function offlineHolders(ds: DataSource, status: DeviceStatusService, pins: readonly string[], areaCode?: string): Promise<OfflineHolder[]> {
  const rows: OfflineHolder[] = await ds.query(
    `SELECT DISTINCT d.sn, COALESCE(d.alias, d.sn) AS alias FROM sync_item s JOIN device d ON d.id = s.device_id
      WHERE s.kind = 'user' AND s.key = ANY($1) AND s.hash IS NOT NULL AND d.admission = 'admitted'
        AND ($2::varchar IS NULL OR (${effectiveKindSql('d')} = 'att' AND d.area_id = (SELECT id FROM area WHERE code = $2)))
      ORDER BY d.sn`,
    [pins, areaCode ?? null],
  );
  return offlineOf(status, rows);
}

/** The attendance terminals of an area that are offline now: persons put on the area reach them when they poll again. */
export async function offlineTerminalsOfArea(ds: DataSource, status: DeviceStatusService, areaCode: string): Promise<OfflineHolder[]> {
  const rows: OfflineHolder[] = await ds.query(
    `SELECT d.sn, COALESCE(d.alias, d.sn) AS alias FROM device d JOIN area a ON a.id = d.area_id
      WHERE a.code = $1 AND d.admission = 'admitted' AND ${effectiveKindSql('d')} = 'att' ORDER BY d.sn`,
    [areaCode],
  );
  return offlineOf(status, rows);
}

/** The devices of `deviceIds` that are offline now (the panels a visit was just granted on, say). */
export async function offlineDevices(ds: DataSource, status: DeviceStatusService, deviceIds: readonly string[]): Promise<OfflineHolder[]> {
  if (deviceIds.length === 0) return [];
  const rows: OfflineHolder[] = await ds.query(`SELECT sn, COALESCE(alias, sn) AS alias FROM device WHERE id = ANY($1) ORDER BY sn`, [deviceIds]);
  return offlineOf(status, rows);
}
