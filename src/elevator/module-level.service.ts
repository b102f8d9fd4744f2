import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { manualMessage } from '../common/cv-messages';
import { CvCode, CvError, personNotExist, levelNotExist } from '../common/cv-error';
import { requireMembers } from '../accLevel/acc-level-membership';
import { joinDepartmentMembers } from '../accLevel/department-members';
import { newId } from '../common/ids';
import { intoOf, listOf, tableOf, unnestOf } from '../database/columns';
import { MODULE_LEVEL, MODULE_LEVEL_PERSON, MODULE_LEVEL_POINT } from './module-tables';
import { effectiveKindSql } from '../device/device-kind';
import { floorInUseSql } from './floor-in-use';
import { pinsOf, splitList, type Page } from '../common/paging';
import { levelDevices } from '../sync/sync-queries';
import { ElevatorPlannerService } from '../sync/elevator-planner.service';
import type { ModuleKind } from '../sync/module-rights';
import { writeTransaction, type WriteCheck } from '../common/write-transaction';
import { failingAs } from '../common/failing-as';
import { DEFAULT_TIME_SEGMENT } from '../timeSegment/time-segment.entity';
import { readSnapshot } from '../database/snapshot';
import { levelAreaIdFor } from '../area/area.service';

/** A level as a form or the gateway's save call gives it: `areaName` (name, code or id) empty or absent keeps the area, the default one on a new level. */
export interface ModuleLevelInput {
  name: string;
  timeSegName?: string;
  areaName?: string;
  pointIds?: string[];
}

export interface ModuleLevelRow {
  id: string;
  name: string;
  time_segment_id: string;
}

/** The points of each level kind: elevator levels hold floors, entrance-control levels hold gates. */
const POINT: Record<ModuleKind, { what: string; clear: string; insert: string }> = { ele: pointWrites('ele', 'floor'), psg: pointWrites('psg', 'gate') };

function pointWrites(module: ModuleKind, what: string) {
  const t = MODULE_LEVEL_POINT[module];
  return {
    what,
    /** The points of level $1 go… */
    clear: `DELETE FROM ${tableOf(t)} WHERE ${listOf(t, ['levelId'])} = $1`,
    /** …and these ($2) take their place. */
    insert: `INSERT INTO ${intoOf(t, ['levelId', 'pointId'])} SELECT $1, ${unnestOf(t, ['pointId'], 2)}`,
  };
}

/** A new level ($1 id, $2 name, $3 time segment) of each module, in area $4 or, when null, the default area. */
const ADD_LEVEL: Record<ModuleKind, string> = { ele: addLevel('ele'), psg: addLevel('psg') };
function addLevel(module: ModuleKind): string {
  return `INSERT INTO ${intoOf(MODULE_LEVEL[module], ['id', 'name', 'timeSegmentId', 'areaId'])}
    VALUES ($1, $2, $3, coalesce($4, (SELECT id FROM area ORDER BY (code = '1') DESC, created_at LIMIT 1)))`;
}

/** Person $2 gets levels $1 of each module. */
const GRANT_LEVELS: Record<ModuleKind, string> = { ele: grantLevels('ele'), psg: grantLevels('psg') };
function grantLevels(module: ModuleKind): string {
  const t = MODULE_LEVEL_PERSON[module];
  return `INSERT INTO ${intoOf(t, ['levelId', 'personId'])} SELECT ${unnestOf(t, ['levelId'])}, $2 ON CONFLICT DO NOTHING`;
}

/**
 * A person's levels of the module are exactly these (the console's person form ticks them): the others go, these
 * come (each an existing level, or -2 naming those that are not). The caller plans the person in the same transaction.
 */
export async function setModuleLevelsOf(m: EntityManager, module: ModuleKind, personId: string, levelIds: readonly string[]): Promise<void> {
  const ids = [...new Set(levelIds)];
  const found: Array<{ id: string }> = await m.query(`SELECT id FROM ${module}_level WHERE id = ANY($1)`, [ids]);
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw levelNotExist(missing);
  await m.query(`DELETE FROM ${module}_level_person WHERE person_id = $1 AND NOT (level_id = ANY($2))`, [personId, ids]);
  if (ids.length) await m.query(GRANT_LEVELS[module], [ids, personId]);
}

/**
 * Elevator levels (2.2) and entrance-control levels (2.32): the same shape as access levels (points plus one
 * time segment, and their persons), in tables of their own. Every write runs in one transaction with the
 * elevator/passage planner, so memberships and the device commands they imply commit together.
 */
@Injectable()
export class ModuleLevelService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: ElevatorPlannerService,
  ) {}

  async list(module: ModuleKind, page: Page): Promise<{ rows: ModuleLevelRow[]; total: number }> {
    return readSnapshot(this.ds, async (m) => {
      const rows: ModuleLevelRow[] = await m.query(
        `SELECT id, name, time_segment_id FROM ${module}_level ORDER BY created_at, name OFFSET $1 LIMIT $2`,
        [page.offset, page.pageSize],
      );
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM ${module}_level`);
      return { rows, total: n };
    });
  }

  /** `lock`: held until the commit, for a write that changes the level itself. */
  async requireById(module: ModuleKind, id: string, m: EntityManager | DataSource = this.ds, lock = false): Promise<ModuleLevelRow> {
    if (!id) throw new CvError(CvCode.LevelIdNull, "Access level id can't be null");
    const [row] = await m.query(`SELECT id, name, time_segment_id FROM ${module}_level WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row) throw levelNotExist(id);
    return row;
  }

  async requireByName(module: ModuleKind, name: string): Promise<ModuleLevelRow> {
    const [row] = await this.ds.query(`SELECT id, name, time_segment_id FROM ${module}_level WHERE name = $1`, [name]);
    if (!row) throw levelNotExist(name);
    return row;
  }

  /** 2.2.6 / 2.32.6: the levels are added to the persons' levels (one pin or several), then the persons go to the controllers. */
  grantPersonLevels(module: ModuleKind, pin: string, levelIds: string, force: boolean): Promise<void> {
    return failingAs(CvCode.AuthorizeFailure, () => writeTransaction(this.ds, async (m) => {
      const personIds = await this.requirePersons(m, pin);
      const ids = await this.requireLevels(m, module, levelIds, CvCode.PersonOrLevelIdNull);
      for (const personId of personIds) await m.query(GRANT_LEVELS[module], [ids, personId]);
      // The re-send is for the controllers of these levels; the persons' other devices get only what changed.
      await this.planner.syncPersons(m, personIds, { force, forceOn: await levelDevices(m, module, ids) });
    }));
  }

  /** 2.2.1 / 2.32.1: the persons (one pin or several) lose these levels; controllers no longer covered lose the person; a level not held is already gone (success, as 2.1.1). */
  deletePersonLevels(module: ModuleKind, pin: string, levelIds: string): Promise<void> {
    return failingAs(CvCode.DeleteLevelFailure, () => writeTransaction(this.ds, async (m) => {
      const personIds = await this.requirePersons(m, pin);
      const ids = await this.requireLevels(m, module, levelIds, CvCode.PersonOrLevelIdNull);
      await m.query(`DELETE FROM ${module}_level_person WHERE person_id = ANY($1) AND level_id = ANY($2)`, [personIds, ids]);
      await this.planner.syncPersons(m, personIds);
    }));
  }

  /** 2.2.5 / 2.32.5: nothing stored changes; each level's persons are re-sent in full (all or, on -24 or -25, none). */
  syncLevel(module: ModuleKind, levelIds: string): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const ids = await this.requireLevels(m, module, levelIds);
      await requireMembers(m, module, ids);
      for (const id of ids) await this.planner.syncLevel(m, module, id, { force: true });
    });
  }

  /**
   * Gateway extension: create or update a level by name (the manual has no such endpoint): its time segment
   * and, when given, its complete set of points (floor or gate ids). Members reach the changed points.
   */
  save(module: ModuleKind, input: ModuleLevelInput): Promise<ModuleLevelRow> {
    return writeTransaction(this.ds, async (m) => {
      const [existing]: ModuleLevelRow[] = await m.query(`SELECT id, name, time_segment_id FROM ${module}_level WHERE name = $1 FOR UPDATE`, [input.name]);
      return this.write(m, module, existing, input);
    });
  }

  /**
   * The console's level form: a new level (a name already a level's is refused -409, where save would edit that
   * level), or the level `id` edited: renamed, another time segment or area, its complete set of points. One transaction
   * with the planner, as save.
   */
  saveForm(module: ModuleKind, id: string | undefined, input: ModuleLevelInput, expect?: WriteCheck): Promise<ModuleLevelRow> {
    return writeTransaction(this.ds, async (m) => {
      const name = input.name.trim();
      if (!name) throw new CvError(CvCode.InvalidParameter, 'name: give the level a name');
      const existing = id === undefined ? undefined : await this.requireById(module, id, m, true);
      await expect?.(m);
      const [taken]: Array<{ id: string }> = await m.query(`SELECT id FROM ${module}_level WHERE name = $1`, [name]);
      if (taken && taken.id !== existing?.id) throw new CvError(CvCode.Conflict, `A level named ${name} already exists; nothing was saved`);
      if (existing && existing.name !== name) await m.query(`UPDATE ${module}_level SET name = $2, updated_at = now() WHERE id = $1`, [existing.id, name]);
      return this.write(m, module, existing && { ...existing, name }, { ...input, name });
    });
  }

  /**
   * A level goes (its members and visitor offers with it). Its points are taken out first and the members re-planned
   * while the level still lists them, so the planner withdraws their floors from the controllers, which lose its time zone too.
   */
  deleteLevel(module: ModuleKind, id: string): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      await this.requireById(module, id, m, true);
      const before = await levelDevices(m, module, [id]);
      await m.query(POINT[module].clear, [id]);
      await this.planner.syncLevel(m, module, id, {}, before);
      await m.query(`DELETE FROM ${module}_level WHERE id = $1`, [id]);
    });
  }

  /**
   * Persons join or leave one level from the level's side (CVSecurity's Add/Delete Personnel), by pin: all or none
   * (a pin nobody's is refused -22 naming it), each then planned onto (or off) the level's controllers. Answers how
   * many memberships changed and how many were already so.
   */
  changeLevelPersons(module: ModuleKind, levelId: string, pins: string[], change: 'add' | 'remove'): Promise<{ changed: number; unchanged: number }> {
    return writeTransaction(this.ds, async (m) => {
      await this.requireById(module, levelId, m);
      const unique = [...new Set(pins)];
      if (unique.length === 0) throw new CvError(CvCode.PinEmpty, 'No person given: give one or more pins');
      const personIds: string[] = [];
      for (const pin of unique) personIds.push(await this.requirePerson(m, pin));
      let changed = 0;
      for (const personId of personIds) {
        const member = (await m.query(`SELECT 1 FROM ${module}_level_person WHERE level_id = $1 AND person_id = $2`, [levelId, personId])).length > 0;
        if (member === (change === 'add')) continue;
        changed++;
        if (change === 'add') await m.query(GRANT_LEVELS[module], [[levelId], personId]);
        else await m.query(`DELETE FROM ${module}_level_person WHERE level_id = $1 AND person_id = $2`, [levelId, personId]);
      }
      await this.planner.syncPersons(m, personIds);
      return { changed, unchanged: unique.length - changed };
    });
  }

  /**
   * CVSecurity's "Add personnel by department" on an elevator or entrance-control level, as on an access level (one
   * shared query): the department's active persons (with its sub-departments unless told not) join the level in one
   * transaction with the plan of those who were not members yet, so the level's controllers receive them.
   */
  addDepartmentPersons(module: ModuleKind, levelId: string, deptCode: string, withSubDepartments: boolean): Promise<{ added: number; already: number }> {
    return writeTransaction(this.ds, async (m) => {
      await this.requireById(module, levelId, m, true);
      const { added, already } = await joinDepartmentMembers(m, module, levelId, deptCode, withSubDepartments);
      await this.planner.syncPersons(m, added);
      return { added: added.length, already };
    });
  }

  /** A level's time segment and area (each kept unless given, the default on a new level) and, when given, its complete set of points. */
  private async write(m: EntityManager, module: ModuleKind, existing: ModuleLevelRow | undefined, input: ModuleLevelInput): Promise<ModuleLevelRow> {
    let tsId = existing?.time_segment_id;
    // An empty timeSegName is one not given (accLevel/addLevel reads it so too): kept, or the default on a new level.
    if (input.timeSegName || !existing) {
      const tsName = input.timeSegName || DEFAULT_TIME_SEGMENT;
      const [ts] = await m.query(`SELECT id FROM time_segment WHERE name = $1`, [tsName]);
      if (!ts) throw new CvError(CvCode.InvalidParameter, `The time segment does not exist: ${tsName}`);
      tsId = ts.id;
    }
    // CVSecurity's level forms name an area, as accLevel's do; the controllers hold nothing of it (no command follows).
    const areaId = input.areaName ? await levelAreaIdFor(m, input.areaName) : null;
    const id = existing?.id ?? newId();
    if (existing) await m.query(`UPDATE ${module}_level SET time_segment_id = $2, area_id = coalesce($3, area_id), updated_at = now() WHERE id = $1`, [id, tsId, areaId]);
    else await m.query(ADD_LEVEL[module], [id, input.name, tsId, areaId]);
    // The controllers the level's points leave must lose its time zone too (a level with no member names none of them).
    const before = existing && input.pointIds !== undefined ? await levelDevices(m, module, [id]) : [];
    if (input.pointIds !== undefined) {
      const p = POINT[module];
      const ids = [...new Set(input.pointIds)];
      const found: Array<{ id: string }> = await m.query(
        module === 'ele'
          ? // A floor of a device that is no elevator controller now (an operator's declaration, a new registration) is no floor, as floor/list says.
            `SELECT f.id FROM floor f JOIN device d ON d.id = f.device_id WHERE f.id = ANY($1) AND ${floorInUseSql('f')} AND ${effectiveKindSql('d')} = 'ele'`
          : `SELECT g.id FROM door g JOIN device d ON d.id = g.device_id WHERE g.id = ANY($1) AND ${effectiveKindSql('d')} = 'psg'`,
        [ids],
      );
      const missing = ids.filter((x) => !found.some((f) => f.id === x));
      if (missing.length) throw new CvError(CvCode.NotFound, `No such ${p.what}: ${missing.join(',')}`);
      await m.query(p.clear, [id]);
      if (ids.length) await m.query(p.insert, [id, ids]);
    }
    const saved = await this.requireById(module, id, m);
    await this.planner.syncLevel(m, module, id, {}, before);
    return saved;
  }

  /** The persons of a pin input (pinsOf, as the access levels' calls read it): every pin an active person's, or -22 naming it. */
  private async requirePersons(m: EntityManager, pinText: string): Promise<string[]> {
    const ids: string[] = [];
    for (const pin of pinsOf(pinText)) ids.push(await this.requirePerson(m, pin));
    return ids;
  }

  private async requirePerson(m: EntityManager, pin: string): Promise<string> {
    if (!pin) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
    // Locked until the commit, as every writer of a person locks them (acc-level.service.ts requirePerson).
    const [p] = await m.query(`SELECT id FROM person WHERE pin = $1 AND status = 'active' FOR UPDATE`, [pin]);
    if (!p) throw personNotExist(pin);
    return p.id;
  }

  /** The ids of a levelIds input, each an existing level's (-24); none: -43, or -42 where a pin goes with them. */
  private async requireLevels(m: EntityManager, module: ModuleKind, text: string, emptyCode: number = CvCode.LevelIdNull): Promise<string[]> {
    const ids = splitList(text);
    if (ids.length === 0) throw new CvError(emptyCode, manualMessage(emptyCode)!);
    const found: Array<{ id: string }> = await m.query(`SELECT id FROM ${module}_level WHERE id = ANY($1)`, [ids]);
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw levelNotExist(missing);
    return ids;
  }
}
