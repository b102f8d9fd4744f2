import type { EntityManager } from 'typeorm';
import { deviceKeepsStringPins, personPinsOf, pinValue, pinValueSql } from '../person/pin-value';

/**
 * The keys of a device's confirmed items (sync_item) each pin it reports names: a panel or terminal keeping numeric
 * PINs (no string-PIN dialect) was sent person 0412 as 0412 and reports it as 412, in its user-table answers and in
 * what its menu deleted; those rows are the items it confirmed as 0412 (personPinsOf), not a stranger 412's. A pin no
 * item stands for, and any pin of a device keeping PINs as written, names itself. Answers the items' hashes by key too.
 */
export async function heldKeysOf(
  m: EntityManager,
  deviceId: string,
  kinds: readonly string[],
  pins: readonly string[],
): Promise<{ named: Map<string, string>; hashes: Map<string, string> }> {
  if (pins.length === 0) return { named: new Map(), hashes: new Map() };
  const stringPins = await deviceKeepsStringPins(m, 'id', deviceId);
  const numbers = stringPins ? [] : pins.flatMap((p) => pinValue(p) ?? []);
  const items: Array<{ key: string; hash: string }> = await m.query(
    `SELECT key, hash FROM sync_item WHERE device_id = $1 AND kind = ANY($2::varchar[]) AND hash IS NOT NULL
        AND (key = ANY($3::varchar[]) OR (key ~ '^[0-9]+$' AND ${pinValueSql('key')} = ANY($4::text[])))`,
    [deviceId, kinds, pins, numbers],
  );
  return { named: personPinsOf(pins, [...new Set(items.map((r) => r.key))], stringPins), hashes: new Map(items.map((r) => [r.key, r.hash])) };
}
