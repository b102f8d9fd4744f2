import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError, NotFoundError } from '../common/cv-error';
import { writeTransaction } from '../common/write-transaction';
import { effectiveKindSql, type DeviceKind } from '../device/device-kind';
import { panelRuleValuesFor, PANEL_RULE_VALUES, type PanelRuleOption, type PanelRuleValue } from '../push/protocol';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { UNKNOWN_HASH } from '../sync/sync-items';

/** Advanced Functions as the console edits them: interlock and antiPassback, each undefined when not given (kept). */
export interface PanelRulesEdit {
  interlock?: number;
  antiPassback?: number;
}

const OPTION_OF: Record<keyof PanelRulesEdit, PanelRuleOption> = { interlock: 'InterLock', antiPassback: 'AntiPassback' };
const MANUAL_OF: Record<PanelRuleOption, string> = { InterLock: 'Appendix 9', AntiPassback: 'Appendix 8' };

/**
 * Where a rule is: `unset` (never set, the panel keeps its own), `held` (the panel confirmed it), `sending` (queued or
 * sent, not confirmed yet), `doubt` (a reply lost or refused: sent again with backoff), `notSent` (a value its doors no
 * longer allow, after a smaller LockCount: kept, sent once the doors are back).
 */
export type RuleState = 'unset' | 'held' | 'sending' | 'doubt' | 'notSent';

export interface PanelRulesRow {
  sn: string;
  name: string;
  lockCount: number;
  lastSeenAt: Date | null;
  interlock: number | null;
  antiPassback: number | null;
  /** The Appendix row's words for each rule set (null: never set). */
  interlockLabel: string | null;
  antiPassbackLabel: string | null;
  interlockState: RuleState;
  antiPassbackState: RuleState;
  /** The Appendix rows this panel's doors allow, for the edit's choices. */
  interlockValues: PanelRuleValue[];
  antiPassbackValues: PanelRuleValue[];
}

type Row = { sn: string; alias: string; lock_count: number; last_seen_at: Date | null; interlock: number | null; anti_passback: number | null; held: Record<string, string> | null };

/**
 * CVSecurity's Access > Advanced Functions > Interlock and Anti-Passback, per access panel: stored on the device row
 * (device.interlock, device.anti_passback) and sent by the one planner (the `advanced` items: SET OPTIONS InterLock=,
 * AntiPassback=) in the edit's transaction, held once the panel returns 0.
 */
@Injectable()
export class PanelRulesService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
  ) {}

  /** Access panels (effective kind acc) with their rules, by name or SN (`like`, anywhere), paged. */
  async page(like: string | undefined, offset: number, size: number): Promise<{ rows: PanelRulesRow[]; total: number }> {
    const where = `${effectiveKindSql('d')} = 'acc' AND ($1::text IS NULL OR d.alias ILIKE $1 OR d.sn ILIKE $1)`;
    const [{ total }]: Array<{ total: string }> = await this.ds.query(`SELECT count(*) AS total FROM device d WHERE ${where}`, [like ?? null]);
    const rows: Row[] = await this.ds.query(
      `SELECT d.sn, d.alias, d.lock_count, d.last_seen_at, d.interlock, d.anti_passback,
              (SELECT jsonb_object_agg(s.key, s.hash) FROM sync_item s WHERE s.device_id = d.id AND s.kind = 'advanced' AND s.hash IS NOT NULL) AS held
         FROM device d WHERE ${where} ORDER BY d.alias, d.sn LIMIT $2 OFFSET $3`,
      [like ?? null, size, offset],
    );
    return { rows: rows.map(rulesRow), total: Number(total) };
  }

  /**
   * Sets a panel's interlock and/or anti-passback (0 clears a rule: None / No APB, sent as such). Only an access
   * panel, and only a value its door count allows (-400 naming the values it takes); the same values again change
   * nothing. Answers the values after the edit, whether they changed and the commands queued for the panel.
   */
  async update(sn: string, edit: PanelRulesEdit): Promise<{ deviceSn: string; interlock: number | null; antiPassback: number | null; changed: boolean; queued: number }> {
    return writeTransaction(this.ds, async (m) => {
      const [d]: Array<{ id: string; kind: DeviceKind; lock_count: number; interlock: number | null; anti_passback: number | null }> = await m.query(
        `SELECT d.id, ${effectiveKindSql('d')} AS kind, d.lock_count, d.interlock, d.anti_passback FROM device d WHERE d.sn = $1 FOR UPDATE`,
        [sn],
      );
      if (!d) throw new NotFoundError(`The device ${sn}`, CvCode.NotFound);
      if (d.kind !== 'acc')
        throw new CvError(CvCode.InvalidParameter, `${sn} is ${KIND_NAMES[d.kind]}: interlock and anti-passback are an access panel's (its doors' options)`);
      for (const k of Object.keys(OPTION_OF) as Array<keyof PanelRulesEdit>) {
        const v = edit[k];
        if (v === undefined) continue;
        const allowed = panelRuleValuesFor(OPTION_OF[k], Number(d.lock_count));
        if (allowed.some((a) => a.value === v)) continue;
        const row = PANEL_RULE_VALUES[OPTION_OF[k]].find((a) => a.value === v);
        const why = row ? `"${row.label}" needs a panel of ${row.doors} doors; ${sn} has ${d.lock_count}` : `${v} is no value of ${MANUAL_OF[OPTION_OF[k]]}`;
        throw new CvError(CvCode.InvalidParameter, `${k}: ${why} (it takes ${allowed.map((a) => a.value).join(', ')})`);
      }
      const interlock = edit.interlock ?? d.interlock;
      const antiPassback = edit.antiPassback ?? d.anti_passback;
      const changed = interlock !== d.interlock || antiPassback !== d.anti_passback;
      if (changed) await m.query(`UPDATE device SET interlock = $2, anti_passback = $3, updated_at = now() WHERE id = $1`, [d.id, interlock, antiPassback]);
      // Planned whether or not this edit changed them: a rule its panel lost (a refusal since lifted) goes with the next save.
      const queued = await this.planner.syncPanelRules(m, d.id);
      return { deviceSn: sn, interlock, antiPassback, changed, queued };
    });
  }
}

const KIND_NAMES: Record<DeviceKind, string> = {
  acc: 'an access panel',
  att: 'an attendance terminal',
  facekiosk: 'a FaceKiosk',
  ele: 'an elevator controller',
  psg: 'a channel (entrance-control) controller',
};

const labelOf = (option: PanelRuleOption, v: number | null): string | null => (v === null ? null : (PANEL_RULE_VALUES[option].find((a) => a.value === v)?.label ?? String(v)));

function rulesRow(r: Row): PanelRulesRow {
  const lockCount = Number(r.lock_count);
  const state = (option: PanelRuleOption, v: number | null): RuleState => {
    if (v === null) return 'unset';
    if (!panelRuleValuesFor(option, lockCount).some((a) => a.value === v)) return 'notSent';
    const held = r.held?.[option];
    return held === String(v) ? 'held' : held === UNKNOWN_HASH ? 'doubt' : 'sending';
  };
  return {
    sn: r.sn,
    name: r.alias,
    lockCount,
    lastSeenAt: r.last_seen_at,
    interlock: r.interlock,
    antiPassback: r.anti_passback,
    interlockLabel: labelOf('InterLock', r.interlock),
    antiPassbackLabel: labelOf('AntiPassback', r.anti_passback),
    interlockState: state('InterLock', r.interlock),
    antiPassbackState: state('AntiPassback', r.anti_passback),
    interlockValues: panelRuleValuesFor('InterLock', lockCount),
    antiPassbackValues: panelRuleValuesFor('AntiPassback', lockCount),
  };
}
