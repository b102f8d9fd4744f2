/**
 * Confirmed state (table sync_item) and the commands in flight (device_command.ref), as plain SQL through
 * the caller's EntityManager. Confirmation is written from command outcomes only (./sync-confirm.ts).
 */
import type { EntityManager } from 'typeorm';
import type { PinScope } from './desired-state';
import { DEVICE_KINDS_SQL, isSyncRef, itemId, MEMBER_KINDS, splitItemId, UNKNOWN_HASH, type ItemId, type SyncRef } from './sync-items';
import { excludedOf, intoOf } from '../database/columns';
import { SyncItem } from './sync-state.entity';
import { namedQuery } from '../database/prepared-query.service';
import { read, runRead, type Read } from '../database/read-together';

export interface DeviceConfirmed {
  confirmed: Map<ItemId, string>;
  /** Items in backoff after a failure (not planned again before next_try_at). */
  hold: Set<ItemId>;
  /** Items whose last command failed and whose backoff is over (a success, or the planner finding them as desired, clears it). */
  failing: Set<ItemId>;
  /** Items (held or not) whose last command the device answered with a negative Return: sent apart (ComposeOptions.alone). */
  refused: Set<ItemId>;
  /** Pins carrying a "not sent" note. */
  skipped: Set<string>;
  /**
   * Of the held items, the content (hash) whose failures hold them (sync_item.error_hash: a terminal's ERRORLOG, a
   * put the device answered with a negative Return): a change of the data supersedes the backoff (releaseSuperseded).
   */
  heldContent: Map<ItemId, string>;
}

/**
 * next_try_at of an item given up on: the device failed its content for good (the same ERRORLOG failure
 * SYNC_GIVE_UP_FAILURES times in a row, or a photo too large for it: Return -1001). Held until the data changes
 * (releaseSuperseded); the status says `failed` with the reason.
 */
export const GIVEN_UP = `'infinity'::timestamptz`;

/**
 * Releases the held items whose failed content is no longer what the database gives (a new photo, a person leaving
 * the terminal): sent at once, not after the backoff of content nobody wants any more. `desired` is the device's
 * desired hashes, item by item.
 */
export function releaseSuperseded(have: DeviceConfirmed, desired: ReadonlyMap<ItemId, string>): void {
  for (const [id, hash] of have.heldContent) if (desired.get(id) !== hash) have.hold.delete(id);
}

const CHUNK = 5000;
const SKIPPED_INTO = intoOf(SyncItem, ['deviceId', 'kind', 'key', 'skipped']);
const SKIPPED_UPDATE = excludedOf(SyncItem, ['skipped']);

/** Confirmed items of these devices: every item of the device itself (DEVICE_KINDS), and the member items of the pins in scope. */
export async function loadConfirmed(m: EntityManager, deviceIds: string[], pins: PinScope): Promise<Map<string, DeviceConfirmed>> {
  if (deviceIds.length === 0) return new Map();
  return runRead(m, confirmedRead(deviceIds, pins));
}

/** loadConfirmed as a read that can share a round trip (read-together.ts). */
export function confirmedRead(deviceIds: string[], pins: PinScope): Read<Map<string, DeviceConfirmed>> {
  const parse = (rows: Array<{ device_id: string; kind: string; key: string; hash: string | null; held: boolean; failing: boolean; refused: boolean; skipped: boolean; error_hash: string | null }>) => {
    const out = new Map<string, DeviceConfirmed>(deviceIds.map((d) => [d, { confirmed: new Map(), hold: new Set(), failing: new Set(), refused: new Set(), skipped: new Set(), heldContent: new Map() }]));
    for (const r of rows) {
      const d = out.get(r.device_id)!;
      const id = itemId(r.kind as never, r.key);
      if (r.hash !== null) d.confirmed.set(id, r.hash);
      if (r.held) {
        d.hold.add(id);
        if (r.error_hash !== null) d.heldContent.set(id, r.error_hash);
      } else if (r.failing) d.failing.add(id);
      if (r.refused) d.refused.add(id);
      if (r.skipped) d.skipped.add(r.key);
    }
    return out;
  };
  return read(
    // Two arms rather than one OR: `kind IN (…) OR key IN (…)` reads every item of the devices (all their
    // members) for a write about one pin; each arm alone is an index lookup.
    `SELECT device_id, kind, key, hash, (failures > 0 AND next_try_at > now()) AS held, failures > 0 AS failing, (failures > 0 AND last_return < 0) AS refused, skipped IS NOT NULL AS skipped, error_hash FROM sync_item
      WHERE device_id = ANY($1) ${
        pins === null
          ? ''
          : `AND kind IN (${DEVICE_KINDS_SQL})
     UNION ALL
     SELECT device_id, kind, key, hash, (failures > 0 AND next_try_at > now()), failures > 0, failures > 0 AND last_return < 0, skipped IS NOT NULL, error_hash FROM sync_item
      WHERE device_id = ANY($1) AND kind NOT IN (${DEVICE_KINDS_SQL}) AND key IN (SELECT unnest($2::text[]))`
      }`,
    pins === null ? [deviceIds] : [deviceIds, pins],
    parse,
  );
}

/**
 * Refs of the commands still queued or unanswered for these devices (by SN), in queue order; pins narrow it.
 * Commands of `ownPlans` (a full sync's earlier pages, which carry only earlier pins) are skipped without being
 * read item by item, unless records of other writes were added to them.
 */
export async function loadInflight(m: EntityManager, sns: string[], pins: PinScope, ownPlans: readonly string[] = []): Promise<Map<string, SyncRef[]>> {
  if (sns.length === 0) return new Map();
  return runRead(m, inflightRead(sns, pins, ownPlans));
}

/** loadInflight as a read that can share a round trip (read-together.ts). */
export function inflightRead(sns: string[], pins: PinScope, ownPlans: readonly string[] = []): Read<Map<string, SyncRef[]>> {
  const parse = (rows: Array<{ id: string | number; device_sn: string; ref: unknown }>) => {
    const out = new Map<string, SyncRef[]>(sns.map((s) => [s, []]));
    // Queue order (rows read together come back through an aggregate, whose order is not promised).
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    for (const r of rows) if (isSyncRef(r.ref)) out.get(r.device_sn)?.push(r.ref);
    return out;
  };
  // Narrowed to the scope's pins (a page of a full sync replays what is in flight for its own pins, not the
  // whole device): `IN (SELECT unnest(…))` is one hashed set per statement, so each key is one probe however
  // large the scope. Clears and commands of the device's own items (time zones, holidays, pass rules) concern every pin.
  return read(
    `SELECT id, device_sn, ref FROM device_command
      WHERE device_sn = ANY($1) AND state IN ('pending', 'sent') AND meta ? 'sync'
      ${
        pins === null
          ? ''
          : `AND (meta ? 'clear' OR meta->>'kind' IN (${DEVICE_KINDS_SQL})
                  OR ((meta ? 'appended' OR NOT coalesce(meta->>'plan' = ANY($3::text[]), false)) AND ${refNamesPinsSql('keys', '$2')}))`
      }
      ORDER BY id`,
    pins === null ? [sns] : [sns, pins, ownPlans],
    parse,
  );
}

/**
 * Of these pins, those whose person was added after a user delete of that pin toward this device (by SN) was queued,
 * that delete still queued or unanswered: the person was deleted and added again (through REST) before the device ran
 * the delete, so what the device uploads for that pin (a user line, templates, a photo: enrolled or edited at its
 * keypad before, an upload sent again after a lost reply) is the deleted person's record it held, not the new one's.
 */
export async function readdedBeforeDelete(m: EntityManager, sn: string, pins: readonly string[]): Promise<Set<string>> {
  const keys = [...new Set(pins.map((pin) => pin.slice(0, 64)))];
  if (keys.length === 0) return new Set();
  const rows: Array<{ pin: string }> = await m.query(
    `SELECT DISTINCT p.pin FROM person p
       JOIN device_command c ON c.device_sn = $2 AND c.state IN ('pending', 'sent') AND c.meta ? 'sync' AND c.meta->>'kind' = 'user' AND c.meta ? 'del'
         AND c.keys ? p.pin AND c.ref->'del' ? p.pin AND c.created_at < p.created_at
      WHERE p.pin = ANY($1::varchar[])`,
    [keys, sn],
  );
  return new Set(rows.map((r) => r.pin));
}

/**
 * Of these pins (of no person), those this device (by id and SN) is, or was, being taken a user of: it is believed to
 * hold the user (sync_item `user`, kept until it confirms the delete), or a user delete of the pin toward it is queued,
 * unanswered, or was run (acknowledged, while the command history keeps it). A template or photo it uploads for such a
 * pin with no USER record (a finger or face enrolled at its keypad before the delete reached it, an upload made before
 * the delete and sent again after a lost reply, even once the delete is confirmed) is the deleted person's: it brings
 * nobody back, and an access panel, whose user delete leaves its template and photo tables as they are, is to lose it.
 */
export async function userDeletedFrom(m: EntityManager, device: { id: string; sn: string }, pins: readonly string[]): Promise<Set<string>> {
  const keys = [...new Set(pins.filter((pin) => pin.length <= 64))];
  if (keys.length === 0) return new Set();
  const rows: Array<{ pin: string }> = await m.query(
    // One pass over the device's user deletes (its history can be long), not one per pin: the commands naming any of
    // the pins, then which of them each deletes.
    `SELECT s.key AS pin FROM sync_item s WHERE s.device_id = $2 AND s.kind = 'user' AND s.key = ANY($1::varchar[]) AND s.hash IS NOT NULL
     UNION
     SELECT k.pin FROM device_command c CROSS JOIN LATERAL jsonb_array_elements_text(c.keys) AS k(pin)
      WHERE c.device_sn = $3 AND c.state IN ('pending', 'sent', 'done') AND c.meta ? 'sync' AND c.meta->>'kind' = 'user' AND c.meta ? 'del'
        AND c.keys ?| $1::text[] AND k.pin = ANY($1::varchar[]) AND c.ref->'del' ? k.pin`,
    [keys, device.id, device.sn],
  );
  return new Set(rows.map((r) => r.pin));
}

/**
 * Devices whose confirmed state is in doubt: they registered again or were found changed (a count or a full sync
 * owed), a count is on its way, or a full sync's clear of a member table is (a reset panel keeps its confirmed items
 * until that clear is confirmed); an attendance terminal whose user count is owed (att_terminal.count_due: it
 * initialised again, or its count was asked, and the INFO judging it is still to come). Nothing is "synced" or
 * "confirmed" there until that is settled: a panel reset and registering again holds none of it.
 */
export async function devicesInDoubt(m: EntityManager, deviceIds: readonly string[]): Promise<Set<string>> {
  if (deviceIds.length === 0) return new Set();
  const rows: Array<{ id: string }> = await m.query(
    `SELECT device_id AS id FROM sync_owed WHERE device_id = ANY($1)
     UNION SELECT device_id FROM att_terminal WHERE count_due AND device_id = ANY($1)
     UNION SELECT d.id FROM device d JOIN device_command c ON c.device_sn = d.sn AND c.state IN ('pending', 'sent') AND c.meta ? 'sync'
       AND (c.meta ? 'verify' OR (c.meta ? 'clear' AND c.meta->>'kind' = ANY($2)))
      WHERE d.id = ANY($1)`,
    [deviceIds, MEMBER_KINDS],
  );
  return new Set(rows.map((r) => r.id));
}

/** Devices that hold, or are being sent, anything of these pins. */
export async function devicesTouching(m: EntityManager, pins: readonly string[]): Promise<string[]> {
  if (pins.length === 0) return [];
  const rows: Array<{ id: string }> = await namedQuery(m, devicesTouchingSql('$1', '$2'), [pins, MEMBER_KINDS]);
  return rows.map((r) => r.id);
}

/**
 * Devices that confirmed any item of these pins, as SQL selecting `id` ($kinds: MEMBER_KINDS); `devices`, a
 * condition on the device `d`, narrows them (a planner of one kind of device).
 */
export const devicesHoldingSql = (pins: string, kinds: string, devices = 'true'): string =>
  `SELECT DISTINCT s.device_id AS id FROM sync_item s JOIN device d ON d.id = s.device_id AND ${devices}
    WHERE s.key IN (SELECT unnest(${pins}::text[])) AND s.kind = ANY(${kinds})`;

/**
 * devicesTouching as SQL selecting `id`, for planners that union it with their own ($kinds: MEMBER_KINDS;
 * `devices` as for devicesHoldingSql: only those devices' commands are searched). `except` (a text[] of SNs):
 * devices the caller already plans, whose commands it reads anyway; theirs are not searched here (a device's
 * pending commands grow to hundreds of records while persons are being added).
 */
export const devicesTouchingSql = (pins: string, kinds: string, devices = 'true', except?: string): string =>
  `${devicesHoldingSql(pins, kinds, devices)}
     UNION
     SELECT d.id FROM device_command c JOIN device d ON d.sn = c.device_sn AND ${devices}
      WHERE c.state IN ('pending', 'sent') AND c.meta ? 'sync' AND c.meta->>'kind' = ANY(${kinds})${except ? ` AND c.device_sn <> ALL(${except}::text[])` : ''}
        AND ${refNamesPinsSql('c.keys', pins)}`;

/** Whether a sync ref puts or deletes member items (users, rights, cards, templates, photos) of any of these pins (all of them: null). */
export function refNamesPins(ref: SyncRef, pins: ReadonlySet<string> | null): boolean {
  if (!ref.kind || !MEMBER_KINDS.includes(ref.kind) || (!ref.put?.length && !ref.del?.length)) return false;
  if (pins === null) return true;
  return !!ref.del?.some((k) => pins.has(k)) || !!ref.put?.some(([k]) => pins.has(k));
}

/** Whether a command whose `keys` (an SQL expression: device_command.keys, command-ref-summary.ts) puts or deletes any of `pins` (a text[] parameter). */
export const refNamesPinsSql = (keys: string, pins: string): string => `${keys} ?| ${pins}::text[]`;

/** Remembers members the planner could not send (shown to operators); clears the note for those it sent. */
export async function noteSkipped(m: EntityManager, skipped: Array<{ deviceId: string; pin: string; reason: string }>, sent: Array<{ deviceId: string; pin: string }>): Promise<void> {
  for (let i = 0; i < skipped.length; i += CHUNK) {
    await m.query(
      `INSERT INTO ${SKIPPED_INTO}
       SELECT x.device_id, 'user', x.pin, x.reason FROM jsonb_to_recordset($1::jsonb) AS x(device_id char(32), pin varchar, reason text)
       ON CONFLICT (device_id, kind, key) DO UPDATE SET ${SKIPPED_UPDATE}`,
      [JSON.stringify(skipped.slice(i, i + CHUNK).map((s) => ({ device_id: s.deviceId, pin: s.pin, reason: s.reason })))],
    );
  }
  for (let i = 0; i < sent.length; i += CHUNK) {
    const x = JSON.stringify(sent.slice(i, i + CHUNK).map((s) => ({ device_id: s.deviceId, pin: s.pin })));
    const match = `FROM jsonb_to_recordset($1::jsonb) AS x(device_id char(32), pin varchar) WHERE s.device_id = x.device_id AND s.kind = 'user' AND s.key = x.pin AND s.skipped IS NOT NULL`;
    await m.query(`DELETE FROM sync_item s USING ${match.slice(5)} AND s.hash IS NULL AND s.failures = 0`, [x]);
    await m.query(`UPDATE sync_item s SET skipped = NULL ${match}`, [x]);
  }
}

/**
 * Items whose last command failed, out of backoff, that the device holds as desired with nothing in flight about
 * them: a delete refused (-1002), then a write that made the person's record what the panel still holds. Nothing
 * is left to send, so no success would ever clear the failure: the device would be reported divergent for ever,
 * and left out of the periodic verification (SyncVerifier skips devices with failing items). They are settled
 * (both planners: access panels and controllers, attendance terminals), with the hash they were read with.
 */
export function settledFailures(deviceId: string, have: DeviceConfirmed, hashes: ReadonlyMap<ItemId, string>, current: ReadonlyMap<ItemId, string>, inScope: (id: ItemId) => boolean): SettledItem[] {
  const out: SettledItem[] = [];
  for (const id of have.failing) {
    const hash = have.confirmed.get(id);
    if (hash !== undefined && hash !== UNKNOWN_HASH && inScope(id) && hashes.get(id) === hash && current.get(id) === hash) out.push({ deviceId, id, hash });
  }
  return out;
}

/** An item settledFailures found: its device, id and the confirmed hash it was read with. */
export interface SettledItem {
  deviceId: string;
  id: ItemId;
  hash: string;
}

/**
 * Clears the failures of settled items, where they are still as the plan read them (the hash it settled, out of
 * backoff: now() is the plan's transaction start, as when it read them). A device's reply is recorded in a
 * transaction of its own: a failure of such an item it committed after the plan's read (a refused put: `?`; a
 * refused delete: a new retry time) is newer, and keeps the retry it owes. Cleared by `failures > 0` alone, such an
 * item was left in doubt with no retry time: nothing planned it again.
 */
export async function clearFailures(m: EntityManager, settled: ReadonlyArray<SettledItem>): Promise<void> {
  if (settled.length === 0) return;
  const split = settled.map((s) => splitItemId(s.id));
  await m.query(
    `UPDATE sync_item s SET failures = 0, next_try_at = NULL, failed_plan = NULL, failed_delete = NULL, failed_delete_at = NULL
       FROM unnest($1::char(32)[], $2::varchar[], $3::varchar[], $4::text[]) AS x(d, kind, k, h)
      WHERE s.device_id = x.d AND s.kind = x.kind AND s.key = x.k AND s.failures > 0 AND s.hash = x.h AND (s.next_try_at IS NULL OR s.next_try_at <= now())`,
    [settled.map((s) => s.deviceId), split.map(([k]) => k), split.map(([, key]) => key), settled.map((s) => s.hash)],
  );
}
