import { chooseDialect, comparisonPhotoType, dataDelete, KvMap, parseCapabilities, parseCommaList, type Dialect } from '../push/protocol';

/** What the planner needs to know about one device to talk its dialect. */
export interface SyncDevice {
  id: string;
  sn: string;
  /** IANA zone (or fixed offset) of the device's wall clock. */
  timeZone: string;
  dialect: Dialect;
  /** biophoto Type for the face photo (Appendix 18; 9 = visible-light face). */
  photoType: number;
  /** An elevator ('ele') or channel ('psg') controller: rights from its own levels, in its own table. */
  module?: 'ele' | 'psg';
  /**
   * Set when the device refused template types for good (their probe not due: left out of `dialect.bioTypes`): the
   * types it announced, so operators' views can tell what the database gives it from what it is sent.
   */
  announcedBioTypes?: readonly number[];
}

/**
 * The device's dialect: the one the PUSH registry stored in `device.capabilities.dialect`, or else chosen
 * with the codec's own rules from the raw `device.registration` (an object keyed by the raw parameter
 * names, an array of [key, value] pairs, or the raw comma-separated body).
 */
export function dialectOf(capabilities: unknown, registration: unknown): { dialect: Dialect; photoType: number } {
  const stored = capabilities as { dialect?: Dialect; multiBioPhotoSupport?: { types?: number[] } | null } | null;
  if (stored?.dialect) {
    return { dialect: stored.dialect, photoType: comparisonPhotoType((stored.multiBioPhotoSupport?.types ?? []).filter((t) => t > 0)) };
  }
  const kv = toKvMap(registration);
  const caps = parseCapabilities(kv);
  const dialect = chooseDialect(caps);
  return { dialect, photoType: comparisonPhotoType(caps.multiBioPhotoSupport?.types.filter((t) => t > 0) ?? []) };
}

function toKvMap(registration: unknown): KvMap {
  if (typeof registration === 'string') return parseCommaList(registration);
  let entries: Array<[string, unknown]> = [];
  if (Array.isArray(registration)) entries = registration.filter((e): e is [string, unknown] => Array.isArray(e) && typeof e[0] === 'string');
  else if (registration && typeof registration === 'object') entries = Object.entries(registration as Record<string, unknown>);
  return new KvMap(
    entries
      .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
      .map(([k, v]) => ({ rawKey: k, key: k.trim().replace(/^~+/, ''), value: String(v) })),
  );
}

/** What decides how a device stores what the gateway writes: its dialect and the biophoto Type (dialectOf). */
export type DeviceStorage = ReturnType<typeof dialectOf>;

/**
 * For every field of the dialect, whether it changes how the records the gateway wrote are stored on the device
 * (which table, which columns, which value format). Typed over every key, so a new dialect field must be
 * judged here. Transport-only fields (command wrapping, package size) do not. DevID and the timezone validity
 * change the columns of the device's tables though the planner fills neither today: a change of them costs one full
 * sync, where leaving them out would keep a stale belief once it does.
 */
const STORAGE_FIELDS: Record<keyof Dialect, boolean> = {
  bio: true,
  bioTypes: true,
  // A function switched on or off (FingerFunOn...): the templates of its types are sent, or no longer, from now on.
  bioOff: true,
  photo: true,
  dateFormat: true,
  pin: true,
  cards: true,
  devId: true,
  authorizeValidity: true,
  timezoneValidity: true,
  wrappedCommands: false,
  maxPackageSize: false,
};

const sameTypes = (a: readonly number[], b: readonly number[]) => {
  const x = [...new Set(a)].sort((p, q) => p - q);
  const y = [...new Set(b)].sort((p, q) => p - q);
  return x.length === y.length && x.every((t, i) => t === y[i]);
};

/**
 * What changes how a device registering with `after` stores records, against how it did with `before` (a firmware
 * upgrade, a function turned on or off), one `field: old → new` each: cards moved between `user.CardNo` and
 * `mulcarduser`, dates in another format, templates or photos in other tables or types, other columns. Options
 * that change no storage (IP address, firmware version string, push interval, command wrapping, package size) give
 * nothing.
 */
export function storageChanges(before: DeviceStorage, after: DeviceStorage): string[] {
  const out: string[] = [];
  for (const k of Object.keys(STORAGE_FIELDS) as Array<keyof Dialect>) {
    const a = before.dialect[k];
    const b = after.dialect[k];
    // A list absent from a dialect stored before it was read (bioOff) is an empty one.
    const same = Array.isArray(a) || Array.isArray(b) ? sameTypes((a ?? []) as number[], (b ?? []) as number[]) : a === b;
    if (STORAGE_FIELDS[k] && !same) out.push(`${k}: ${String(a)} → ${String(b)}`);
  }
  if (before.photoType !== after.photoType && (before.dialect.photo === 'biophoto' || after.dialect.photo === 'biophoto')) {
    out.push(`photoType: ${before.photoType} → ${after.photoType}`);
  }
  return out;
}

/**
 * Whether the device stores records differently after a (re-)registration (storageChanges): what it confirmed
 * under `before` then no longer says what it holds in the gateway's terms.
 */
export function storesDifferently(before: DeviceStorage, after: DeviceStorage): boolean {
  return storageChanges(before, after).length > 0;
}

/**
 * storageChanges between two raw registrations (device.registration: the parameters as sent), each read with the
 * codec's current rules, so a gateway upgrade that reads a registration differently is no change of the device.
 */
export function registrationStorageChanges(before: unknown, after: unknown): string[] {
  return storageChanges(dialectOf(null, before), dialectOf(null, after));
}

/**
 * Another board under the same SN: the MAC address of the registration (4.4, `MAC=`) changed. A panel swapped
 * for a spare (or its main board replaced) holds whatever the spare held, possibly as many users and rights rows
 * as the old one confirmed, so the counts of a re-registration cannot tell it; what the old board confirmed says
 * nothing about it. Read with the codec's rules; a registration without a MAC (or an all-zero one) tells nothing.
 * Answers the change for the log ("MAC a -> b"), or null.
 */
export function boardReplacement(before: unknown, after: unknown): string | null {
  const mac = (registration: unknown) => {
    const raw = parseCapabilities(toKvMap(registration)).mac ?? '';
    const hex = raw.toLowerCase().replace(/[^0-9a-f]/g, '');
    return /^0*$/.test(hex) ? null : { raw, hex };
  };
  const a = mac(before);
  const b = mac(after);
  return a && b && a.hex !== b.hex ? `MAC ${a.raw} -> ${b.raw}` : null;
}

/** What a device confirmed holding of the kinds that live in dialect-dependent tables, by pin (sync_item). */
export interface HeldBeforeSwitch {
  /** Pins whose templates (`bio`) or photo (`photo`) the device confirmed; `failing`: a change of it waits for its retry. */
  kind: 'bio' | 'photo';
  pin: string;
  failing: boolean;
}

/**
 * The deletes a device owes when it registers storing records differently (storageChanges), before its full sync
 * writes everything again in the new dialect. That full sync clears the new dialect's tables only, so what the old
 * dialect's tables hold stays: a template in `templatev10` after the move to `biodata`, a photo in `userpic` after the
 * move to `biophoto` (or in `biophoto` under another Type), cards in `mulcarduser` after cards moved to `user`, of
 * persons who may have left since. They are deleted as the old dialect deletes them: `templatev10` and `mulcarduser`
 * whole (`*`, manual 9.1.2), `biodata` and the photo tables per pin the device confirmed (their own sections give only
 * per-pin deletes; the new dialect's photo table is cleared by the full sync, by Type or `*`). A table
 * both dialects use keeps its rows, which the full sync overwrites, except those of a pin whose change waits for
 * its retry (a template or photo removal that failed once): that removal would be forgotten with the confirmed
 * state, so it is made now.
 */
export function oldDialectCleanup(before: DeviceStorage, after: DeviceStorage, held: readonly HeldBeforeSwitch[]): string[] {
  const out: string[] = [];
  const pins = (kind: HeldBeforeSwitch['kind'], all: boolean) => [...new Set(held.filter((h) => h.kind === kind && (all || h.failing)).map((h) => h.pin))].sort();
  const bioMoved = before.dialect.bio !== after.dialect.bio;
  if (before.dialect.bio === 'templatev10' && bioMoved) out.push(dataDelete('templatev10', '*'));
  else for (const pin of pins('bio', bioMoved)) out.push(dataDelete(before.dialect.bio, [['Pin', pin]]));
  const photo = before.dialect.photo;
  if (photo) {
    const photoMoved = photo !== after.dialect.photo || (photo === 'biophoto' && before.photoType !== after.photoType);
    for (const pin of pins('photo', photoMoved)) {
      out.push(photo === 'biophoto' ? dataDelete('biophoto', [['PIN', pin], ['Type', before.photoType]]) : dataDelete('userpic', [['pin', pin]]));
    }
  }
  if (before.dialect.cards === 'mulcarduser' && after.dialect.cards !== 'mulcarduser') out.push(dataDelete('mulcarduser', '*'));
  return out;
}
