import { Body, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { AttRecoverDto } from '../attendance/dto/attendance.dto';
import { TerminalCommandService } from '../attendance/terminal-command.service';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { DeviceAdminService } from '../device/device-admin.service';
import { DeviceControlService } from '../device/device-control.service';
import { DeviceQueueClearService } from '../device/device-queue-clear.service';
import { DeviceService } from '../device/device.service';
import { DeviceAddDto, DeviceControlDto, DeviceGetTransactionsDto, DeviceMoveDto, DeviceRenameDto } from '../device/dto/device.dto';
import { CommandQueueService, commandViewIn } from '../push/command-queue.service';
import { DeviceStatusService } from '../push/device-status.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { SyncStatusService } from '../sync/sync-status.service';
import { ConsoleController } from './console-http';
import { consolePage } from './console-paging';
import { ConsoleStatusService } from './console-status.service';
import { Audit, namedBy, namedInBody, RequireRole } from './console-roles';

const STATES = ['pending', 'sent', 'done', 'failed'] as const;
type QueueState = (typeof STATES)[number];

/** What the Devices page asks of an attendance terminal: CVSecurity's Reboot and Clear attendance records. */
const TERMINAL_ACTIONS = ['reboot', 'clearLog'] as const;

class ConsoleTerminalCommandDto {
  @IsIn(TERMINAL_ACTIONS as unknown as string[], { context: { code: CvCode.InvalidParameter } })
  action!: (typeof TERMINAL_ACTIONS)[number];
}

/** The audit's target of a Get transactions: the SN and what was asked (`new`, `all`, or the period). */
function transactionsAudited(sn: string, body: unknown): string {
  const b = (body ?? {}) as { records?: unknown; startTime?: unknown; endTime?: unknown };
  return b.records === 'period' ? `${sn} period ${String(b.startTime ?? '')} - ${String(b.endTime ?? '')}` : `${sn} ${String(b.records ?? '')}`;
}

/** Devices: admission (approve, disable), alias, area, full sync on demand, and each device's command queue with Return codes. */
@ConsoleController('devices')
export class ConsoleDevicesController {
  constructor(
    private readonly devices: DeviceService,
    private readonly admin: DeviceAdminService,
    private readonly queue: CommandQueueService,
    private readonly status: ConsoleStatusService,
    private readonly convergenceOf: SyncStatusService,
    private readonly control: DeviceControlService,
    private readonly terminalCommands: TerminalCommandService,
    private readonly clearing: DeviceQueueClearService,
    private readonly deviceStatus: DeviceStatusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every device; with `sync=1` (the Devices page) each admitted one's convergence too, as the dashboard works it out. */
  @Get()
  async list(@Query('sync') sync?: string) {
    const details = await this.devices.toDetails(await this.devices.listAll(undefined, undefined));
    if (sync !== '1') return ok(details);
    const summaries = await this.status.convergence(details.filter((d) => d.admission === 'admitted'));
    return ok(details.map((d) => ({ ...d, sync: summaries.get(d.sn) ?? null })));
  }

  /** CVSecurity's Device > New: a device added by SN before its first contact, admitted (it is served when it calls). */
  @Post()
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('device.add', (r) => r.body?.sn, namedInBody('device', 'device', 'sn'))
  async add(@Body() dto: DeviceAddDto) {
    const [d] = await this.devices.toDetails([await this.admin.add(dto.sn, dto.alias)]);
    return ok(d);
  }

  @Post(':sn/approve')
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('device.approve', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async approve(@Param('sn') sn: string) {
    const [d] = await this.devices.toDetails([await this.admin.approve(sn)]);
    return ok(d);
  }

  @Post(':sn/disable')
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('device.disable', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async disable(@Param('sn') sn: string) {
    const [d] = await this.devices.toDetails([await this.admin.disable(sn)]);
    return ok(d);
  }

  @Put(':sn/alias')
  @Audit('device.rename', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async rename(@Param('sn') sn: string, @Body() dto: DeviceRenameDto) {
    const [d] = await this.devices.toDetails([await this.devices.rename(sn, dto.alias, dto.renameDoors === true)]);
    return ok(d);
  }

  @Put(':sn/area')
  @Audit('device.area', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async area(@Param('sn') sn: string, @Body() dto: DeviceMoveDto) {
    const [d] = await this.devices.toDetails([await this.devices.moveToArea(sn, dto.areaCode)]);
    return ok(d);
  }

  @Post(':sn/sync')
  @HttpCode(200)
  @Audit('device.sync', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async sync(@Param('sn') sn: string) {
    return ok(await this.admin.syncAll(sn));
  }

  /** Reboot, set the clock, cancel every door's alarm, ask for options: one command, followed to the panel's Return by its id. */
  @Post(':sn/control')
  @HttpCode(200)
  @RequireRole('operator')
  @Audit('device.control', (r) => `${r.params.sn} ${(r.body as { action?: unknown } | undefined)?.action ?? ''}`, namedBy('device', 'device', 'sn'))
  async sendControl(@Param('sn') sn: string, @Body() dto: DeviceControlDto) {
    return ok(await this.control.control(sn, dto));
  }

  /**
   * An attendance terminal's reboot or the clearing of its punches (which the gateway keeps: the terminal's copy
   * goes), followed to its Return by the id, as a panel's control is.
   */
  @Post(':sn/terminal')
  @HttpCode(200)
  @RequireRole('operator')
  @Audit('device.control', (r) => `${r.params.sn} ${(r.body as { action?: unknown } | undefined)?.action ?? ''}`, namedBy('device', 'device', 'sn'))
  async terminal(@Param('sn') sn: string, @Body() dto: ConsoleTerminalCommandDto) {
    return ok(await this.terminalCommands.send(sn, dto.action));
  }

  /**
   * CVSecurity's "Get attendance records": the terminal uploads its punches of the period again (those it never sent
   * or whose upload was lost), through the REST recovery's own path; followed to its Return by the id.
   */
  @Post(':sn/recover')
  @HttpCode(200)
  @RequireRole('operator')
  @Audit('device.recover', (r) => `${r.params.sn} ${(r.body as { startTime?: unknown } | undefined)?.startTime ?? ''} - ${(r.body as { endTime?: unknown } | undefined)?.endTime ?? ''}`, namedBy('device', 'device', 'sn'))
  async recover(@Param('sn') sn: string, @Body() dto: AttRecoverDto) {
    return ok(await this.terminalCommands.recover(sn, dto, true));
  }

  /**
   * CVSecurity's "Get transactions" of a panel (an elevator or channel controller too): its new records, all, or a
   * period, through the REST call's own path (the period must end by now); followed to its Return, the number of
   * records it sent, by the id.
   */
  @Post(':sn/transactions')
  @HttpCode(200)
  @RequireRole('operator')
  @Audit('device.getTransactions', (r) => transactionsAudited(r.params.sn, r.body), namedBy('device', 'device', 'sn'))
  async getTransactions(@Param('sn') sn: string, @Body() dto: DeviceGetTransactionsDto) {
    return ok(await this.control.getTransactions(sn, dto, true));
  }

  /**
   * Removes the device with its doors, readers, floors or gates (foreign keys cascade, so its confirmed state,
   * owed work and refusals go too) and drops the commands still queued for it: the device service of
   * `DELETE /api/gateway/devices/{sn}`. A device that reconnects later registers as new.
   */
  @Delete(':sn')
  @RequireRole('operator')
  @Audit('device.delete', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async delete(@Param('sn') sn: string) {
    await this.devices.delete(sn);
    return ok(null);
  }

  /** Desired against confirmed, failing items, refused capabilities, skipped persons and owed work (`GET /api/gateway/devices/{sn}/convergence`). */
  @Get(':sn/convergence')
  async convergence(@Param('sn') sn: string) {
    // With the device's connection: commands queued for an offline device wait for its next poll, no Return is
    // on its way (the page says so rather than "waiting for a Return").
    const [c, online] = await Promise.all([this.convergenceOf.ofDevice(sn), this.deviceStatus.isOnlineNow(sn)]);
    return ok({ ...c, online });
  }

  /**
   * CVSecurity's device parameters: what the device declared at registration, the options it reported since and, for
   * an attendance terminal, what its INFO said.
   */
  @Get(':sn/options')
  async options(@Param('sn') sn: string) {
    return ok(await this.control.declared(sn));
  }

  /**
   * CVSecurity's Get Device Option: the device is asked to report its options again, a panel by GET OPTIONS (identity,
   * counts, address, function switches), an attendance terminal by INFO; a query, kept until delivered, followed to its Return by the id.
   */
  @Post(':sn/options')
  @HttpCode(200)
  @RequireRole('operator')
  @Audit('device.options', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async askOptions(@Param('sn') sn: string) {
    const d = await this.devices.requireBySn(sn);
    if (['att', 'facekiosk'].includes(d.kindOverride ?? d.kind)) return ok(await this.terminalCommands.send(sn, 'info'));
    return ok(await this.control.control(sn, { action: 'getOptions' }));
  }

  /**
   * CVSecurity's Device Commands > Clear commands: the commands not yet handed to the device are removed; those it
   * fetched stay until their Return. What removed sync commands carried is not confirmed, so the device reads divergent
   * until a Full sync (DeviceQueueClearService).
   */
  @Post(':sn/commands/clear')
  @HttpCode(200)
  @RequireRole('operator')
  @Audit('device.clearCommands', (r) => r.params.sn, namedBy('device', 'device', 'sn'))
  async clearCommands(@Param('sn') sn: string) {
    return ok(await this.clearing.clear(sn));
  }

  /** The queue, newest first, with each Return code's meaning; `progress` counts what is still to go (a full sync's progress bar); `id` picks one command. */
  @Get(':sn/commands')
  async commands(@Param('sn') sn: string, @Query() q: Record<string, unknown>) {
    await this.devices.requireBySn(sn);
    const state = q.state === undefined || q.state === '' ? undefined : (q.state as QueueState);
    if (state !== undefined && !STATES.includes(state)) throw new CvError(CvCode.InvalidParameter, `state must be one of ${STATES.join(', ')}`);
    const id = q.id === undefined || q.id === '' ? undefined : String(q.id);
    if (id !== undefined && !/^\d{1,18}$/.test(id)) throw new CvError(CvCode.InvalidParameter, 'id must be a command id');
    const page = consolePage(q, 20);
    const [list, progress] = await Promise.all([this.queue.list(sn, state, page.offset, page.size, id), this.status.queueCounts(sn)]);
    // Times as the rest of the console shows them (the gateway's zone), as CVSecurity's Device Commands list has them.
    return ok({ rows: list.rows.map((r) => commandViewIn(r, this.config.timeZone)), total: list.total, page: page.page, size: page.size, progress });
  }
}
