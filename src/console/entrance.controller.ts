import { Body, Get, HttpCode, Req, Res, Inject, Param, Post, Query } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { queuedDetail } from '../door/door-control.service';
import { DeviceService } from '../device/device.service';
import { ModuleTransactionService } from '../elevator/module-transaction.service';
import { GateService } from '../passage/gate.service';
import type { GateCounter } from '../push/protocol';
import { PsgPassRuleService } from '../passage/psg-pass-rule.service';
import { TransactionService } from '../transaction/transaction.service';
import { eventFilter } from './console-filter';
import type { FastifyReply } from 'fastify';
import { ConsoleAuditService } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { exportModuleEvents } from './module-events-csv';
import { ConsoleController } from './console-http';
import { consolePage, servicePage } from './console-paging';
import { Audit, namedBy } from './console-roles';
import { devicesOfKind } from './module-devices';

const COUNTERS: readonly GateCounter[] = ['in', 'out', 'alarm', 'all'];

/**
 * Entrance control: channel controllers with the counters they report (`table=irstate`), gates with their
 * state, remote opening for one passage in a direction (entry or exit), and entrance-control events.
 */
@ConsoleController('entrance')
export class ConsoleEntranceController {
  constructor(
    private readonly devices: DeviceService,
    private readonly gates: GateService,
    private readonly passRules: PsgPassRuleService,
    private readonly events: ModuleTransactionService,
    private readonly transactions: TransactionService,
    private readonly audit: ConsoleAuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The controllers with their last counters; `reportedAt` a wall clock in the server's TIME_ZONE like every
   * other time of the console (Last seen beside it): read in the browser's zone, a report older than the last
   * contact could read as newer than it.
   */
  @Get('controllers')
  async controllers() {
    const list = await devicesOfKind(this.devices, 'psg');
    const counters = await Promise.all(list.map((d) => this.gates.counters(d.sn)));
    return ok(list.map((d, i) => {
      const c = counters[i];
      return { ...d, counters: c && { ...c, reportedAt: formatCvDateTime(c.reportedAt, this.config.timeZone) } };
    }));
  }

  /** The controller's pass rules, each with whether it confirmed holding it as stored now (REST's psgDevice/{sn}/passRules). */
  @Get('controllers/:sn/pass-rules')
  async passRuleList(@Param('sn') sn: string) {
    const rules = await this.passRules.list(sn.trim());
    return ok(rules.map((r) => ({ ...r, confirmedAt: formatCvDateTime(r.confirmedAt, this.config.timeZone) })));
  }

  /**
   * A pass rule: the controller's passing mode during a time segment, stored and sent in one transaction by the service
   * of REST's psgDevice/{sn}/passRule (the same segment again replaces its mode).
   */
  @Post('controllers/:sn/pass-rules')
  @HttpCode(200)
  @Audit('psgDevice.passRule', (r) => `${r.params.sn} ${r.body?.timeSegName ?? ''} ${r.body?.passMode ?? ''}`.trim(), namedBy('device', 'device', 'sn'))
  async savePassRule(@Param('sn') sn: string, @Body() body: { timeSegName?: unknown; passMode?: unknown } | undefined) {
    const seg = typeof body?.timeSegName === 'string' ? body.timeSegName.trim() : '';
    if (!seg) throw new CvError(CvCode.InvalidParameter, 'timeSegName: choose a time segment');
    const mode = typeof body?.passMode === 'string' && body.passMode.trim() !== '' ? Number(body.passMode) : body?.passMode;
    // The manual does not define the modes: any byte is passed through, as the REST call takes it.
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 255) throw new CvError(CvCode.InvalidParameter, 'passMode: a whole number from 0 to 255');
    const saved = await this.passRules.save(sn.trim(), seg, mode);
    const detail = saved.queued
      ? saved.online
        ? `the rule is stored and queued for ${saved.deviceSn}`
        : `the rule is stored; ${saved.deviceSn} is offline and receives it when it polls again`
      : `the rule is stored; nothing was sent to ${saved.deviceSn}: its firmware refused the gatepassrule table (see its convergence)`;
    return ok(saved, detail);
  }

  /** Resets the controller's in, out or alarm counter, or all of them (CONTROL DEVICE 10, REST's psgDevice/{sn}/resetCounters). */
  @Post('controllers/:sn/reset-counters')
  @HttpCode(200)
  @Audit('psgDevice.resetCounters', (r) => `${r.params.sn} ${r.body?.counter ?? 'all'}`, namedBy('device', 'device', 'sn'))
  async resetCounters(@Param('sn') sn: string, @Body() body: { counter?: unknown } | undefined) {
    const counter = body?.counter ?? 'all';
    if (!COUNTERS.includes(counter as GateCounter)) throw new CvError(CvCode.InvalidParameter, 'counter must be in, out, alarm or all');
    const queued = await this.gates.resetCounters(sn.trim(), counter as GateCounter);
    return ok(queued, queuedDetail(queued));
  }

  @Get('gates')
  async gateList() {
    const { rows } = await this.gates.list();
    const states = await this.gates.statesOf(rows);
    return ok(rows.map((g, i) => ({ id: g.id, name: g.name, gateNo: g.doorNo, sn: g.device!.sn, controller: g.device!.alias, ...states[i] })));
  }

  /** One passage through the gate: `direction` entry (1) or exit (2), as openType of 2.31.7. */
  @Post('gates/:id/open')
  @HttpCode(200)
  @Audit('gate.open', (r) => `${r.params.id} ${r.body?.direction ?? ''}`.trim(), namedBy('gate', 'door'))
  async open(@Param('id') id: string, @Body() body: { direction?: unknown } | undefined) {
    const gate = await this.gates.requireById(id);
    const queued = await this.gates.remoteOpen(gate, typeof body?.direction === 'string' ? body.direction : undefined);
    return ok({ gate: gate.name, ...queued }, queuedDetail(queued));
  }

  @Get('events')
  async eventList(@Query() q: Record<string, unknown>) {
    const p = consolePage(q);
    const r = await this.events.listPsgV2(eventFilter(q, this.transactions), servicePage(p));
    return ok({ rows: r.data, total: r.total, page: p.page, size: p.size });
  }

  /** The entrance-control events the filters list, as CSV (CVSecurity's Export of its transactions). */
  @Get('events/csv')
  async csv(@Query() q: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    await exportModuleEvents({ events: this.events, transactions: this.transactions, audit: this.audit }, 'psg', q, req, reply);
  }
}
