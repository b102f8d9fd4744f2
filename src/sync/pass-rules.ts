/**
 * Channel controllers' pass rules (psg_pass_rule) as the planner reads them: the `gatepassrule` record each
 * controller should hold. PasswayTimeZoneId is the time segment's TimezoneId, and each weekday period of the
 * segment carries the rule's passing mode (gatepassrule has no holiday types). The periods are read from the
 * segment at plan time, so an edited segment changes the record, and its hash, without touching the rule.
 */
import { effectiveKindSql } from '../device/device-kind';
import { GATE_PASS_DAYS, type GatePassRuleRecord } from '../push/protocol';
import type { WeekSchedule } from '../timeSegment/time-segment.entity';
import { read, type Read } from '../database/read-together';
import { toWeeklySchedule } from './sync-commands';

export interface PassRuleRow {
  device_id: string;
  tz_id: number;
  schedule: WeekSchedule;
  pass_mode: number;
}

export function gatePassRuleRecord(tzId: number, schedule: WeekSchedule, passMode: number): GatePassRuleRecord {
  const weekly = toWeeklySchedule(schedule);
  const days = Object.fromEntries(GATE_PASS_DAYS.map((d) => [d, (weekly[d] ?? []).map((p) => ({ ...p, passMode }))]));
  return { passwayTimezoneId: Number(tzId), days };
}

/** The rules of these devices (channel controllers only), with their segments' periods. */
export function passRulesRead(deviceIds: readonly string[]): Read<PassRuleRow[]> {
  return read(
    `SELECT r.device_id, ts.tz_id, ts.schedule, r.pass_mode FROM psg_pass_rule r JOIN time_segment ts ON ts.id = r.time_segment_id
       JOIN device d ON d.id = r.device_id AND ${effectiveKindSql('d')} = 'psg'
      WHERE r.device_id = ANY($1)`,
    [deviceIds],
    (rows: PassRuleRow[]) => rows,
  );
}
