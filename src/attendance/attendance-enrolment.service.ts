import { Injectable, Logger } from '@nestjs/common';
import { upsertEnrolledTemplate } from '../bioTemplate/bio-template-upsert';
import type { EntityManager } from 'typeorm';
import { setMainCard } from '../card/card-writes';
import { newId } from '../common/ids';
import { excludedOf, insertOf, intoOf, listOf } from '../database/columns';
import { Person } from '../person/person.entity';
import type { DeviceSession } from '../push/device-registry.service';
import type { OperlogRecord, PhotoRecord, TemplateRecord, UserInfoRecord } from '../push/attendance/protocol';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { AttAreaPerson } from './att-area-person.entity';
import { AttPerson } from './att-person.entity';

const PRIVILEGES = new Set([0, 2, 6, 14]);

/** The privilege a terminal reports for a person ($1 person id, $2 privilege). */
const UPSERT_PRIVILEGE = `INSERT INTO ${insertOf(AttPerson, ['personId', 'perDevAuth'])}
  ON CONFLICT (${listOf(AttPerson, ['personId'])}) DO UPDATE SET ${excludedOf(AttPerson, ['perDevAuth'])}, updated_at = now()`;

/** The person joins the area of the terminal ($3 device id) in module $1 (att or ins). */
const JOIN_TERMINAL_AREA = `INSERT INTO ${intoOf(AttAreaPerson, ['module', 'areaId', 'personId'])}
  SELECT $1, d.area_id, $2 FROM device d WHERE d.id = $3 AND d.area_id IS NOT NULL ON CONFLICT DO NOTHING`;

/**
 * Enrolment at a terminal (USER, FP, FACE, FVEIN, BIODATA and USERPIC lines of an OPERLOG/BIODATA upload),
 * inside the upload's transaction: the person's record is updated (created in the default department when the
 * PIN is new, and put in the terminal's area), the templates and photo are stored, and the attendance planner
 * carries them to the other terminals of the person's areas; the access planner brings the access panels that
 * should hold the person to the new state (changed templates in the forms their dialect accepts). A re-sent upload changes nothing and queues nothing (the planner
 * compares with what it sent; unchanged templates are not rewritten).
 */
@Injectable()
export class AttendanceEnrolmentService {
  private readonly log = new Logger('AttendanceEnrolment');

  constructor(
    private readonly sync: AttendanceSyncService,
    private readonly planner: SyncPlannerService,
  ) {}

  async ingest(m: EntityManager, device: DeviceSession, records: readonly OperlogRecord[]): Promise<void> {
    const users = records.filter((r): r is UserInfoRecord => r.kind === 'USER');
    const templates = records.filter((r): r is TemplateRecord => r.kind === 'FP' || r.kind === 'FACE' || r.kind === 'FVEIN' || r.kind === 'BIODATA');
    const photos = records.filter((r): r is PhotoRecord => r.kind === 'USERPIC');
    const touched = new Set<string>();
    const ids = new Map<string, string>();
    const persons = m.getRepository(Person);
    for (const u of users) {
      let p = await persons.findOne({ where: { pin: u.pin } });
      if (!p) {
        const [dept]: Array<{ id: string }> = await m.query(`SELECT id FROM department ORDER BY (code = '1') DESC, created_at LIMIT 1`);
        if (!dept) continue;
        p = persons.create({ id: newId(), pin: u.pin.slice(0, 64), name: u.name?.slice(0, 100) || null, deptId: dept.id });
        await persons.insert(p);
        this.log.log(`person ${u.pin} enrolled at terminal ${device.sn}: created`);
      } else {
        const patch: Partial<Person> = {};
        if (u.name && u.name !== p.name) patch.name = u.name.slice(0, 100);
        if (u.passwd && u.passwd !== p.password) patch.password = u.passwd.slice(0, 32);
        if (Object.keys(patch).length) await persons.update({ id: p.id }, patch);
      }
      if (u.card && u.card !== '0' && u.card !== p.cardNo) {
        try {
          await setMainCard(m, p, u.card.slice(0, 64));
        } catch (err) {
          this.log.warn(`card of ${u.pin} from terminal ${device.sn} not taken: ${(err as Error).message}`);
        }
      }
      if (u.pri !== null && PRIVILEGES.has(u.pri)) {
        await m.query(
          UPSERT_PRIVILEGE,
          [p.id, u.pri],
        );
      }
      // The terminal's area: the person now belongs to it, so its other terminals get them too.
      await m.query(
        JOIN_TERMINAL_AREA,
        [device.kind === 'facekiosk' ? 'ins' : 'att', p.id, device.id],
      );
      ids.set(u.pin, p.id);
      touched.add(p.id);
    }
    const pinsNeeded = [...new Set([...templates, ...photos].map((r) => r.pin))].filter((pin) => !ids.has(pin));
    if (pinsNeeded.length) {
      const rows: Array<{ id: string; pin: string }> = await m.query(`SELECT id, pin FROM person WHERE pin = ANY($1)`, [pinsNeeded]);
      for (const r of rows) ids.set(r.pin, r.id);
    }
    for (const t of templates) {
      const personId = ids.get(t.pin);
      if (!personId || t.valid === 0) continue;
      const format = t.format !== null && /^\d+$/.test(t.format) ? Number(t.format) : 0;
      const tmp = t.tmp.replace(/\\\//g, '/').replace(/\s+/g, '');
      const template = { bioType: t.type, templateNo: t.no, templateNoIndex: t.index, validType: t.duress ? 3 : 1, majorVer: t.majorVer ?? (t.type === 1 ? 10 : 0), minorVer: t.minorVer ?? 0, format, template: tmp } as const;
      await upsertEnrolledTemplate(m, personId, template, device.sn);
      touched.add(personId);
    }
    for (const ph of photos) {
      const personId = ids.get(ph.pin);
      const content = ph.content.replace(/\s+/g, '');
      if (!personId || !/^[A-Za-z0-9+/]+={0,2}$/.test(content)) continue;
      await m.query(`UPDATE person SET photo = $2, updated_at = now() WHERE id = $1 AND photo IS DISTINCT FROM $2`, [personId, content]);
      touched.add(personId);
    }
    if (touched.size) await this.sync.syncPersons(m, [...touched], { originDeviceId: device.id });
    // Access panels: the access planner diffs the persons' desired state (templates, photo, card) against what
    // each panel confirmed, so only what changed is sent, in the panel's dialect.
    if (touched.size) await this.planner.syncPersons(m, [...touched]);
  }
}
