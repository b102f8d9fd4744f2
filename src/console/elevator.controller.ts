import { Body, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { queuedDetail } from '../door/door-control.service';
import { DeviceService } from '../device/device.service';
import { FloorService } from '../elevator/floor.service';
import { ModuleLevelService } from '../elevator/module-level.service';
import { ModuleTransactionService } from '../elevator/module-transaction.service';
import { TransactionService } from '../transaction/transaction.service';
import { eventFilter } from './console-filter';
import { ConsoleController } from './console-http';
import { levelMembersPage } from './level-members';
import { anywhere, consolePage, servicePage } from './console-paging';
import { Audit } from './console-roles';
import { devicesOfKind } from './module-devices';
import { expectVersion, versionOf } from './form-version';
import { pinsOf } from './console-pins';

const ALL = { pageNo: 1, pageSize: 5000, offset: 0 };

/** Elevator control: controllers, their floors, elevator levels, remote floor open/close (CONTROL DEVICE 11) and elevator events. */
@ConsoleController('elevator')
export class ConsoleElevatorController {
  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly floors: FloorService,
    private readonly levels: ModuleLevelService,
    private readonly events: ModuleTransactionService,
    private readonly transactions: TransactionService,
  ) {}

  @Get('controllers')
  async controllers() {
    return ok(await devicesOfKind(this.devices, 'ele'));
  }

  /**
   * One page of the floors (50 unless `size` says; a site has hundreds), narrowed as CVSecurity's floor list is by
   * floor name (`name`) and by controller (`device`: its name or SN), each matching anywhere in it.
   */
  @Get('floors')
  async floorList(@Query() q: Record<string, unknown>) {
    const p = consolePage(q);
    const [controllers, { rows, total }] = await Promise.all([devicesOfKind(this.devices, 'ele'), this.floors.list(servicePage(p), { name: anywhere(q.name), device: anywhere(q.device) })]);
    const byId = new Map(controllers.map((d) => [d.id, d]));
    return ok({
      rows: rows.map((f) => ({ id: f.id, name: f.name, floorNo: f.floor_no, sn: byId.get(f.device_id)?.sn ?? null, controller: byId.get(f.device_id)?.alias ?? null, online: byId.get(f.device_id)?.online ?? false })),
      total,
      page: p.page,
      size: p.size,
    });
  }

  /** Every floor (id, name, controller), for the elevator level form's floor picker. */
  @Get('floors/all')
  async allFloors() {
    const [controllers, { rows }] = await Promise.all([devicesOfKind(this.devices, 'ele'), this.floors.list(ALL)]);
    const byId = new Map(controllers.map((d) => [d.id, d]));
    return ok(rows.map((f) => ({ id: f.id, name: f.name, floorNo: f.floor_no, sn: byId.get(f.device_id)?.sn ?? null, controller: byId.get(f.device_id)?.alias ?? null })));
  }

  /** The elevator levels as CVSecurity's Elevator Level page lists them: time segment, floors, how many persons; with the version an Edit form sends back. */
  @Get('levels')
  async levelList() {
    const rows: Array<{ id: string; version: string; name: string; time_segment: string | null; floors: string[] | null; floor_ids: string[] | null; persons: number }> = await this.ds.query(
      `SELECT l.id, ${versionOf('l')} AS version, l.name, ts.name AS time_segment,
              (SELECT array_agg(f.name ORDER BY f.name) FROM ele_level_floor lf JOIN floor f ON f.id = lf.floor_id WHERE lf.level_id = l.id) AS floors,
              (SELECT array_agg(f.id::text ORDER BY f.name) FROM ele_level_floor lf JOIN floor f ON f.id = lf.floor_id WHERE lf.level_id = l.id) AS floor_ids,
              (SELECT count(*)::int FROM ele_level_person lp WHERE lp.level_id = l.id) AS persons
         FROM ele_level l LEFT JOIN time_segment ts ON ts.id = l.time_segment_id
        ORDER BY l.name`,
    );
    return ok(rows.map((r) => ({ id: r.id, name: r.name, timeSegment: r.time_segment, floors: r.floors ?? [], floorIds: r.floor_ids ?? [], persons: r.persons, version: r.version })));
  }

  /** A new elevator level: its name (one already a level's is refused -409), time segment and floors; members reach the floors' controllers. */
  @Post('levels')
  @HttpCode(200)
  @Audit('eleLevel.create', (r) => r.body?.name)
  async createLevel(@Body() body: EleLevelForm) {
    const saved = await this.levels.saveForm('ele', undefined, levelInput(body));
    return ok({ id: saved.id });
  }

  /** Rename the level, change its time segment or its floors: its members' rights on the controllers follow, in the same transaction. */
  @Put('levels/:id')
  @Audit('eleLevel.update', (r) => `${r.params.id} ${r.body?.name ?? ''}`.trim())
  async updateLevel(@Param('id') id: string, @Body() body: EleLevelForm) {
    await this.levels.saveForm('ele', id, levelInput(body), expectVersion('ele_level', id, body?.version));
    return ok(null);
  }

  /** The level goes; its members lose its floors on the controllers. */
  @Delete('levels/:id')
  @Audit('eleLevel.delete', (r) => r.params.id)
  async deleteLevel(@Param('id') id: string) {
    await this.levels.deleteLevel('ele', id);
    return ok(null);
  }

  /** The level's members, paged, as the access level's Persons list. */
  @Get('levels/:id/persons')
  async levelPersons(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    return ok(await levelMembersPage(this.ds, 'ele', id, q));
  }


  /** Persons join the level by pin (CVSecurity's Add Personnel): all or none, then planned onto its floors' controllers. */
  @Post('levels/:id/persons')
  @HttpCode(200)
  @Audit('eleLevel.addPersons', (r) => `${r.params.id} ${pinsOf(r.body?.pins).join(',')}`)
  async addLevelPersons(@Param('id') id: string, @Body() body: { pins?: unknown }) {
    const r = await this.levels.changeLevelPersons('ele', id, pinsOf(body?.pins), 'add');
    return ok({ persons: r.changed, already: r.unchanged });
  }

  @Post('levels/:id/persons/remove')
  @HttpCode(200)
  @Audit('eleLevel.removePersons', (r) => `${r.params.id} ${pinsOf(r.body?.pins).join(',')}`)
  async removeLevelPersons(@Param('id') id: string, @Body() body: { pins?: unknown }) {
    const r = await this.levels.changeLevelPersons('ele', id, pinsOf(body?.pins), 'remove');
    return ok({ persons: r.changed, notMembers: r.unchanged });
  }

  /** Releases (open, for `interval` seconds, 5 by default) or locks (close) one floor button. */
  @Post('floors/:id/:action')
  @HttpCode(200)
  @Audit('floor.control', (r) => `${r.params.id} ${r.params.action}`)
  async control(@Param('id') id: string, @Param('action') action: string, @Body() body: { interval?: unknown } | undefined) {
    let queued;
    if (action === 'open') queued = await this.floors.remoteOpen(id, body?.interval === undefined ? '5' : String(body.interval));
    else if (action === 'close') queued = await this.floors.remoteClose(id);
    else throw new CvError(CvCode.InvalidParameter, 'action must be open or close');
    return ok(queued, queuedDetail(queued));
  }

  @Get('events')
  async eventList(@Query() q: Record<string, unknown>) {
    const p = consolePage(q);
    const r = await this.events.listEleV2(eventFilter(q, this.transactions), servicePage(p));
    return ok({ rows: r.data, total: r.total, page: p.page, size: p.size });
  }
}

interface EleLevelForm {
  name?: unknown;
  timeSegName?: unknown;
  floorIds?: unknown;
  version?: unknown;
}

/** The level form's fields: a name, a time segment by name (empty: kept, or the default on a new level), the complete list of floor ids. */
function levelInput(body: EleLevelForm | undefined): { name: string; timeSegName?: string; pointIds?: string[] } {
  if (typeof body?.name !== 'string') throw new CvError(CvCode.InvalidParameter, 'name: give the level a name');
  if (body.timeSegName !== undefined && typeof body.timeSegName !== 'string') throw new CvError(CvCode.InvalidParameter, 'timeSegName must be a time segment name');
  const floors = body.floorIds;
  if (floors !== undefined && !(Array.isArray(floors) && floors.every((f) => typeof f === 'string'))) throw new CvError(CvCode.InvalidParameter, 'floorIds must be a list of floor ids');
  if (body.name.trim().length > 100) throw new CvError(CvCode.InvalidParameter, 'name: at most 100 characters');
  return { name: body.name, timeSegName: body.timeSegName, pointIds: floors };
}
