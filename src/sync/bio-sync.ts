/**
 * Biometric templates on devices: which template commands a device needs, in the dialect it
 * registered with; the planners decide which devices get them (./desired-state.ts for access panels,
 * bioTemplateCommands for the elevator planner). Commands come from the codec's typed builders only.
 *
 * Dialects (push 8.8, 8.15; field notes, devices 5 and 14):
 *   biodata      `DATA UPDATE biodata Pin No Index Valid Duress Type MajorVer MinorVer Format Tmp`, one Type per command,
 *                only the Types the device announced in MultiBioDataSupport; deleted by `Type= Pin= No=` (9.1.2).
 *   templatev10  fingerprints of algorithm 10 only: `DATA UPDATE templatev10 Pin FingerID Valid Template`
 *                (duress is Valid=3); deleted by `Pin= FingerID=` or `Pin=`.
 */
import type { EntityManager } from 'typeorm';
import { BIO_TYPE, dataDelete, dataUpdateBiodata, dataUpdateTemplateV10, type BiodataRecord, type TemplateV10Record } from '../push/protocol';
import type { SyncDevice } from './device-dialect';
import { chunkBuild } from './sync-commands';
import { read, runRead, type Read } from '../database/read-together';

export interface StoredTemplate {
  pin: string;
  bioType: number;
  templateNo: number;
  templateNoIndex: number;
  /** 1 normal, 3 duress. */
  validType: number;
  majorVer: number;
  minorVer: number;
  format: number;
  template: string;
}

/** A (Type, No) slot of a person: what a delete names. */
export interface TemplateSlot {
  bioType: number;
  templateNo: number;
}

/**
 * Whether a templatev10 device keeps fingerprints: not when its options switch the fingerprint function off
 * (FingerFunOn=0, Dialect.bioOff): then it is sent no template and none is deleted or cleared there.
 */
const v10Fingers = (device: SyncDevice) => !(device.dialect.bioOff ?? []).includes(BIO_TYPE.fingerprint);

/**
 * Whether this device can take the template at all: a type its table takes (biodata: MultiBioDataSupport /
 * BioDataFun; templatev10: version-10 fingerprints) and whose function its options do not switch off (bioOff).
 */
export function deviceAccepts(device: SyncDevice, t: Pick<StoredTemplate, 'bioType' | 'majorVer'>): boolean {
  if (device.dialect.bio === 'biodata') return device.dialect.bioTypes.includes(t.bioType);
  return t.bioType === BIO_TYPE.fingerprint && t.majorVer === 10 && v10Fingers(device);
}

/**
 * The major algorithm version a device declares for one template type, from the value as it reports it: a
 * MultiBioVersion entry (`10`, `12.0`: attendance manual 3.1 and Appendix 18), or a flat `FPVersion` / `FaceVersion` /
 * `~ZKFPVersion` / INFO algorithm field. Null when it says nothing usable (absent, empty, 0).
 */
export function declaredMajorVersion(raw: string | number | null | undefined): number | null {
  const m = /^\s*(\d{1,4})(?:\.\d+)?\s*$/.exec(raw === null || raw === undefined ? '' : String(raw));
  const v = m ? Number(m[1]) : 0;
  return v > 0 ? v : null;
}

/**
 * Whether a template of algorithm `majorVer` is usable by a device whose algorithm for that type is `declared`
 * (declaredMajorVersion): the same major version, since a device matches only templates its own algorithm extracted
 * (manual 3.1: "determine the device template version number based on the MultiBioVersion parameter"). A device that
 * declared nothing, or a template whose version is not known (0: a face a terminal uploaded without MajorVer), is not
 * judged: it is sent, as before.
 */
export function algorithmFits(declared: number | null | undefined, majorVer: number): boolean {
  return !declared || !majorVer || declared === majorVer;
}

/** Template records of one table/Type, with their builder: one DATA UPDATE carries one Type (push 8.8). */
export interface TemplateRecordSet {
  /** `biodata:<Type>` or `templatev10`. */
  table: string;
  build: (records: never[]) => string;
  records: Array<BiodataRecord | TemplateV10Record>;
}

/** The records for these templates on this device (templates it cannot take are left out), per table/Type. */
export function templateRecordSets(device: SyncDevice, templates: readonly StoredTemplate[]): TemplateRecordSet[] {
  const usable = templates.filter((t) => deviceAccepts(device, t));
  if (usable.length === 0) return [];
  const sorted = [...usable].sort((a, b) => a.pin.localeCompare(b.pin) || a.bioType - b.bioType || a.templateNo - b.templateNo || a.templateNoIndex - b.templateNoIndex);
  if (device.dialect.bio === 'templatev10') {
    // One template per finger: Index 0 (or the lowest index stored).
    const seen = new Set<string>();
    const records: TemplateV10Record[] = [];
    for (const t of sorted) {
      const key = `${t.pin}\u0000${t.templateNo}`;
      if (seen.has(key)) continue;
      seen.add(key);
      records.push({ pin: t.pin, fingerId: t.templateNo, valid: t.validType === 3 ? 3 : 1, template: t.template });
    }
    return [{ table: 'templatev10', build: dataUpdateTemplateV10 as (r: never[]) => string, records }];
  }
  return [...new Set(sorted.map((t) => t.bioType))].map((type) => ({
    table: `biodata:${type}`,
    build: dataUpdateBiodata as (r: never[]) => string,
    records: sorted
      .filter((t) => t.bioType === type)
      .map((t) => ({
        pin: t.pin,
        no: t.templateNo,
        index: t.templateNoIndex,
        valid: 1,
        duress: t.validType === 3 ? 1 : 0,
        type: t.bioType,
        majorVer: t.majorVer,
        minorVer: t.minorVer,
        format: t.format,
        tmp: t.template,
      })),
  }));
}

/** The update commands for these templates on this device. */
export function templateCommands(device: SyncDevice, templates: readonly StoredTemplate[]): string[] {
  return templateRecordSets(device, templates).flatMap((set) => chunkBuild(set.records as never[], set.build));
}

/** Deletes for these slots of one person; `all` (templatev10) clears every finger with one command. */
export function templateDeleteCommands(device: SyncDevice, pin: string, slots: readonly TemplateSlot[], all = false): string[] {
  const unique = [...new Map(slots.map((s) => [`${s.bioType}:${s.templateNo}`, s])).values()].sort((a, b) => a.bioType - b.bioType || a.templateNo - b.templateNo);
  if (device.dialect.bio === 'templatev10') {
    if (!v10Fingers(device)) return [];
    if (all) return [dataDelete('templatev10', [['Pin', pin]])];
    return unique.filter((s) => s.bioType === BIO_TYPE.fingerprint).map((s) => dataDelete('templatev10', [['Pin', pin], ['FingerID', s.templateNo]]));
  }
  return unique
    .filter((s) => device.dialect.bioTypes.includes(s.bioType))
    .map((s) => dataDelete('biodata', [['Type', s.bioType], ['Pin', pin], ['No', s.templateNo]]));
}

/**
 * The commands that empty a device's template table (a full sync): `templatev10 *`; `biodata` by each Type the
 * device takes (9.1.2 deletes biodata by `Type=`, with or without a Pin, never by `*`). A spare board or a panel
 * from another site may hold another person's template under one of our pins: kept, it would open as that pin.
 */
export function templateClearCommands(device: SyncDevice): string[] {
  if (device.dialect.bio === 'templatev10') return v10Fingers(device) ? [dataDelete('templatev10', '*')] : [];
  return [...new Set(device.dialect.bioTypes)].sort((a, b) => a - b).map((type) => dataDelete('biodata', [['Type', type]]));
}

/** Stored templates of these pins (persons only), in slot order. */
export async function loadTemplates(m: EntityManager, pins: readonly string[]): Promise<StoredTemplate[]> {
  if (pins.length === 0) return [];
  return runRead(m, templatesRead(pins));
}

/** loadTemplates as a read (read-together.ts). */
export function templatesRead(pins: readonly string[]): Read<StoredTemplate[]> {
  return read(
    `SELECT p.pin, t.bio_type, t.template_no, t.template_no_index, t.valid_type, t.major_ver, t.minor_ver, t.format, t.template
       FROM bio_template t JOIN person p ON p.id = t.person_id
      WHERE p.pin IN (SELECT unnest($1::text[]))
      ORDER BY p.pin, t.bio_type, t.template_no, t.template_no_index`,
    [pins],
    (rows: Array<{ pin: string; bio_type: number; template_no: number; template_no_index: number; valid_type: number; major_ver: number; minor_ver: number; format: number; template: string }>) =>
      rows.map((r) => ({
        pin: r.pin,
        bioType: Number(r.bio_type),
        templateNo: Number(r.template_no),
        templateNoIndex: Number(r.template_no_index),
        validType: Number(r.valid_type),
        majorVer: Number(r.major_ver),
        minorVer: Number(r.minor_ver),
        format: Number(r.format),
        template: r.template,
      })),
  );
}

/**
 * For the elevator planner: the template commands that follow persons onto a device (a person newly put on
 * the device, or a full sync).
 */
export async function bioTemplateCommands(m: EntityManager, device: SyncDevice, pins: readonly string[]): Promise<string[]> {
  if (pins.length === 0) return [];
  return templateCommands(device, await loadTemplates(m, pins));
}
