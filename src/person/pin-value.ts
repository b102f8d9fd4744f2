import type { EntityManager } from 'typeorm';
import { lockKeys } from '../database/advisory-locks';

/**
 * The number a digit pin stands for on a panel or terminal that keeps numeric PINs (StringPinFunOn off, the
 * default): leading zeros do not count, so "0412" and "412" are one device user. Given to two persons, the
 * devices held one user for both (the second write replaced the first one's name, cards and rights, deleting
 * either deleted both) and their events came back under one pin. Null for a pin with letters or other signs,
 * which only string-PIN devices take and keep as written.
 */
export function pinValue(pin: string): string | null {
  return /^[0-9]+$/.test(pin) ? pin.replace(/^0+/, '') : null;
}

/** pinValue in SQL, on a column known to hold digits only: the expression ix_person_pin_value is built on. */
export const pinValueSql = (column: string): string => `ltrim(${column}, '0')`;

/** Class id of the per-number write lock: `pg_advisory_xact_lock(PIN_VALUE_LOCK, hashtext(pinValue))`. */
const PIN_VALUE_LOCK = 0x50494e56;

/**
 * Takes the write locks of these pin numbers until the transaction ends (one sorted order, lockKeys): two writers
 * adding "0412" and "412" at once would both find the number free; with the lock the second waits, then reads
 * the first one's person and is refused as a sequential write is.
 */
export function lockPinValues(m: EntityManager, numbers: readonly string[]): Promise<void> {
  return lockKeys(m, PIN_VALUE_LOCK, numbers);
}

/**
 * The write locks of these persons' pins: a digit pin's number (lockPinValues), any other pin as written (it has no
 * twin). The lock order of every person write is one: these pin locks, then the card locks (lockCardValues), then the
 * person rows. A REST add took card then pin while a panel's enrolment took pin then card (then the person row before
 * the card): the two deadlocked, PostgreSQL aborted one, and writeTransaction ran it again. Under one order the
 * second writer just waits.
 */
export function lockPersonPins(m: EntityManager, pins: readonly string[]): Promise<void> {
  return lockKeys(m, PIN_VALUE_LOCK, pins.map((p) => pinValue(p) ?? p));
}

/**
 * `LEFT JOIN LATERAL … <alias>`: the person a device's event or punch names by `pin` (a SQL expression), for the
 * ingest statements. A panel or terminal keeping numeric PINs was sent "0412" and reports 412, so when no person
 * holds the pin as written, a digit pin finds the person whose digit pin stands for the same number (through
 * ix_person_pin_value: the UNION ALL under LIMIT 1 runs that branch only on an exact miss, so the usual event costs
 * one index probe as before). An all-zero pin (0: a panel's door and alarm events, which name nobody) has no number
 * and skips that branch. A device announcing string PINs (capabilities' dialect pin 'string') keeps what it was sent and
 * is matched exactly.
 */
export const devicePersonJoinSql = (alias: string, pin: string, deviceId: string): string => `LEFT JOIN LATERAL (
    SELECT * FROM person WHERE pin = ${pin}
    UNION ALL
    SELECT * FROM person WHERE ${pin} ~ '^0*[1-9][0-9]*$' AND pin ~ '^[0-9]+$' AND ${pinValueSql('pin')} = ${pinValueSql(pin)}
      AND NOT EXISTS (SELECT 1 FROM device sd WHERE sd.id = ${deviceId} AND sd.capabilities->'dialect'->>'pin' = 'string')
    LIMIT 1) ${alias} ON true`;

/** Whether a device keeps PINs as written (it announced StringPinFunOn=1); others keep the number only. */
export const keepsStringPins = (capabilities: { dialect?: { pin?: string } } | null | undefined): boolean => capabilities?.dialect?.pin === 'string';

/** keepsStringPins of a stored device, by its id or SN (false for none). */
export async function deviceKeepsStringPins(m: EntityManager, by: 'id' | 'sn', value: string): Promise<boolean> {
  const [d]: Array<{ string: boolean }> = await m.query(`SELECT coalesce(capabilities->'dialect'->>'pin' = 'string', false) AS string FROM device WHERE ${by} = $1`, [value]);
  return d?.string ?? false;
}

/**
 * The persons' pins a device's uploaded users name (personPinsOf), read under the write locks of their numbers: an
 * enrolment of 412 and a REST add of 0412 under way at once take turns (as two REST adds do, lockPinValues), so the
 * second sees the first's person and either takes it (the upload, renamed to 0412) or is refused -29 (the add),
 * instead of both inserting. Every digit pin's number is locked, a string-PIN device's too: the person it would create
 * is checked against the stored twins (`twins`) before the insert. The persons found stay (key share) until the
 * transaction ends. `twins`: stored digit pins by the number they stand for.
 */
export async function devicePinsOf(
  m: EntityManager,
  devicePins: readonly string[],
  stringPins: boolean,
): Promise<{ named: Map<string, string>; twins: Map<string, string> }> {
  const pins = [...new Set(devicePins)];
  const numbers = [...new Set(pins.flatMap((p) => pinValue(p) ?? []))];
  await lockPersonPins(m, pins);
  const stored = pins.length ? await storedPins(m, pins, numbers, 'FOR KEY SHARE') : [];
  const twins = new Map(stored.flatMap((p) => (pinValue(p) === null ? [] : [[pinValue(p)!, p] as const])));
  return { named: personPinsOf(pins, stored, stringPins), twins };
}

/**
 * The person's pin each of a device's pins names, given the stored pins found for them (by the pin or, for digit
 * pins, its number): the pin itself when stored as written or when no stored digit pin stands for its number (a new
 * user), else the stored twin ("0412" for the 412 a numeric-PIN terminal reports). A string-PIN device's pins stay.
 */
export function personPinsOf(devicePins: readonly string[], stored: readonly string[], stringPins: boolean): Map<string, string> {
  const exact = new Set(stored);
  const byNumber = new Map(stored.flatMap((p) => (pinValue(p) === null ? [] : [[pinValue(p)!, p] as const])));
  return new Map(
    devicePins.map((pin) => {
      const number = pinValue(pin);
      return [pin, exact.has(pin) || stringPins || number === null ? pin : (byNumber.get(number) ?? pin)];
    }),
  );
}

/**
 * The person's pin each of a device's pins names (personPinsOf), read from the persons holding them as written or,
 * unless the device keeps string PINs, by their number. `lock` ('FOR KEY SHARE') keeps those persons until the
 * transaction ends.
 */
export async function personPinsOnDevice(m: EntityManager, devicePins: readonly string[], stringPins: boolean, lock: '' | 'FOR KEY SHARE' = ''): Promise<Map<string, string>> {
  const numbers = stringPins ? [] : devicePins.flatMap((p) => pinValue(p) ?? []);
  return personPinsOf(devicePins, await storedPins(m, devicePins, numbers, lock), stringPins);
}

/** The stored pins that are one of `pins` as written or, digit pins, stand for one of `numbers`; in pin order (`lock`). */
async function storedPins(m: EntityManager, pins: readonly string[], numbers: readonly string[], lock: '' | 'FOR KEY SHARE'): Promise<string[]> {
  const rows: Array<{ pin: string }> = await m.query(
    `SELECT pin FROM person WHERE pin = ANY($1::varchar[]) OR (pin ~ '^[0-9]+$' AND ${pinValueSql('pin')} = ANY($2::text[])) ORDER BY pin ${lock}`,
    [pins, numbers],
  );
  return rows.map((r) => r.pin);
}
