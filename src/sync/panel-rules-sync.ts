/**
 * Advanced Functions (Interlock, Anti-Passback) as the planner reads them: the `advanced` device items of an access
 * panel, one per option an operator set (device.interlock, device.anti_passback), keyed by the option's name, its
 * hash the value. A panel never set has none and is sent nothing; a value its doors no longer allow (a smaller
 * LockCount since) is kept on its row but not sent, until its doors are back.
 */
import { panelRuleValuesFor, type PanelRuleOption, type PanelRuleRecord } from '../push/protocol';
import { read, type Read } from '../database/read-together';
import { effectiveKindSql } from '../device/device-kind';

export type PanelRulesRow = { id: string; lock_count: number; interlock: number | null; anti_passback: number | null };

/** The rules set on these devices that are access panels (never an elevator or channel controller, or a terminal). */
export function panelRulesRead(deviceIds: readonly string[]): Read<PanelRulesRow[]> {
  return read(
    `SELECT d.id, d.lock_count, d.interlock, d.anti_passback FROM device d
      WHERE d.id = ANY($1) AND ${effectiveKindSql('d')} = 'acc' AND (d.interlock IS NOT NULL OR d.anti_passback IS NOT NULL)`,
    [deviceIds],
    (rows: PanelRulesRow[]) => rows,
  );
}

/** A panel's row as the options it is sent: each one set and valid for its doors. */
export function panelRuleRecords(r: PanelRulesRow): PanelRuleRecord[] {
  const out: PanelRuleRecord[] = [];
  const add = (option: PanelRuleOption, v: number | null) => {
    if (v !== null && panelRuleValuesFor(option, Number(r.lock_count)).some((x) => x.value === Number(v))) out.push({ option, value: Number(v) });
  };
  add('AntiPassback', r.anti_passback);
  add('InterLock', r.interlock);
  return out;
}
