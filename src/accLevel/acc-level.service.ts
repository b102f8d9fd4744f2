import { Injectable } from '@nestjs/common';
import { DataSource, Not, type EntityManager } from 'typeorm';
import { levelAreaIdFor } from '../area/area.service';
import { manualMessage } from '../common/cv-messages';
import { CvCode, CvError, personNotExist, levelNotExist } from '../common/cv-error';
import { pinsOf, splitList, type Page } from '../common/paging';
import { Door } from '../door/door.entity';
import { Person } from '../person/person.entity';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { levelDevices } from '../sync/sync-queries';
import { TimeSegment } from '../timeSegment/time-segment.entity';
import { addPersonLevels, removePersonLevels, requireLevels, requireMembers } from './acc-level-membership';
import { AccLevelDoor } from './acc-level-door.entity';
import { joinDepartmentMembers } from './department-members';
import { AccLevel } from './acc-level.entity';
import type { LevelAddDoorItemDto, LevelAddItemDto, LevelPersonDto, LevelUpdateDto } from './dto/acc-level.dto';
import { writeTransaction, type WriteCheck } from '../common/write-transaction';
import { failingAs } from '../common/failing-as';
import { DEFAULT_TIME_SEGMENT } from '../timeSegment/time-segment.entity';
import { readSnapshot } from '../database/snapshot';
import { requireSomeChange } from '../common/update-fields';


@Injectable()
export class AccLevelService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
  ) {}

  async list(page: Page): Promise<{ rows: AccLevel[]; total: number }> {
    const [rows, total] = await readSnapshot(this.ds, (m) => m.getRepository(AccLevel).findAndCount({ order: { createdAt: 'ASC', name: 'ASC' }, skip: page.offset, take: page.pageSize }));
    return { rows, total };
  }

  async requireById(id: string): Promise<AccLevel> {
    if (!id) throw new CvError(CvCode.LevelIdNull, "Access level id can't be null");
    const l = await this.ds.getRepository(AccLevel).findOne({ where: { id } });
    if (!l) throw levelNotExist(id);
    return l;
  }

  async requireByName(name: string): Promise<AccLevel> {
    const l = await this.ds.getRepository(AccLevel).findOne({ where: { name } });
    if (!l) throw levelNotExist(name);
    return l;
  }

  /** 2.1.1: the person loses these levels (the levels stay); devices no longer covered lose the person. A level the person does not hold is already gone: success (a retried revoke whose answer was lost must not read as a failure). */
  deletePersonLevels(dto: LevelPersonDto): Promise<void> {
    return failingAs(CvCode.DeleteLevelFailure, () => writeTransaction(this.ds, async (m) => {
      const persons = await this.requirePersons(m, dto.pin);
      const levelIds = this.levelIds(dto.levelIds, CvCode.PersonOrLevelIdNull);
      for (const person of persons) {
        await removePersonLevels(m, person.id, levelIds);
        await this.planner.syncPerson(m, person.id);
      }
    }));
  }

  /**
   * 2.1.6 syncPerson (force: everything re-sent) and addLevelPerson: the levels are added to the person's
   * levels (never replacing them; removal is deleteLevel), then the person goes to the devices.
   */
  grantPersonLevels(dto: LevelPersonDto, force: boolean): Promise<void> {
    return failingAs(CvCode.AuthorizeFailure, () => writeTransaction(this.ds, async (m) => {
      const persons = await this.requirePersons(m, dto.pin);
      const levelIds = this.levelIds(dto.levelIds, CvCode.PersonOrLevelIdNull);
      const forceOn = await levelDevices(m, 'acc', levelIds);
      for (const person of persons) {
        await addPersonLevels(m, person.id, levelIds);
        // The re-send is for the devices of these levels; the person's other devices get only what changed.
        await this.planner.syncPerson(m, person.id, { force, forceOn });
      }
    }));
  }

  /**
   * The console's level-centred enrolment (CVSecurity's Access Levels → Add Personnel / Delete Personnel): these
   * persons gain (or lose) the level, all in one transaction; a pin that is no active person's refuses the whole
   * batch (-22 naming it), so an operator's typo never enrols half a list. Each person then goes to the devices.
   * Answers how many joined (left) and how many were members (were not members) already, so that the console does
   * not say "2 persons added" of a list whose first was a member before.
   */
  changeLevelPersons(levelId: string, pins: string[], change: 'add' | 'remove'): Promise<{ changed: number; unchanged: number }> {
    return writeTransaction(this.ds, async (m) => {
      await requireLevels(m, [levelId]);
      const unique = [...new Set(pins)];
      if (unique.length === 0) throw new CvError(CvCode.PersonNotExist, 'No person given: give one or more pins');
      let changed = 0;
      for (const pin of unique) {
        const person = await this.requirePerson(m, pin);
        const member = (await m.query(`SELECT 1 FROM acc_level_person WHERE level_id = $1 AND person_id = $2`, [levelId, person.id])).length > 0;
        if (member !== (change === 'add')) changed++;
        if (change === 'add') await addPersonLevels(m, person.id, [levelId]);
        else await removePersonLevels(m, person.id, [levelId]);
        await this.planner.syncPerson(m, person.id);
      }
      return { changed, unchanged: unique.length - changed };
    });
  }

  /**
   * CVSecurity's "Add personnel by department" on an access level: every active person of the department (and, with
   * `withSubDepartments`, of the departments under it) joins the level, in one transaction with one plan for those
   * who were not members yet, so the level's panels receive them. Answers how many joined and how many were members already.
   */
  addDepartmentPersons(levelId: string, deptCode: string, withSubDepartments: boolean): Promise<{ added: number; already: number }> {
    return writeTransaction(this.ds, async (m) => {
      await requireLevels(m, [levelId]);
      const { added, already } = await joinDepartmentMembers(m, 'acc', levelId, deptCode, withSubDepartments);
      await this.planner.syncPersons(m, added);
      return { added: added.length, already };
    });
  }

  /** 2.1.5: no stored change; each level's time zone, persons and rights re-sent to its devices (all or, on -24 or -25, none). */
  syncLevel(levelIds: string): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const ids = this.levelIds(levelIds);
      await requireLevels(m, ids);
      await requireMembers(m, 'acc', ids);
      for (const id of ids) await this.planner.syncLevel(m, id, { force: true });
    });
  }

  /**
   * addLevel is CVSecurity's add-or-edit, as its Swagger describes it ("Create or update an access level"), like
   * person/add and department/add: an item naming an existing level sets that level's area and time segment
   * (those it gives), so a client that ensures its levels exist on every start is not refused the second time.
   * The console's "New level" form passes `existing: 'refuse'`: an operator creating a level never edits another.
   */
  addLevels(items: LevelAddItemDto[], existing: 'edit' | 'refuse' = 'edit'): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const repo = m.getRepository(AccLevel);
      for (const item of items) {
        const found = await repo.findOne({ where: { name: item.name }, lock: { mode: 'pessimistic_write' } });
        if (found && existing === 'refuse') throw new CvError(CvCode.Conflict, `The level name already exists: ${item.name}`);
        if (found) {
          await this.applyLevelFields(m, found, item);
          continue;
        }
        const level = repo.create({
          name: item.name,
          areaId: await levelAreaIdFor(m, item.areaName),
          // An empty field (a blank form field, a client serializing "" for none) is one not given: the default.
          timeSegmentId: (await this.timeSegmentFor(m, item.timeSegName || DEFAULT_TIME_SEGMENT)).id,
        });
        await repo.save(level);
      }
    });
  }

  /**
   * Doors join levels; the members of those levels are sent to the doors' devices. Returns how many of the pairs
   * were new (a door already in its level is kept, not an error: the console says so rather than "added").
   */
  addLevelDoors(items: LevelAddDoorItemDto[]): Promise<number> {
    return writeTransaction(this.ds, async (m) => {
      const touched = new Set<string>();
      let added = 0;
      for (const item of items) {
        const level = await m.getRepository(AccLevel).findOne({ where: { name: item.levelName } });
        if (!level) throw levelNotExist(item.levelName);
        // Key-share locked: a door deleted meanwhile (with its device) reads as none (-47), never a level joined to a
        // door gone (a bare -409 from the foreign key); a delete under way waits for this write and takes the join along.
        const door = await m.getRepository(Door).findOne({ where: { name: item.doorName }, lock: { mode: 'for_key_share' } });
        if (!door) throw new CvError(CvCode.DoorNotExist, `Door doesn't exist: ${item.doorName}`);
        if (!(await m.getRepository(AccLevelDoor).exists({ where: { levelId: level.id, doorId: door.id } }))) added++;
        await m.createQueryBuilder().insert().into(AccLevelDoor).values({ levelId: level.id, doorId: door.id }).orIgnore().execute();
        touched.add(level.id);
      }
      for (const levelId of touched) await this.planner.syncLevel(m, levelId);
      return added;
    });
  }

  /**
   * A level's name, area or time segment. An update that gives none of them (`{}`, each left blank, a body the
   * client forgot) is -400 naming them: it was answered success while nothing changed, and a client took its edit
   * as done.
   */
  update(id: string, dto: LevelUpdateDto, check?: WriteCheck): Promise<AccLevel> {
    // A blank areaName or timeSegName keeps the level's own (applyLevelFields): no change given.
    requireSomeChange('level', { name: dto.name || undefined, areaName: dto.areaName || undefined, timeSegName: dto.timeSegName || undefined });
    return writeTransaction(this.ds, async (m) => {
      await check?.(m);
      const repo = m.getRepository(AccLevel);
      const level = await repo.findOne({ where: { id } });
      if (!level) throw levelNotExist(id);
      if (dto.name !== undefined && dto.name !== level.name) {
        if (await repo.exists({ where: { name: dto.name, id: Not(id) } })) throw new CvError(CvCode.Conflict, `The level name already exists: ${dto.name}`);
        level.name = dto.name;
      }
      return this.applyLevelFields(m, level, dto);
    });
  }

  /**
   * A level's area and time segment, those given; its devices get the new time zone when it changed. An empty one
   * is not given (kept): `"timeSegName": ""` was refused as an unknown segment, and `"areaName": ""` moved the
   * level to area 1, when the client only left the field blank.
   */
  private async applyLevelFields(m: EntityManager, level: AccLevel, fields: { areaName?: string; timeSegName?: string }): Promise<AccLevel> {
    if (fields.areaName) level.areaId = await levelAreaIdFor(m, fields.areaName);
    const before = level.timeSegmentId;
    if (fields.timeSegName) level.timeSegmentId = (await this.timeSegmentFor(m, fields.timeSegName)).id;
    const saved = await m.getRepository(AccLevel).save(level);
    if (saved.timeSegmentId !== before) await this.planner.syncLevel(m, saved.id);
    return saved;
  }

  /** The ids of a levelIds input; none: -43, or -42 "Personnel ID or access level id is null" where a pin goes with them. */
  private levelIds(text: string, code: number = CvCode.LevelIdNull): string[] {
    const ids = splitList(text);
    if (ids.length === 0) throw new CvError(code, manualMessage(code)!);
    return ids;
  }

  /**
   * The persons of a pin input (pinsOf: clients grant, sync and remove levels for several, `pin=200,201`). Every pin
   * must be an active person's, or nothing changes (-22 naming the first unknown pin).
   */
  private async requirePersons(m: EntityManager, pinText: string): Promise<Person[]> {
    const persons: Person[] = [];
    for (const pin of pinsOf(pinText)) persons.push(await this.requirePerson(m, pin));
    return persons;
  }

  /**
   * The person, locked until the commit as every writer of a person locks it: a concurrent delete or edit of them
   * commits first (a deleted person is then -22 here, not a grant planned for someone the database dropped), and
   * a delete that comes second waits for this grant and removes what it queued.
   */
  private async requirePerson(m: EntityManager, pin: string): Promise<Person> {
    const p = await m.getRepository(Person).findOne({ where: { pin, status: 'active' }, lock: { mode: 'pessimistic_write' } });
    if (!p) throw personNotExist(pin);
    return p;
  }

  private async timeSegmentFor(m: EntityManager, name: string): Promise<TimeSegment> {
    const ts = await m.getRepository(TimeSegment).findOne({ where: { name } });
    if (!ts) throw new CvError(CvCode.InvalidParameter, `The time segment does not exist: ${name}`);
    return ts;
  }
}
