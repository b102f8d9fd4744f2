import type { EntityManager, DataSource } from 'typeorm';
import { membershipFromSql } from '../sync/attendance-sync.service';
import { UNKNOWN_HASH } from '../sync/sync-items';

/** How far a terminal (or FaceKiosk) holds its area's members, from the users its Return codes confirmed. */
export interface TerminalMembers {
  /** Active members of the terminal's area it should hold (the planner's membership, blacklisted kiosk persons excepted). */
  members: number;
  /** Of those, the ones whose user record the terminal confirmed holding (in some version: the convergence says whether the latest). */
  held: number;
  /** Users the terminal confirmed holding that are no longer members (left the area, resigned, deleted): still to be removed. */
  toRemove: number;
}

/**
 * Each terminal's area members against the users it confirmed, by device id: CVSecurity's attendance device list
 * says how many persons a terminal holds, and an operator checks it against the area's roster. One statement for
 * the page; confirmed users are the `user` items of sync_item with a known hash (written only from Return codes;
 * a refused or unanswered write leaves UNKNOWN_HASH: the terminal may hold that user or not, so it is not counted).
 */
export async function terminalMembers(m: EntityManager | DataSource, deviceIds: readonly string[]): Promise<Map<string, TerminalMembers>> {
  if (deviceIds.length === 0) return new Map();
  const rows: Array<{ id: string; members: number; held: number; to_remove: number }> = await m.query(
    `WITH mem AS (SELECT d.id AS device_id, p.pin ${membershipFromSql('d.id = ANY($1)')}),
          got AS (SELECT device_id, key AS pin FROM sync_item WHERE kind = 'user' AND hash IS NOT NULL AND hash <> $2 AND device_id = ANY($1))
     SELECT d.id,
            (SELECT count(*)::int FROM mem WHERE mem.device_id = d.id) AS members,
            (SELECT count(*)::int FROM mem JOIN got ON got.device_id = mem.device_id AND got.pin = mem.pin WHERE mem.device_id = d.id) AS held,
            (SELECT count(*)::int FROM got WHERE got.device_id = d.id
                AND NOT EXISTS (SELECT 1 FROM mem WHERE mem.device_id = got.device_id AND mem.pin = got.pin)) AS to_remove
       FROM device d WHERE d.id = ANY($1)`,
    [deviceIds, UNKNOWN_HASH],
  );
  return new Map(rows.map((r) => [r.id, { members: r.members, held: r.held, toRemove: r.to_remove }]));
}
