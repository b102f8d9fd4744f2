import { Body, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ok } from '../common/envelope';
import { AttTransactionService } from '../attendance/att-transaction.service';
import { AttAreaPersonService } from '../attendance/att-area-person.service';
import { AreaPersonDto } from '../attendance/dto/attendance.dto';
import { Audit } from './console-roles';
import type { AttTransactionItemDto } from '../attendance/dto/attendance.dto';
import { DeviceService } from '../device/device.service';
import { TransactionService } from '../transaction/transaction.service';
import { ConsoleAuditService } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { personEventColumns, streamCsv, type CsvColumns } from './console-csv';
import { eventFilter } from './console-filter';
import { ConsoleController } from './console-http';
import { consolePage, queryText, servicePage } from './console-paging';
import { ConsoleStatusService } from './console-status.service';
import { terminalMembers } from '../attendance/terminal-members';
import { DataSource } from 'typeorm';
import { DeviceStatusService } from '../push/device-status.service';
import { offlineHolders, offlineTerminalsOfArea } from './offline-holders';

const CSV_COLUMNS: CsvColumns<AttTransactionItemDto> = [
  ...personEventColumns<AttTransactionItemDto>(),
  ['eventName', (t) => t.eventName],
  ['eventPointName', (t) => t.eventPointName],
  ['verifyModeName', (t) => t.verifyModeName],
  ['areaName', (t) => t.areaName],
];

/** Attendance: terminals and FaceKiosks with their state, and the punches (ATTLOG) with filters, paging and CSV export. */
@ConsoleController('attendance')
export class ConsoleAttendanceController {
  constructor(
    private readonly devices: DeviceService,
    private readonly punches: AttTransactionService,
    private readonly transactions: TransactionService,
    private readonly audit: ConsoleAuditService,
    private readonly areaPersons: AttAreaPersonService,
    private readonly status: ConsoleStatusService,
    private readonly ds: DataSource,
    private readonly deviceStatus: DeviceStatusService,
  ) {}

  /**
   * Persons onto an area's attendance terminals: the REST API's attAreaPerson/set (2.8.2), the same rules and
   * planning (USERINFO, templates and photo to the area's terminals, in the transaction of the change).
   */
  @Post('area-persons')
  @HttpCode(200)
  @Audit('attArea.set', (r) => `${r.body?.code}: ${r.body?.pins}`)
  async setAreaPersons(@Body() dto: AreaPersonDto) {
    await this.areaPersons.set('att', dto.code, dto.pins);
    // The area's terminals that are offline receive them only when they poll again: the page names them.
    return ok({ offlineReceivers: await offlineTerminalsOfArea(this.ds, this.deviceStatus, dto.code) });
  }

  /** attAreaPerson/delete (2.8.1): the persons leave the area and its terminals. */
  @Post('area-persons/remove')
  @HttpCode(200)
  @Audit('attArea.delete', (r) => `${r.body?.code}: ${r.body?.pins}`)
  async removeAreaPersons(@Body() dto: AreaPersonDto) {
    await this.areaPersons.delete('att', dto.code, dto.pins);
    // An offline terminal still holds them, and takes their punches, until it polls again.
    return ok({ offlineHolders: await offlineHolders(this.ds, this.deviceStatus, dto.pins, dto.code) });
  }

  /**
   * Terminals and FaceKiosks with their state and last contact, each admitted one's convergence (`sync`, as the
   * Devices page's) and its area's members against the users it confirmed holding (`members`): whether a
   * terminal is online and holds the persons of its area.
   */
  @Get('devices')
  async list() {
    const [terminals, kiosks] = await Promise.all([this.devices.listAll(undefined, undefined, 'att'), this.devices.listAll(undefined, undefined, 'facekiosk')]);
    const [t, k] = await Promise.all([this.devices.toDetails(terminals), this.devices.toDetails(kiosks)]);
    const all = [...t.map((d) => ({ ...d, kind: 'terminal' })), ...k.map((d) => ({ ...d, kind: 'FaceKiosk' }))];
    const admitted = all.filter((d) => d.admission === 'admitted');
    const [sync, members] = await Promise.all([this.status.convergence(admitted), terminalMembers(this.ds, admitted.map((d) => d.id))]);
    return ok(all.map((d) => ({ ...d, sync: sync.get(d.sn) ?? null, members: members.get(d.id) ?? null })));
  }

  /** The shared event filters, the person's name (payroll questions come by name, not pin) and their department. */
  private punchFilter(q: Record<string, unknown>) {
    const f = eventFilter(q, this.transactions);
    const name = queryText(q.name, 64);
    if (name) f.personName = name;
    const deptCode = queryText(q.deptCode, 100);
    if (deptCode) f.deptCode = deptCode;
    return f;
  }

  @Get('punches')
  async punchList(@Query() q: Record<string, unknown>) {
    const f = this.punchFilter(q);
    const p = consolePage(q);
    const [rows, total] = await Promise.all([this.punches.list(f, servicePage(p)), this.punches.count(f)]);
    return ok({ rows, total, page: p.page, size: p.size });
  }

  /**
   * The filtered punches as CSV, newest first, ending where the export started (a growing list would repeat rows):
   * after the newest punch listed then, not at the server's "now", which left out the punches of a terminal whose
   * clock runs ahead of the server's while the list showed them.
   */
  @Get('punches/csv')
  async csv(@Query() q: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    const f = this.punchFilter(q);
    if (!f.to) {
      const newest = await this.punches.newest(f);
      f.to = new Date(Math.max(Date.now(), newest ? newest.getTime() + 1 : 0));
    }
    const total = await this.punches.count(f);
    await this.audit.record(req.console!.operator, req.ip, 'attendance.export', undefined, 'ok', { ...q, rows: total });
    await streamCsv(req, reply, {
      fileName: 'attendance.csv',
      columns: CSV_COLUMNS,
      total,
      batch: (offset, limit) => this.punches.list(f, { pageNo: 1, pageSize: limit, offset }),
    });
  }
}
