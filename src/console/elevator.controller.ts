import { Body, Get, HttpCode, Req, Res, Param, Post, Query } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { queuedDetail } from '../door/door-control.service';
import { DeviceService } from '../device/device.service';
import { FloorService } from '../elevator/floor.service';
import { ModuleTransactionService } from '../elevator/module-transaction.service';
import { TransactionService } from '../transaction/transaction.service';
import { eventFilter } from './console-filter';
import type { FastifyReply } from 'fastify';
import { ConsoleAuditService } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { exportModuleEvents } from './module-events-csv';
import { ConsoleController } from './console-http';
import { anywhere, consolePage, servicePage } from './console-paging';
import { Audit, namedBy } from './console-roles';
import { devicesOfKind } from './module-devices';

const ALL = { pageNo: 1, pageSize: 5000, offset: 0 };

/** Elevator control: controllers, their floors, remote floor open/close (CONTROL DEVICE 11) and normal open (12) and elevator events (the levels: module-levels.controller.ts). */
@ConsoleController('elevator')
export class ConsoleElevatorController {
  constructor(
    private readonly devices: DeviceService,
    private readonly floors: FloorService,
    private readonly events: ModuleTransactionService,
    private readonly transactions: TransactionService,
    private readonly audit: ConsoleAuditService,
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

  /** Ends a controller's emergency state (CONTROL DEVICE 0F: after a fire alarm the buttons stay released until told). */
  @Post('controllers/:sn/cancelEmergency')
  @HttpCode(200)
  @Audit('elevator.cancelEmergency', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async cancelEmergency(@Param('sn') sn: string) {
    const queued = await this.floors.cancelEmergency(sn.trim());
    return ok(queued, queuedDetail(queued));
  }

  /**
   * Releases (open, for `interval` seconds, 5 by default) or locks (close) one floor button; holds it released
   * (normalOpen, CONTROL DEVICE 12 … FF) or ends that (cancelNormalOpen, 12 … 00).
   */
  @Post('floors/:id/:action')
  @HttpCode(200)
  @Audit('floor.control', (r) => `${r.params.id} ${r.params.action}`, namedBy('floor', 'floor'))
  async control(@Param('id') id: string, @Param('action') action: string, @Body() body: { interval?: unknown } | undefined) {
    let queued;
    if (action === 'open') queued = await this.floors.remoteOpen(id, body?.interval === undefined ? '5' : String(body.interval));
    else if (action === 'close') queued = await this.floors.remoteClose(id);
    else if (action === 'normalOpen' || action === 'cancelNormalOpen') queued = await this.floors.normalOpen(id, action === 'normalOpen');
    else throw new CvError(CvCode.InvalidParameter, 'action must be open, close, normalOpen or cancelNormalOpen');
    return ok(queued, queuedDetail(queued));
  }

  @Get('events')
  async eventList(@Query() q: Record<string, unknown>) {
    const p = consolePage(q);
    const r = await this.events.listEleV2(eventFilter(q, this.transactions), servicePage(p));
    return ok({ rows: r.data, total: r.total, page: p.page, size: p.size });
  }

  /** The elevator events the filters list, as CSV (CVSecurity's Export of its transactions). */
  @Get('events/csv')
  async csv(@Query() q: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    await exportModuleEvents({ events: this.events, transactions: this.transactions, audit: this.audit }, 'ele', q, req, reply);
  }
}
