import { createHash } from 'node:crypto';
import { firstOpenDoorsOf } from '../firstOpen/first-open.service';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Not, type EntityManager } from 'typeorm';
import { insertPersonLevels, levelIdsOf, setPersonLevels } from '../accLevel/acc-level-membership';
import { cardValue } from '../card/card-value';
import { insertMainCards, setMainCard, setSecondaryCards } from '../card/card-writes';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { splitList } from '../common/paging';
import { inclusiveEnd, requireCvDateTime, requireCvDay, requireCvTime } from '../common/time';
import { isDeadlock, isUniqueViolation, writeTransaction } from '../common/write-transaction';
import { WriteCoalescer, type ItemResult } from '../common/write-coalescer';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import type { PersonLeaveDto, PersonPhotoDto, PersonWriteDto } from './dto/person-input.dto';
import { PersonLookups } from './person-lookups';
import { pinValue } from './pin-value';
import { namingPerson } from './person-batch';
import { normalizePhoto } from './person-photo';
import { Person } from './person.entity';
import { linkNumberedRecords } from './orphan-events';

/** Which write: 2.13.1 add, 2.13.7 basic information (no levels, no photo), 2.13.10 reinstatement. */
export type PersonWriteMode = 'add' | 'basic' | 'reinstated';

/**
 * What a write may do beyond the REST API's fields. `removePhoto`: the stored photo goes (the console's person
 * form; person/add and updatePersonnelPhoto have no way to remove one, an empty photo changes nothing), and
 * the plan then takes it off the devices that hold it.
 */
export interface PersonWriteOptions {
  removePhoto?: boolean;
  /**
   * Checked in the write's transaction with the stored person (null: nobody has the pin) locked and not yet
   * changed: throwing refuses the write (the console's form refuses a save over a change made since it was read).
   */
  expect?: (m: EntityManager, stored: Person | null) => Promise<void>;
  /**
   * More of the same write, run in its transaction once the person is stored and before the devices are planned (the
   * console's person form sets the person's elevator levels with it): its rows and the commands they imply commit together.
   */
  also?: (m: EntityManager, saved: Person) => Promise<void>;
}

type PersonWrite = { dto: PersonWriteDto; mode: PersonWriteMode; opts?: PersonWriteOptions };

// Letters and digits (panels with StringPinFunOn), with `.`, `_` or `-` inside but never first: "-5" is refused.
const PIN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const blankToNull = (v: string | undefined) => (v === undefined ? undefined : v === '' ? null : v);

/** A concurrent writer inserted the same new pin first: the write, run again (writeTransaction), finds the row and edits it. */
const isPinTaken = (e: unknown): boolean => isUniqueViolation(e, 'uq_person_pin');

/**
 * Person writes. Each runs in one transaction with the sync planner, so the person, their cards and levels
 * and the device commands they imply commit together.
 */
@Injectable()
export class PersonService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
    private readonly attendance: AttendanceSyncService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Writes arriving together share one transaction (WriteCoalescer): each in its own savepoint (a refused one
   * is rolled back alone and answers its own error), then one plan for all of them, one commit. Each write
   * and the device commands it implies still commit together. Two groups at a time, the second only once 8
   * writes wait: groups of writes to the same devices queue behind each other's order locks (rule (f) of the
   * command queue) anyway, so more or smaller groups in flight would only pay the per-group work (lookups,
   * plan, commit) more often.
   */
  private readonly writes = new WriteCoalescer<PersonWrite, Person>(
    (items) => this.upsertBatch(items),
    // Alone, an add-or-edit that lost the race to insert its pin (the same person added twice at once) runs
    // again and edits the row the other one inserted: both answer success, as two calls one after the other do.
    ({ dto, mode, opts }) => writeTransaction(this.ds, (m) => this.upsertWith(m, dto, mode, true, undefined, opts)),
    16,
    2,
    8,
  );

  upsert(dto: PersonWriteDto, mode: PersonWriteMode, opts?: PersonWriteOptions): Promise<Person> {
    return this.writes.submit({ dto: withoutNulls(dto), mode, opts });
  }

  private upsertBatch(items: PersonWrite[]): Promise<Array<ItemResult<Person>>> {
    return writeTransaction(this.ds, async (m) => {
      const out = await this.writeGroup(m, items);
      await this.planSaved(m, out.flatMap((r) => (r.ok ? [r.value] : [])));
      return out;
    });
  }

  /**
   * Several persons, all or nothing (v2/person/addPersons): one plan for all of them, multi-record commands. A
   * batch that lost the race to insert a pin (two batches, or a batch and a single add, naming the same new
   * person at once) runs again and edits the row the other one inserted, as it would one after the other.
   */
  upsertMany(dtos: PersonWriteDto[]): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const out = await this.writeGroup(m, dtos.map((dto) => ({ dto: withoutNulls(dto), mode: 'add' as const })));
      for (const [i, r] of out.entries()) if (!r.ok) throw namingPerson(r.error, i, dtos[i].pin, dtos.length);
      await this.planSaved(m, out.flatMap((r) => (r.ok ? [r.value] : [])));
    });
  }

  /**
   * Several person/add writes, each kept or refused on its own (the console's CSV import): one transaction and one
   * plan for the group, each write in its own savepoint, so a refused row answers its error and the good rows, and
   * the device commands they imply, commit together. A group that lost the race to insert a pin runs again one
   * write per transaction, as the coalescer's writes do.
   */
  async upsertEach(dtos: PersonWriteDto[]): Promise<Array<ItemResult<Person>>> {
    const items = dtos.map((dto) => ({ dto: withoutNulls(dto), mode: 'add' as const }));
    try {
      return await this.upsertBatch(items);
    } catch (error) {
      if (!isPinTaken(error)) throw error;
      const out: Array<ItemResult<Person>> = [];
      for (const { dto, mode } of items) {
        try {
          out.push({ ok: true, value: await writeTransaction(this.ds, (m) => this.upsertWith(m, dto, mode)) });
        } catch (e) {
          out.push({ ok: false, error: e });
        }
      }
      return out;
    }
  }

  /**
   * The writes of a group, one result each (in order), unplanned. New persons written plainly (see `plainNew`)
   * go in three multi-row INSERTs (persons, cards, levels) for all of them: checked in memory first against
   * the group's lookups, so a refused one answers its error and writes nothing. Should one of those INSERTs
   * fail anyway (a pin or card taken by a concurrent writer), the group fails and each write runs alone
   * (WriteCoalescer). Every other write runs in its own savepoint.
   */
  private async writeGroup(m: EntityManager, items: PersonWrite[]): Promise<Array<ItemResult<Person>>> {
    const lookups = await PersonLookups.load(m, items.map((i) => i.dto));
    const out: Array<ItemResult<Person> | undefined> = items.map(() => undefined);
    const plain = this.plainNew(items, lookups);
    const fresh: Array<{ p: Person; levelIds: string[] | null }> = [];
    for (const i of plain) {
      try {
        const { p, levelIds } = await this.prepare(m, items[i].dto, items[i].mode, lookups);
        if (items[i].dto.cardNo !== undefined) p.cardNo = items[i].dto.cardNo || null;
        fresh.push({ p, levelIds });
        out[i] = { ok: true, value: p };
      } catch (error) {
        out[i] = { ok: false, error };
      }
    }
    if (fresh.length > 0) {
      await m.getRepository(Person).insert(fresh.map((f) => f.p));
      await insertMainCards(m, fresh.flatMap((f) => (f.p.cardNo ? [f.p] : [])));
      await insertPersonLevels(m, fresh.flatMap((f) => (f.levelIds ?? []).map((levelId) => ({ levelId, personId: f.p.id }))));
      for (const f of fresh) lookups.saved(f.p);
    }
    // One round trip releases the previous write's savepoint and opens the next one (no parameters: simple protocol).
    let open = false;
    for (const [i, { dto, mode, opts }] of items.entries()) {
      if (out[i]) continue;
      await m.query(open ? 'RELEASE SAVEPOINT person_write; SAVEPOINT person_write' : 'SAVEPOINT person_write');
      open = true;
      try {
        const saved = await this.upsertWith(m, dto, mode, false, lookups, opts);
        lookups.saved(saved);
        out[i] = { ok: true, value: saved };
      } catch (error) {
        // A deadlock aborts the whole group, which is run again (writeTransaction): never this write's answer. A
        // pin a concurrent writer inserted first fails the group too, so that each write runs alone and edits it.
        if (isDeadlock(error) || isPinTaken(error)) throw error;
        await m.query('ROLLBACK TO SAVEPOINT person_write');
        lookups.forget(dto.pin);
        out[i] = { ok: false, error };
      }
    }
    if (open) await m.query('RELEASE SAVEPOINT person_write');
    return out as Array<ItemResult<Person>>;
  }

  /**
   * Indexes of the writes that create a person plainly: a pin not stored and not written twice in the group, no
   * password (checked against every person) or secondary cards, and a main card no one holds, once in the group.
   */
  private plainNew(items: readonly PersonWrite[], lookups: PersonLookups): number[] {
    const count = (key: (d: PersonWriteDto) => string | undefined) => {
      const n = new Map<string, number>();
      for (const { dto } of items) {
        const k = key(dto);
        if (k) n.set(k, (n.get(k) ?? 0) + 1);
      }
      return n;
    };
    // By the number a digit pin stands for: "0412" and "412" in one group are written one after the other, the second refused.
    const pins = count((d) => pinValue(d.pin) ?? d.pin);
    const cards = count((d) => (d.cardNo ? cardValue(d.cardNo) : undefined));
    return [...items.keys()].filter((i) => {
      const { dto, mode } = items[i];
      return (
        mode !== 'reinstated' &&
        !items[i].opts?.expect &&
        !items[i].opts?.also &&
        pins.get(pinValue(dto.pin) ?? dto.pin) === 1 &&
        lookups.isNew(dto.pin) &&
        (dto.personPwd ?? dto.password) === undefined &&
        dto.supplyCards === undefined &&
        (!dto.cardNo || (cards.get(cardValue(dto.cardNo)) === 1 && !lookups.isCardUsed(dto.cardNo)))
      );
    });
  }

  /**
   * Attendance first: the access planner takes its devices' order locks, held until the commit (keep it short). The
   * records a numeric-PIN device took under their number before they existed are theirs from now on (linkNumberedRecords).
   */
  private async planSaved(m: EntityManager, saved: Person[]): Promise<void> {
    await linkNumberedRecords(m, saved.map((p) => p.id));
    await this.attendance.syncPersonPins(m, [...new Set(saved.map((p) => p.pin))]);
    await this.planner.syncPins(m, saved.map((p) => p.pin));
  }

  /**
   * `plan` false: the caller plans the devices once for a whole batch. `lookups`: what the caller's group of
   * writes read at once (PersonLookups); read for this write alone otherwise.
   */
  async upsertWith(m: EntityManager, dto: PersonWriteDto, mode: PersonWriteMode, plan = true, lookups?: PersonLookups, opts?: PersonWriteOptions): Promise<Person> {
    const look = lookups ?? (await PersonLookups.load(m, [dto]));
    if (opts?.expect) await opts.expect(m, await look.person(m, dto.pin));
    const { p, existing, levelIds } = await this.prepare(m, dto, mode, look);
    // A new photo in the same write wins over the removal (the form offers one or the other).
    if (opts?.removePhoto && !(mode !== 'basic' && dto.personPhoto)) p.photo = null;
    const repo = m.getRepository(Person);
    // A new person is inserted as is (save() would first look its fresh id up); a stored one is saved.
    const saved = existing ? await repo.save(p) : (await repo.insert(p), p);
    if (dto.cardNo !== undefined) await setMainCard(m, saved, dto.cardNo || null);
    if (dto.supplyCards !== undefined) await setSecondaryCards(m, saved, splitList(dto.supplyCards));
    if (levelIds) await setPersonLevels(m, saved.id, levelIds, { checked: true, fresh: !existing });
    await opts?.also?.(m, saved);
    if (plan) await this.planSaved(m, [saved]);
    return saved;
  }

  /** The person as the write leaves it, checked, not yet stored; `levelIds` null when the write keeps the levels. */
  private async prepare(m: EntityManager, dto: PersonWriteDto, mode: PersonWriteMode, look: PersonLookups): Promise<{ p: Person; existing: boolean; levelIds: string[] | null }> {
    if (!PIN.test(dto.pin)) throw new CvError(CvCode.PinException, `PIN exception: ${dto.pin}`);
    // Pin 0 is "no person" on the panels (an rtlog event with pin=0 names no one): no person can hold it.
    if (/^0+$/.test(dto.pin)) throw new CvError(CvCode.PinException, `PIN exception: ${dto.pin} means "no person" on the devices`);
    const repo = m.getRepository(Person);
    const existing = await look.person(m, dto.pin);
    if (mode === 'reinstated' && !existing) throw personNotExist(dto.pin);
    // 2.13.10 takes a person back from CVSecurity's leave list; one who is not on it is -22, as person/leave
    // answers for one already resigned. Success here would claim a reinstatement that did not happen and edit
    // the person behind the caller's back (person/add is the edit).
    if (mode === 'reinstated' && existing && existing.status === 'active') {
      throw new CvError(CvCode.PersonNotExist, `The person does not exist among the resigned persons: ${dto.pin} is active (person/add edits an active person)`);
    }
    // A resigned person keeps their pin (CVSecurity's leave list): an add or edit would answer success and change
    // someone no list shows and no device holds. Reinstatement (2.13.10) is the way back.
    if (mode !== 'reinstated' && existing && existing.status !== 'active') {
      throw new CvError(CvCode.PinException, `PIN exception: ${dto.pin} belongs to a resigned person (reinstate them with person/reinstated)`);
    }
    // Devices that keep numeric PINs hold "0412" and "412" as one user (pin-value.ts): two persons would share it.
    const twin = existing ? null : look.pinTwin(dto.pin);
    if (twin !== null) {
      throw new CvError(CvCode.PinException, `PIN exception: ${dto.pin} is the pin ${twin} of another person on the devices (leading zeros do not count)`);
    }
    const visitor = existing ? null : look.visitorPin(dto.pin);
    if (visitor !== null) {
      throw new CvError(CvCode.PinException, `PIN exception: ${dto.pin} is the pin ${visitor === dto.pin ? 'of a checked-in visitor' : `${visitor} of a checked-in visitor on the devices (leading zeros do not count)`}`);
    }
    const p = existing ?? repo.create({ pin: dto.pin, status: 'active', isDisabled: false, isSendMail: false });
    p.deptId = await look.deptId(m, dto.deptCode, existing?.deptId);
    this.applyFields(p, dto);
    if (mode !== 'basic') this.applyValidity(p, dto);
    if (mode !== 'basic' && dto.personPhoto) p.photo = normalizePhoto(dto.personPhoto);
    const pwd = dto.personPwd ?? dto.password;
    if (pwd !== undefined) {
      if (pwd && (await repo.exists({ where: { password: pwd, pin: Not(dto.pin) } }))) throw new CvError(CvCode.PasswordUsed, 'The password has been used');
      p.password = pwd || null;
    }
    if (mode === 'reinstated') {
      p.status = 'active';
      p.leaveDate = null;
      p.leaveType = null;
    }
    const levelIds = mode !== 'basic' && dto.accLevelIds !== undefined ? splitList(dto.accLevelIds) : null;
    if (levelIds) look.checkLevels(levelIds);
    return { p, existing: existing !== null, levelIds };
  }

  private applyFields(p: Person, dto: PersonWriteDto): void {
    if (dto.name !== undefined) p.name = dto.name;
    if (dto.lastName !== undefined) p.lastName = dto.lastName;
    if (dto.gender !== undefined) p.gender = normalizeGender(dto.gender as string | null, p.gender);
    if (dto.birthday !== undefined) p.birthday = dateOnly(dto.birthday, 'birthday', this.config.timeZone);
    if (dto.hireDate !== undefined) p.hireDate = dateOnly(dto.hireDate, 'hireDate', this.config.timeZone);
    for (const k of ['certType', 'certNumber', 'email', 'mobilePhone', 'ssn', 'carPlate'] as const) {
      const v = blankToNull(dto[k]);
      if (v !== undefined) p[k] = v;
    }
    // idNo: the identity document's number under the name some clients give it; the manual's field is certNumber,
    // which answers it. A blank one (clients that send every field they know, "" for none) changes nothing.
    if (dto.idNo && dto.certNumber === undefined) p.certNumber = dto.idNo;
    if (dto.selfPwd) p.selfPwd = createHash('md5').update(dto.selfPwd, 'utf8').digest('hex');
    if (dto.isDisabled !== undefined) p.isDisabled = dto.isDisabled;
    if (dto.isSendMail !== undefined) p.isSendMail = dto.isSendMail;
  }

  private applyValidity(p: Person, dto: PersonWriteDto): void {
    const tz = this.config.timeZone;
    if (dto.accStartTime !== undefined) p.accStartTime = dto.accStartTime ? requireCvDateTime(dto.accStartTime, tz, 'accStartTime') : null;
    // A bare end date ends with that day (23:59:59), as the manual's example `2017-08-04 23:59:59` ends it; read as
    // its midnight it would end access before the day it names.
    if (dto.accEndTime !== undefined) p.accEndTime = dto.accEndTime ? inclusiveEnd(requireCvTime(dto.accEndTime, tz, 'accEndTime'), tz) : null;
    if (p.accStartTime && p.accEndTime && p.accStartTime > p.accEndTime) throw new CvError(CvCode.StartAfterEnd, 'Start time cannot be greater than end time');
  }

  /**
   * The person, locked until the commit (`FOR UPDATE`, as every writer of a person locks it: PersonLookups): a
   * concurrent write of this person has committed before this one reads it and plans, so what it plans (a
   * removal, a new photo) covers the devices that write's commands went to.
   */
  async requireActive(m: EntityManager, pin: string | undefined): Promise<Person> {
    if (!pin) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
    const p = await m.getRepository(Person).findOne({ where: { pin }, lock: { mode: 'pessimistic_write' } });
    if (!p || p.status !== 'active') throw personNotExist(pin);
    return p;
  }

  /**
   * 2.13.2: the person, their cards and memberships go; every device loses them. Each person is locked before the
   * removal is planned: a concurrent person/add or level grant of them commits first, and the removal then reaches
   * the devices its commands went to (planned from the state before it, the removal found no device holding the
   * person, and the panels kept the grant of a person the database no longer has).
   */
  delete(pins: string[]): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const repo = m.getRepository(Person);
      const persons: Person[] = [];
      for (const pin of [...pins].sort()) {
        if (!pin) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
        const p = await repo.findOne({ where: { pin }, lock: { mode: 'pessimistic_write' } });
        if (!p) throw personNotExist(pin);
        persons.push(p);
      }
      const removed = persons.map((p) => p.pin);
      await this.planner.removePins(m, removed);
      await this.attendance.removePins(m, removed);
      // Their attendance and FaceKiosk area memberships and settings go with them (no foreign key takes them): left,
      // they kept an area from being deleted (area.service.ts) where no call could remove them any more.
      const ids = persons.map((p) => p.id);
      await m.query(`DELETE FROM att_area_person WHERE person_id = ANY($1)`, [ids]);
      await m.query(`DELETE FROM att_person WHERE person_id = ANY($1)`, [ids]);
      // Their First-Person Normally Open places go with them (a foreign key does): those doors' panels lose their rows.
      const firstOpenDoors = await firstOpenDoorsOf(m, ids);
      await repo.delete(ids);
      await this.planner.syncFirstCards(m, firstOpenDoors);
    });
  }

  /** 2.13.6: the person stays (resigned, with their levels kept for a reinstatement) and leaves every device. */
  leave(dto: PersonLeaveDto): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const p = await this.requireActive(m, dto.pin);
      await m.getRepository(Person).update(
        { id: p.id },
        { status: 'left', leaveDate: dto.leaveDate ? dateOnly(dto.leaveDate, 'leaveDate', this.config.timeZone) : null, leaveType: dto.leaveType || null },
      );
      await this.planner.removePerson(m, p.pin);
      await this.attendance.removePin(m, p.pin);
    });
  }

  /** 2.13.8: a new face photo for the face devices that hold the person; an empty photo changes nothing. */
  updatePhoto(dto: PersonPhotoDto): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const p = await this.requireActive(m, dto.pin);
      if (!dto.personPhoto || dto.personPhoto.trim() === '') return;
      await m.getRepository(Person).update({ id: p.id }, { photo: normalizePhoto(dto.personPhoto) });
      await this.planner.syncPerson(m, p.id);
      await this.attendance.syncPersons(m, [p.id]);
    });
  }

  levelIdsOf(m: EntityManager, personIds: string[]): Promise<Map<string, string[]>> {
    return levelIdsOf(m, personIds);
  }
}

/**
 * The manual's values: "M" male, "F" female (2.13.3 and the examples; one section words them male, female, as
 * CVSecurity's import templates write them), in any case. No gender is what CVSecurity keeps for a person whose
 * gender is not known (its person form offers none, M or F): "" and the words HR systems send for
 * it ("U", "Unknown", "N/A", ISO 5218's "0" not known and "9" not applicable) clear it, so an HR export with
 * unknown genders is taken, not refused person by person. Anything else is -400 naming the values rather than
 * its first letter stored ("X", "1", "O"): a gender CVSecurity has not, given back by person/get as if taken. A
 * lone "1" or "2" is refused too: clients number genders both ways (ISO 5218 1 male, 2 female; others 0 male,
 * 1 female), and a guess would store the wrong one.
 */
function normalizeGender(g: string | null, stored: string | null | undefined): string | null {
  const t = (g ?? '').trim().toUpperCase();
  if (UNKNOWN_GENDER.has(t)) return null;
  if (t === 'M' || t === 'MALE') return 'M';
  if (t === 'F' || t === 'FEMALE') return 'F';
  // One an earlier gateway stored, sent back unchanged (the console's form, a client echoing person/get): kept, so
  // that person can still be edited.
  if (stored && t === stored) return stored;
  throw new CvError(CvCode.InvalidParameter, `gender must be "M" (male), "F" (female) or "" (not known: "U" too), got "${g}"`);
}

/** What HR systems send for a gender that is not known (see normalizeGender). */
const UNKNOWN_GENDER = new Set(['', 'U', 'UNKNOWN', 'N/A', 'NA', '0', '9']);

/** A day (any client form of common/time.ts, read in the gateway's zone; "" = none); -100 otherwise. */
function dateOnly(text: string, field: string, timeZone: string): string | null {
  return text === '' ? null : requireCvDay(text, timeZone, field);
}

/**
 * A field sent as JSON null is a field not set, as CVSecurity (Java) reads it: Java clients serialize their
 * unset fields as null. The manual: "If it is not set, the original card number will be maintained"; only ""
 * clears. So `"cardNo": null, "accLevelIds": null` keeps the card and the levels instead of removing them.
 */
function withoutNulls(dto: PersonWriteDto): PersonWriteDto {
  for (const [k, v] of Object.entries(dto)) if (v === null) delete (dto as unknown as Record<string, unknown>)[k];
  return dto;
}
