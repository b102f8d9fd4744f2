import { Injectable } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import type { Page } from '../common/paging';
import { effectiveKindSql } from '../device/device-kind';
import type { DeviceConnection } from '../door/door-state';
import { Door } from '../door/door.entity';
import { CommandQueueService } from '../push/command-queue.service';
import { DeviceStatusService } from '../push/device-status.service';
import { openGate, resetGateCounters, type GateCounter, type GateDirection } from '../push/protocol';
import { requireOnlineFor, type QueuedDoorCommand } from '../door/door-control.service';
import { gateStateTexts, type GateStateTexts } from './gate-state';
import { readSnapshot } from '../database/snapshot';
import { codeText } from '../common/whole-number';
import { wherePoint, type PointFilter } from '../common/point-filter';

export const OpenTypeEmpty = -265;
export const OpenTypeInvalid = -266;

/** A channel controller's event 110: the gate is not connected (2.34.1). */
export const GATE_NOT_CONNECTED = 110;

/** Seconds a remote gate opening lasts: one passage. */
export const GATE_OPEN_SECONDS = 5;

/** openType 1 = entry, 2 = exit (2.31.7); also the words, as clients send them. */
export function parseOpenType(raw: string | undefined): GateDirection {
  if (raw === undefined || raw.trim() === '') throw new CvError(OpenTypeEmpty, 'The Open Gate Type cannot empty');
  const v = codeText(raw).toLowerCase();
  if (v === '1' || v === 'entry' || v === 'in') return 'entry';
  if (v === '2' || v === 'exit' || v === 'out') return 'exit';
  throw new CvError(OpenTypeInvalid, 'Open Gate Type incorrect');
}

export interface GateCounters {
  irstate: number;
  irsenseCount: number | null;
  inCount: number | null;
  outCount: number | null;
  alarmCount: number | null;
  runCount: number | null;
  reportedAt: Date;
}

/**
 * Gates of channel controllers (2.31): each door of a device of kind `psg` is a gate, with the door's in and
 * out readers. Reads, state from what the controller reported, remote opening in a direction, and the
 * controller's counters (`table=irstate`, reset with `CONTROL DEVICE 10`).
 */
@Injectable()
export class GateService {
  constructor(
    private readonly ds: DataSource,
    private readonly queue: CommandQueueService,
    private readonly status: DeviceStatusService,
  ) {}

  private visible(): SelectQueryBuilder<Door> {
    return this.ds
      .getRepository(Door)
      .createQueryBuilder('door')
      .innerJoinAndSelect('door.device', 'device')
      .where(`device.admission <> 'pending' AND ${effectiveKindSql('device')} = 'psg'`)
      .orderBy('device.createdAt', 'ASC')
      .addOrderBy('device.sn', 'ASC')
      .addOrderBy('door.doorNo', 'ASC');
  }

  /** 2.31.5 / 2.31.6 (and allGateState, unnarrowed): narrowed to a gate name and a controller SN when given (exact). */
  async list(page?: Page, only: PointFilter = {}): Promise<{ rows: Door[]; total: number }> {
    const qb = wherePoint(this.visible(), { name: 'door.name', sn: 'device.sn' }, only);
    if (page) qb.skip(page.offset).take(page.pageSize);
    const [rows, total] = await readSnapshot(this.ds, (m) => qb.setQueryRunner(m.queryRunner!).getManyAndCount());
    return { rows, total };
  }

  async requireById(id: string | undefined): Promise<Door> {
    if (!id) throw new CvError(CvCode.InvalidParameter, 'The gate id is required');
    const g = await this.visible().andWhere('door.id = :id', { id }).getOne();
    if (!g) throw new CvError(CvCode.NotFound, `Gate does not exist: ${id}`);
    return g;
  }

  async requireByName(name: string | undefined): Promise<Door> {
    if (!name) throw new CvError(CvCode.InvalidParameter, 'The gate name is required');
    const g = await this.visible().andWhere('door.name = :name', { name }).getOne();
    if (!g) throw new CvError(CvCode.NotFound, `Gate does not exist: ${name}`);
    return g;
  }

  async bySn(sn: string | undefined): Promise<Door[]> {
    if (!sn) throw new CvError(CvCode.DeviceSnNull, "Device serial number can't be null");
    const rows = await this.visible().andWhere('device.sn = :sn', { sn }).getMany();
    if (rows.length === 0) {
      const [known] = await this.ds.query(`SELECT 1 FROM device d WHERE d.sn = $1 AND ${effectiveKindSql('d')} = 'psg' AND d.admission <> 'pending'`, [sn]);
      if (!known) throw new CvError(CvCode.NotFound, `Device does not exist: ${sn}`);
    }
    return rows;
  }

  connectionOf(gate: Door): DeviceConnection {
    const device = gate.device!;
    if (device.admission === 'disabled') return 'disabled';
    return this.status.isOnline(device) ? 'online' : 'offline';
  }

  /** The state of each gate (2.31.1-2.31.3), in the order given. */
  async statesOf(gates: readonly Door[]): Promise<GateStateTexts[]> {
    const lost = await this.lostGates(gates);
    return gates.map((g) => gateStateTexts(g, this.connectionOf(g), lost.has(g.id)));
  }

  /**
   * The gates whose controller's latest event at them (by event time) is 110, "The Gate is not connected" (2.34.1's
   * example; the channel controller's sense of 110, cvsecurity-event-names.ts): their gateState is "0", as 2.31.1
   * defines it ("device is not connect to entrance control gate"), though the controller itself is online. Any
   * later event at the gate (a passage, an alarm, the gate's restart) is the gate heard from again. The gateState
   * said "1" after a 110, so a client watching it missed the gate gone. One index probe per gate (module,
   * device_sn, event_time), newest first; a controller has a handful of gates.
   */
  private async lostGates(gates: readonly Door[]): Promise<Set<string>> {
    if (gates.length === 0) return new Set();
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT g.id FROM unnest($1::text[], $2::text[], $3::int[]) AS g(id, sn, door_no)
       WHERE (SELECT t.event_no FROM module_transaction t
              WHERE t.module = 'psg' AND t.device_sn = g.sn AND t.door_no = g.door_no
              ORDER BY t.event_time DESC, t.id DESC LIMIT 1) = ${GATE_NOT_CONNECTED}`,
      [gates.map((g) => g.id), gates.map((g) => g.device!.sn), gates.map((g) => g.doorNo)],
    );
    return new Set(rows.map((r) => r.id.trim()));
  }

  /** 2.31.7 / 2.31.8: one passage in the direction (entry: the gate's lock output; exit: its auxiliary output). */
  async remoteOpen(gate: Door, openType: string | undefined): Promise<QueuedDoorCommand> {
    const direction = parseOpenType(openType);
    return this.send(gate.device!.sn, gate.device!.admission, openGate(gate.doorNo, direction, GATE_OPEN_SECONDS));
  }

  async counters(sn: string): Promise<GateCounters | null> {
    const [row] = await this.ds.query(
      `SELECT c.irstate, c.irsense_count, c.in_count, c.out_count, c.alarm_count, c.run_count, c.reported_at
         FROM psg_counter c JOIN device d ON d.id = c.device_id WHERE d.sn = $1`,
      [sn],
    );
    if (!row) return null;
    return { irstate: row.irstate, irsenseCount: row.irsense_count, inCount: row.in_count, outCount: row.out_count, alarmCount: row.alarm_count, runCount: row.run_count, reportedAt: row.reported_at };
  }

  /** Gateway extension: reset counters on the controller (`CONTROL DEVICE 10 0n`). */
  async resetCounters(sn: string, which: GateCounter): Promise<QueuedDoorCommand> {
    const device = await this.requireController(sn);
    return this.send(device.sn, device.admission, resetGateCounters(which));
  }

  /** A channel controller that is not awaiting approval (pass rules, counters). */
  async requireController(sn: string): Promise<{ id: string; sn: string; admission: string }> {
    const [device] = await this.ds.query(`SELECT id, sn, admission FROM device d WHERE d.sn = $1 AND ${effectiveKindSql('d')} = 'psg' AND d.admission <> 'pending'`, [sn]);
    if (!device) throw new CvError(CvCode.NotFound, `No channel controller with SN ${sn}`);
    return device;
  }

  /** An action (opening a gate, resetting counters): to an online controller only, dropped when it comes back late. */
  private async send(sn: string, admission: string, command: string): Promise<QueuedDoorCommand> {
    if (admission === 'disabled') throw new CvError(CvCode.Conflict, `Device ${sn} is disabled`);
    const online = await this.status.isOnlineNow(sn);
    requireOnlineFor(online, sn);
    // The command's id lets the console follow it to the controller's Return (answered late, refused, or never).
    const { validSeconds, commandId } = await this.ds.transaction(async (m) => {
      const valid = await this.queue.enqueueAction(m, sn, command);
      return { validSeconds: valid, commandId: await this.queue.lastQueuedId(m, sn) };
    });
    return { deviceSn: sn, online, validSeconds, commandId };
  }
}
