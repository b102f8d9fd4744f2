/**
 * Registration body (`POST /iclock/registry?SN=..`, manual 4.4) and the dialect decision.
 *
 * Wire format, one line, comma-separated, keys optionally `~`-prefixed, values may contain
 * spaces and (in the field) commas:
 *
 *   DeviceType=acc,~DeviceName=F20/M,FirmVer=Ver 8.0.1.3-20151229,PushVersion=Ver 2.0.22-20161201,
 *   LockCount=1,ReaderCount=2,...,MultiBioDataSupport=0:1:0:0:0:0:0:0:0:1,AccSupportFunList=0101...,authKey=
 *
 * The same keys also arrive in the options upload (`table=options`) and GET OPTIONS results,
 * so `parseCapabilities` works on any KvMap.
 */
import { KvMap, parseCommaList } from './kv';

/** Names of the biometric types by Appendix 18 index. */
export const BIO_TYPE_NAMES = [
  'common',
  'fingerprint',
  'nirFace',
  'voiceprint',
  'iris',
  'retina',
  'palmprint',
  'fingerVein',
  'palmVein',
  'visibleFace',
  'visiblePalm',
] as const;
export type BioTypeName = (typeof BIO_TYPE_NAMES)[number];

export const BIO_TYPE = {
  common: 0,
  fingerprint: 1,
  nirFace: 2,
  voiceprint: 3,
  iris: 4,
  retina: 5,
  palmprint: 6,
  fingerVein: 7,
  palmVein: 8,
  visibleFace: 9,
  visiblePalm: 10,
} as const satisfies Record<BioTypeName, number>;

/** A colon list indexed by biometric type (`0:1:0:0:0:0:0:0:0:1`); missing entries are 0. */
export interface MultiBioList {
  raw: string;
  /** Value per type index as sent (flags are 0/1; MultiBioVersion entries are versions like `10.0`). */
  values: string[];
  /** Types whose entry is non-zero. */
  types: number[];
  byType: Record<BioTypeName, boolean>;
}

export function parseMultiBioList(raw: string | undefined): MultiBioList | null {
  if (raw === undefined || raw.trim() === '') return null;
  const values = raw.split(':').map((s) => s.trim());
  const types: number[] = [];
  values.forEach((v, i) => {
    if (v !== '' && !/^0+(\.0+)?$/.test(v)) types.push(i);
  });
  const byType = Object.fromEntries(BIO_TYPE_NAMES.map((n, i) => [n, types.includes(i)])) as Record<BioTypeName, boolean>;
  return { raw, values, types, byType };
}

/** `Ver 3.0.4S-20240809` / `2.4.1` / `Ver 2.0.22-20161201` → [3,0,4] / [2,4,1] / [2,0,22]. */
export function parseVersion(raw: string | undefined | null): number[] | null {
  if (!raw) return null;
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Bit string, position 0 = left-most character; positions set to `1` (manual 4.4 L1955). */
export function parseBitPositions(raw: string | undefined): Set<number> {
  const out = new Set<number>();
  if (!raw) return out;
  const s = raw.trim();
  for (let i = 0; i < s.length; i++) if (s[i] === '1') out.add(i);
  return out;
}

export interface DeviceCapabilities {
  deviceType: string | null;
  deviceName: string | null;
  serialNumber: string | null;
  firmVer: string | null;
  /** PushVersion as reported in the body (not the handshake `pushver`). */
  pushVersionRaw: string | null;
  pushVersion: number[] | null;
  ipAddress: string | null;
  mac: string | null;
  commType: string | null;
  machineType: number | null;
  lockCount: number | null;
  readerCount: number | null;
  auxInCount: number | null;
  auxOutCount: number | null;
  maxLockCount: number | null;
  maxUserCount: number | null;
  maxAttLogCount: number | null;
  maxPackageSize: number | null;
  /** CmdFormat=1 wraps every command (Appendix 14). */
  cmdFormat: number | null;
  stringPinFunOn: boolean | null;
  dateFmtFunOn: boolean | null;
  mulCardUserFunOn: boolean | null;
  userNameFunOn: boolean | null;
  disableUserFunOn: boolean | null;
  cardSiteCodeFunOn: boolean | null;
  fingerFunOn: boolean | null;
  faceFunOn: boolean | null;
  fvFunOn: boolean | null;
  /** Palm vein function switch (Appendix 12, 4.6 parameters). */
  pvFunOn: boolean | null;
  photoFunOn: boolean | null;
  bioPhotoFun: boolean | null;
  bioDataFun: boolean | null;
  userPicURLFunOn: boolean | null;
  autoServerFunOn: boolean | null;
  multiStageControlFunOn: boolean | null;
  masterControlOn: boolean | null;
  subControlOn: boolean | null;
  multiBioDataSupport: MultiBioList | null;
  multiBioPhotoSupport: MultiBioList | null;
  multiBioVersion: MultiBioList | null;
  /** Positions of AccSupportFunList set to 1 (meanings: tables accSupportFunList). */
  accSupportFunList: Set<number>;
  accSupportFunListRaw: string | null;
  newVFStyles: string | null;
  wgRuleVer: string | null;
  devNSLevel: string | null;
}

/**
 * The locks an access device drives when its registration leaves `LockCount` out (some firmware sends a trimmed
 * body: field samples `reg-c3-100pro-acc`, `reg-senseface2a-acc`): the number the model's name carries (C3-100 /
 * 200 / 400, inBio 160 / 260 / 460, C4…), else one, since every access controller and terminal drives at least
 * one lock. A reported count, 0 included, is kept; a device of another type implies nothing.
 */
export function impliedLockCount(c: Pick<DeviceCapabilities, 'lockCount' | 'deviceName' | 'deviceType'>): number | null {
  if (c.lockCount !== null) return c.lockCount;
  if (c.deviceType !== null && c.deviceType.toLowerCase() !== 'acc') return null;
  const name = c.deviceName ?? '';
  const model = /\b(?:C3|inBio)[\s-]?([124])\d0(?:\b|[^0-9])/i.exec(name);
  if (model) return Number(model[1]);
  if (/\bC4\b/i.test(name)) return 4;
  return 1;
}

export function parseCapabilities(p: KvMap): DeviceCapabilities {
  const pushVersionRaw = p.text('PushVersion') ?? null;
  return {
    deviceType: p.text('DeviceType') ?? null,
    deviceName: p.text('DeviceName') ?? null,
    serialNumber: p.text('SerialNumber') ?? null,
    firmVer: p.text('FirmVer') ?? p.text('FWVersion') ?? null,
    pushVersionRaw,
    pushVersion: parseVersion(pushVersionRaw),
    ipAddress: p.text('IPAddress') ?? null,
    mac: p.text('MAC') ?? null,
    commType: p.text('CommType') ?? null,
    machineType: p.int('MachineType'),
    lockCount: p.int('LockCount'),
    readerCount: p.int('ReaderCount'),
    auxInCount: p.int('AuxInCount'),
    auxOutCount: p.int('AuxOutCount'),
    maxLockCount: p.int('MaxLockCount'),
    maxUserCount: p.int('MaxUserCount'),
    maxAttLogCount: p.int('MaxAttLogCount'),
    maxPackageSize: p.int('MaxPackageSize'),
    cmdFormat: p.int('CmdFormat'),
    stringPinFunOn: p.flag('StringPinFunOn'),
    dateFmtFunOn: p.flag('DateFmtFunOn'),
    mulCardUserFunOn: p.flag('MulCardUserFunOn'),
    userNameFunOn: p.flag('UserNameFunOn'),
    disableUserFunOn: p.flag('DisableUserFunOn'),
    cardSiteCodeFunOn: p.flag('CardSiteCodeFunOn'),
    fingerFunOn: p.flag('FingerFunOn'),
    faceFunOn: p.flag('FaceFunOn'),
    fvFunOn: p.flag('FvFunOn'),
    pvFunOn: p.flag('PvFunOn'),
    photoFunOn: p.flag('PhotoFunOn'),
    bioPhotoFun: p.flag('BioPhotoFun'),
    bioDataFun: p.flag('BioDataFun'),
    userPicURLFunOn: p.flag('UserPicURLFunOn'),
    autoServerFunOn: p.flag('AutoServerFunOn'),
    multiStageControlFunOn: p.flag('MultiStageControlFunOn'),
    masterControlOn: p.flag('MasterControlOn'),
    subControlOn: p.flag('SubControlOn'),
    multiBioDataSupport: parseMultiBioList(p.get('MultiBioDataSupport')),
    multiBioPhotoSupport: parseMultiBioList(p.get('MultiBioPhotoSupport')),
    multiBioVersion: parseMultiBioList(p.get('MultiBioVersion')),
    accSupportFunList: parseBitPositions(p.get('AccSupportFunList')),
    accSupportFunListRaw: p.text('AccSupportFunList') ?? null,
    newVFStyles: p.text('NewVFStyles') ?? null,
    wgRuleVer: p.text('WGRuleVer') ?? null,
    devNSLevel: p.text('DevNSLevel') ?? null,
  };
}

export interface Registration {
  /** Every parameter as sent, `~` keys kept, case-insensitive lookup. */
  params: KvMap;
  capabilities: DeviceCapabilities;
}

/** Never throws: an empty or garbled body gives empty params and all-null capabilities. */
export function parseRegistrationBody(body: string): Registration {
  const params = parseCommaList(body);
  return { params, capabilities: parseCapabilities(params) };
}

export interface Dialect {
  /** Template table for fingerprints/faces: unified `biodata`, or legacy fingerprint `templatev10`. */
  bio: 'biodata' | 'templatev10';
  /** Biometric types the device accepts through biodata (empty for templatev10), less those `bioOff` names. */
  bioTypes: number[];
  /**
   * Template types the device's function switches turn off (FingerFunOn=0, FaceFunOn=0, FvFunOn=0, PvFunOn=0; see
   * switchedOffBioTypes), sorted: on `biodata` they are left out of bioTypes, on `templatev10` FingerFunOn=0 leaves it
   * no template at all. Absent in dialects stored before it was read (none off).
   */
  bioOff?: number[];
  /** Photo table: comparison photos (`biophoto`), user photo (`userpic`), or none. */
  photo: 'biophoto' | 'userpic' | null;
  /** user StartTime/EndTime encoding: Appendix-5 seconds (DateFmtFunOn=1) or YYYYMMDD. */
  dateFormat: 'seconds' | 'yyyymmdd';
  /** Alphanumeric PINs only with StringPinFunOn=1. */
  pin: 'string' | 'numeric';
  /** Cards in `user.CardNo`, or in `mulcarduser` when the device runs several cards per user. */
  cards: 'user' | 'mulcarduser';
  /** Tables accept DevID (AccSupportFunList 26). */
  devId: boolean;
  /** userauthorize StartTime/EndTime (AccSupportFunList 62). */
  authorizeValidity: boolean;
  /** timezone StartTime/EndTime (AccSupportFunList 60). */
  timezoneValidity: boolean;
  /** CmdFormat=1: commands wrapped as `DataType=1,SN=..,Priority=..,CmdID=..,CmdDesc=C:..`. */
  wrappedCommands: boolean;
  /** Upper bound for one getrequest reply, from MaxPackageSize. */
  maxPackageSize: number | null;
}


/**
 * The template types (Appendix 18) each function switch of the registration and parameters (4.4 / 4.6, Appendix 12:
 * "fingerprint / facial / finger vein / palm vein function switch") stands for. The face switch covers the
 * near-infrared and the visible-light face (a SenseFace 2A reports FaceFunOn=1 with FaceVersion=40 and type 9), the
 * palm switch the palm vein and the visible-light palm (a SpeedFace-V5L reports PvFunOn=1 with PvVersion=12).
 */
export const FUNCTION_SWITCH_TYPES: ReadonlyArray<{ key: 'fingerFunOn' | 'faceFunOn' | 'fvFunOn' | 'pvFunOn'; option: string; types: readonly number[] }> = [
  { key: 'fingerFunOn', option: 'FingerFunOn', types: [BIO_TYPE.fingerprint] },
  { key: 'faceFunOn', option: 'FaceFunOn', types: [BIO_TYPE.nirFace, BIO_TYPE.visibleFace] },
  { key: 'fvFunOn', option: 'FvFunOn', types: [BIO_TYPE.fingerVein] },
  { key: 'pvFunOn', option: 'PvFunOn', types: [BIO_TYPE.palmVein, BIO_TYPE.visiblePalm] },
];

/**
 * The template types a device's function switches turn off: those of a switch reported `0`. MultiBioDataSupport
 * (and BioDataFun) say what the firmware's template table can take; a switch says whether that function runs now
 * (an installer turns it off or on at the panel, or SET OPTIONS does): a type is held only where both allow it, so
 * a switch at 0 takes its types away, and a switch at 1 adds none the table does not announce (field samples: a
 * BioFace A1 reporting FingerFunOn=1 with MultiBioDataSupport of palm and face only). A switch not reported, or
 * reported empty (Biopro SA40's INFO), changes nothing: firmware that names none of them keeps the old default.
 */
export function switchedOffBioTypes(c: Pick<DeviceCapabilities, 'fingerFunOn' | 'faceFunOn' | 'fvFunOn' | 'pvFunOn'>): number[] {
  return [...new Set(FUNCTION_SWITCH_TYPES.filter((s) => c[s.key] === false).flatMap((s) => s.types))].sort((a, b) => a - b);
}

/**
 * The biophoto Type a device is sent comparison photos as, of the types its MultiBioPhotoSupport announces (without
 * zeros): the visible-light face when it is announced or none is, else the first announced.
 */
export function comparisonPhotoType(types: readonly number[]): number {
  return types.length === 0 || types.includes(BIO_TYPE.visibleFace) ? BIO_TYPE.visibleFace : types[0];
}

/**
 * Picks the command dialect from the whole registration, never from one flag: the handshake
 * `pushver` and `DeviceType` are unreliable in the field (3.1.x devices announce 2.4.1,
 * unrelated devices say `middle east`), so only the registration body is consulted.
 *
 * The template table is the unified `biodata` when the panel announces the hybrid identification protocol (Security
 * PUSH 3.1: it "pushes MultiBioDataSupport, MultiBioPhotoSupport ... through registration", and both sides go by
 * them; 4.4: BioDataFun, BioPhotoFun), whatever its `PushVersion`: the Security manual ties the hybrid protocol to no
 * version, and firmware numbers its Push SDK apart from the protocol (the manual's own parameters example is a ProBio
 * at `Ver 2.0.34-20180822`; the iFace950 Plus of the field samples, `Ver 2.0.33S`, uploads a face as 15 BIODATA records
 * and refuses FINGERTMP, -12). The 2.2.14 of the Attendance PUSH manual is its protocol version (`pushver`,
 * PushProtVer), not this string: a `Ver 2.0.33S` panel announcing visible-light faces held `templatev10`, which carries
 * fingerprints only, and was sent no face and no comparison photo. A panel announcing neither is on `templatev10`.
 */
export function chooseDialect(c: DeviceCapabilities): Dialect {
  const bioTypes = c.multiBioDataSupport?.types.filter((t) => t > 0) ?? [];
  const biodata = bioTypes.length > 0 || c.bioDataFun === true;
  const photoTypes = c.multiBioPhotoSupport?.types.filter((t) => t > 0) ?? [];
  const bioOff = switchedOffBioTypes(c);
  let photo: Dialect['photo'] = null;
  // A comparison photo is enrolled as a template of its Type (Appendix 18: the panel extracts a visible-light face
  // from it): with that function switched off (FaceFunOn=0) the panel cannot use it, as it cannot a face template, so
  // none is sent; the function turned on again changes the dialect, whose full sync sends them.
  if (photoTypes.length > 0 || c.bioPhotoFun === true) photo = bioOff.includes(comparisonPhotoType(photoTypes)) ? null : 'biophoto';
  else if (c.photoFunOn === true || c.userPicURLFunOn === true) photo = 'userpic';
  return {
    bio: biodata ? 'biodata' : 'templatev10',
    bioTypes: biodata ? (bioTypes.length > 0 ? bioTypes : [BIO_TYPE.visibleFace]).filter((t) => !bioOff.includes(t)) : [],
    bioOff,
    photo,
    dateFormat: c.dateFmtFunOn === true ? 'seconds' : 'yyyymmdd',
    pin: c.stringPinFunOn === true ? 'string' : 'numeric',
    cards: c.mulCardUserFunOn === true ? 'mulcarduser' : 'user',
    devId: c.accSupportFunList.has(26),
    authorizeValidity: c.accSupportFunList.has(62),
    timezoneValidity: c.accSupportFunList.has(60),
    wrappedCommands: c.cmdFormat === 1,
    maxPackageSize: c.maxPackageSize,
  };
}

