import { BIO_TYPE, chooseDialect, KvMap, parseCapabilities, parseCommaList, type Dialect } from '../push/protocol';

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
}

/**
 * The device's dialect: the one the PUSH registry stored in `device.capabilities.dialect`, or else chosen
 * with the codec's own rules from the raw `device.registration` (an object keyed by the raw parameter
 * names, an array of [key, value] pairs, or the raw comma-separated body).
 */
export function dialectOf(capabilities: unknown, registration: unknown): { dialect: Dialect; photoType: number } {
  const stored = capabilities as { dialect?: Dialect; multiBioPhotoSupport?: { types?: number[] } | null } | null;
  if (stored?.dialect) {
    const types = (stored.multiBioPhotoSupport?.types ?? []).filter((t) => t > 0);
    return { dialect: stored.dialect, photoType: types.length === 0 || types.includes(BIO_TYPE.visibleFace) ? BIO_TYPE.visibleFace : types[0] };
  }
  const kv = toKvMap(registration);
  const caps = parseCapabilities(kv);
  const dialect = chooseDialect(caps);
  const photoTypes = caps.multiBioPhotoSupport?.types.filter((t) => t > 0) ?? [];
  const photoType = photoTypes.length === 0 || photoTypes.includes(BIO_TYPE.visibleFace) ? BIO_TYPE.visibleFace : photoTypes[0];
  return { dialect, photoType };
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
