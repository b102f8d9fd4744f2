/**
 * What kind of device an SN is, decided from everything it says (pure: no Nest, no database).
 *
 * CVSecurity keeps access panels, attendance terminals, FaceKiosks, elevator controllers and channel
 * (entrance-control) controllers in separate modules, and the device tells which one it is only in pieces:
 * the handshake's query parameters, the registration body (`DeviceType=acc|att`, `MachineType`,
 * `AccSupportFunList`...), and what it uploads (`table=ATTLOG` only comes from attendance firmware). No single
 * flag is reliable (field notes, devices section 14), so each kind has one rule over the whole evidence, and
 * the more specific kinds are asked first. An operator's override (`device.kind_override`) beats detection.
 */
export type DeviceKind = 'acc' | 'att' | 'facekiosk' | 'ele' | 'psg';

export const DEVICE_KINDS: readonly DeviceKind[] = ['acc', 'att', 'facekiosk', 'ele', 'psg'];

export function isDeviceKind(v: unknown): v is DeviceKind {
  return typeof v === 'string' && (DEVICE_KINDS as readonly string[]).includes(v);
}

/** What a device said, at one moment: any of the three. Keys are matched case-insensitively, `~` ignored. */
export interface KindEvidence {
  /** Query parameters of the first `GET /iclock/cdata?options=all`. */
  handshake?: Record<string, string>;
  /** The parameters of a `POST /iclock/registry` body. */
  registration?: Record<string, string>;
  /** The `table=` of an upload. */
  uploadTable?: string;
}

/** A rule answers a kind when the evidence shows it, or null when it has no opinion. */
type KindRule = (current: DeviceKind | null, e: KindEvidence) => DeviceKind | null;

function field(params: Record<string, string> | undefined, name: string): string | undefined {
  if (!params) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.replace(/^~/, '').toLowerCase() === want) return v;
  return undefined;
}

/** Tables only attendance firmware uploads (Attendance PUSH §11); access panels post rtlog/rtstate instead. */
const ATTENDANCE_TABLES = new Set(['ATTLOG', 'OPERLOG']);

/** Attendance terminals: `DeviceType=att` in a registration, or attendance-only uploads. */
const attendanceRule: KindRule = (current, e) => {
  const type = field(e.registration, 'DeviceType')?.trim().toLowerCase();
  if (type === 'att') return 'att';
  if (e.uploadTable && ATTENDANCE_TABLES.has(e.uploadTable.toUpperCase()) && (current === null || current === 'acc')) return 'att';
  return null;
};

/** Access panels: a Security PUSH registration that no more specific rule claimed. */
const accessRule: KindRule = (_current, e) => (e.registration ? 'acc' : null);

/** Most specific first; the first rule with an opinion decides. */
const RULES: readonly KindRule[] = [attendanceRule, accessRule];

/** The kind the evidence shows, or null to keep `current`. */
export function detectDeviceKind(current: DeviceKind | null, e: KindEvidence): DeviceKind | null {
  for (const rule of RULES) {
    const kind = rule(current, e);
    if (kind) return kind;
  }
  return null;
}

/** SQL for the effective kind of a `device` row under `alias` (the override wins). */
export function effectiveKindSql(alias: string): string {
  return `coalesce(${alias}.kind_override, ${alias}.kind)`;
}
