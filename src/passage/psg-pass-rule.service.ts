import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { writeTransaction } from '../common/write-transaction';
import { DeviceStatusService } from '../push/device-status.service';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { gatePassRuleRecord } from '../sync/pass-rules';
import { devicesInDoubt, loadInflight } from '../sync/confirmed-state';
import { itemId, onItsWay as onItsWayOf, passRuleHash } from '../sync/sync-items';
import { readSnapshot } from '../database/snapshot';
import type { WeekSchedule } from '../timeSegment/time-segment.entity';
import { GateService } from './gate.service';

/** A rule stored: whether its `gatepassrule` command was queued, and whether the controller is online to fetch it. */
export interface PassRuleSaved {
  deviceSn: string;
  online: boolean;
  queued: boolean;
}

/** A stored rule with what the controller confirmed of it (sync_item, from its Return codes). */
export interface PassRuleState {
  timeSegName: string;
  timezoneId: number;
  passMode: number;
  /** The controller confirmed holding the rule as stored now (same periods and passing mode). */
  confirmed: boolean;
  confirmedAt: Date | null;
  failures: number;
  lastReturn: number | null;
}

/**
 * Gateway extension: a channel controller's pass rules (`gatepassrule`, 8.16), kept in psg_pass_rule. The
 * database holds the rule; the one planner sends it in the same transaction, confirms it from the Return code,
 * and sends it again after a full sync (registration, factory reset, an operator's full sync).
 */
@Injectable()
export class PsgPassRuleService {
  constructor(
    private readonly ds: DataSource,
    private readonly gates: GateService,
    private readonly status: DeviceStatusService,
    private readonly planner: SyncPlannerService,
  ) {}

  /** One rule per controller and time segment: posting the same segment again replaces its passing mode. */
  async save(sn: string, timeSegName: string, passMode: number): Promise<PassRuleSaved> {
    const device = await this.gates.requireController(sn);
    if (device.admission === 'disabled') throw new CvError(CvCode.Conflict, `Device ${sn} is disabled`);
    const online = await this.status.isOnlineNow(device.sn);
    const queued = await writeTransaction(this.ds, async (m) => {
      const [seg]: Array<{ id: string; tz_id: number }> = await m.query(`SELECT id, tz_id FROM time_segment WHERE name = $1`, [timeSegName]);
      if (!seg) throw new CvError(CvCode.InvalidParameter, `The time segment does not exist: ${timeSegName}`);
      await m.query(
        `INSERT INTO psg_pass_rule (device_id, time_segment_id, pass_mode) VALUES ($1, $2, $3)
         ON CONFLICT (device_id, time_segment_id) DO UPDATE SET pass_mode = EXCLUDED.pass_mode, updated_at = now()`,
        [device.id, seg.id, passMode],
      );
      return this.planner.syncPassRule(m, device.id, Number(seg.tz_id));
    });
    return { deviceSn: device.sn, online, queued: queued > 0 };
  }

  /**
   * The rules with what the controller confirmed of each, read in one snapshot. Confirmed means held as stored now:
   * the Return code of the rule as stored, no command about it on its way (a full sync's clear of the table
   * included), and the controller not in doubt (devicesInDoubt: a factory reset wiped the rule it had confirmed, and
   * until its count or full sync is settled it holds none).
   */
  async list(sn: string): Promise<PassRuleState[]> {
    // Looked up before the snapshot: its connection is the only one an embedded database has.
    const device = await this.gates.requireController(sn);
    return readSnapshot(this.ds, (m) => this.listIn(m, device));
  }

  private async listIn(m: EntityManager, device: { id: string; sn: string }): Promise<PassRuleState[]> {
    const inDoubt = (await devicesInDoubt(m, [device.id])).has(device.id);
    const onItsWay = onItsWayOf((await loadInflight(m, [device.sn], null)).get(device.sn) ?? []);
    const rows: Array<{ name: string; tz_id: number; schedule: WeekSchedule; pass_mode: number; hash: string | null; confirmed_at: Date | null; failures: number | null; last_return: number | null }> =
      await m.query(
        `SELECT ts.name, ts.tz_id, ts.schedule, r.pass_mode, s.hash, s.confirmed_at, s.failures, s.last_return
           FROM psg_pass_rule r JOIN time_segment ts ON ts.id = r.time_segment_id
           LEFT JOIN sync_item s ON s.device_id = r.device_id AND s.kind = 'gatepassrule' AND s.key = ts.tz_id::text
          WHERE r.device_id = $1 ORDER BY ts.tz_id`,
        [device.id],
      );
    return rows.map((r) => {
      // Confirmed means confirmed as stored now: a rule confirmed before its segment's periods changed is not.
      const confirmed =
        r.hash === passRuleHash(gatePassRuleRecord(r.tz_id, r.schedule, r.pass_mode)) && !inDoubt && !onItsWay(itemId('gatepassrule', String(r.tz_id)));
      return { timeSegName: r.name, timezoneId: Number(r.tz_id), passMode: r.pass_mode, confirmed, confirmedAt: confirmed ? r.confirmed_at : null, failures: r.failures ?? 0, lastReturn: r.last_return };
    });
  }
}
