/**
 * Session replies (manual 4.1, 4.4, 4.5, 9.5.1 rtdata; digest §3-4).
 *
 * Every reply here is LF-separated `Name=Value` lines (the 4.5 example's Content-Length of 218
 * only fits LF). The HTTP layer adds `Date:` (RFC 1123 GMT, required: the device sets its clock
 * from it) — see `formatHttpDate` in ./time.
 */
import { formatTimeZoneOption, formatTzOffset, type WallClock, encodeZkSeconds } from './time';
import { ProtocolValueError } from './errors';
import { KvMap, parseLineList, parseQuery } from './kv';
import { compareVersions, parseVersion } from './registry';

/** Body for an unknown or not-yet-admitted SN on `GET /iclock/cdata?options=all`: "please register". */
export const UNREGISTERED_REPLY = 'OK';

/**
 * The protocol version this server advertises. 3.0.1 is below 3.1.1, the first version with
 * communication encryption, so both sides fall back to plain text (Appendix 13/16 "case 1").
 */
export const SERVER_PUSH_PROT_VER = '3.0.1';

export interface ServerConfig {
  sessionId: string;
  serverVersion?: string;
  serverName?: string;
  /** PushProtVer; keep below 3.1.1 unless the proprietary encryption is implemented. */
  pushProtVer?: string;
  errorDelay?: number;
  requestDelay?: number;
  /** Fixed upload check times `HH:MM`, at most 10. */
  transTimes?: string[];
  transInterval?: number;
  transTables?: string;
  realtime?: boolean;
  timeoutSec?: number;
  // Optional 4.5 parameters, sent only when set:
  bioPhotoFun?: boolean;
  bioDataFun?: boolean;
  multiBioDataSupport?: string;
  multiBioPhotoSupport?: string;
  /** Echo the device's NewVFStyles to opt into the new verification bit strings. */
  newVFStyles?: string;
  irTempUnitTrans?: 0 | 1;
  qrCodeDecryptType?: 1 | 2 | 3;
  qrCodeDecryptKey?: string;
  svrNSLevel?: number;
  /**
   * The site's offset, minutes east of UTC, sent as `TimeZone` in the attendance manual's integer form
   * (formatTimeZoneOption: `8`, `330`). Not in the Security PUSH manual; the field notes: devices set their clock
   * from the `Date` header plus this option.
   */
  timeZoneMinutes?: number;
}

export const DEFAULT_SERVER_CONFIG = {
  serverVersion: '3.0.1',
  serverName: 'ADMS',
  pushProtVer: SERVER_PUSH_PROT_VER,
  errorDelay: 30,
  requestDelay: 5,
  transTimes: ['00:00', '14:00'],
  transInterval: 1,
  transTables: 'User Transaction',
  realtime: true,
  timeoutSec: 10,
} as const;

function line(name: string, value: string | number): string {
  const v = String(value);
  if (/[\r\n\0]/.test(v)) throw new ProtocolValueError(name, 'must not contain CR, LF or NUL');
  return `${name}=${v}`;
}

function coreLines(c: ServerConfig): string[] {
  const d = { ...DEFAULT_SERVER_CONFIG, ...stripUndefined(c) };
  const times = d.transTimes;
  if (times.length > 10) throw new ProtocolValueError('TransTimes', 'allows at most 10 times');
  for (const t of times) if (!/^\d{2}:\d{2}$/.test(t)) throw new ProtocolValueError('TransTimes', `has a bad time ${t}`);
  return [
    line('ServerVersion', d.serverVersion),
    line('ServerName', d.serverName),
    line('PushProtVer', d.pushProtVer),
    line('ErrorDelay', d.errorDelay),
    line('RequestDelay', d.requestDelay),
    line('TransTimes', times.join(';')),
    line('TransInterval', d.transInterval),
    line('TransTables', d.transTables),
    line('Realtime', d.realtime ? 1 : 0),
    line('SessionID', c.sessionId),
    line('TimeoutSec', d.timeoutSec),
  ];
}

function optionalLines(c: ServerConfig): string[] {
  const out: string[] = [];
  if (c.bioPhotoFun !== undefined) out.push(line('BioPhotoFun', c.bioPhotoFun ? 1 : 0));
  if (c.bioDataFun !== undefined) out.push(line('BioDataFun', c.bioDataFun ? 1 : 0));
  if (c.multiBioDataSupport !== undefined) out.push(line('MultiBioDataSupport', c.multiBioDataSupport));
  if (c.multiBioPhotoSupport !== undefined) out.push(line('MultiBioPhotoSupport', c.multiBioPhotoSupport));
  if (c.newVFStyles !== undefined) out.push(line('NewVFStyles', c.newVFStyles));
  if (c.irTempUnitTrans !== undefined) out.push(line('IRTempUnitTrans', c.irTempUnitTrans));
  if (c.qrCodeDecryptType !== undefined) out.push(line('QRCodeDecryptType', c.qrCodeDecryptType));
  if (c.qrCodeDecryptKey !== undefined) out.push(line('QRCodeDecryptKey', c.qrCodeDecryptKey));
  if (c.svrNSLevel !== undefined) out.push(line('SvrNSLevel', c.svrNSLevel));
  if (c.timeZoneMinutes !== undefined) out.push(line('TimeZone', formatTimeZoneOption(c.timeZoneMinutes)));
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Reply to `GET /iclock/cdata?SN=..&options=all` for a registered device (manual 4.1):
 *
 *   registry=ok
 *   RegistryCode=<code>
 *   ServerVersion=.. ServerName=.. PushProtVer=.. ErrorDelay=.. RequestDelay=.. TransTimes=..
 *   TransInterval=.. TransTables=.. Realtime=.. SessionID=.. TimeoutSec=..   (one per line)
 */
export function formatInitReply(registryCode: string, config: ServerConfig): string {
  return [line('registry', 'ok'), line('RegistryCode', checkRegistryCode(registryCode)), ...coreLines(config), ...optionalLines(config)].join('\n');
}

/** Reply to `POST /iclock/registry` (manual 4.4): `RegistryCode=<≤32 chars>`, no trailing LF. */
export function formatRegistryReply(registryCode: string): string {
  return line('RegistryCode', checkRegistryCode(registryCode));
}

/** Body of a registration refusal; send it with HTTP status 406 (the manual says only "406"). */
export const REGISTRY_REFUSED_REPLY = '406';

/** Reply to `POST|GET /iclock/push` (manual 4.5): the config block without registry/RegistryCode. */
export function formatPushConfigReply(config: ServerConfig): string {
  return [...coreLines(config), ...optionalLines(config)].join('\n');
}

function checkRegistryCode(code: string): string {
  if (code.length === 0 || code.length > 32 || !/^[\x21-\x7e]+$/.test(code)) {
    throw new ProtocolValueError('RegistryCode', 'must be 1-32 printable ASCII characters');
  }
  return code;
}

/** Reply to `GET /iclock/rtdata?type=time` (9.5.1): `DateTime=<App-5 seconds, GMT>,ServerTZ=+0800`. */
export function formatRtdataTimeReply(utcWallClock: WallClock, serverTzOffsetMinutes: number): string {
  return `DateTime=${encodeZkSeconds(utcWallClock)},ServerTZ=${formatTzOffset(serverTzOffsetMinutes)}`;
}

/**
 * Appendix 13: both sides use the lower of the device's `pushver` and the server's
 * `PushProtVer`; a missing value on either side means 3.0.1.
 */
export function negotiatePushProtVer(devicePushver: string | undefined | null, serverVer = SERVER_PUSH_PROT_VER): string {
  const dv = parseVersion(devicePushver ?? '') ?? [3, 0, 1];
  const sv = parseVersion(serverVer) ?? [3, 0, 1];
  return compareVersions(dv, sv) < 0 ? dv.join('.') : sv.join('.');
}

/** The init request's query: `SN`, `options`, `pushver`, plus whatever the device adds. */
export interface InitRequest {
  sn: string | null;
  options: string | null;
  pushver: string | null;
  deviceType: string | null;
  language: string | null;
  pushOptionsFlag: boolean | null;
  query: KvMap;
}

export function parseInitQuery(query: string | Record<string, string | string[] | undefined>): InitRequest {
  const q = parseQuery(query);
  return {
    sn: q.text('SN') ?? null,
    options: q.text('options') ?? null,
    pushver: q.text('pushver') ?? null,
    deviceType: q.text('DeviceType') ?? null,
    language: q.text('language') ?? null,
    pushOptionsFlag: q.flag('PushOptionsFlag'),
    query: q,
  };
}

/** Reads a server config block back (used by the simulator and tests). */
export function parseConfigReply(body: string): KvMap {
  return parseLineList(body);
}
