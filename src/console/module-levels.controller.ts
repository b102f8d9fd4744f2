import { Body, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, type Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { ModuleLevelService, type ModuleLevelInput } from '../elevator/module-level.service';
import type { ModuleKind } from '../sync/module-rights';
import { ConsoleController } from './console-http';
import { departmentOf, pinsOf } from './console-pins';
import { Audit, namedBy } from './console-roles';
import { expectVersion, versionOf } from './form-version';
import { levelMembersPage } from './level-members';

/** Each module's level points: an elevator level's floors, an entrance-control level's gates (door rows of channel controllers). */
const POINTS: Record<ModuleKind, { join: string }> = {
  ele: { join: `ele_level_floor lp JOIN floor pt ON pt.id = lp.floor_id` },
  psg: { join: `psg_level_gate lp JOIN door pt ON pt.id = lp.gate_id` },
};

interface LevelForm {
  name?: unknown;
  timeSegName?: unknown;
  areaName?: unknown;
  pointIds?: unknown;
  version?: unknown;
}

/**
 * CVSecurity's Elevator Level and Passage Level pages for one module, under `path` (elevator/levels, entrance/levels):
 * the levels with their time segment, area, points and members; creation, editing, deletion; persons added or removed by
 * pin. Every write is ModuleLevelService's (the service of the REST API's eleLevel/psgLevel calls): one transaction
 * with the planner, so the controllers receive or lose the rights with it. Audited as `eleLevel.*` or `psgLevel.*`.
 */
function moduleLevelsController(module: ModuleKind, path: string): Type<unknown> {
  const audit = (what: string) => `${module}Level.${what}`;
  const levelNamed = namedBy('level', `${module}_level`);

  @ConsoleController(path)
  class ConsoleModuleLevelsController {
    constructor(
      @Inject(DataSource) private readonly ds: DataSource,
      @Inject(ModuleLevelService) private readonly levels: ModuleLevelService,
    ) {}

    /** Each level with its time segment, area, points (names and ids), how many persons hold it, and the version an Edit form sends back. */
    @Get('levels')
    async levelList() {
      const points = POINTS[module].join;
      const rows: Array<{ id: string; version: string; name: string; time_segment: string | null; area: string | null; points: string[] | null; point_ids: string[] | null; persons: number }> = await this.ds.query(
        `SELECT l.id, ${versionOf('l')} AS version, l.name, ts.name AS time_segment, a.name AS area,
                (SELECT array_agg(pt.name ORDER BY pt.name) FROM ${points} WHERE lp.level_id = l.id) AS points,
                (SELECT array_agg(pt.id::text ORDER BY pt.name) FROM ${points} WHERE lp.level_id = l.id) AS point_ids,
                (SELECT count(*)::int FROM ${module}_level_person m WHERE m.level_id = l.id) AS persons
           FROM ${module}_level l LEFT JOIN time_segment ts ON ts.id = l.time_segment_id LEFT JOIN area a ON a.id = l.area_id
          ORDER BY l.name`,
      );
      return ok(rows.map((r) => ({ id: r.id, name: r.name, timeSegment: r.time_segment, area: r.area, points: r.points ?? [], pointIds: r.point_ids ?? [], persons: r.persons, version: r.version })));
    }

    /** A new level: its name (one already a level's is refused -409), time segment, area (the default one unless named) and points. */
    @Post('levels')
    @HttpCode(200)
    @Audit(audit('create'), (r) => r.body?.name)
    async createLevel(@Body() body: LevelForm) {
      return ok({ id: (await this.levels.saveForm(module, undefined, levelInput(body))).id });
    }

    /** Rename the level, change its time segment, area or points: its members' rights on the controllers follow, in the same transaction. */
    @Put('levels/:id')
    @Audit(audit('update'), (r) => `${r.params.id} ${r.body?.name ?? ''}`.trim(), levelNamed)
    async updateLevel(@Param('id') id: string, @Body() body: LevelForm) {
      await this.levels.saveForm(module, id, levelInput(body), expectVersion(`${module}_level`, id, body?.version));
      return ok(null);
    }

    /** The level goes; its members lose its points on the controllers. */
    @Delete('levels/:id')
    @Audit(audit('delete'), (r) => r.params.id, levelNamed)
    async deleteLevel(@Param('id') id: string) {
      await this.levels.deleteLevel(module, id);
      return ok(null);
    }

    @Get('levels/:id/persons')
    async levelPersons(@Param('id') id: string, @Query() q: Record<string, unknown>) {
      return ok(await levelMembersPage(this.ds, module, id, q));
    }

    /** Persons join the level by pin (CVSecurity's Add Personnel): all or none, then planned onto its controllers. */
    @Post('levels/:id/persons')
    @HttpCode(200)
    @Audit(audit('addPersons'), (r) => `${r.params.id} ${pinsOf(r.body?.pins).join(',')}`, levelNamed)
    async addLevelPersons(@Param('id') id: string, @Body() body: { pins?: unknown }) {
      const r = await this.levels.changeLevelPersons(module, id, pinsOf(body?.pins), 'add');
      return ok({ persons: r.changed, already: r.unchanged });
    }

    /** CVSecurity's "Add personnel by department": the department's active persons (with its sub-departments unless unticked) join the level. */
    @Post('levels/:id/departments')
    @HttpCode(200)
    @Audit(audit('addDepartment'), (r) => `${r.params.id} ${r.body?.deptCode ?? ''}`.trim(), levelNamed)
    async addLevelDepartment(@Param('id') id: string, @Body() body: { deptCode?: unknown; withSubDepartments?: unknown }) {
      const d = departmentOf(body);
      return ok(await this.levels.addDepartmentPersons(module, id, d.deptCode, d.withSubDepartments));
    }

    @Post('levels/:id/persons/remove')
    @HttpCode(200)
    @Audit(audit('removePersons'), (r) => `${r.params.id} ${pinsOf(r.body?.pins).join(',')}`, levelNamed)
    async removeLevelPersons(@Param('id') id: string, @Body() body: { pins?: unknown }) {
      const r = await this.levels.changeLevelPersons(module, id, pinsOf(body?.pins), 'remove');
      return ok({ persons: r.changed, notMembers: r.unchanged });
    }
  }
  return ConsoleModuleLevelsController;
}

export const ConsoleEleLevelsController = moduleLevelsController('ele', 'elevator');
export const ConsolePsgLevelsController = moduleLevelsController('psg', 'entrance');

/** The level form's fields: a name, a time segment and an area by name (empty: kept, or the default on a new level), the complete list of point ids. */
function levelInput(body: LevelForm | undefined): ModuleLevelInput {
  if (typeof body?.name !== 'string') throw new CvError(CvCode.InvalidParameter, 'name: give the level a name');
  if (body.name.trim().length > 100) throw new CvError(CvCode.InvalidParameter, 'name: at most 100 characters');
  if (body.timeSegName !== undefined && typeof body.timeSegName !== 'string') throw new CvError(CvCode.InvalidParameter, 'timeSegName must be a time segment name');
  if (body.areaName !== undefined && typeof body.areaName !== 'string') throw new CvError(CvCode.InvalidParameter, 'areaName must be an area name');
  const points = body.pointIds;
  if (points !== undefined && !(Array.isArray(points) && points.every((p) => typeof p === 'string'))) throw new CvError(CvCode.InvalidParameter, 'pointIds must be a list of ids');
  return { name: body.name, timeSegName: body.timeSegName, areaName: body.areaName, pointIds: points };
}
