import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '../common/ids';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { floorInUseSql } from '../elevator/floor-in-use';
import { effectiveKindSql } from '../device/device-kind';
import type { CommandOutcome } from '../push/command-outcome';
import { FOR_GOOD_SQL, HOLDS_WRITES_SQL, loadRefusals, loadRefusalsDue, probeIntervalSql } from '../push/device-refusals';
import { REFUSAL_CODES, refusalKey } from '../push/protocol/refusals';
import { DeviceRegistryService, type DeviceKindChangedEvent, type DeviceRegisteredEvent } from '../push/device-registry.service';
import { dataDelete, dataQuery } from '../push/protocol';
import { excludedOf, insertOf, intoOf, listOf } from '../database/columns';
import { afterCommit } from '../database/after-commit';
import { asLeader } from '../database/leader';
import { authRows, backoffMs, countedItemKind, countsRightsRows, DEVICE_KINDS, expectedRows, MEMBER_KINDS, isLearntTable, isOwnTable, isPhotoTable, UNKNOWN_HASH, type CountedKind, type ItemKind, type LearntTable, type SyncRef } from './sync-items';
import { AttendanceSyncService } from './attendance-sync.service';
import { forgetHeld, SyncConfirmation } from './sync-confirm';
import { SyncPlannerService } from './sync-planner.service';
import { SyncItem, SyncOwed } from './sync-state.entity';
import { boardReplacement, dialectOf, oldDialectCleanup, registrationStorageChanges, type HeldBeforeSwitch } from './device-dialect';
import { CommandQueueService } from '../push/command-queue.service';
import { FactoryResetService } from '../push/factory-reset.service';
import { PUSH_SETTINGS, type PushSettings } from '../push/push-settings';
import { stopWorker } from '../common/stop-worker';
import { heldKeysOf } from './held-pins';

/**
 * A failing item neither held (hash NULL) nor waiting for a retry (next_try_at NULL): nothing would plan or drop it
 * again, and it kept its device divergent for ever (a refused delete of a person who left a reset panel, released by
 * a probe or by a retry pass racing the count that emptied the table). The divergent pass drops it as one whose
 * backoff ended, and plans the device (which sends it if it is still desired). SQL over sync_item.
 */
const STRANDED = `next_try_at IS NULL AND hash IS NULL AND skipped IS NULL`;
/** Advisory lock key of the reconciler leader (one process at a time when several share the database). */
export const LEADER_LOCK = 7330010;
/** Pins of withdrawn writes a count carries by name (SyncRef.replan); more, and the whole device is planned again. */
const REPLAN_LISTED = 1000;
/** Items re-planned per pass for divergent devices, and owed jobs per pass. */
const DIVERGENT_BATCH = 5000;
const OWED_BATCH = 20;
/** Devices probed per pass (a refusal for good whose probe is due: device-refusals.ts, RefusalProbe). */
const PROBE_BATCH = 20;
/** Moves the due refusals for good of device $1 one current interval ahead ($2, $3: base and max ms); answers them. */
const PROBED = `WITH p AS (UPDATE device_refusal r SET probe_at = now() + ${probeIntervalSql('r.refusals', 'r.return_code', '$2', '$3')}
    WHERE r.device_id = $1 AND r.probe_at <= now() AND ${FOR_GOOD_SQL} AND ${HOLDS_WRITES_SQL} RETURNING r.what, r.refusals) SELECT what, refusals FROM p`;
/** A verification of device $1 asked again $2 seconds on: one already owed stays as it is. */
const OWE_VERIFY_LATER = `INSERT INTO ${intoOf(SyncOwed, ['deviceId', 'kind', 'nextTryAt'])} VALUES ($1, 'verify', now() + make_interval(secs => $2))
  ON CONFLICT (${listOf(SyncOwed, ['deviceId', 'kind'])}) DO NOTHING`;
/**
 * The periodic pin check of device $1 owed again (its query got no whole answer): due at once, so the verification
 * owed after it (OWE_VERIFY_LATER, verifyDevice) or the next periodic one asks the query too, not only the counts,
 * which a user swapped at the menu leaves as they were. Not on a panel whose pin period has not started.
 */
const PINS_OWED = `UPDATE sync_verify SET pins_at = '-infinity' WHERE device_id = $1 AND pins_at IS NOT NULL`;
/** Owed work: device $1, kind $2; a newer full sync restarts from the beginning. */
const OWE_JOB = `INSERT INTO ${insertOf(SyncOwed, ['deviceId', 'kind'])}
  ON CONFLICT (${listOf(SyncOwed, ['deviceId', 'kind'])}) DO UPDATE SET cursor = NULL, plan = NULL, attempts = 0, next_try_at = now(), last_error = NULL`;

interface OwedJob {
  device_id: string;
  kind: string;
  cursor: string | null;
  attempts: number;
}

/**
 * The reconciler: brings devices back to the database when something went wrong or is owed.
 *   - Registration / approval record owed work in their own transaction (sync_owed): `full` for a device
 *     just admitted or with nothing confirmed (clear with `*`, resend everything, in pages), `verify` for a
 *     re-registration (confirmed state is in doubt: plan its time zones and holidays again and ask `DATA COUNT user` / `userauthorize`;
 *     a count that cannot match what the device confirmed — factory reset, users or rights rows deleted at the panel —
 *     makes a full sync owed). An approval followed by the device's registration owes ONE full sync.
 *   - Periodically (SYNC_RECONCILE_INTERVAL_MS): owed work that is due, items whose backoff ended
 *     (refused or unanswered commands), planned again, and devices with a refusal for good whose probe is due
 *     (SYNC_REFUSAL_PROBE_MS, doubling per refusal), planned again against their whole desired state.
 *   - Panels that stay connected are counted too, every SYNC_VERIFY_INTERVAL_MS (SyncVerifier, its own
 *     leader): the answer comes to `verified` below like a re-registration's.
 * One process leads at a time (pg_try_advisory_lock); each job is its own bounded transaction.
 */
@Injectable()
export class SyncReconciler implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('SyncReconciler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Devices whose registration recorded owed work: the pass runs right after that commit. */
  private readonly owedNow = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    private readonly registry: DeviceRegistryService,
    private readonly planner: SyncPlannerService,
    private readonly attendance: AttendanceSyncService,
    private readonly confirmation: SyncConfirmation,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: CommandQueueService,
    private readonly resets: FactoryResetService,
    // The probe's interval as recordRefusals sets it (one setting: a refusal and its probe back off alike).
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
  ) {}

  onModuleInit(): void {
    this.registry.onRegisteredInTransaction((m, e) => this.owe(m, e));
    this.registry.onKindChangedInTransaction((m, e) => this.kindChanged(m, e));
    this.registry.onRegistered((e) => {
      if (this.owedNow.delete(e.deviceId)) this.kick();
    });
    this.confirmation.onVerify((m, deviceId, outcome, ref) => this.verified(m, deviceId, outcome, ref));
    // A factory reset the panel reported (event 6016) emptied its tables as a count would find them: a full sync is
    // owed, as after a count that cannot match (verifiedCount), in the transaction that saw the event. One stored
    // before (posted again, or a second reset under the same index and time) is counted, in that transaction: the
    // count tells the two apart (SyncRef.reset: one that gives no number owes the full sync), unless a full sync
    // not started yet will rewrite the panel anyway. A firmware that refuses every count for good owes it at once.
    this.resets.onResetInTransaction(async (m, e) => {
      if (e.seenBefore) {
        const [fresh]: unknown[] = await m.query(`SELECT 1 FROM sync_owed WHERE device_id = $1 AND kind = 'full' AND cursor IS NULL`, [e.deviceId]);
        if (fresh || (await this.planner.queueVerify(m, e.sn, undefined, { reset: true }))) return;
      }
      await oweJob(m, e.deviceId, 'full');
      afterCommit(m, () => this.kick());
    });
    if (this.config.syncReconcileIntervalMs > 0) {
      this.timer = setInterval(() => this.kick(), this.config.syncReconcileIntervalMs);
      this.timer.unref();
    }
  }

  // Before the DataSource closes (stop-worker.ts).
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await stopWorker([this.timer], this.running);
  }

  /**
   * Work owed because of a registration or an approval, in that transaction:
   * - a device admitted now, or registering for the first time, is cleared and sent everything (full sync), also when
   *   it should hold nothing yet (DEVICE_CLEAR_ON_ADD, CVSecurity's "clear data in the device when adding"): a panel
   *   from another site keeps users and cards that would open doors the database grants nobody;
   * - a device registering again is checked (verify: planned again, and counted; writes waiting for it are withdrawn
   *   and planned again after its count, countFirst), or fully synced when it holds
   *   nothing confirmed and should hold something (without DEVICE_CLEAR_ON_ADD, a device that holds nothing confirmed
   *   and should hold nothing owes nothing);
   * - a device registering again with options that change how it stores records (device-dialect.ts,
   *   storesDifferently: cards in mulcarduser, another date format, other template tables...) no longer holds what
   *   it confirmed in the gateway's terms: that confirmed state is dropped and a full sync is owed (restarted from
   *   its first page if one was under way), so everything is cleared and written again in its new dialect;
   * - a device registering again from another board (its MAC changed: a panel swapped for a spare under the same SN,
   *   device-dialect.ts boardReplacement) is treated the same way: the spare may hold another site's users, as many as
   *   the old board confirmed, which the counts of a verification would take for ours.
   */
  async owe(m: EntityManager, e: DeviceRegisteredEvent): Promise<void> {
    const changes = e.registration ? registrationStorageChanges(e.registration.before, e.registration.after) : [];
    const board = e.registration ? boardReplacement(e.registration.before, e.registration.after) : null;
    if (board) changes.unshift(`another board: ${board}`);
    if (changes.length > 0) {
      // What the old dialect's tables hold is deleted first, as the old dialect deletes it (oldDialectCleanup): the
      // pins come from the confirmed state about to be dropped.
      const held: Array<{ kind: 'bio' | 'photo'; key: string; failures: number }> = await m.query(
        `SELECT kind, key, failures FROM sync_item WHERE device_id = $1 AND kind IN ('bio', 'photo') AND hash IS NOT NULL`,
        [e.deviceId],
      );
      const cleanup = oldDialectCleanup(
        dialectOf(null, e.registration!.before),
        dialectOf(null, e.registration!.after),
        held.map((h): HeldBeforeSwitch => ({ kind: h.kind, pin: h.key, failing: h.failures > 0 })),
      );
      if (cleanup.length > 0) await this.queue.enqueue(m, e.sn, cleanup);
      await m.query(`DELETE FROM sync_item WHERE device_id = $1`, [e.deviceId]);
      await oweJob(m, e.deviceId, 'full');
      this.owedNow.add(e.deviceId);
      this.log.warn(`device ${e.sn} is another board or stores records differently now (${changes.join(', ')}): what it confirmed is dropped; ${cleanup.length} delete(s) for its old tables queued; a full sync is owed`);
      return;
    }
    const [state]: Array<{ full_owed: boolean; known: boolean; needed: boolean; synced_before: boolean; backlog: boolean }> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM sync_owed WHERE device_id = $1 AND kind = 'full') AS full_owed,
              EXISTS (SELECT 1 FROM device_command WHERE device_sn = $2 AND state IN ('pending', 'sent') AND meta ? 'sync' AND NOT meta ? 'verify') AS backlog,
              EXISTS (SELECT 1 FROM sync_item WHERE device_id = $1 AND hash IS NOT NULL)
           OR EXISTS (SELECT 1 FROM device_command WHERE device_sn = $2 AND state IN ('pending', 'sent') AND meta ? 'sync') AS known,
              EXISTS (SELECT 1 FROM acc_level_door ld JOIN door d ON d.id = ld.door_id WHERE d.device_id = $1)
           OR EXISTS (SELECT 1 FROM holiday)
           -- A floor of an elevator level, or a gate of an entrance-control level, on this controller.
           OR EXISTS (SELECT 1 FROM ele_level_floor lf JOIN floor f ON f.id = lf.floor_id WHERE f.device_id = $1 AND ${floorInUseSql('f')})
           OR EXISTS (SELECT 1 FROM psg_level_gate lg JOIN door d ON d.id = lg.gate_id WHERE d.device_id = $1)
           -- A pass rule of this channel controller.
           OR EXISTS (SELECT 1 FROM psg_pass_rule WHERE device_id = $1)
           -- An attendance terminal or kiosk whose area has members.
           OR EXISTS (SELECT 1 FROM att_area_person ap JOIN device d ON d.area_id = ap.area_id AND d.id = $1
                       AND ${effectiveKindSql('d')} = CASE ap.module WHEN 'att' THEN 'att' ELSE 'facekiosk' END) AS needed,
              -- Sync commands sent before its first registration: the approval's full sync (one per admission).
              EXISTS (SELECT 1 FROM device_command WHERE device_sn = $2 AND meta ? 'sync') AS synced_before`,
      [e.deviceId, e.sn],
    );
    if (state.full_owed) return;
    // Doors gone with a smaller LockCount: the members of their access levels get their rights on this panel planned
    // again (the bits of those doors leave its rights rows), as a door taken out of a level would; an entrance-control
    // level's gate is planned by its module's rules, so a channel controller that lost gates of levels is fully synced.
    if (e.droppedLevels?.psg.length) {
      await oweJob(m, e.deviceId, 'full');
      this.owedNow.add(e.deviceId);
      return;
    }
    for (const level of e.droppedLevels?.acc ?? []) await this.planner.syncLevel(m, level);
    const added = e.admittedNow || (e.first && !state.synced_before);
    if (!state.known && !state.needed) {
      // Without DEVICE_CLEAR_ON_ADD such a device is left alone; the periodic count (SyncVerifier) still finds users on it.
      if (!this.config.deviceClearOnAdd) return;
      await oweJob(m, e.deviceId, added ? 'full' : 'verify');
    } else {
      const kind = e.admittedNow || !state.known ? 'full' : 'verify';
      if (kind === 'verify' && state.backlog && (await this.countFirst(m, e))) return;
      await oweJob(m, e.deviceId, kind);
      // Commands still waiting for it that countFirst left (a full sync's pages, its clears) run before its count.
      // Its time zones and holidays, which no count shows, are sent again after them (a few commands).
      if (kind === 'verify' && state.backlog) await this.planner.resendDeviceItems(m, e.deviceId);
    }
    this.owedNow.add(e.deviceId);
  }

  /**
   * A panel registering again while writes wait for it (it was offline while integrators wrote) may have been reset
   * meanwhile. Those writes were planned against what it confirmed before; run ahead of its count, they reached a
   * reset panel only to be cleared by the full sync the count then owed (deletes of users it no longer held, rights of
   * users it lacked), and they widened the count: a user the reset took and one a waiting write put back cancelled out
   * whenever the count's result was read before the write's (results posted out of order, or lost), so the panel was
   * said synced while it lacked a user it had confirmed. So the waiting commands never handed out yet are withdrawn
   * (they are derived state: the database still holds what they were for), the panel counts first, judged against
   * what it confirmed alone, and the pins they were for are planned again once the count is judged (`replan`, carried
   * by the count; verified): written after it if the panel kept its tables, left to the full sync if it was reset.
   * Commands already handed out (sent, unanswered) stay and are in the count's doubt as before. A backlog with a clear
   * (a full sync under way, a kind change) is left as it is: it rewrites the panel anyway. Terminals (no DATA COUNT)
   * are not handled here. Answers whether it did so (then the verification is queued and nothing more is owed).
   */
  private async countFirst(m: EntityManager, e: DeviceRegisteredEvent): Promise<boolean> {
    const [admitted]: unknown[] = await m.query(`SELECT 1 FROM device WHERE id = $1 AND admission = 'admitted'`, [e.deviceId]);
    if (!admitted || (await this.attendance.isTerminal(m, e.deviceId))) return false;
    await this.queue.lockForOrder(m, [e.sn]);
    const withdrawn: Array<{ kind: string | null; keys: string[] | null }> = await m.query(
      // A SELECT over the DELETE: the rows come back as rows (a bare DELETE … RETURNING answers [rows, count] here).
      `WITH w AS (
         DELETE FROM device_command c WHERE c.device_sn = $1 AND c.state = 'pending' AND c.meta ? 'sync' AND NOT c.meta ? 'verify' AND NOT c.meta ? 'learn'
            AND NOT EXISTS (SELECT 1 FROM device_command_attempt a WHERE a.command_id = c.id)
            AND NOT EXISTS (SELECT 1 FROM device_command k WHERE k.device_sn = $1 AND k.state IN ('pending', 'sent') AND k.meta ? 'sync' AND k.meta ? 'clear')
          RETURNING c.meta->>'kind' AS kind, c.keys)
       SELECT kind, keys FROM w`,
      [e.sn],
    );
    if (withdrawn.length === 0) return false;
    const pins = [...new Set(withdrawn.filter((w) => !DEVICE_KINDS.includes(w.kind as ItemKind)).flatMap((w) => w.keys ?? []))];
    this.log.log(`device ${e.sn} registered again with ${withdrawn.length} command(s) waiting: they are withdrawn, the panel counts first, and ${pins.length} pin(s) are planned again after the count`);
    await this.verifyDevice(m, e.deviceId, pins.length > REPLAN_LISTED ? 'device' : pins);
    return true;
  }

  /**
   * An admitted Security PUSH device found to be of another kind (an irstate upload or Appendix 20 options showed a
   * channel controller, voice-module options an elevator controller) or set to one by an operator holds what its old
   * kind was sent: access-level users and door rights that no level of its new kind grants, or floors in a table the
   * new kind never reads. Nothing else would take them off (counts still match what it confirmed, and its new desired
   * state names none of them), so what it confirmed is dropped, the old kind's rights table is cleared when the new
   * kind keeps rights elsewhere (`userauthorize` ↔ `usereleauthorize`), and a full sync is owed, all with the change.
   * A device that holds nothing the gateway sent is left alone, as on a re-registration. Attendance terminals and
   * kiosks speak the other protocol and are not handled here.
   */
  async kindChanged(m: EntityManager, e: DeviceKindChangedEvent): Promise<void> {
    const securityPush = ['acc', 'ele', 'psg'];
    // A device taken for a panel before it showed it speaks Attendance PUSH (an attendance terminal deleted through
    // REST while connected is added again at its next poll, as a panel until its INFO or an ATTLOG upload tells)
    // refused the panel's commands it was sent (-1004): those refusals say nothing of its own commands, and probed
    // for ever they kept it listed as refusing tables it never has.
    if (securityPush.includes(e.before) && !securityPush.includes(e.after)) {
      await m.query(`DELETE FROM device_refusal WHERE device_id = $1`, [e.deviceId]);
      return;
    }
    if (!securityPush.includes(e.before) || !securityPush.includes(e.after)) return;
    const [{ known }]: Array<{ known: boolean }> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM sync_item WHERE device_id = $1 AND hash IS NOT NULL)
           OR EXISTS (SELECT 1 FROM device_command WHERE device_sn = $2 AND state IN ('pending', 'sent') AND meta ? 'sync') AS known`,
      [e.deviceId, e.sn],
    );
    if (!known) return;
    const rights = (kind: string): { table: string; kind: ItemKind } => (kind === 'ele' ? { table: 'usereleauthorize', kind: 'eleauth' } : { table: 'userauthorize', kind: 'auth' });
    // The old rights table's clear speaks for its items: old-kind puts still queued or unanswered (results come late)
    // confirm them after the DELETE below, and the new kind's full sync never clears that table, so without the clear's
    // ref those rows, gone from the device, stayed confirmed for good (a controller divergent with nothing pending).
    const old = rights(e.before);
    if (old.table !== rights(e.after).table) {
      await this.queue.enqueue(m, e.sn, [{ command: dataDelete(old.table, '*'), ref: { sync: 1, plan: newId(), kind: old.kind, clear: true } satisfies SyncRef }]);
    }
    // Its time zones and pass rules stay known (the same `timezone` table for every kind; `gatepassrule`, which only a
    // channel controller is given): the full sync deletes those its new kind does not use. Forgotten, they stayed on
    // it for good, reported synced (no full sync clears either table but a channel controller's of its pass rules).
    await m.query(`DELETE FROM sync_item WHERE device_id = $1 AND kind NOT IN ('tz', 'gatepassrule')`, [e.deviceId]);
    await oweJob(m, e.deviceId, 'full');
    afterCommit(m, () => this.kick());
    this.log.warn(`device ${e.sn} is of kind ${e.after} now (was ${e.before}): what it confirmed is dropped; a full sync is owed`);
  }

  /** Runs a pass soon (after the current one when one is running). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce()
      .catch((err) => this.log.error(`reconciler pass failed: ${(err as Error)?.stack ?? err}`))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for the running pass (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One pass, as leader only (leader.ts): owed jobs that are due, then divergent items whose backoff ended. */
  async runOnce(): Promise<void> {
    return asLeader(this.ds, LEADER_LOCK, () => this.runJobs());
  }

  private async runJobs(): Promise<void> {
    // A device's refusals are probed once per run. A probe sets its next one an interval on (SYNC_REFUSAL_PROBE_MS),
    // and a pass over many devices, or one on a loaded machine, can outlast that interval: the same probes came due
    // again at every pass, and one run went on for up to 1000 passes (a minute on a loaded 2-core machine), holding
    // the leader while owed work waited. What comes due during a run waits for the next one.
    const probed = new Set<string>();
    for (let i = 0; i < 1000 && !this.stopped; i++) {
      const did = (await this.runOwed()) + (await this.runDivergent()) + (await this.runProbes(probed));
      if (did === 0) break;
    }
  }

  private async runOwed(): Promise<number> {
    const jobs: OwedJob[] = await this.ds.query(
      `SELECT device_id, kind, cursor, attempts FROM sync_owed WHERE next_try_at <= now() ORDER BY (kind = 'full') DESC, created_at LIMIT $1`,
      [OWED_BATCH],
    );
    // Full syncs at the same point (a fleet admitted or reset together) are planned together, a page for all.
    const groups = new Map<string, OwedJob[]>();
    for (const job of jobs) {
      if (job.kind !== 'full') continue;
      const key = job.cursor ?? '';
      groups.set(key, [...(groups.get(key) ?? []), job]);
    }
    const alone = jobs.filter((j) => j.kind !== 'full');
    for (const group of groups.values()) {
      const done = group.length > 1 ? await this.runFullGroup(group) : new Set<string>();
      alone.unshift(...group.filter((j) => !done.has(j.device_id)));
    }
    for (const job of alone) await this.runJob(job);
    return jobs.length;
  }

  /**
   * One page of the full syncs of panels at the same cursor, in one transaction. Answers the devices it
   * handled; the others (terminals, rows another process holds, or every one when the page failed) go one by one.
   */
  private async runFullGroup(group: OwedJob[]): Promise<Set<string>> {
    try {
      return await this.ds.transaction(async (m) => {
        const cursor = group[0].cursor;
        const rows: Array<{ device_id: string; plan: string | null }> = await m.query(
          `SELECT device_id, plan FROM sync_owed WHERE kind = 'full' AND device_id = ANY($1) AND cursor IS NOT DISTINCT FROM $2 ORDER BY device_id FOR UPDATE SKIP LOCKED`,
          [group.map((j) => j.device_id), cursor],
        );
        const terminals = await this.attendance.terminalsAmong(m, rows.map((r) => r.device_id));
        const panels = rows.map((r) => r.device_id).filter((id) => !terminals.has(id));
        if (panels.length === 0) return new Set<string>();
        const plans = new Set(rows.filter((r) => panels.includes(r.device_id)).map((r) => r.plan));
        const plan = fullSyncPlan(cursor, plans);
        await this.advanceFull(m, panels, await this.planner.syncDevicesFull(m, panels, cursor, plan), plan);
        return new Set(panels);
      });
    } catch (err) {
      this.log.warn(`owed full sync of ${group.length} devices together failed; each is tried alone: ${(err as Error)?.message ?? err}`);
      return new Set();
    }
  }

  /** After a page: the full syncs are done, or continue after `next` under the same plan. */
  private async advanceFull(m: EntityManager, deviceIds: string[], next: string | null, plan: string | undefined): Promise<void> {
    if (next === null) await m.query(`DELETE FROM sync_owed WHERE device_id = ANY($1) AND kind = 'full'`, [deviceIds]);
    else await m.query(`UPDATE sync_owed SET cursor = $2, plan = $3, attempts = 0, last_error = NULL WHERE device_id = ANY($1) AND kind = 'full'`, [deviceIds, next, plan ?? null]);
  }

  private async runJob(job: OwedJob): Promise<void> {
    try {
      await this.ds.transaction(async (m) => {
        const [row] = await m.query(`SELECT cursor, plan FROM sync_owed WHERE device_id = $1 AND kind = $2 FOR UPDATE SKIP LOCKED`, [job.device_id, job.kind]);
        if (!row) return;
        if (job.kind === 'full' && (await this.attendance.isTerminal(m, job.device_id))) {
          // A terminal's full sync is one plan (its users are few: no pages).
          await this.attendance.syncTerminalFull(m, job.device_id);
          await m.query(`DELETE FROM sync_owed WHERE device_id = $1 AND kind = 'full'`, [job.device_id]);
        } else if (job.kind === 'full') {
          const plan = fullSyncPlan(row.cursor, new Set([row.plan]));
          await this.advanceFull(m, [job.device_id], await this.planner.syncDevicesFull(m, [job.device_id], row.cursor, plan), plan);
        } else {
          await this.verifyDevice(m, job.device_id);
          await m.query(`DELETE FROM sync_owed WHERE device_id = $1 AND kind = $2`, [job.device_id, job.kind]);
        }
      });
    } catch (err) {
      const attempts = job.attempts + 1;
      this.log.error(`owed ${job.kind} sync of device ${job.device_id} failed (attempt ${attempts}); retried later: ${(err as Error)?.message ?? err}`);
      await this.ds.query(
        `UPDATE sync_owed SET attempts = $3, last_error = $4, next_try_at = now() + make_interval(secs => $5) WHERE device_id = $1 AND kind = $2`,
        [job.device_id, job.kind, attempts, String((err as Error)?.message ?? err).slice(0, 500), backoffMs(attempts, this.config.syncRetryBaseMs, this.config.syncRetryMaxMs) / 1000],
      );
    }
  }

  /**
   * Items whose backoff ended, planned again per device (bounded per pass). Only the items selected here are
   * released and dropped: an item that came due after this select (the pass plans one device after another, each in
   * its own transaction, so a later device's transaction starts well after it) is left for the next pass. Released
   * by a condition read again in each transaction, such an item lost its row or its retry time without being in the
   * pins planned: a card put held back on a panel (card-moves.ts, a row of no hash) was dropped and never sent, the
   * panel divergent for good with nothing pending.
   */
  private async runDivergent(): Promise<number> {
    const rows: Array<{ device_id: string; kind: string; key: string }> = await this.ds.query(
      `SELECT device_id, kind, key FROM sync_item WHERE failures > 0 AND (next_try_at <= now() OR (${STRANDED})) ORDER BY next_try_at NULLS FIRST LIMIT $1`,
      [DIVERGENT_BATCH],
    );
    const byDevice = new Map<string, Array<{ kind: string; key: string }>>();
    for (const r of rows) {
      let items = byDevice.get(r.device_id);
      if (!items) byDevice.set(r.device_id, (items = []));
      items.push(r);
    }
    for (const [deviceId, items] of byDevice) {
      const pins = [...new Set(items.filter((i) => !DEVICE_KINDS.includes(i.kind as ItemKind)).map((i) => i.key))];
      const selected = `(kind, key) IN (SELECT * FROM unnest($2::varchar[], $3::varchar[]))`;
      const params = [deviceId, items.map((i) => i.kind), items.map((i) => i.key)];
      await this.ds.transaction(async (m) => {
        // The device's order lock before its items are written, as the plan below takes it anyway: a device's result
        // recording a refused delete takes it before writing them (sync-confirm.ts), so the two never wait in a cycle.
        await this.lockDevice(m, deviceId);
        // An item a delete took off the device while it waited (sync-confirm.ts) is not held: its row only kept the
        // retry time, and the plan below sends it if it is still desired.
        await m.query(`DELETE FROM sync_item WHERE device_id = $1 AND ${selected} AND failures > 0 AND (next_try_at <= now() OR (${STRANDED})) AND hash IS NULL AND skipped IS NULL`, params);
        // Out of backoff: planned again now (its failure count stays until a success confirms it). Held ones only: a
        // row a count or clear committed meanwhile made not held stays due, and the next pass drops it.
        await m.query(`UPDATE sync_item SET next_try_at = NULL WHERE device_id = $1 AND ${selected} AND failures > 0 AND next_try_at <= now() AND hash IS NOT NULL`, params);
        if (await this.attendance.isTerminal(m, deviceId)) await this.attendance.reconcileTerminal(m, deviceId, pins);
        else await this.planner.reconcileDevice(m, deviceId, pins);
      });
    }
    return rows.length;
  }

  /**
   * Refusals for good whose probe is due (device-refusals.ts, RefusalProbe): such a key no longer holds its table back,
   * so each device is planned against its whole desired state (what the refusal held back goes out; a table it still
   * refuses is refused again, counted, and probed later), and in the same transaction the probed refusals are due
   * again only after their current interval: the key is held back while the probe is in flight, and a probe that
   * never gets an answer is sent again after that interval. A success removes the refusal and owes a full sync
   * (recordRefusals, forgetRefusalsSql), as any success with the same key.
   */
  private async runProbes(probed: Set<string>): Promise<number> {
    const rows: Array<{ device_id: string }> = await this.ds.query(
      `SELECT r.device_id FROM device_refusal r JOIN device d ON d.id = r.device_id AND d.admission = 'admitted'
        WHERE r.probe_at <= now() AND ${FOR_GOOD_SQL} AND ${HOLDS_WRITES_SQL} AND r.device_id::text <> ALL($2::text[])
        GROUP BY r.device_id ORDER BY min(r.probe_at) LIMIT $1`,
      [PROBE_BATCH, [...probed]],
    );
    for (const { device_id: deviceId } of rows) {
      probed.add(String(deviceId));
      try {
        await this.ds.transaction((m) => this.probeRefusals(m, deviceId));
      } catch (err) {
        // Probed again after the interval, as if sent and never answered: a device whose plan fails does not hold up the others.
        this.log.error(`probing the refusals of device ${deviceId} failed; tried again after the interval: ${(err as Error)?.message ?? err}`);
        await this.ds.query(PROBED, [deviceId, this.settings.refusalProbe.baseMs, this.settings.refusalProbe.maxMs]);
      }
    }
    return rows.length;
  }

  /** The device's order lock (rule (f) of the command queue), taken before its items are written (runDivergent). */
  private async lockDevice(m: EntityManager, deviceId: string): Promise<void> {
    const [row]: Array<{ sn: string }> = await m.query(`SELECT sn FROM device WHERE id = $1`, [deviceId]);
    if (row) await this.queue.lockForOrder(m, [row.sn]);
  }

  /** One device's probe (runProbes), in the caller's transaction. */
  async probeRefusals(m: EntityManager, deviceId: string): Promise<void> {
    await this.lockDevice(m, deviceId);
    // What the refusal held back: its items failed with a refusal code and wait out their own backoff (which the
    // planner honours); the probe plans them now (a refusal again sets their backoff again, a success confirms them).
    // One the device no longer holds (a count of an empty table, a clear, took it off while it waited: hash NULL) only
    // kept its retry time: gone, as the divergent pass drops it, and planned below if it is still desired. Released
    // with the rest, nothing would plan or drop it again (no retry time left): a refused delete of a person who
    // left a reset panel stayed a failing item for ever, the panel divergent.
    await m.query(
      `DELETE FROM sync_item WHERE device_id = $1 AND failures > 0 AND next_try_at > now() AND last_return = ANY($2::int[]) AND hash IS NULL AND skipped IS NULL`,
      [deviceId, [...REFUSAL_CODES]],
    );
    await m.query(
      `UPDATE sync_item SET next_try_at = NULL WHERE device_id = $1 AND failures > 0 AND next_try_at > now() AND last_return = ANY($2::int[])`,
      [deviceId, [...REFUSAL_CODES]],
    );
    // Planned first: the due keys are not held back in this transaction (loadRefusals: probe_at > now()) until the update.
    if (await this.attendance.isTerminal(m, deviceId)) await this.attendance.reconcileTerminal(m, deviceId, null);
    else if (await this.clearDue(m, deviceId)) {
      // A refused clear of a table a count found rows in beyond those confirmed (verifiedCount): a plan of the
      // difference never sends a clear, so those rows (another site's users) would stay for good. The probe is a full
      // sync, its first page planned now while the key is due (its clear goes out); refused again, the key waits out
      // a longer interval (PROBED below, recordRefusals), so a firmware that never clears is not wiped every minute.
      // Every such clear goes with it (users and rights alike): one full sync per probe, not one per table.
      await m.query(
        `UPDATE device_refusal r SET probe_at = now() WHERE r.device_id = $1 AND r.probe_at > now() AND ${FOR_GOOD_SQL} AND r.what LIKE 'DATA DELETE %' AND r.excess_rows > 0`,
        [deviceId],
      );
      await oweJob(m, deviceId, 'full');
      const plan = fullSyncPlan(null, new Set());
      await this.advanceFull(m, [deviceId], await this.planner.syncDevicesFull(m, [deviceId], null, plan), plan);
      this.log.warn(`device ${deviceId}: it holds rows the database does not give it and refused clearing them; probing with a full sync`);
    } else await this.planner.reconcileDevice(m, deviceId, null);
    const probed: Array<{ what: string; refusals: number }> = await m.query(PROBED, [deviceId, this.settings.refusalProbe.baseMs, this.settings.refusalProbe.maxMs]);
    if (probed.length > 0) this.log.log(`device ${deviceId}: probing again what its firmware refused: ${probed.map((p) => `${p.what} (${p.refusals}×)`).join(', ')}`);
  }

  /**
   * A count found users (or rights rows) beyond those the panel confirmed in a table whose clear its firmware refused
   * for good: no full sync takes them off. The panel is asked which rows of that table it holds (`DATA QUERY
   * tablename=user`, or `userauthorize` / `usereleauthorize`: a rights row under no user is in no user query, and
   * would open for whoever is later given its pin; Security PUSH 9.1.4: the records come through querydata, the
   * Return is their number), one query per table at a time; `learned` deletes them by PIN, which such firmware
   * takes (9.1.2). A firmware refusing the query is left to the clear's probe, but for the query's own probe.
   * `refused`: the caller's refusals for good (key → probe due).
   */
  private async learnUnknownRows(m: EntityManager, sn: string, table: LearntTable, refused: ReadonlyMap<string, boolean> | undefined): Promise<void> {
    const command = dataQuery({ table });
    if (refused?.get(refusalKey(command)) === false) return;
    const [open]: unknown[] = await m.query(
      `SELECT 1 FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent') AND meta ? 'sync' AND meta->>'learn' = $2 LIMIT 1`,
      [sn, table],
    );
    if (open) return;
    await this.queue.enqueueMany(m, [{ deviceSn: sn, commands: [{ command, ref: { sync: 1, plan: newId(), learn: table } satisfies SyncRef }] }]);
  }

  /**
   * The panel answered a `DATA QUERY` of learnUnknownRows: its rows came before the result, stored with the query's
   * CmdID. Of the user table, a pin it confirmed no user of is another site's (or a record whose content is unknown):
   * its user, rights, cards, templates and photo are recorded as held with unknown content. Of a rights table, a pin
   * whose rows are not those of the rights it confirmed (a row under no user, a door added at the panel) has its
   * rights recorded so. Either is planned at once (SyncPlannerService.recordUnknownRows): deleted by PIN (`DATA DELETE
   * userauthorize Pin=…`, `DATA DELETE user Pin=…`) where the database gives it nothing there, written again where it
   * does. A count after those commands then finds the panel as confirmed.
   */
  private async learned(m: EntityManager, deviceId: string, outcome: CommandOutcome, table: LearntTable, pins: boolean): Promise<void> {
    if (outcome.state !== 'done') {
      // The pin check's query unanswered: the counts asked again could not see a swapped user; the query is owed too.
      if (pins) await m.query(PINS_OWED, [deviceId]);
      // No result, or -1002 (a busy firmware says so too; refused for good only when repeated): the panel is counted
      // again after the retry backoff (a count beyond those confirmed asks again), as an unanswered count is
      // (judgeCount). Left to the periodic verification, its strangers kept their rights for an hour or more.
      const again = outcome.reason === 'expired' || (outcome.returnCode === -1002 && !(await loadRefusals(m, [deviceId])).get(deviceId)?.has(refusalKey(outcome.command)));
      this.log.warn(`device ${outcome.deviceSn}: DATA QUERY ${table} ${outcome.reason === 'expired' ? 'got no result' : `failed (Return=${outcome.returnCode})`}; ${again ? 'counted again later' : 'its unknown rows wait for the next count'}`);
      if (again) await m.query(OWE_VERIFY_LATER, [deviceId, this.config.syncRetryBaseMs / 1000]);
      return;
    }
    // Rows per pin as answered (a record sent again under another attempt of the query is the same record).
    const answered: Array<{ pin: string; rows: number }> = await m.query(
      `SELECT u.pin, count(DISTINCT u.record)::int AS rows FROM device_command_attempt a
         JOIN device_upload u ON u.device_sn = a.device_sn AND u.cmd_id = a.attempt_id::text AND u.table_name = $3 AND u.pin IS NOT NULL
        WHERE a.command_id = $1::bigint AND a.device_sn = $2 GROUP BY u.pin ORDER BY 1`,
      [outcome.commandId, outcome.deviceSn, table],
    );
    const kind = countedItemKind(table);
    // A panel keeping numeric PINs answers person 0412's rows under 412: the rows of the item it confirmed as 0412
    // (heldKeysOf), not a stranger's to delete by PIN (which took person 0412's user off it, and a count then found
    // one user short: a full sync, the same delete again at the next query).
    const { named, hashes: confirmed } = await heldKeysOf(m, deviceId, [kind], answered.map((a) => a.pin));
    // A user is one row; rights rows follow from the confirmed hash (one per TimezoneId).
    const unknown = answered
      .map((a) => ({ ...a, pin: named.get(a.pin) ?? a.pin }))
      .filter((a) => !confirmed.has(a.pin) || (kind !== 'user' && authRows(confirmed.get(a.pin)!) !== a.rows))
      .map((a) => a.pin);
    // The Return of a query is the number of its records (9.1.4): fewer came (a querydata packet cut on its way, the
    // panel not sending it again) and the rows missing may be the strangers. Counted again later, not taken as none.
    const received = answered.reduce((n, a) => n + a.rows, 0);
    const complete = outcome.returnCode === null || received >= outcome.returnCode;
    if (!complete) {
      this.log.warn(`device ${outcome.deviceSn}: DATA QUERY ${table} answered ${outcome.returnCode} records of which ${received} came; counted again later`);
      await m.query(OWE_VERIFY_LATER, [deviceId, this.config.syncRetryBaseMs / 1000]);
      if (pins) await m.query(PINS_OWED, [deviceId]);
    }
    // Users it confirmed and did not answer: deleted at its menu. Judged on a whole answer only (one cut short may
    // lack them on the way), and of the user table only (a user's rights follow it).
    const lost = kind === 'user' && complete ? await this.lostUsers(m, deviceId, outcome, answered.map((a) => named.get(a.pin) ?? a.pin)) : [];
    if (unknown.length === 0 && lost.length === 0) return;
    if (unknown.length > 0) {
      this.log.warn(`device ${outcome.deviceSn} holds ${table} rows it never confirmed (${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}): deleting them by PIN`);
      const [{ ele }]: Array<{ ele: boolean }> = await m.query(`SELECT ${effectiveKindSql('d')} = 'ele' AS ele FROM device d WHERE d.id = $1`, [deviceId]);
      const rights: ItemKind = ele ? 'eleauth' : 'auth';
      // A stranger's right on a door is what opens it; its cards, templates and photo would open as whoever is later
      // given its pin.
      await this.planner.recordUnknownRows(m, deviceId, unknown, kind === 'user' ? ['user', rights, 'card', 'bio', 'photo'] : [rights]);
    }
    if (lost.length > 0) {
      // Its rights, cards, templates and photo went with the user (a panel deletes a user's rows with it): none of
      // them is held any more, and the planner writes back what the database gives the pin there.
      this.log.warn(`device ${outcome.deviceSn} lacks users it confirmed (${lost.slice(0, 10).join(', ')}${lost.length > 10 ? ', …' : ''}): writing them again`);
      await forgetHeld(m, deviceId, MEMBER_KINDS, `AND key = ANY($3::varchar[])`, [lost]);
      await this.planner.reconcileDevice(m, deviceId, lost);
    }
    // Counted again after the deletes (queue order): a matching count clears the rows reported. Not when the deletes
    // by PIN are refused too (nothing was planned; the items in doubt keep the panel divergent until the probe).
    const refused = (await loadRefusals(m, [deviceId])).get(deviceId);
    if (!refused?.has(`DATA DELETE ${table}`)) await this.planner.queueVerify(m, outcome.deviceSn);
  }

  /**
   * The users device $1 confirmed that a whole answer to its `DATA QUERY tablename=user` (`answered`: the pins as
   * its items name them) lacks, but those a sync command still speaks for: one in flight (the query ran before it,
   * or its result is not in), or one queued after the query (what it did is newer than the answer). None while a
   * full sync is owed and not started: it writes every user back anyway.
   */
  private async lostUsers(m: EntityManager, deviceId: string, outcome: CommandOutcome, answered: readonly string[]): Promise<string[]> {
    const rows: Array<{ key: string }> = await m.query(
      `SELECT s.key FROM sync_item s
        WHERE s.device_id = $1 AND s.kind = 'user' AND s.hash IS NOT NULL AND s.skipped IS NULL AND s.key <> ALL($2::varchar[])
          AND NOT EXISTS (SELECT 1 FROM sync_owed o WHERE o.device_id = $1 AND o.kind = 'full' AND o.cursor IS NULL)
          AND NOT EXISTS (SELECT 1 FROM device_command c WHERE c.device_sn = $3 AND c.meta ? 'sync' AND coalesce(c.keys ? s.key, false)
                             AND (c.state IN ('pending', 'sent') OR c.id > $4::bigint))
        ORDER BY 1`,
      [deviceId, answered, outcome.deviceSn, outcome.commandId],
    );
    return rows.map((r) => r.key);
  }

  /** Whether device $1 has a due refusal of a table's clear whose count found rows beyond those confirmed. */
  private async clearDue(m: EntityManager, deviceId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM device_refusal r WHERE r.device_id = $1 AND r.probe_at <= now() AND ${FOR_GOOD_SQL} AND r.what LIKE 'DATA DELETE %' AND r.excess_rows > 0 LIMIT 1`,
      [deviceId],
    );
    return rows.length > 0;
  }

  /**
   * Re-registration: time zones, holidays and pass rules planned again (sent again, confirmed or not, on a panel
   * that confirmed no users: its count cannot show a reset; members are planned on every change and retried after
   * failures), then the device counts its users (and pass rules): a bounded job whatever the size of the site.
   */
  private async verifyDevice(m: EntityManager, deviceId: string, replan?: SyncRef['replan']): Promise<void> {
    const [d]: Array<{ sn: string }> = await m.query(`SELECT sn FROM device WHERE id = $1 AND admission = 'admitted'`, [deviceId]);
    if (!d) return;
    // Attendance PUSH has no DATA COUNT: a terminal is planned again against what it confirmed, and its user count
    // comes with its next INFO (attendance manual 9; `verifiedCount`).
    if (await this.attendance.isTerminal(m, deviceId)) return this.attendance.reconcileTerminal(m, deviceId, null);
    // The count tells a reset panel by the users it lost. One that held none counts 0 before and after, so what it
    // confirmed of its own items is in doubt: they are sent again (a few commands). So does one whose only users
    // are in doubt (`?`: a write of them was refused or unanswered): the count accepts 0 for them, and a reset
    // panel would keep lacking the time zones its rights name. Otherwise the difference only.
    const [{ users }]: Array<{ users: boolean }> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM sync_item WHERE device_id = $1 AND kind = 'user' AND hash IS NOT NULL AND hash <> $2) AS users`,
      [deviceId, UNKNOWN_HASH],
    );
    if (users) await this.planner.reconcileDevice(m, deviceId, []);
    else await this.planner.resendDeviceItems(m, deviceId);
    // A pin check owed (PINS_OWED: its query got no whole answer) is asked with the counts.
    const [{ pins }]: Array<{ pins: boolean }> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM sync_verify WHERE device_id = $1 AND pins_at = '-infinity') AS pins`,
      [deviceId],
    );
    // No count queued (every one refused for good): the withdrawn writes are planned again at once.
    if (!(await this.planner.queueVerify(m, d.sn, replan, { pins })) && replan) await this.replan(m, deviceId, replan);
  }

  /** The pins of writes withdrawn for a count (countFirst) planned again, unless a full sync will write the panel. */
  private async replan(m: EntityManager, deviceId: string, replan: NonNullable<SyncRef['replan']>): Promise<void> {
    const [{ full }]: Array<{ full: boolean }> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM sync_owed WHERE device_id = $1 AND kind = 'full') AS full`,
      [deviceId],
    );
    if (full) return;
    await this.planner.reconcileDevice(m, deviceId, replan === 'device' ? null : replan);
  }

  /**
   * A `DATA COUNT user` (or `userauthorize`, `usereleauthorize`, `gatepassrule`) answered. Commands run in queue order, so the count
   * reflects every command before it: it must lie in the range the items the device confirmed give (expectedRows).
   * Otherwise the panel changed behind our back (factory reset, users or rights rows — doors, gates or floors — deleted or added at the
   * panel): a full sync is owed. A refused count (a firmware without it) says nothing about the panel: its refusal is recorded
   * with the command's outcome (device-refusals.ts), and a count refused for good is not asked again until its probe.
   */
  async verified(m: EntityManager, deviceId: string, outcome: CommandOutcome, ref: SyncRef): Promise<void> {
    if (ref.learn) return this.learned(m, deviceId, outcome, ref.learn, !!ref.pins);
    await this.judgeCount(m, deviceId, outcome, ref);
    // Writes withdrawn for this count (countFirst), answered or not: never held back by a count.
    if (ref.replan) await this.replan(m, deviceId, ref.replan);
  }

  private async judgeCount(m: EntityManager, deviceId: string, outcome: CommandOutcome, ref: SyncRef): Promise<void> {
    if (outcome.state !== 'done') {
      this.log.warn(`device ${outcome.deviceSn}: DATA COUNT ${ref.verify ?? 'user'} ${outcome.reason === 'expired' ? 'got no result' : `refused (Return=${outcome.returnCode})`}; not verified`);
      // No result, or -1002 (a busy firmware says so too; refused for good only when repeated): asked again after
      // the retry backoff, not at the next periodic verification an hour on: a panel reset behind the gateway's back
      // would stay empty until then. A count refused for good is left out of the verification (queueVerify).
      // A count asked because the panel reported a factory reset seen before (SyncRef.reset) that gives no number
      // leaves that reset unexplained: the full sync a reset owes is owed.
      if (ref.reset) {
        await oweJob(m, deviceId, 'full');
        afterCommit(m, () => this.kick());
        return;
      }
      const again = outcome.reason === 'expired' || (outcome.returnCode === -1002 && !(await loadRefusals(m, [deviceId])).get(deviceId)?.has(refusalKey(outcome.command)));
      if (again) await m.query(OWE_VERIFY_LATER, [deviceId, this.config.syncRetryBaseMs / 1000]);
      return;
    }
    // A bare Return=0 with no count uploaded (`<table>=<n>`) says nothing of a timezone or holiday table: some
    // firmware answers every DATA COUNT of them so. Read as 0 rows, every verification forgot and re-sent all the
    // time zones and holidays; the table is not judged this round. (A user or rights count keeps reading the
    // Return as the manual's examples give it; a terminal's or older firmware's count comes only there.)
    if (isOwnTable(ref.verify) && typeof ref.count !== 'number' && outcome.returnCode === 0) {
      this.log.warn(`device ${outcome.deviceSn}: DATA COUNT ${ref.verify} answered Return=0 with no count uploaded; not judged`);
      return;
    }
    const count = typeof ref.count === 'number' ? ref.count : outcome.returnCode;
    if (count === null || count < 0) return;
    if (isOwnTable(ref.verify)) return this.verifiedOwnTable(m, deviceId, outcome, count, ref.verify);
    // A photo table is judged from below only (PhotoTable).
    await this.verifiedCount(m, deviceId, outcome.deviceSn, count, ref.verify, outcome.commandId, { acceptAbove: isPhotoTable(ref.verify) });
  }

  /**
   * A `DATA COUNT timezone` or `holiday` answered (OwnTable). Below the rows the panel confirmed, it lost some
   * (cleared at its menu, by another tool, a partial reset) while its users and rights stayed and count right: the
   * items it confirmed before the count ran are forgotten and planned again, so they are written back (and the panel
   * is not said synced until they are). A count above is rows of its own. No full sync: its users are not in doubt.
   */
  private async verifiedOwnTable(m: EntityManager, deviceId: string, outcome: CommandOutcome, count: number, table: 'timezone' | 'holiday'): Promise<void> {
    const kind = countedItemKind(table);
    // Confirmed rows a command queued before the count took off (a time zone's delete, the holiday table's rewrite)
    // are no loss while its result is not in yet (countRange).
    const { min: held } = await this.countRange(m, deviceId, outcome.deviceSn, table, outcome.commandId);
    if (count >= held) return;
    this.log.warn(`device ${outcome.deviceSn} holds ${count} ${table} rows where ${held} are confirmed: they are written again`);
    // Items a command after the count put (answered before the count's result was recorded) are held.
    await forgetHeld(m, deviceId, [kind], `AND hash IS NOT NULL AND ${NOT_ANSWERED_SINCE}`, [outcome.commandId, outcome.deviceSn]);
    await this.planner.reconcileDevice(m, deviceId, []);
  }

  /**
   * A count the device reported (DATA COUNT; a terminal's INFO for its users): it must lie between the rows the
   * items the device confirmed give and those plus the ones in doubt (`?`, and those a command queued before the
   * count has not answered yet), or the device changed behind our back (factory reset, users or rights rows deleted or added there) and a
   * full sync is owed, unless one is already queued after the count (`after`: the count's command; the counts of one
   * verification come one by one, and a panel reset or changed in several tables fails each). `acceptAbove`: a
   * count above is the device's own users (a terminal: its full sync removes only what it confirmed, so it would
   * change nothing there). Answers whether it matched (or was accepted).
   */
  async verifiedCount(
    m: EntityManager,
    deviceId: string,
    sn: string,
    count: number,
    table: CountedKind = 'user',
    after?: string,
    /** `settled`: counted with no command of ours in flight and nothing owed (a terminal's INFO, judged then only). */
    opts: { acceptAbove?: boolean; settled?: boolean } = {},
  ): Promise<boolean> {
    const kind = countedItemKind(table);
    const range = await this.countRange(m, deviceId, sn, table, after);
    const { min, max } = range;
    const tables = table === 'user' ? ['user', 'USERINFO'] : [table];
    // A table's clear is keyed apart from its deletes by PIN (`DATA DELETE user *`, refusals.ts); a refused delete by
    // PIN leaves the clear out of a full sync as well, so either refusal keeps rows no full sync takes off.
    const clearKeys = tables.flatMap((t) => [`DATA DELETE ${t} *`, `DATA DELETE ${t}`]);
    if (count >= min && count <= max) {
      // Rows found earlier beyond those confirmed (a refused clear, below) are gone: the panel is what it confirmed.
      await m.query(`UPDATE device_refusal SET excess_rows = NULL WHERE device_id = $1 AND what = ANY($2::varchar[]) AND excess_rows IS NOT NULL`, [deviceId, clearKeys]);
      await this.countAgainLater(m, deviceId, sn, table, count, opts.acceptAbove ? { ...range, firm: { min: range.firm.min, max: Infinity } } : range);
      return true;
    }
    // An empty table holds none of the items the device confirmed before it counted: they are not held any more,
    // whatever else is decided below. A table whose clear the firmware refused is never cleared by a full sync, and
    // an item whose delete it refuses for good (a person who left) would otherwise stay "held" on a reset panel,
    // divergent until a probe of that delete succeeds, which such a firmware never lets happen. The count ran after
    // every command queued before it (`after`); what a later command answered in an earlier body (its results came
    // first) is newer, and stays. Later commands answered in this body are applied after the count (queue order).
    if (count === 0 && after !== undefined) {
      // (An item of no rows, rights naming no time zone, is held by an empty table as well.)
      await forgetHeld(m, deviceId, [kind], `AND hash IS NOT NULL AND hash <> '' AND ${NOT_ANSWERED_SINCE}`, [after, sn]);
    } else if (count < min && after !== undefined) {
      // Fewer rows than it confirmed (users deleted at its menu, a reset panel with a user enrolled since): which of
      // them it lost no count tells, so none of them is confirmed any more (`?`, cards kept as priors for card
      // moves) until the full sync owed below writes them again. Kept, the status counted the lost ones as held.
      await m.query(
        `UPDATE sync_item SET hash = '${UNKNOWN_HASH}' WHERE device_id = $1 AND kind = $2 AND hash IS NOT NULL AND hash <> '${UNKNOWN_HASH}' AND skipped IS NULL AND ${NOT_ANSWERED_SINCE}`,
        [deviceId, kind, after, sn],
      );
    } else if (count === 0 && opts.settled) {
      // A terminal's INFO count is no queued command: it is judged only while nothing of ours is in flight or owed
      // (AttendanceHooks.countReported), so its empty table holds nothing it confirmed either. Left held, a person who
      // left a terminal that refuses deleting users, then reset, was believed on it for ever (divergent).
      await forgetHeld(m, deviceId, [kind], `AND hash IS NOT NULL AND hash <> ''`, []);
    }
    if (count > max && opts.acceptAbove) {
      this.log.log(`device ${sn} holds ${count} ${table} rows where at most ${max} are confirmed: records of its own, which a full sync would not remove`);
      return true;
    }
    // A firmware that refused the table for good holds rows the gateway cannot write (or clear) and count as its own:
    // a full sync would clear and resend everything at every count, and never match. Except an emptied table (a
    // factory reset) where the refusal was only of clearing it: nothing is left there to clear, and a full sync
    // writes back everything it should hold; left alone, the confirmed state said a reset panel's persons were on it.
    const refused = (await loadRefusalsDue(m, [deviceId])).get(deviceId);
    const refusedWrite = tables.some((t) => refused?.has(`DATA UPDATE ${t}`));
    const refusedClear = clearKeys.some((k) => refused?.has(k));
    // A table whose clear alone is refused and that holds fewer rows than it confirmed (users deleted at its menu, a
    // reset panel with a keypad user enrolled since) lacks ours: that goes on below, to the full sync, which leaves
    // the refused clear out and writes them back; kept here, the panel was never refilled (and was reported synced).
    if (refusedWrite || (refusedClear && count > max)) {
      // Rows beyond those confirmed in a table the gateway writes but cannot clear are records no database row gives
      // the panel (another site's users on a swapped board, a stranger's right on a door): no full sync takes them
      // off, so they are kept on the refusal of the clear, and the panel is reported divergent with them
      // (SyncStatusService) until a count matches again; the clear's probe tries a full sync again (probeRefusals).
      const excess = !refusedWrite && count > max ? count - max : null;
      // Kept on one refusal (the clear's when both are refused), so the rows are reported once.
      const keeper = clearKeys.find((k) => refused?.has(k));
      await m.query(`UPDATE device_refusal SET excess_rows = CASE WHEN what = $4 THEN $3::int END WHERE device_id = $1 AND what = ANY($2::varchar[])`, [deviceId, clearKeys, excess, keeper ?? null]);
      if (excess !== null) {
        this.log.warn(`device ${sn} holds ${excess} ${table} row(s) beyond the ${max} confirmed, and its firmware refuses clearing the table: reported divergent; asking it for its users`);
        if (after !== undefined && isLearntTable(table)) await this.learnUnknownRows(m, sn, table, refused);
      }
      return false;
    }
    if (after !== undefined) {
      // A full sync owed and not started yet, or a clear of this table queued after the count (a full sync's first
      // page), brings the table back whatever the count said: owing it again would restart it, or plan a second one
      // once it is done. A clear of another table is no such thing: a holiday change clears the holiday table
      // (`DATA DELETE holiday *`), and taken for a full sync's, a reset panel's zero users were never judged. The user
      // table's clear is a full sync's only: where the counted table's own clear is refused for good (left out), it is
      // the sign of one. Two verifications queued (a periodic one unanswered when the panel registered again) are
      // answered one reply apart; without it, the full sync the first made owed, planned before the second count
      // was answered, was followed by a second one.
      const [coming]: Array<{ full: boolean }> = await m.query(
        `SELECT EXISTS (SELECT 1 FROM sync_owed WHERE device_id = $1 AND kind = 'full' AND cursor IS NULL)
             OR EXISTS (SELECT 1 FROM device_command WHERE device_sn = $2 AND id > $3::bigint AND meta ? 'sync' AND meta ? 'clear' AND meta->>'kind' IN ($4, 'user')) AS full`,
        [deviceId, sn, after, kind],
      );
      if (coming?.full) return false;
    }
    this.log.warn(
      `device ${sn} holds ${count} ${table} rows where ${min}${max !== min ? `-${max === Infinity ? '' : max}` : ''} are confirmed: its tables changed behind the gateway; a full sync is owed`,
    );
    await oweJob(m, deviceId, 'full');
    // After the commit: a pass started sooner would not see the owed row and leave it to the next interval.
    afterCommit(m, () => this.kick());
    return false;
  }

  /**
   * The rows a counted table may hold (expectedRows) by the items of its kind the device confirmed, the ones in
   * doubt (`?`) and those a sync command queued before the count (`after`) has not answered yet.
   */
  private async countRange(m: EntityManager, deviceId: string, sn: string, table: CountedKind, after: string | undefined): Promise<CountRange> {
    const kind = countedItemKind(table);
    // Rights rows follow from each item's hash (few distinct ones: members of the same levels share them); a user or
    // pass rule is one row, so only whether it is in doubt matters.
    // Items a sync command queued before the count ($6) still lacks a result for count as in doubt (`?`): the panel
    // ran that command before counting (a reply runs in queue order), but whether it held the row before, and whether
    // the command succeeded, is unknown until its result comes (held back, posted in another body or to another
    // process, or lost and the command offered again). Judged by the confirmed items alone, a delete's row already
    // gone looked like a user deleted at the panel, and a new person's put like one added there: a needless full
    // sync, which clears the panel's tables (people locked out meanwhile) and writes them all again; a time zone's
    // delete, like time zones lost at the panel, all of them forgotten and written again (verifiedOwnTable). A clear
    // in flight puts every item of the kind in doubt (the holiday table's rewrite, `holiday *` first, too); a put of
    // an item not confirmed yet adds one in doubt. So does a delete settled with no result (DELETE_UNANSWERED).
    const groups: Array<{ hash: string; firm: string | null; items: number }> = await m.query(
      `WITH before AS (
         SELECT c.keys, c.meta ? 'clear' AS clear FROM device_command c
          WHERE c.device_sn = $5 AND c.id < $6::bigint AND c.state IN ('pending', 'sent') AND c.meta ? 'sync'
            AND (c.meta->>'kind' = $3 OR coalesce(c.meta->'cascade' ? $3, false))
       ), doubt AS (SELECT DISTINCT k.key FROM before b, jsonb_array_elements_text(coalesce(b.keys, '[]'::jsonb)) AS k(key))
       SELECT CASE WHEN EXISTS (SELECT 1 FROM before WHERE clear) OR s.key IN (SELECT key FROM doubt) OR ${DELETE_UNANSWERED} THEN $2::text
                   WHEN $4 OR s.hash = $2 THEN s.hash ELSE '' END AS hash,
              CASE WHEN $4 OR s.hash = $2 THEN s.hash ELSE '' END AS firm, count(*)::int AS items
         FROM sync_item s WHERE s.device_id = $1 AND s.kind = $3 AND s.hash IS NOT NULL GROUP BY 1, 2
       UNION ALL
       SELECT $2::text, NULL, count(*)::int FROM doubt d
        WHERE NOT EXISTS (SELECT 1 FROM sync_item s WHERE s.device_id = $1 AND s.kind = $3 AND s.key = d.key AND s.hash IS NOT NULL)
       HAVING count(*) > 0`,
      [deviceId, UNKNOWN_HASH, kind, countsRightsRows(table), sn, after ?? null],
    );
    // The range as the confirmed items alone give it: a count outside it was accepted on the doubt alone.
    const firm = expectedRows(table, groups.flatMap((g) => (g.firm === null ? [] : [{ hash: g.firm, items: g.items }])));
    return { ...expectedRows(table, groups), firm };
  }

  /**
   * A count accepted only by the doubt of commands not settled yet (countRange): the doubt assumed they ran and
   * succeeded, which their results may deny (a delete refused, or never run when its deliveries were lost, keeps its
   * row). Rows lost at the panel the same number as the doubt allowed for were then never found: once the delete's
   * retry took its row off, the gateway said synced for a panel lacking them, until the next periodic verification.
   * Counted again after the retry backoff, when those results are in; until then the device is in doubt (sync_owed).
   */
  private async countAgainLater(m: EntityManager, deviceId: string, sn: string, table: CountedKind, count: number, range: CountRange): Promise<void> {
    if (count >= range.firm.min && count <= range.firm.max) return;
    const { min, max } = range.firm;
    this.log.log(`device ${sn} holds ${count} ${table} rows where ${min}${max !== min ? `-${max === Infinity ? '' : max}` : ''} are confirmed, in range only by commands not settled yet: counted again later`);
    await m.query(OWE_VERIFY_LATER, [deviceId, this.config.syncRetryBaseMs / 1000]);
  }
}

/** The rows a counted table may hold, and (`firm`) those its confirmed items alone give, with no command's doubt. */
interface CountRange {
  min: number;
  max: number;
  firm: { min: number; max: number };
}

/**
 * An item (sync_item `s`) whose delete failed with no Return at all: its result was lost behind the answered results
 * of later commands (overtaken: the panel ran it), or none came after its last delivery. The row kept for it until the
 * retry lands may be gone: a count judged before that retry is queued (a re-registration's verification planned
 * while the item waits out its backoff) found it missing, and owed a full sync for a user the gateway itself
 * deleted, or wrote every time zone again. A delete the panel answered with a refusal kept its row: still held.
 */
const DELETE_UNANSWERED = `(s.failed_delete IS NOT NULL AND s.last_return IS NULL)`;

/**
 * An item no sync command queued after a count ($3, the count's command; $4 the SN) answered before the count's result
 * was recorded: the count speaks for it (what such a command did is newer than the count).
 */
const NOT_ANSWERED_SINCE = `key NOT IN (SELECT jsonb_array_elements_text(c.keys) FROM device_command c
  WHERE c.device_sn = $4 AND c.id > $3::bigint AND c.state IN ('done', 'failed') AND c.done_at < now() AND c.meta ? 'sync' AND c.keys IS NOT NULL)`;

/**
 * The plan of a full sync's page: a new one for the first page; for a later page the one its earlier pages
 * used, when every device of the page shares it (else none, and the replay reads every command in flight).
 */
function fullSyncPlan(cursor: string | null, plans: ReadonlySet<string | null>): string | undefined {
  if (cursor === null) return newId();
  const [only] = plans;
  return plans.size === 1 && only ? only : undefined;
}

/** Records owed work (a newer full sync restarts from the beginning). */
export async function oweJob(m: EntityManager, deviceId: string, kind: 'full' | 'verify'): Promise<void> {
  await m.query(OWE_JOB, [deviceId, kind]);
}
