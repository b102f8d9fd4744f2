import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { isBase64Data } from '../push/protocol/base64-data';
import type { RejectedLine } from '../push/protocol';
import { logRejected } from '../push/ingest-log';
import { storeRejected } from '../push/raw-upload';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { BIO_TYPE, type BiodataUpload, type PhotoUpload, type TableUpload, type TemplateV10Upload } from '../push/protocol';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { readdedBeforeDelete, userDeletedFrom } from '../sync/confirmed-state';
import { SyncPlannerService, type HeldPhoto } from '../sync/sync-planner.service';
import { upsertEnrolledTemplate, type EnrolledTemplate } from './bio-template-upsert';
import { deviceKeepsStringPins, devicePinsOf } from '../person/pin-value';

type TemplateUpload = BiodataUpload | TemplateV10Upload;

/** An uploaded record in bio_template terms; null for records that carry no usable template. */
export function toIncoming(u: TemplateUpload): EnrolledTemplate | null {
  if (u.kind === 'templatev10') {
    if (u.fingerId === null || u.fingerId < 0 || u.fingerId > 9 || u.valid === 0) return null;
    return { bioType: BIO_TYPE.fingerprint, templateNo: u.fingerId, templateNoIndex: 0, validType: u.duress || u.valid === 3 ? 3 : 1, majorVer: 10, minorVer: 0, format: 0, template: u.template.replace(/\s+/g, '') };
  }
  if (u.valid === 0 || u.type <= 0) return null;
  const format = u.format === null || !/^\d+$/.test(u.format) ? 0 : Number(u.format);
  return {
    bioType: u.type,
    templateNo: u.no ?? 0,
    templateNoIndex: u.index ?? 0,
    validType: u.duress === 1 ? 3 : 1,
    majorVer: u.majorVer ?? (u.type === BIO_TYPE.fingerprint ? 10 : 0),
    minorVer: u.minorVer ?? 0,
    format,
    template: u.tmp.replace(/\s+/g, ''),
  };
}

/**
 * Enrolment at a device: a `tabledata` upload of `biodata` / `templatev10` records (push 6.4). The
 * templates of known persons are stored in `bio_template` and sent to the person's OTHER devices (panels, and
 * the attendance terminals and kiosks of the person's areas), each in its own dialect; a re-sent upload (same content) stores and sends nothing. A face arrives as up to 15
 * records (Index 0-14): every stored index of a changed (Type, No) goes out again as one set.
 *
 * The copies to the other devices are planned (src/sync) in the same transaction as the stored templates,
 * and the enrolling device is recorded as holding them. The upload handler answers the device only after
 * this commits; a failure reaches the device as an error, so it sends the upload again.
 */
@Injectable()
export class BioEnrolmentService {
  private readonly log = new Logger(BioEnrolmentService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
    private readonly attendance: AttendanceSyncService,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Own transaction. */
  ingest(deviceSn: string, records: readonly TableUpload[]): Promise<number> {
    if (!records.some((r) => isTemplate(r) || isFacePhoto(r))) return Promise.resolve(0);
    return this.ds.transaction((m) => this.onTableUpload(m, deviceSn, records));
  }

  /** In the caller's transaction; returns the number of templates stored or changed. */
  async onTableUpload(m: EntityManager, deviceSn: string, records: readonly TableUpload[]): Promise<number> {
    const all = records.filter((r) => isTemplate(r) || isFacePhoto(r));
    if (all.length === 0) return 0;
    // A panel keeping numeric PINs uploads person 0412's finger, face or photo under 412: renamed to 0412
    // (devicePinsOf), they are that person's, where they were "unknown pin 412; not stored" and lost.
    const { named } = await devicePinsOf(m, all.map((r) => r.pin), await deviceKeepsStringPins(m, 'sn', deviceSn));
    const renamed = all.map((r) => (named.get(r.pin) !== r.pin ? { ...r, pin: named.get(r.pin)! } : r));
    const uploads = renamed.filter(isTemplate);
    const photos = renamed.filter(isFacePhoto);
    const pins = [...new Set([...uploads, ...photos].map((u) => u.pin))];
    // The persons stay until the upload is stored (key share, in pin order, as the REST delete locks them for update):
    // a delete under way makes the upload wait and then find no person, so its lines are not stored, as a line sent
    // after the delete; a delete coming later waits and takes the stored templates with it. Read without the lock,
    // a person deleted in between failed the template insert's foreign key and the whole upload was refused.
    const persons: Array<{ id: string; pin: string }> = await m.query(`SELECT id, pin FROM person WHERE pin = ANY($1::varchar[]) ORDER BY pin FOR KEY SHARE`, [pins]);
    // Not the templates or photo of a pin deleted and added again through REST before this device ran its delete:
    // they are the deleted person's record it held (enrolled at its keypad before, sent again after a lost reply),
    // not the new person's. Not stored, and recorded as held there with unknown content, so that they are deleted by
    // PIN: the user's delete on its way leaves a panel's template and photo tables as they are, and the new person
    // would open its doors with the old person's finger.
    const [device]: Array<{ id: string; sn: string }> = await m.query(`SELECT id, sn FROM device WHERE sn = $1`, [deviceSn]);
    const replaced = await readdedBeforeDelete(m, deviceSn, persons.map((p) => p.pin));
    if (replaced.size > 0) await this.holdReplaced(m, device, replaced, uploads, photos, 'the record of a person deleted and added again, held before its delete ran');
    // Nor, for a pin of no person, are those of a user this panel is, or was, being taken off (its delete queued,
    // unanswered or run): the deleted person's finger or face, enrolled at its keypad before the delete reached it or
    // sent again after a lost reply. The user's delete leaves the panel's template and photo tables as they are, so
    // they are recorded as held with unknown content too, and deleted by PIN.
    const known = new Set(persons.map((p) => p.pin));
    const orphans = device ? await userDeletedFrom(m, device, pins.filter((pin) => !known.has(pin))) : new Set<string>();
    if (orphans.size > 0) await this.holdReplaced(m, device, orphans, uploads, photos, 'the record of a person deleted from it');
    const idOf = new Map(persons.filter((p) => !replaced.has(p.pin)).map((p) => [p.pin, p.id]));
    const changed = new Set<string>();
    const heldPhotos = new Map<string, HeldPhoto>();
    let stored = 0;
    for (const u of uploads) {
      const personId = idOf.get(u.pin);
      const t = toIncoming(u);
      if (!personId || !t || !t.template) {
        if (!personId && !orphans.has(u.pin)) this.log.warn(`device ${deviceSn} uploaded a ${u.kind} template for unknown pin ${u.pin}; not stored`);
        continue;
      }
      // Garbage from the panel (isBase64Data says why): refused here, not in the codec, which reads the manual's
      // elided examples (`tmp=apUBD.......`) as the records they stand for.
      if (!isBase64Data(t.template)) {
        this.log.warn(`device ${deviceSn} uploaded a ${u.kind} template for pin ${u.pin} whose data is no base64; not stored`);
        continue;
      }
      if (!(await upsertEnrolledTemplate(m, personId, t, deviceSn))) continue;
      stored++;
      changed.add(u.pin);
    }
    // A photo enrolled at the panel (7.10 userpic, 7.8 biophoto of a visible-light face) is the person's photo, as
    // a terminal's USERPIC is: served at vislightPhotoPath/personPhoto and sent to the person's other devices. A
    // line whose content is no photo is refused as a bad line is (logged, counted, kept raw as `<table>.rejected`),
    // the good lines of the upload stored.
    const refused: Array<{ table: string; line: RejectedLine }> = [];
    for (const ph of photos) {
      const personId = idOf.get(ph.pin);
      const content = ph.content.replace(/\\\//g, '/').replace(/\s+/g, '');
      if (!personId) {
        if (!orphans.has(ph.pin)) this.log.warn(`device ${deviceSn} uploaded a ${ph.kind} photo for unknown pin ${ph.pin}; not stored`);
        continue;
      }
      const bad = badPhoto(content);
      if (bad) {
        refused.push({ table: ph.table, line: { line: lineOf(ph), lineNo: ph.lineNo, reason: bad } });
        continue;
      }
      const [rows] = (await m.query(`UPDATE person SET photo = $2, updated_at = now() WHERE id = $1 AND photo IS DISTINCT FROM $2 RETURNING 1`, [personId, content])) as [unknown[], number];
      if (rows.length === 0) continue;
      stored++;
      changed.add(ph.pin);
      heldPhotos.set(ph.pin, { table: ph.kind, type: ph.type });
    }
    for (const table of new Set(refused.map((r) => r.table))) {
      const lines = refused.filter((r) => r.table === table).map((r) => r.line);
      logRejected(this.log, deviceSn, `${table} upload`, lines, { metrics: this.metrics, kind: 'table' });
      await storeRejected(m, deviceSn, table, lines);
    }
    if (changed.size > 0) {
      // The attendance terminals and kiosks of the persons' areas take the new templates and photos as well.
      await this.attendance.syncPersonPins(m, [...changed.keys()]);
      // The slots it uploaded are what it is known to hold of each set (the rest as it confirmed them).
      const heldSlots = new Map([...changed].map((pin) => [pin, new Set<string>()]));
      for (const u of uploads) {
        const t = toIncoming(u);
        if (t) heldSlots.get(u.pin)?.add(`${t.bioType}.${t.templateNo}`);
      }
      await this.planner.syncPins(m, [...changed.keys()], { heldBy: deviceSn, heldPhotos, heldSlots });
    }
    return stored;
  }

  /** The templates and photos of `replaced` pins a device uploaded: not stored, held there with unknown content (`?`). */
  private async holdReplaced(
    m: EntityManager,
    device: { id: string; sn: string } | undefined,
    replaced: ReadonlySet<string>,
    uploads: readonly TemplateUpload[],
    photos: readonly PhotoUpload[],
    what: string,
  ): Promise<void> {
    for (const [kind, records] of [['bio', uploads], ['photo', photos]] as const) {
      const pins = [...new Set(records.map((r) => r.pin).filter((pin) => replaced.has(pin)))];
      if (pins.length === 0 || !device) continue;
      this.log.log(`device ${device.sn}: ${kind} of ${pins.join(', ')} is ${what}: not stored`);
      await this.planner.recordUnknownRows(m, device.id, pins, [kind]);
    }
  }
}

/** A person's face photo uploaded by a panel: `userpic` (7.10), or a `biophoto` (7.8) of a visible-light face (type 9). */
function isFacePhoto(r: TableUpload): r is PhotoUpload {
  return r.kind === 'userpic' || (r.kind === 'biophoto' && (r.type === null || r.type === BIO_TYPE.visibleFace));
}

/**
 * Why a panel's photo line is no photo, or null: its content (escapes and white space taken out) is no base64. Its
 * `size` is not judged: devices upload sizes that do not match their content (field notes §14), and such a photo is
 * still the person's.
 */
function badPhoto(content: string): string | null {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(content) ? null : 'content is no base64';
}

/** A parsed record's line as the device sent it (fields in their order), for the log and `<table>.rejected`. */
function lineOf(r: TableUpload): string {
  return `${r.prefix ? `${r.prefix} ` : ''}${Object.entries(r.fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('\t')}`;
}

function isTemplate(r: TableUpload): r is TemplateUpload {
  return r.kind === 'biodata' || r.kind === 'templatev10';
}
