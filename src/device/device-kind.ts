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
import type { ReturnCodeManual } from '../push/protocol/tables';
import { isChannelEvidence, isChannelUploadTable, isElevatorEvidence } from './device-kind-ele-psg';

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
  /** The `INFO=` value of a getrequest poll (Attendance PUSH 9: only attendance firmware reports it). */
  info?: string;
  /** An options upload (`table=options`): channel controllers and elevator voice modules name themselves there. */
  options?: Record<string, string>;
  /**
   * With `handshake`: the device made an initialisation before this one (noted on its row) and has not registered
   * since. A Security PUSH panel answered `OK` registers next (Security manual 4.1: `OK` asks it to); an Attendance
   * PUSH terminal, which never registers, asks for its option block again.
   */
  handshakeAgain?: boolean;
  /**
   * The device has registered (`POST /iclock/registry`, Security PUSH only): its kind was decided from the whole
   * registration, and an upload table or an INFO no longer moves it to the attendance module.
   */
  registered?: boolean;
}

/** A rule answers a kind when the evidence shows it, or null when it has no opinion. */
type KindRule = (current: DeviceKind | null, e: KindEvidence) => DeviceKind | null;

function field(params: Record<string, string> | undefined, name: string): string | undefined {
  if (!params) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.replace(/^~/, '').toLowerCase() === want) return v;
  return undefined;
}

/**
 * Tables only attendance firmware uploads (Attendance PUSH §11, and the names of 12.1.3's queried tables no Security
 * PUSH table has: access firmware refuses `DATA QUERY USERINFO`, field notes); access panels post rtlog/rtstate instead.
 */
const ATTENDANCE_TABLES = new Set(['ATTLOG', 'OPERLOG', 'USERINFO', 'FINGERTMP', 'FVEIN']);

const ACCESS_TYPES = new Set(['acc', 'access']);
const KIOSK_TYPES = new Set(['ins', 'facekiosk', 'kiosk', 'face kiosk']);

/**
 * A `pushver` of the Attendance PUSH releases (attendance manual, Appendix 6: 2.2.14, 2.3.0, 2.4.0, 2.4.1; a
 * 2.x). Security PUSH releases are 3.x (Security manual, Appendix 13: 3.0.1, 3.1.1, 3.1.2), and its panels send
 * them on the same request (`GET /iclock/cdata?SN=..&pushver=3.0.1&options=all`).
 */
const ATTENDANCE_PUSHVER = /^\s*2\.\d+/;

/**
 * How strongly a first `GET /iclock/cdata?options=all` looks like the Attendance PUSH initialisation (attendance
 * manual 5: `SN`, `options=all`, `pushver`, `language`, `pushcommkey`, the last three optional). `language=` and
 * `pushcommkey=` belong to that request only (the Security PUSH one, manual 4.1, is `SN`, `pushver`, `options` and
 * what the device was set to send, such as `DeviceType`); `DeviceType=att` says it outright; a DeviceType that is
 * neither acc nor att (`middle east`, field samples) comes from attendance firmware; a 2.x `pushver` is of the
 * Attendance PUSH line. No one flag decides (field notes: firmware announces pushver 2.4.1 whatever it speaks):
 * 2 points do, so the manual's own form `options=all&pushver=2.2.14&language=83` (no pushcommkey, no DeviceType)
 * is a terminal, and a panel's `pushver=3.x&options=all`, with or without DeviceType=acc, is not. A device taken
 * for a terminal here that then registers (/iclock/registry is Security PUSH only) is an access panel again: the
 * registration decides, and the controller asks this only for devices that never registered.
 */
export function attendanceHandshakeScore(handshake: Record<string, string>): number {
  const type = field(handshake, 'DeviceType')?.trim().toLowerCase();
  if (type && ACCESS_TYPES.has(type)) return 0;
  // Old terminal firmware initialises with `SN` and `options=all` alone: the attendance manual reads no pushver as 2.2.14
  // (Appendix 6) and its firmware cannot go on without the option block (section 4: nothing works before the exchange
  // succeeds), so it would ask for it forever if answered `OK`. A panel sending that same request is still no loss:
  // `OK` or not, Security PUSH firmware registers at every connection (4.1), and its registration decides.
  if (!type && field(handshake, 'pushver') === undefined && field(handshake, 'options')?.trim().toLowerCase() === 'all') return 2;
  let score = 0;
  if (type === 'att') score += 2;
  else if (type && !KIOSK_TYPES.has(type)) score += 1;
  if (field(handshake, 'language') !== undefined) score += 1;
  if (field(handshake, 'pushcommkey') !== undefined) score += 1;
  // Every attendance firmware of the field samples (hs-bock-middle-east, hs-biopro-sa40-middle-east,
  // hs-speedface-v5l-zam230-att) puts PushOptionsFlag on this request; the Security manual's (4.1) names no such
  // parameter (PushOptionsFlag is one the server sends, 4.5/4.6).
  if (field(handshake, 'PushOptionsFlag') !== undefined) score += 1;
  if (ATTENDANCE_PUSHVER.test(field(handshake, 'pushver') ?? '')) score += 1;
  return score;
}

/**
 * An initialisation that says Attendance PUSH beyond doubt (3 points: `DeviceType=att` with a 2.x `pushver`, or the
 * attendance manual's request with its `language` and `pushcommkey`, and every attendance firmware of the field
 * samples), from a device that registered before: its firmware was switched to T&A mode under the same SN (the SenseFace 2A
 * of the field samples runs either, Push 3.0.4S in A&C mode and 3.1.2S in T&A mode). A Security PUSH panel's own request (4.1:
 * `SN`, a 3.x `pushver`, `options`, `DeviceType=acc`) scores at most 2 however it is sent, so a panel's reconnect never
 * overturns its registration; this one does, since the terminal never registers again to be decided otherwise.
 */
export function leavesSecurityPush(handshake: Record<string, string>): boolean {
  return attendanceHandshakeScore(handshake) >= 3;
}

/** INFO=<firmware>,<users>,<fingerprints>,<records>,<ip>,... : ten or more positional fields. */
const looksLikeInfo = (info: string) => info.split(',').length >= 10;

/**
 * Attendance terminals: `DeviceType=att` in a registration; an attendance-style initialisation; attendance-only
 * uploads; or `INFO=` on the poll. Upload and INFO evidence only moves a device that is still undecided: the
 * default (acc) of a device that never registered. Never one an earlier rule put in another module, nor a device
 * whose registration decided it (field notes: "decide the dialect from the whole registration, not from one
 * flag"): a registered panel that posts an ATTLOG or OPERLOG stays a panel, its doors with it.
 */
const attendanceRule: KindRule = (current, e) => {
  const type = field(e.registration, 'DeviceType')?.trim().toLowerCase();
  if (type === 'att') return 'att';
  if (e.handshake && attendanceHandshakeScore(e.handshake) >= 2 && (current === null || current === 'acc' || current === 'att')) return 'att';
  const fromDefault = (current === null || current === 'acc') && !e.registered;
  // A handshake with some attendance evidence (one point) taken for a panel's, answered `OK`, and made again instead
  // of a registration: the device does what a terminal does with `OK`, not what a panel does. A panel that registers
  // is decided by its registration from then on (its handshakes are no evidence then), so it cannot swing back.
  if (e.handshake && e.handshakeAgain && fromDefault && attendanceHandshakeScore(e.handshake) >= 1) return 'att';
  if (e.uploadTable && ATTENDANCE_TABLES.has(e.uploadTable.toUpperCase()) && fromDefault) return 'att';
  if (e.info && looksLikeInfo(e.info) && fromDefault) return 'att';
  return null;
};

/** Elevator controllers: AccSupportFunList 52-56/58, voice-module options, EC model names (device-kind-ele-psg.ts). */
const elevatorRule: KindRule = (_current, e) =>
  isElevatorEvidence(e.registration) || isElevatorEvidence(e.handshake) || isElevatorEvidence(e.options) ? 'ele' : null;

/** Channel (entrance-control) controllers: `table=irstate` uploads, Appendix 20 parameters, gate model names. */
const channelRule: KindRule = (_current, e) =>
  isChannelUploadTable(e.uploadTable) || isChannelEvidence(e.registration) || isChannelEvidence(e.handshake) || isChannelEvidence(e.options) ? 'psg' : null;

/**
 * FaceKiosks (CVSecurity module `ins`): a DeviceType naming the kiosk module in the handshake or registration.
 * Kiosks speak the attendance dialect otherwise; an operator override sets the kind where firmware says nothing.
 */
const faceKioskRule: KindRule = (_current, e) => {
  const type = (field(e.registration, 'DeviceType') ?? field(e.handshake, 'DeviceType'))?.trim().toLowerCase();
  return type && KIOSK_TYPES.has(type) ? 'facekiosk' : null;
};

/** Access panels: a Security PUSH registration that no more specific rule claimed. */
const accessRule: KindRule = (_current, e) => (e.registration ? 'acc' : null);

/** Most specific first; the first rule with an opinion decides. */
const RULES: readonly KindRule[] = [faceKioskRule, attendanceRule, channelRule, elevatorRule, accessRule];

/** The kind the evidence shows, or null to keep `current`. */
export function detectDeviceKind(current: DeviceKind | null, e: KindEvidence): DeviceKind | null {
  for (const rule of RULES) {
    const kind = rule(current, e);
    if (kind) return kind;
  }
  return null;
}

/**
 * Which manual's Appendix 1 reads a device's `Return` codes (given its effective kind). Attendance terminals and
 * FaceKiosks speak Attendance PUSH, whose appendix gives -1, -2, -3, -9, -10, -11 and -12 other meanings than the
 * Security PUSH one: -10 is "The user specified by PIN does not exist in the equipment" on a terminal and
 * "Incorrect data. Failed to resolve data API" on a panel. Any other kind (or an unknown device) is read with the
 * Security PUSH appendix.
 */
export function returnCodeManual(kind: string | null | undefined): ReturnCodeManual {
  return kind === 'att' || kind === 'facekiosk' ? 'attendance' : 'security';
}

/** SQL for the effective kind of a `device` row under `alias` (the override wins). */
export function effectiveKindSql(alias: string): string {
  return `coalesce(${alias}.kind_override, ${alias}.kind)`;
}
