import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { upsertEnrolledTemplate } from '../bioTemplate/bio-template-upsert';
import { In, type EntityManager } from 'typeorm';
import { secondaryCardsOf, setMainCard, setViceCard } from '../card/card-writes';
import { cardValue, lockCardValues } from '../card/card-value';
import { isCardNumber } from '../common/card.decorator';
import { newId } from '../common/ids';
import { isDeadlock } from '../common/write-transaction';
import { excludedOf, insertOf, intoOf, listOf } from '../database/columns';
import { Person } from '../person/person.entity';
import { devicePinsOf, keepsStringPins, lockPinValues, pinValue, pinValueSql } from '../person/pin-value';
import type { DeviceSession } from '../push/device-registry.service';
import { attPrivilegeOf, type OperlogRecord, type PhotoRecord, type TemplateRecord, type UserInfoRecord } from '../push/attendance/protocol';
import type { UserUpload } from '../push/protocol';
import { isTerminalNameOf, terminalPri, userLineHash } from '../sync/attendance-commands';
import { UNKNOWN_HASH } from '../sync/sync-items';
import { readdedBeforeDelete, userDeletedFrom } from '../sync/confirmed-state';
import { AttendanceSyncService, templateKey } from '../sync/attendance-sync.service';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { AttAreaPerson } from './att-area-person.entity';
import { AttPerson } from './att-person.entity';
import { DeviceUserLine } from './device-user-line.entity';

/** Every privilege a USER line may carry (12.1.1.1: 0 normal user, 2 registrar, 6 administrator, 10 user-defined, 14 super administrator). */

/**
 * The privilege a terminal reports for a person ($1 person id, $2 privilege): the attendance one (editAttPerson
 * perDevAuth, what terminals are sent) from a terminal, the kiosk one (editInsPerson perDevAuth) from a FaceKiosk.
 */
const UPSERT_PRIVILEGE = {
  att: `INSERT INTO ${insertOf(AttPerson, ['personId', 'perDevAuth', 'terminalDisabled'])}
  ON CONFLICT (${listOf(AttPerson, ['personId'])}) DO UPDATE SET ${excludedOf(AttPerson, ['perDevAuth', 'terminalDisabled'])}, updated_at = now()`,
  ins: `INSERT INTO ${insertOf(AttPerson, ['personId', 'insPerDevAuth'])}
  ON CONFLICT (${listOf(AttPerson, ['personId'])}) DO UPDATE SET ${excludedOf(AttPerson, ['insPerDevAuth'])}, updated_at = now()`,
} as const;

/**
 * The verify mode a terminal's USER line reports for a person ($1 person id, $2 mode; null for -1, the terminal's
 * group mode), as editAttPerson's verifyMode stores it.
 */
const UPSERT_VERIFY = `INSERT INTO ${insertOf(AttPerson, ['personId', 'verifyMode'])}
  ON CONFLICT (${listOf(AttPerson, ['personId'])}) DO UPDATE SET ${excludedOf(AttPerson, ['verifyMode'])}, updated_at = now()
  WHERE att_person.verify_mode IS DISTINCT FROM EXCLUDED.verify_mode`;

/**
 * The group and time periods a terminal's USER line reports for a person ($1 person id, $2 Grp, $3 TZ; null = left
 * out, the stored one kept). Per person, the last reported, not per terminal: the gateway sends one user record per
 * person to every terminal of the person's areas (as it does the Pri and Verify a terminal reports), so a person
 * blocked at one terminal (Grp=100 on an AiFace) is blocked on the area's others too instead of being unblocked by
 * the next record they are sent; terminals of one attendance area are set up alike.
 */
const UPSERT_TERMINAL_ACCESS = `INSERT INTO ${insertOf(AttPerson, ['personId', 'terminalGrp', 'terminalTz'])}
  ON CONFLICT (${listOf(AttPerson, ['personId'])}) DO UPDATE SET
    terminal_grp = COALESCE(EXCLUDED.terminal_grp, att_person.terminal_grp), terminal_tz = COALESCE(EXCLUDED.terminal_tz, att_person.terminal_tz), updated_at = now()
  WHERE (att_person.terminal_grp, att_person.terminal_tz) IS DISTINCT FROM (COALESCE(EXCLUDED.terminal_grp, att_person.terminal_grp), COALESCE(EXCLUDED.terminal_tz, att_person.terminal_tz))`;

/** The person joins the area of the terminal ($3 device id) in module $1 (att or ins). */
const JOIN_TERMINAL_AREA = `INSERT INTO ${intoOf(AttAreaPerson, ['module', 'areaId', 'personId'])}
  SELECT $1, d.area_id, $2 FROM device d WHERE d.id = $3 AND d.area_id IS NOT NULL ON CONFLICT DO NOTHING`;

/** The keypad password column (person.password, what REST's personPwd writes) holds this much. */
const PASSWORD_CHARS = 32;

/** A user as a device uploads it: a terminal's OPERLOG USER line, an access panel's `tabledata user` record. */
type EnrolledUser = Pick<UserInfoRecord, 'pin' | 'name' | 'pri' | 'passwd' | 'card' | 'fields'> &
  Partial<Pick<UserInfoRecord, 'verify' | 'viceCard' | 'grp' | 'tz'>> & {
    /**
     * The hash of the user record the line describes in the form the gateway sends it to this device (a panel's:
     * SyncPlannerService.uploadedUserHashes; a terminal's is computed from the line, userLineHash); null: none.
     */
    recordHash?: string | null;
  };

/** The last user line applied per pin from device $1 ($2 pins). */
const SEEN_LINES = `SELECT ${listOf(DeviceUserLine, ['pin', 'hash'])} FROM device_user_line WHERE device_id = $1 AND pin = ANY($2::varchar[])`;

/** The user lines applied now ($1 device, $2 pins, $3 hashes). */
const NOTE_LINES = `INSERT INTO ${intoOf(DeviceUserLine, ['deviceId', 'pin', 'hash'])} SELECT $1, pin, hash FROM unnest($2::varchar[], $3::text[]) AS x(pin, hash)
  ON CONFLICT (${listOf(DeviceUserLine, ['deviceId', 'pin'])}) DO UPDATE SET ${excludedOf(DeviceUserLine, ['hash'])}, updated_at = now()`;

/** A USERPIC's Content as stored (base64, no white space), or null when it is not base64. */
function photoContent(ph: PhotoRecord): string | null {
  const content = ph.content.replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]+={0,2}$/.test(content) ? content : null;
}

/**
 * Enrolment at a terminal (USER, FP, FACE, FVEIN, BIODATA and USERPIC lines of an OPERLOG/BIODATA upload),
 * inside the upload's transaction: the person's record is updated (created in the default department when the
 * PIN is new, and put in the terminal's area, whether the PIN came on a USER line or only on template or photo
 * lines: field sample up-operlog-bock-oplog-fp is OPLOG and FP lines with no USER line), the USER line's `Passwd`
 * becomes the person's keypad password (an empty one never blanks it), the templates and photo are stored, and
 * the attendance planner carries them to the other terminals of the person's areas; the access planner brings the
 * access panels that should hold the person to the new state (changed templates in the forms their dialect
 * accepts). A re-sent upload changes nothing and queues nothing (the planner compares with what it sent;
 * unchanged templates are not rewritten).
 */
@Injectable()
export class AttendanceEnrolmentService {
  private readonly log = new Logger('AttendanceEnrolment');

  constructor(
    private readonly sync: AttendanceSyncService,
    private readonly planner: SyncPlannerService,
  ) {}

  /**
   * The persons of the upload's pins stay until it is stored: a REST delete of one (which locks the person for
   * update) waits for the upload, or the upload for the delete and then finds no person. Without it a template or
   * photo line for a person deleted meanwhile failed the whole upload (foreign key: "The record is referenced by
   * other records"), refused to the terminal. Key share: the upload's own updates of those persons take no more.
   * The same read finds digit pins by their number, under the write lock of that number (devicePinsOf): a terminal
   * keeping numeric PINs was sent person 0412 as PIN=0412 and uploads its user, templates and photo under 412; the
   * records are renamed to 0412, so they update that person, and are compared with what was sent to it, rather than
   * creating a twin 412 (nor does a REST add of 0412 under way meanwhile: it waits, then is refused -29).
   */
  private async lockPersonsOf<R extends object>(m: EntityManager, device: DeviceSession, records: readonly R[]): Promise<R[]> {
    const pinOf = (r: R): string => ('pin' in r && typeof r.pin === 'string' ? r.pin : '');
    const { named } = await devicePinsOf(m, records.map(pinOf).filter(Boolean), keepsStringPins(device.capabilities));
    // Then every card the upload may take, in one sorted order (lockPersonPins: pins, cards, rows): taken one by one
    // as each user is applied, two uploads, or an upload and a REST group write, met in opposite orders.
    const cardOf = (r: R): string[] => (['card', 'cardNo', 'viceCard'] as const).flatMap((k) => (k in r && typeof (r as Record<string, unknown>)[k] === 'string' ? [(r as Record<string, string>)[k]] : []));
    await lockCardValues(m, records.flatMap(cardOf).filter(isCardNumber));
    return records.map((r) => (pinOf(r) && named.get(pinOf(r)) !== pinOf(r) ? { ...r, pin: named.get(pinOf(r))! } : r));
  }

  async ingest(m: EntityManager, device: DeviceSession, upload: readonly OperlogRecord[]): Promise<void> {
    const records = await this.lockPersonsOf(m, device, upload);
    const users = records.filter((r): r is UserInfoRecord => r.kind === 'USER');
    const templates = records.filter((r): r is TemplateRecord => r.kind === 'FP' || r.kind === 'FACE' || r.kind === 'FVEIN' || r.kind === 'BIODATA');
    const photos = records.filter((r): r is PhotoRecord => r.kind === 'USERPIC');
    const { ids, touched, doubt, held, stale } = await this.applyUsers(m, device, users, { joinArea: true });
    // Templates and photos worth storing, by PIN: a PIN the gateway does not know is created for them, as a USER
    // line would create it (they are the person's enrolment; dropping them would lose it without a trace).
    const storable = [...templates.filter((t) => t.valid !== 0), ...photos.filter((ph) => photoContent(ph) !== null)];
    const pinsNeeded = [...new Set(storable.map((r) => r.pin))].filter((pin) => !ids.has(pin));
    if (pinsNeeded.length) {
      const rows: Array<{ id: string; pin: string }> = await m.query(`SELECT id, pin FROM person WHERE pin = ANY($1)`, [pinsNeeded]);
      // Not the templates of the record of a person deleted and added again that the terminal held before it ran the
      // delete: they are the deleted person's, not the new one's.
      const replaced = await this.replacedOwed(m, device, rows.filter((r) => !stale.has(r.pin)).map((r) => r.pin));
      for (const r of rows) {
        if (stale.has(r.pin) || replaced.has(r.pin)) held.add(r.pin);
        else ids.set(r.pin, r.id);
      }
      // Not a pin whose USER line in this upload was skipped as sent before (held) and that has no person: that is
      // the enrolment of a person deleted since, sent again. The delete stands for its templates as for its USER line
      // (the terminal loses the user); creating the person from them would bring them back without their name.
      // Nor templates or a photo alone (no USER line) of a user this terminal is, or was, being taken off: its delete
      // queued, unanswered, or run (the deleted person's enrolment, made before the delete and sent again after a lost
      // reply). A USER line of the pin after the delete ran is a new enrolment; its templates go with it.
      const unknown = pinsNeeded.filter((x) => !ids.has(x) && !held.has(x));
      const deleted = await userDeletedFrom(m, device, unknown);
      for (const pin of unknown) {
        if (deleted.has(pin)) {
          this.log.log(`device ${device.sn}: templates or photo of ${pin} are the record of a person deleted from it: not created again`);
          held.add(pin);
          continue;
        }
        const p = await this.createPerson(m, device, pin, null, null, storable.find((r) => r.pin === pin)!.kind);
        if (!p) continue;
        await this.joinTerminalArea(m, device, p.id);
        ids.set(pin, p.id);
      }
    }
    // Templates stored per pin: the terminal holds these (and what it held before), not necessarily the whole set.
    const uploaded = new Map<string, Set<string>>();
    for (const t of templates) {
      const personId = ids.get(t.pin);
      if (!personId || t.valid === 0) continue;
      const format = t.format !== null && /^\d+$/.test(t.format) ? Number(t.format) : 0;
      const tmp = t.tmp.replace(/\\\//g, '/').replace(/\s+/g, '');
      const template = { bioType: t.type, templateNo: t.no, templateNoIndex: t.index, validType: t.duress ? 3 : 1, majorVer: t.majorVer ?? (t.type === 1 ? 10 : 0), minorVer: t.minorVer ?? 0, format, template: tmp } as const;
      await upsertEnrolledTemplate(m, personId, template, device.sn);
      touched.add(personId);
      uploaded.set(t.pin, (uploaded.get(t.pin) ?? new Set()).add(templateKey(t.type, t.no, t.index)));
    }
    await dropSurplusParts(m, templates.filter((t) => ids.has(t.pin) && t.valid !== 0).map((t) => ({ personId: ids.get(t.pin)!, type: t.type, no: t.no, index: t.index })));
    // Pins whose photo is now the one this terminal uploaded: it holds it (not sent back to it).
    const photoPins = new Set<string>();
    for (const ph of photos) {
      const personId = ids.get(ph.pin);
      const content = photoContent(ph);
      if (!personId || content === null) continue;
      await m.query(`UPDATE person SET photo = $2, updated_at = now() WHERE id = $1 AND photo IS DISTINCT FROM $2`, [personId, content]);
      touched.add(personId);
      photoPins.add(ph.pin);
    }
    await this.propagate(m, device, touched, doubt, photoPins, held, uploaded, new Set(users.map((u) => u.pin)));
  }

  /**
   * Users enrolled at an access panel (Security PUSH 7.5: "after a user is registered, the device automatically
   * uploads the user information"), a `tabledata user` upload, in the caller's transaction: the same import as a
   * terminal's USER lines (a new pin becomes a person, in no access level and no attendance area; a known one
   * takes the name, card, password and privilege), then the panel is recorded as holding every user it uploaded,
   * so that its `DATA COUNT user` counts them instead of finding it changed behind the gateway's back. A user of a
   * person deleted through REST whose delete the panel has not run or confirmed (deleteOwed) creates nobody: it is
   * recorded as held with unknown content, and removed.
   */
  async ingestPanelUsers(m: EntityManager, device: DeviceSession, all: readonly UserUpload[]): Promise<void> {
    if (all.length === 0) return;
    // A panel keeping numeric PINs uploads person 0412 as 412: it is that person's user (lockPersonsOf), recorded as
    // held under 0412, not a new person 412 that the next plan would take off it again with person 0412's user.
    const uploads = await this.lockPersonsOf(m, device, all);
    const hashes = await this.planner.uploadedUserHashes(m, device.id, uploads);
    const users = uploads.map((u, i): EnrolledUser => ({ pin: u.pin, name: u.name, pri: u.privilege, passwd: u.password, card: u.cardNo, fields: u.fields, recordHash: hashes[i] }));
    const { touched, doubt } = await this.applyUsers(m, device, users, { joinArea: false });
    await this.propagate(m, device, touched);
    await this.planner.recordEnrolledUsers(m, device.id, [...new Set(uploads.map((u) => u.pin))], doubt, new Map(uploads.map((u) => [u.pin, u])));
  }

  /** Changed persons go to the other terminals of their areas and to the access panels that should hold them. */
  private async propagate(
    m: EntityManager,
    device: DeviceSession,
    touched: ReadonlySet<string>,
    doubt: ReadonlySet<string> = new Set(),
    photos: ReadonlySet<string> = new Set(),
    held: ReadonlySet<string> = new Set(),
    templates: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
    userLines?: ReadonlySet<string>,
  ): Promise<void> {
    if (touched.size === 0 && held.size === 0) return;
    await this.sync.syncPersons(m, [...touched], { originDeviceId: device.id, originDoubt: doubt, originPhotos: photos, originHeld: held, originTemplates: templates, originUsers: userLines });
    if (touched.size === 0) return;
    // Access panels: the access planner diffs the persons' desired state (templates, photo, card) against what
    // each panel confirmed, so only what changed is sent, in the panel's dialect.
    await this.planner.syncPersons(m, [...touched]);
  }

  /**
   * A device's user lines applied to persons (created when the pin is new; name, password, card and privilege
   * taken), except a line identical to the last one applied from this device for that pin (device_user_line): a
   * resend or a replay after a reboot must not undo what REST changed since. Answers the person ids by pin and
   * the persons changed.
   */
  private async applyUsers(
    m: EntityManager,
    device: DeviceSession,
    all: readonly EnrolledUser[],
    opts: { joinArea: boolean },
  ): Promise<{ ids: Map<string, string>; touched: Set<string>; doubt: Set<string>; held: Set<string>; stale: Set<string> }> {
    const touched = new Set<string>();
    // Pins whose line was not taken whole: the device holds a card or password the database gave nobody.
    const doubt = new Set<string>();
    // Pins whose line was not applied at all (sent before, or no person could hold it): the device holds them anyway.
    const held = new Set<string>();
    const ids = new Map<string, string>();
    // Pins whose line is the record of a person deleted and added again, made before the device ran the delete.
    const stale = new Set<string>();
    const { fresh: users, skipped } = await this.newLines(m, device, all);
    const persons = m.getRepository(Person);
    const replaced = await this.replacedOwed(m, device, all.map((u) => u.pin));
    // Such a line describes the record the delete on its way removes, not the person of that pin now: it changes
    // nothing of them (nor do its templates). The device is answered as for any line, the record it holds is unknown
    // (doubt), and the delete and the new person's record on their way replace it.
    const holdReplaced = (u: EnrolledUser): boolean => {
      if (!replaced.has(u.pin)) return false;
      this.log.log(`device ${device.sn}: user ${u.pin} is the record of a person deleted and added again, held before its delete ran: not taken`);
      held.add(u.pin);
      doubt.add(u.pin);
      stale.add(u.pin);
      return true;
    };
    // A line that is exactly the record this device confirmed, while a put of that pin to it is queued or unanswered,
    // says nothing new: the device holds what it was sent before (its users sent again, an upload sent again after a
    // lost reply), not an edit at its keypad. Taken, it wrote the old values over the REST edit on its way and
    // replaced that put. It changes nothing; the device holds what its confirmations say, and the put goes on.
    const unchanged = await this.confirmedRecords(m, device, all);
    const holdUnchanged = (u: EnrolledUser): boolean => {
      if (!unchanged.has(u)) return false;
      this.log.log(`device ${device.sn}: user ${u.pin} is the record it confirmed, a put of it on its way: no change`);
      held.add(u.pin);
      return true;
    };
    // A line skipped as sent before still says what the device holds now: where its card or password is not the
    // person's (changed since, by REST or by another device's enrolment), the device is sent the database's record.
    const known = skipped.length ? new Map((await persons.find({ where: { pin: In(skipped.map((u) => u.pin)) } })).map((p) => [p.pin, p])) : new Map<string, Person>();
    const viceCards = await this.viceCardsOf(m, [...known.values()], skipped);
    const privileges = device.kind === 'att' ? await this.privilegesOf(m, [...known.values()]) : null;
    for (const u of skipped) {
      if (holdReplaced(u) || holdUnchanged(u)) continue;
      const p = known.get(u.pin);
      // Also one without the card or password the person has: edited back at its menu to a line it sent before (its
      // enrolment, a REST write having given the card since), it no longer holds them.
      if (!p || !(heldDiffers(u, p, viceCards.get(p.id) ?? null) || lacksHeld(device, u, p) || (privileges && privilegeDiffers(u, privileges.get(p.id))))) {
        held.add(u.pin);
        continue;
      }
      doubt.add(u.pin);
      ids.set(u.pin, p.id);
      touched.add(p.id);
    }
    const passwords = await this.passwordHolders(m, users);
    for (const u of users) {
      if (holdReplaced(u) || holdUnchanged(u)) continue;
      let p = await persons.findOne({ where: { pin: u.pin } });
      const password = this.passwordToTake(device, u, p, passwords);
      if (password === null && cleanPassword(u.passwd) !== null && cleanPassword(u.passwd) !== p?.password) doubt.add(u.pin);
      if (!p && (await this.deleteOwed(m, device, u.pin))) {
        // The user record of a deleted person that this device holds, made before it ran the delete (its delete still
        // queued or unanswered: the device offline meanwhile, the user edited at its keypad, an upload sent again after
        // a lost reply): the delete stands, for the line's templates too. The device is answered as for any line (it
        // would send it again forever otherwise), and the delete on its way takes the user off it.
        this.log.log(`device ${device.sn}: user ${u.pin} is a deleted person's record it held before its delete ran: not created again`);
        held.add(u.pin);
        continue;
      }
      if (!p) {
        p = await this.createPerson(m, device, u.pin, u.name, password, 'USER');
        if (!p) {
          held.add(u.pin);
          continue;
        }
      } else {
        const patch: Partial<Person> = {};
        // The name the device was sent for this person, as it holds it, is no rename (first and last name joined, ? for
        // what GBK cannot hold on a terminal set to Chinese).
        if (u.name && u.name !== p.name && !isTerminalNameOf(u.name, p)) patch.name = u.name.slice(0, 100);
        if (password) patch.password = password;
        if (Object.keys(patch).length) await persons.update({ id: p.id }, patch);
      }
      // A person who left is on no terminal: enrolled again at this one's keypad, it holds a user the database does not
      // put there, recorded as held in an unknown form so that the plan takes it off (as a line not taken). Else it was
      // said synced holding them, for good.
      if (p.status !== 'active') held.add(u.pin);
      if (u.card && u.card !== p.cardNo && !isCardNumber(u.card)) {
        // Not a number a reader could send (a firmware's garbage, another field run into it): never a card.
        this.log.warn(`card of ${u.pin} from device ${device.sn} not taken: ${JSON.stringify(u.card.slice(0, 70))} is not a card number`);
        doubt.add(u.pin);
      } else if (u.card && u.card !== p.cardNo) {
        const held = p.cardNo;
        const refusal = await refusedInSavepoint(m, 'enrolled_card', () => setMainCard(m, p!, u.card));
        if (refusal) {
          p.cardNo = held;
          this.log.warn(`card of ${u.pin} from device ${device.sn} not taken: ${refusal.message}`);
          doubt.add(u.pin);
        }
      }
      // A terminal's line without the card or password the person has (taken off at its menu) changes nothing of the
      // person, and the terminal no longer holds them: it is sent the database's record (a panel's such lines are
      // judged against the record it is sent, SyncPlannerService.recordEnrolledUsers).
      if (lacksHeld(device, u, p)) doubt.add(u.pin);
      if (u.viceCard) await this.takeViceCard(m, device, p, u.viceCard, doubt);
      // An odd Pri is the role of a user disabled at the terminal (attPrivilegeOf): the role is the person's, and the
      // disabled bit is kept beside it so that the record sent back after a REST edit does not enable them again.
      const privilege = u.pri === null ? null : attPrivilegeOf(u.pri);
      if (privilege && device.kind === 'facekiosk') await m.query(UPSERT_PRIVILEGE.ins, [p.id, privilege.role]);
      // The disabled bit of a person on the disabled list (isDisabled) is the one they were sent: not a disabling at the
      // terminal, which would outlast their removal from the list.
      else if (privilege) await m.query(UPSERT_PRIVILEGE.att, [p.id, privilege.role, privilege.disabled && !p.isDisabled]);
      else if (u.pri !== null) this.log.warn(`USER ${u.pin} from device ${device.sn}: Pri=${u.pri} is no privilege the manual names (0, 2, 6, 10, 14, plus 1 disabled): not taken, the rest of the line is`);
      // Its Verify too, as its Pri: the record the terminal is believed to hold after the line is the person's, so the
      // person's verify mode must be the one the terminal holds (else a mode set through REST that it refused, or
      // never got, stayed believed held while the terminal kept its own).
      if (u.verify !== undefined && u.verify !== null && Number.isInteger(u.verify) && u.verify >= -1 && u.verify <= 255) {
        await m.query(UPSERT_VERIFY, [p.id, u.verify === -1 ? null : u.verify]);
      }
      // Its Grp and TZ, so the record sent back after a REST edit does not reset them (the parser left out malformed
      // ones, kept raw and logged: attendance-ingest.service.ts unreadFields). Such a value costs nothing else: the pin
      // is not put in doubt, which would overwrite the terminal's record with the database's, or take the user off a
      // terminal the database does not put them on, for a field the gateway only passes along.
      if ((u.grp ?? null) !== null || (u.tz ?? null) !== null) await m.query(UPSERT_TERMINAL_ACCESS, [p.id, u.grp ?? null, u.tz ?? null]);
      // An enrolment makes the person a member of the terminal's area; the record the gateway sent it does not (the
      // terminal moved to another area since, and still holds its old area's users until their deletes run).
      if (opts.joinArea && !(await this.sentToTerminal(m, device, u.pin))) await this.joinTerminalArea(m, device, p.id);
      ids.set(u.pin, p.id);
      touched.add(p.id);
    }
    return { ids, touched, doubt, held, stale };
  }

  /**
   * A USER line's ViceCard (manual 11.5, the secondary card) as the person's first secondary card, the one terminals
   * are sent back (setViceCard). Not taken, the pin in doubt (the terminal is sent the database's record): a value no
   * reader could send, the person's own main card, or a card another person holds. In a savepoint, as the main card.
   */
  private async takeViceCard(m: EntityManager, device: DeviceSession, p: Person, viceCard: string, doubt: Set<string>): Promise<void> {
    if (p.cardNo && cardValue(p.cardNo) === cardValue(viceCard)) {
      doubt.add(p.pin);
      return;
    }
    if (!isCardNumber(viceCard)) {
      this.log.warn(`secondary card of ${p.pin} from device ${device.sn} not taken: ${JSON.stringify(viceCard.slice(0, 70))} is not a card number`);
      doubt.add(p.pin);
      return;
    }
    const refusal = await refusedInSavepoint(m, 'enrolled_vice_card', () => setViceCard(m, p, viceCard));
    if (refusal) {
      this.log.warn(`secondary card of ${p.pin} from device ${device.sn} not taken: ${refusal.message}`);
      doubt.add(p.pin);
    }
  }

  /** The first secondary card (the terminals' ViceCard) of these persons, read only when a skipped line names one. */
  private async viceCardsOf(m: EntityManager, persons: readonly Person[], lines: readonly EnrolledUser[]): Promise<Map<string, string>> {
    if (!lines.some((u) => u.viceCard)) return new Map();
    const cards = await secondaryCardsOf(m, persons.map((p) => p.id));
    return new Map([...cards].map(([id, list]) => [id, list[0]]));
  }

  /** The terminal privilege (editAttPerson perDevAuth and the disabled bit) of these persons that have one. */
  private async privilegesOf(m: EntityManager, persons: readonly Person[]): Promise<Map<string, { role: number; disabled: boolean }>> {
    if (persons.length === 0) return new Map();
    const rows: Array<{ id: string; role: number; disabled: boolean | null }> = await m.query(
      `SELECT person_id AS id, per_dev_auth AS role, terminal_disabled AS disabled FROM att_person WHERE person_id = ANY($1::varchar[])`,
      [persons.map((p) => p.id)],
    );
    // What the person is sent (userInfoCommand): disabled at a terminal, or on the disabled list.
    const listed = new Set(persons.filter((p) => p.isDisabled).map((p) => p.id));
    const found = new Map(rows.map((r) => [r.id, { role: r.role, disabled: (r.disabled ?? false) || listed.has(r.id) }]));
    for (const id of listed) if (!found.has(id)) found.set(id, { role: 0, disabled: true });
    return found;
  }

  /**
   * The lines to apply: those not identical to the last line applied from this device for their pin. Their hashes
   * are stored now (the upload's transaction), so the next identical line is skipped.
   */
  private async newLines<T extends EnrolledUser>(m: EntityManager, device: DeviceSession, users: readonly T[]): Promise<{ fresh: T[]; skipped: T[] }> {
    if (users.length === 0) return { fresh: [], skipped: [] };
    const hashes = users.map((u) => createHash('md5').update(JSON.stringify(u.fields)).digest('hex'));
    const pins = users.map((u) => u.pin.slice(0, 64));
    const rows: Array<{ pin: string; hash: string }> = await m.query(SEEN_LINES, [device.id, pins]);
    const seen = new Map(rows.map((r) => [r.pin, r.hash]));
    const fresh = users.filter((u, i) => seen.get(pins[i]) !== hashes[i]);
    const skipped = users.filter((u, i) => seen.get(pins[i]) === hashes[i]);
    if (fresh.length < users.length) this.log.log(`device ${device.sn}: ${users.length - fresh.length} user line(s) identical to the last applied, skipped`);
    // One row per pin (the last line of the upload for it): an upsert touches a row once per statement.
    const last = new Map(pins.map((pin, i) => [pin, hashes[i]]));
    await m.query(NOTE_LINES, [device.id, [...last.keys()], [...last.values()]]);
    return { fresh, skipped };
  }

  /**
   * A person for a PIN the gateway does not know, enrolled at a terminal: in department 1 (else the oldest
   * department), with the USER line's name (empty when only a template or photo came). Null when no department
   * exists at all (nothing can hold the person).
   */
  private async createPerson(m: EntityManager, device: DeviceSession, pin: string, name: string | null, password: string | null, from: string): Promise<Person | null> {
    const [dept]: Array<{ id: string }> = await m.query(`SELECT id FROM department ORDER BY (code = '1') DESC, created_at LIMIT 1`);
    if (!dept) {
      this.log.warn(`person ${pin} enrolled at device ${device.sn} not created: there is no department`);
      return null;
    }
    // Not a digit pin standing for the number of another person's pin (a string-PIN device's 412 while person 0412
    // exists): numeric-PIN devices would hold both as one user, and REST refuses such a twin (-29). Read under the
    // number's write lock (taken again here, held already by lockPersonsOf), so no REST add slips in between.
    const number = pinValue(pin);
    if (number !== null) {
      await lockPinValues(m, [number]);
      const [twin]: Array<{ pin: string }> = await m.query(`SELECT pin FROM person WHERE pin ~ '^[0-9]+$' AND ${pinValueSql('pin')} = $1 LIMIT 1`, [number]);
      if (twin) {
        this.log.warn(`person ${pin} enrolled at device ${device.sn} not created: person ${twin.pin} has the same number (leading zeros do not count on devices keeping numeric PINs)`);
        return null;
      }
    }
    const persons = m.getRepository(Person);
    const p = persons.create({ id: newId(), pin: pin.slice(0, 64), name: name?.slice(0, 100) || null, deptId: dept.id, password });
    await persons.insert(p);
    this.log.log(`person ${pin} enrolled at device ${device.sn}: created (from a ${from} line)`);
    return p;
  }

  /**
   * Whether an attendance terminal or kiosk is believed to hold a user record of this PIN that the gateway sent it
   * (sync_item `user`, kept until the terminal confirms its delete): a line for a PIN without a person is then that
   * record, not an enrolment at the terminal.
   */
  private async sentToTerminal(m: EntityManager, device: DeviceSession, pin: string): Promise<boolean> {
    if (device.kind !== 'att' && device.kind !== 'facekiosk') return false;
    const rows: unknown[] = await m.query(`SELECT 1 FROM sync_item WHERE device_id = $1 AND kind = 'user' AND key = $2 AND hash IS NOT NULL`, [device.id, pin.slice(0, 64)]);
    return rows.length > 0;
  }

  /**
   * Whether this device holds a user record of this PIN that the gateway is taking off it: one it is believed to hold
   * (sync_item `user`, kept until the device confirms its delete, whether the gateway sent the record or the device
   * enrolled it), or one a delete queued or unanswered is to take (the record's put not confirmed yet). For a PIN
   * without a person, a line of it is then that record, made before the device ran the delete, not an enrolment: after
   * the delete is confirmed, and on a device no delete of it was queued to, the same PIN is a new enrolment.
   */
  private async deleteOwed(m: EntityManager, device: DeviceSession, pin: string): Promise<boolean> {
    const key = pin.slice(0, 64);
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM sync_item WHERE device_id = $1 AND kind = 'user' AND key = $3 AND hash IS NOT NULL
       UNION ALL
       SELECT 1 FROM device_command WHERE device_sn = $2 AND state IN ('pending', 'sent') AND meta ? 'sync' AND meta->>'kind' = 'user' AND meta ? 'del'
         AND keys ? $3 AND ref->'del' ? $3
       LIMIT 1`,
      [device.id, device.sn, key],
    );
    return rows.length > 0;
  }

  /** readdedBeforeDelete for this device: a line of such a pin is the deleted person's record. As deleteOwed for a pin without a person. */
  private replacedOwed(m: EntityManager, device: DeviceSession, pins: readonly string[]): Promise<Set<string>> {
    return readdedBeforeDelete(m, device.sn, pins);
  }

  /**
   * Of these lines, those that are exactly the user record this device is confirmed to hold for their pin (sync_item
   * `user`, the hash of the record the gateway sent and the device confirmed, compared with the line's own record
   * hash) while a put of that pin's user record toward the device is queued or unanswered.
   */
  private async confirmedRecords(m: EntityManager, device: DeviceSession, lines: readonly EnrolledUser[]): Promise<Set<EnrolledUser>> {
    const terminal = device.kind === 'att' || device.kind === 'facekiosk';
    const hashed = lines
      .map((u) => ({ u, hash: u.recordHash !== undefined ? u.recordHash : terminal ? userLineHash(u) : null }))
      .filter((x): x is { u: EnrolledUser; hash: string } => x.hash !== null && x.u.pin.length <= 64);
    if (hashed.length === 0) return new Set();
    const rows: Array<{ pin: string; hash: string }> = await m.query(
      `SELECT s.key AS pin, s.hash FROM sync_item s
        WHERE s.device_id = $1 AND s.kind = 'user' AND s.key = ANY($3::varchar[]) AND s.hash IS NOT NULL AND s.hash <> '${UNKNOWN_HASH}'
          AND EXISTS (SELECT 1 FROM device_command c WHERE c.device_sn = $2 AND c.state IN ('pending', 'sent') AND c.meta ? 'sync' AND c.meta->>'kind' = 'user'
                        AND c.keys ? s.key AND c.ref->'put' @> jsonb_build_array(jsonb_build_array(s.key)))`,
      [device.id, device.sn, [...new Set(hashed.map((x) => x.u.pin))]],
    );
    const confirmed = new Map(rows.map((r) => [r.pin, r.hash]));
    return new Set(hashed.filter((x) => confirmed.get(x.u.pin) === x.hash).map((x) => x.u));
  }

  /** The terminal's area: the person now belongs to it, so its other terminals get them too. */
  private async joinTerminalArea(m: EntityManager, device: DeviceSession, personId: string): Promise<void> {
    await m.query(JOIN_TERMINAL_AREA, [device.kind === 'facekiosk' ? 'ins' : 'att', personId, device.id]);
  }

  /** Who holds each non-empty password these USER lines carry (pin by password), in one query. */
  private async passwordHolders(m: EntityManager, users: readonly EnrolledUser[]): Promise<Map<string, string>> {
    const wanted = [...new Set(users.map((u) => cleanPassword(u.passwd)).filter((x): x is string => x !== null))];
    if (wanted.length === 0) return new Map();
    const rows: Array<{ password: string; pin: string }> = await m.query(`SELECT password, pin FROM person WHERE password = ANY($1)`, [wanted]);
    return new Map(rows.map((r) => [r.password, r.pin]));
  }

  /**
   * The USER line's `Passwd` to store as the person's keypad password (REST's personPwd), so that the planner sends
   * it back instead of `Passwd=` (which would wipe it on the terminal that set it), or null to keep what the
   * database holds: an empty Passwd never blanks a stored password, and one another person holds is not taken, as
   * REST refuses it ("The password has been used"). Passwords taken here are noted in `holders` (two USER lines of
   * one upload with one password).
   */
  private passwordToTake(device: DeviceSession, u: EnrolledUser, p: Person | null, holders: Map<string, string>): string | null {
    const pwd = cleanPassword(u.passwd);
    if (pwd === null || pwd === p?.password) return null;
    const holder = holders.get(pwd);
    if (holder !== undefined && holder !== u.pin) {
      this.log.warn(`password of ${u.pin} from device ${device.sn} not taken: person ${holder} holds it`);
      return null;
    }
    holders.set(pwd, u.pin);
    return pwd;
  }
}

/**
 * A card write of a device's upload in a savepoint: a card refused by the database itself (its error, answered) must
 * cost this card only, not the whole upload's transaction (an aborted transaction fails every statement after it);
 * null when it was written. A deadlock is no refusal: PostgreSQL aborted the transaction to break a cycle with a
 * concurrent writer, and it is thrown, so that the whole transaction is run again (writeTransaction) and takes the
 * card. Swallowed, it put the pin in doubt and the device was sent the database's record, without the card it had
 * just enrolled.
 */
async function refusedInSavepoint(m: EntityManager, savepoint: string, write: () => Promise<void>): Promise<Error | null> {
  await m.query(`SAVEPOINT ${savepoint}`);
  try {
    await write();
  } catch (err) {
    if (isDeadlock(err)) throw err;
    await m.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    return err as Error;
  }
  await m.query(`RELEASE SAVEPOINT ${savepoint}`);
  return null;
}

/**
 * Whether an attendance terminal's user line holds another privilege than the one it is sent (terminalPri of the
 * person's perDevAuth, plus the disabled bit; none stored: an ordinary, enabled user): a line it sent before, edited
 * back at its menu after an editAttPerson, leaves it with a role the database no longer gives. A Pri no terminal
 * means is no difference (it is not taken either).
 */
function privilegeDiffers(u: EnrolledUser, held: { role: number; disabled: boolean } | undefined): boolean {
  const reported = u.pri === null ? null : attPrivilegeOf(u.pri);
  if (!reported) return false;
  return reported.role !== terminalPri(held?.role ?? 0) || reported.disabled !== (held?.disabled ?? false);
}

/**
 * Whether a terminal's (att, facekiosk) user line lacks the card or password the person has (taken off at its menu):
 * the terminal no longer holds them, and is sent the database's record. An access panel's such lines are judged
 * against the record it is sent (SyncPlannerService.recordEnrolledUsers).
 */
function lacksHeld(device: DeviceSession, u: EnrolledUser, p: Person): boolean {
  return (device.kind === 'att' || device.kind === 'facekiosk') && ((!u.card && !!p.cardNo) || (cleanPassword(u.passwd) === null && !!p.password));
}

/** A Passwd as the person column holds it (no control characters, at most PASSWORD_CHARS), or null when empty. */
function cleanPassword(passwd: string | null): string | null {
  const pwd = (passwd ?? '').replace(/[\t\r\n\0]/g, '').slice(0, PASSWORD_CHARS);
  return pwd === '' ? null : pwd;
}

/**
 * Whether a device's user line holds a name, card, secondary card or password that is not the person's: the device then holds the
 * person in a form the database does not. An empty card or password in the line is one the device left out
 * (firmware that never sends them), not a difference.
 */
function heldDiffers(u: EnrolledUser, p: Person, viceCard: string | null): boolean {
  const pwd = cleanPassword(u.passwd);
  // The name too: a device edited back to a name it sent before (renamed by REST since) holds another name than the
  // database's, and is sent the database's record as for a card.
  const renamed = !!u.name && u.name !== p.name && !isTerminalNameOf(u.name, p);
  return renamed || (!!u.card && u.card !== p.cardNo) || (pwd !== null && pwd !== p.password) || (!!u.viceCard && u.viceCard !== viceCard);
}

/**
 * A template slot (Type, No) enrolled again at a terminal comes as all its parts from Index 0 (a near-infrared face is
 * up to 15 BIODATA records, Index 0-14, field notes 12): the parts of the slot it does not carry any more are the old
 * enrolment's. Kept, the slot mixed the new parts with the old surplus, and the other terminals were sent (and kept)
 * that mix. They are deleted here; the planner then sees the slot changed and deletes it on those terminals
 * (DATA DELETE BIODATA Pin Type No) before sending the new parts. Parts uploaded without their Index 0 (the rest of
 * an enrolment cut over two uploads) add to the slot, as before.
 */
async function dropSurplusParts(m: EntityManager, parts: ReadonlyArray<{ personId: string; type: number; no: number; index: number }>): Promise<void> {
  const slots = new Map<string, { personId: string; type: number; no: number; indexes: number[] }>();
  for (const p of parts) {
    const key = `${p.personId}\t${p.type}\t${p.no}`;
    const slot = slots.get(key) ?? { personId: p.personId, type: p.type, no: p.no, indexes: [] };
    slot.indexes.push(p.index);
    slots.set(key, slot);
  }
  for (const s of slots.values()) {
    if (!s.indexes.includes(0)) continue;
    await m.query(`DELETE FROM bio_template WHERE person_id = $1 AND bio_type = $2 AND template_no = $3 AND template_no_index <> ALL($4::int[])`, [s.personId, s.type, s.no, s.indexes]);
  }
}
