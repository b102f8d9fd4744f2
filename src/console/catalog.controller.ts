import { Body, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ok } from '../common/envelope';
import { CvCode, CvError } from '../common/cv-error';
import { AccLevelService } from '../accLevel/acc-level.service';
import { LevelAddDoorItemDto, LevelAddItemDto, LevelUpdateDto } from '../accLevel/dto/acc-level.dto';
import { AreaCreateDto, AreaUpdateDto } from '../area/dto/area.dto';
import { AREA_ORDER, AreaService } from '../area/area.service';
import { Area } from '../area/area.entity';
import { DepartmentAddDto } from '../department/dto/department.dto';
import { HolidayCreateDto, HolidayUpdateDto } from '../holiday/dto/holiday.dto';
import { eventCodes } from '../push/protocol/tables';
import { cvsEventName } from '../push/cvsecurity-event-names';
import { TimeSegmentCreateDto, TimeSegmentUpdateDto } from '../timeSegment/dto/time-segment.dto';
import { DEPARTMENT_ORDER, DepartmentService } from '../department/department.service';
import { Department } from '../department/department.entity';
import { HOLIDAY_ORDER, HolidayService } from '../holiday/holiday.service';
import { Holiday } from '../holiday/holiday.entity';
import { TIME_SEGMENT_ORDER, TimeSegmentService } from '../timeSegment/time-segment.service';
import { TimeSegment } from '../timeSegment/time-segment.entity';
import { ConsoleController } from './console-http';
import { levelMembersPage } from './level-members';
import { ConsoleLevelEditService } from './level-edit.service';
import { Audit, namedBy } from './console-roles';
import { expectVersion, listWithVersions, versionOf } from './form-version';
import { departmentOf, pinsOf } from './console-pins';

/**
 * The reference lists the console's pages and forms pick from (access levels, departments, areas, time
 * segments, holidays), and their creation, editing and deletion through the same services, rules and error codes as the REST API.
 */
@ConsoleController('catalog')
export class ConsoleCatalogController {
  constructor(
    private readonly ds: DataSource,
    private readonly departments: DepartmentService,
    private readonly areas: AreaService,
    private readonly timeSegments: TimeSegmentService,
    private readonly holidays: HolidayService,
    private readonly accLevels: AccLevelService,
    private readonly levelEdits: ConsoleLevelEditService,
  ) {}

  @Get('levels')
  async levels() {
    return ok(await this.levelRows());
  }

  private async levelRows() {
    const rows: Array<{ id: string; version: string; name: string; time_segment: string | null; area: string | null; doors: string[] | null; door_ids: string[] | null; persons: number }> = await this.ds.query(
      `SELECT l.id, ${versionOf('l')} AS version, l.name, ts.name AS time_segment, a.name AS area,
              (SELECT array_agg(d.name ORDER BY d.name) FROM acc_level_door ld JOIN door d ON d.id = ld.door_id WHERE ld.level_id = l.id) AS doors,
              (SELECT array_agg(d.id::text ORDER BY d.name) FROM acc_level_door ld JOIN door d ON d.id = ld.door_id WHERE ld.level_id = l.id) AS door_ids,
              (SELECT count(*)::int FROM acc_level_person lp WHERE lp.level_id = l.id) AS persons
         FROM acc_level l LEFT JOIN time_segment ts ON ts.id = l.time_segment_id LEFT JOIN area a ON a.id = l.area_id
        ORDER BY l.name`,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, timeSegment: r.time_segment, area: r.area, doors: r.doors ?? [], doorIds: r.door_ids ?? [], persons: r.persons, version: r.version }));
  }

  /**
   * The manual's event codes (the transactions page's event filter), each under the name the events are stored and
   * shown with (CVSecurity's, cvsEventName), so that the filter and the table say the same thing.
   */
  @Get('events')
  events() {
    return ok(eventCodes.map((e) => ({ code: e.code, name: cvsEventName(e.code), level: e.level })));
  }

  @Get('departments')
  async departmentList() {
    return ok(await listWithVersions(this.ds, Department, DEPARTMENT_ORDER, (rows) => this.departments.toResponses(rows)));
  }

  @Get('areas')
  async areaList() {
    return ok(await listWithVersions(this.ds, Area, AREA_ORDER, (rows) => this.areas.toDetails(rows)));
  }

  @Get('time-segments')
  async timeSegmentList() {
    return ok(await listWithVersions(this.ds, TimeSegment, TIME_SEGMENT_ORDER, (rows) => rows.map((t) => ({ id: t.id, name: t.name, tzId: t.tzId, remark: t.remark, schedule: t.schedule }))));
  }

  @Get('holidays')
  async holidayList() {
    return ok(await listWithVersions(this.ds, Holiday, HOLIDAY_ORDER, (rows) => rows));
  }

  @Post('levels')
  @HttpCode(200)
  @Audit('level.create', (r) => r.body?.name)
  async addLevel(@Body() dto: LevelAddItemDto) {
    await this.accLevels.addLevels([dto], 'refuse');
    return ok(null);
  }

  /** A door joins a level: every person of the level is planned onto the door's panel. */
  @Post('levels/doors')
  @HttpCode(200)
  @Audit('level.addDoor', (r) => `${r.body?.levelName} ${r.body?.doorName}`)
  async addLevelDoor(@Body() dto: LevelAddDoorItemDto) {
    // `added` false: the door was in the level already (nothing changed), which the console says.
    return ok({ added: (await this.accLevels.addLevelDoors([dto])) > 0 });
  }

  /**
   * Persons join or leave a level from the level's side (CVSecurity's Add Personnel / Delete Personnel on an access
   * level), by pin: one transaction for the list, each person then planned onto (or off) the level's panels.
   */
  @Post('levels/:id/persons')
  @HttpCode(200)
  @Audit('level.addPersons', (r) => `${r.params.id} ${pinsOf(r.body?.pins).join(',')}`, namedBy('level', 'acc_level'))
  async addLevelPersons(@Param('id') id: string, @Body() body: { pins?: unknown }) {
    const r = await this.accLevels.changeLevelPersons(id, pinsOf(body?.pins), 'add');
    return ok({ persons: r.changed, already: r.unchanged });
  }

  /** CVSecurity's "Add personnel by department": the department's active persons join the level (with its sub-departments unless `withSubDepartments` is false). */
  @Post('levels/:id/departments')
  @HttpCode(200)
  @Audit('level.addDepartment', (r) => `${r.params.id} ${r.body?.deptCode ?? ''}`.trim(), namedBy('level', 'acc_level'))
  async addLevelDepartment(@Param('id') id: string, @Body() body: { deptCode?: unknown; withSubDepartments?: unknown }) {
    const d = departmentOf(body);
    return ok(await this.accLevels.addDepartmentPersons(id, d.deptCode, d.withSubDepartments));
  }

  /**
   * The level's members, paged (CVSecurity's access level page lists them beside the levels): pin, name, department,
   * so that an operator picks whom to take out.
   */
  @Get('levels/:id/persons')
  async levelPersons(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    return ok(await levelMembersPage(this.ds, 'acc', id, q));
  }


  @Post('levels/:id/persons/remove')
  @HttpCode(200)
  @Audit('level.removePersons', (r) => `${r.params.id} ${pinsOf(r.body?.pins).join(',')}`, namedBy('level', 'acc_level'))
  async removeLevelPersons(@Param('id') id: string, @Body() body: { pins?: unknown }) {
    const r = await this.accLevels.changeLevelPersons(id, pinsOf(body?.pins), 'remove');
    return ok({ persons: r.changed, notMembers: r.unchanged });
  }

  /** Rename a level or change its area or time segment (a new time segment re-sends its members' rights). */
  @Put('levels/:id')
  @Audit('level.update', (r) => `${r.params.id} ${r.body?.name ?? ''}`.trim(), namedBy('level', 'acc_level'))
  async updateLevel(@Param('id') id: string, @Body() dto: LevelUpdateDto, @Body('version') version?: unknown) {
    await this.accLevels.update(id, dto, expectVersion('acc_level', id, version));
    return ok(null);
  }

  @Delete('levels/:id')
  @Audit('level.delete', (r) => r.params.id, namedBy('level', 'acc_level'))
  async deleteLevel(@Param('id') id: string) {
    await this.levelEdits.deleteLevel(id);
    return ok(null);
  }

  /** A door leaves a level: members the door's panel no longer grants leave that panel. */
  @Delete('levels/:id/doors/:doorId')
  @Audit('level.removeDoor', (r) => `${r.params.id} ${r.params.doorId}`, namedBy('level', 'acc_level'))
  async removeLevelDoor(@Param('id') id: string, @Param('doorId') doorId: string) {
    await this.levelEdits.removeDoor(id, doorId);
    return ok(null);
  }

  /**
   * The "New department" form. department/add is an upsert by code, but here a code that is already a department's
   * is refused -409 and nothing changes: an operator typing a taken code must not rename that department (and
   * move it under another parent); editing is the list's Edit.
   */
  @Post('departments')
  @HttpCode(200)
  @Audit('department.save', (r) => r.body?.code)
  async saveDepartment(@Body() dto: DepartmentAddDto) {
    const taken = await this.departments.findByCode(dto.code);
    if (taken) throw new CvError(CvCode.Conflict, `A department with code ${dto.code} already exists (${taken.name}): edit it in the list; nothing was saved`);
    await this.departments.upsert(dto);
    return ok(null);
  }

  /** The REST API's department/add is an upsert by code: editing is the same call with the code from
   * the path, for a department that exists (an edit never creates one). */
  @Put('departments/:code')
  @Audit('department.update', (r) => r.params.code, namedBy('department', 'department', 'code'))
  async updateDepartment(@Param('code') code: string, @Body() dto: DepartmentAddDto, @Body('version') version?: unknown) {
    await this.departments.requireByCode(code);
    await this.departments.upsert({ ...dto, code }, expectVersion('department', code, version));
    return ok(null);
  }

  @Delete('departments/:code')
  @Audit('department.delete', (r) => r.params.code, namedBy('department', 'department', 'code'))
  async deleteDepartment(@Param('code') code: string) {
    await this.departments.delete(code);
    return ok(null);
  }

  @Post('areas')
  @HttpCode(200)
  @Audit('area.create', (r) => r.body?.code)
  async createArea(@Body() dto: AreaCreateDto) {
    await this.areas.create(dto);
    return ok(null);
  }

  @Put('areas/:code')
  @Audit('area.update', (r) => r.params.code, namedBy('area', 'area', 'code'))
  async updateArea(@Param('code') code: string, @Body() dto: AreaUpdateDto, @Body('version') version?: unknown) {
    await this.areas.update(code, dto, expectVersion('area', code, version));
    return ok(null);
  }

  @Delete('areas/:code')
  @Audit('area.delete', (r) => r.params.code, namedBy('area', 'area', 'code'))
  async deleteArea(@Param('code') code: string) {
    await this.areas.delete(code);
    return ok(null);
  }

  @Post('time-segments')
  @HttpCode(200)
  @Audit('timeSegment.create', (r) => r.body?.name)
  async createTimeSegment(@Body() dto: TimeSegmentCreateDto) {
    requireHours(dto.schedule);
    await this.timeSegments.create(dto);
    return ok(null);
  }

  @Put('time-segments/:id')
  @Audit('timeSegment.update', (r) => r.params.id, namedBy('timeSegment', 'time_segment'))
  async updateTimeSegment(@Param('id') id: string, @Body() dto: TimeSegmentUpdateDto, @Body('version') version?: unknown) {
    if (dto.schedule) requireHours(dto.schedule);
    await this.timeSegments.update(id, dto, expectVersion('time_segment', id, version));
    return ok(null);
  }

  @Delete('time-segments/:id')
  @Audit('timeSegment.delete', (r) => r.params.id, namedBy('timeSegment', 'time_segment'))
  async deleteTimeSegment(@Param('id') id: string) {
    await this.timeSegments.delete(id);
    return ok(null);
  }

  @Post('holidays')
  @HttpCode(200)
  @Audit('holiday.create', (r) => r.body?.name)
  async createHoliday(@Body() dto: HolidayCreateDto) {
    await this.holidays.create(dto);
    return ok(null);
  }

  @Put('holidays/:id')
  @Audit('holiday.update', (r) => r.params.id, namedBy('holiday', 'holiday'))
  async updateHoliday(@Param('id') id: string, @Body() dto: HolidayUpdateDto, @Body('version') version?: unknown) {
    await this.holidays.update(id, dto, expectVersion('holiday', id, version));
    return ok(null);
  }

  @Delete('holidays/:id')
  @Audit('holiday.delete', (r) => r.params.id, namedBy('holiday', 'holiday'))
  async deleteHoliday(@Param('id') id: string) {
    await this.holidays.delete(id);
    return ok(null);
  }
}

/**
 * The console's time segment form sends the days ticked: none ticked would save a segment that admits no one at
 * any hour, shown with an empty Hours column, which is never what the operator meant.
 */
function requireHours(schedule: Record<string, unknown> | undefined): void {
  if (!schedule || !Object.values(schedule).some((intervals) => Array.isArray(intervals) && intervals.length > 0)) {
    throw new CvError(CvCode.InvalidParameter, 'Tick at least one day: a time segment without hours admits no one');
  }
}
