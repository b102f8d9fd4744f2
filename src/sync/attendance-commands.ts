/**
 * What an attendance terminal (or FaceKiosk) should hold for one person, as commands in the terminal's own
 * dialect (Attendance PUSH 12), from the codec's typed builders. Pure: the planner feeds it rows.
 *
 *   USERINFO first (PIN, Name, Pri, Passwd, Card, Grp, TZ, Verify), then the templates: `BIODATA` on unified-
 *   template firmware, `FINGERTMP`/`FACE`/`FVEIN` on older firmware (a BIODATA-era terminal answers -12 to
 *   FINGERTMP), then the photo (`USERPIC`).
 */
import { createHash } from 'node:crypto';
import {
  attDelete,
  attUpdateBiodata,
  attUpdateFace,
  attUpdateFingerTmp,
  attUpdateFvein,
  attUpdateUserInfo,
  attUpdateUserPic,
  type AttPrivilege,
} from '../push/attendance/protocol';

export interface AttSyncPerson {
  id: string;
  pin: string;
  name: string | null;
  lastName: string | null;
  cardNo: string | null;
  password: string | null;
  photo: string | null;
  /** editAttPerson perDevAuth (terminals) or editInsPerson perDevAuth (kiosks). */
  pri: number;
  /** editAttPerson verifyMode; null = the terminal's group mode. */
  verifyMode: number | null;
}

export interface AttSyncTemplate {
  bioType: number;
  no: number;
  index: number;
  validType: number;
  majorVer: number;
  minorVer: number;
  format: number;
  template: string;
}

export interface AttSyncTerminal {
  id: string;
  sn: string;
  kind: 'att' | 'facekiosk';
  areaId: string | null;
  /** Unified templates (BIODATA) rather than FINGERTMP/FACE/FVEIN. */
  biodata: boolean;
}

const PRIVILEGES: readonly number[] = [0, 2, 6, 10, 14];
const NO_CONTROL = /[\t\r\n\0]/g;

/** The terminal's privilege for a stored perDevAuth (unknown values fall back to an ordinary user). */
export function terminalPri(perDevAuth: number): AttPrivilege {
  return (PRIVILEGES.includes(perDevAuth) ? perDevAuth : 0) as AttPrivilege;
}

/** Name as the terminal shows it: first and last name, control characters dropped (the builder refuses them). */
export function terminalName(p: Pick<AttSyncPerson, 'name' | 'lastName'>): string {
  return [p.name, p.lastName].filter((x) => x && x.trim()).join(' ').replace(NO_CONTROL, ' ').slice(0, 64);
}

export function userInfoCommand(p: AttSyncPerson): string {
  return attUpdateUserInfo({
    pin: p.pin,
    name: terminalName(p),
    pri: terminalPri(p.pri),
    passwd: (p.password ?? '').replace(NO_CONTROL, ''),
    card: (p.cardNo ?? '').replace(NO_CONTROL, ''),
    grp: 1,
    verify: p.verifyMode ?? -1,
  });
}

export function templateCommands(t: AttSyncTerminal, pin: string, templates: readonly AttSyncTemplate[]): string[] {
  const out: string[] = [];
  for (const tp of templates) {
    const tmp = tp.template.replace(/\s+/g, '');
    if (!tmp) continue;
    if (t.biodata) {
      out.push(attUpdateBiodata({ pin, no: tp.no, index: tp.index, valid: 1, duress: tp.validType === 3 ? 1 : 0, type: tp.bioType, majorVer: tp.majorVer, minorVer: tp.minorVer, format: tp.format, tmp }));
    } else if (tp.bioType === 1 && tp.no >= 0 && tp.no <= 9) {
      out.push(attUpdateFingerTmp({ pin, fid: tp.no, valid: tp.validType === 3 ? 3 : 1, tmp }));
    } else if (tp.bioType === 2) {
      out.push(attUpdateFace({ pin, fid: tp.index, tmp }));
    } else if (tp.bioType === 7) {
      out.push(attUpdateFvein({ pin, fid: tp.no, index: tp.index, tmp }));
    }
  }
  return out;
}

export function photoCommands(pin: string, photo: string | null): string[] {
  const content = (photo ?? '').replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  return content ? [attUpdateUserPic({ pin, content })] : [];
}

/** `DATA DELETE USERINFO PIN=`: the terminal drops the user with their templates and photo. */
export function removalCommand(pin: string): string {
  return attDelete('USERINFO', pin);
}

export const hashOf = (...parts: unknown[]): string => createHash('sha1').update(JSON.stringify(parts)).digest('hex');
