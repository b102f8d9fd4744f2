import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource, type EntityManager } from 'typeorm';
import type { UserUpload } from '../push/protocol';
import { UploadIngestService } from '../push/upload-ingest.service';
import { AttendanceIngestService, type ChangedAtMenu } from '../push/attendance/attendance-ingest.service';
import { AttendanceTerminalService } from '../push/attendance/attendance-terminal.service';
import { TERMINAL_KINDS } from '../sync/attendance-commands';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { SyncReconciler } from '../sync/sync-reconciler.service';
import { forgetHeld } from '../sync/sync-confirm';
import { heldKeysOf } from '../sync/held-pins';
import { AttendanceEnrolmentService } from './attendance-enrolment.service';
import { writeTransaction } from '../common/write-transaction';
import { forgetFingersResent, judgeFingerprintCount } from './fingerprint-count';

/**
 * Connects the device side of attendance to the planner and the reconciler: a terminal's initialisation is its
 * registration (Attendance PUSH has no /iclock/registry), so it records owed work the way a panel's
 * registration does: a full sync when the terminal holds nothing confirmed, else a check (planned again, and its
 * next INFO user count compared with the users it confirmed). An operator's approval owes through the registry's
 * own event. Enrolments uploaded on OPERLOG are handled inside the upload's transaction; users an access panel
 * uploads (`tabledata user`, looked up through ModuleRef as BioEnrolmentHook does) go through the same import.
 */
@Injectable()
export class AttendanceHooks implements OnModuleInit {
  private readonly logger = new Logger('AttendanceHooks');

  constructor(
    private readonly ds: DataSource,
    private readonly ingest: AttendanceIngestService,
    private readonly terminals: AttendanceTerminalService,
    private readonly reconciler: SyncReconciler,
    private readonly sync: AttendanceSyncService,
    private readonly enrolment: AttendanceEnrolmentService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.ingest.onOperlog((m, device, records) => this.enrolment.ingest(m, device, records));
    // Users enrolled at an access panel (Security PUSH 7.5), imported as a terminal's USER lines are. Run again when
    // a concurrent REST write of the same pin meets it (a new pin both insert, or a deadlock): run once, the panel
    // was answered "ERROR: The record already exists" for a user the database then held without its card.
    this.moduleRef.get(UploadIngestService, { strict: false }).onTableUpload((device, records) => {
      const users = records.filter((r): r is UserUpload => r.kind === 'user');
      return users.length ? writeTransaction(this.ds, (m) => this.enrolment.ingestPanelUsers(m, device, users)) : Promise.resolve();
    });
    // "Clear data" at a terminal's menu (it does not restart): its next INFO user count is judged, as after a reboot;
    // that or "delete entry and exit records" restarts its records, so it is handed Stamp 0 (CHECK).
    this.ingest.onDataCleared(async (m, device, what) => {
      if (what === 'data') await this.terminals.askUserCount(m, [{ id: device.id, sn: device.sn }]);
      await this.terminals.dataCleared(m, device, what === 'data' ? 'OPLOG 13 "clear data" at its menu' : 'OPLOG 23 "delete entry and exit records" at its menu');
    });
    this.ingest.onChangedAtMenu((m, device, changes) => this.changedAtMenu(m, device.id, changes));
    this.terminals.onTerminalReady((e) => this.initialised(e.deviceId, e.sn, e.first));
    this.terminals.onUserCount((e, count, fingers) => this.countReported(e.deviceId, e.sn, count, fingers));
    this.terminals.onRemoteAtt((e, pin) => this.sync.remoteAttendance(this.ds.manager, e.deviceId, pin, e.stringPins));
    // The biometric types a terminal takes changed: its templates planned again against what it confirmed.
    this.terminals.onBioOptions((e) => this.bioOptionsChanged(e.deviceId));
  }

  /**
   * Users (OPLOG 9), fingerprints (OPLOG 10), passwords or cards (OPLOG 11, 12) a terminal says were deleted at its
   * menu, or its administrators made normal users (OPLOG 24): it no longer holds what it confirmed of those pins (a
   * deleted user takes their templates and photo along; a fingerprint delete leaves the user record; a password or
   * card delete, and a cleared privilege, change the user record, the latter of every person the database gives one,
   * on either kind of terminal), so those items are forgotten and planned again at
   * once, in the upload's transaction: whatever the database still puts on the terminal is sent back. Before this,
   * only the next verification of its INFO user count (SYNC_VERIFY_INTERVAL_MS) noticed a delete, nothing ever
   * noticed the privileges, and meanwhile the terminal was said synced. A pin the database puts on no terminal held
   * nothing confirmed, and is sent nothing. A terminal keeping numeric PINs names person 0412 by 412 (matched to what it confirmed, heldKeysOf):
   * matched as written, its deletes forgot nothing of 0412 (whose items are under that pin) and the card or password it
   * lost was never sent back (no user count shows those).
   */
  async changedAtMenu(m: EntityManager, deviceId: string, changes: readonly ChangedAtMenu[]): Promise<void> {
    // A terminal keeping numeric PINs names person 0412 as 412 in its OPLOG: the items it confirmed as 0412 (heldKeysOf).
    const reported = [...new Set(changes.flatMap((c) => (c.what === 'admins' ? [] : [c.pin])))];
    const { named } = await heldKeysOf(m, deviceId, TERMINAL_KINDS, reported);
    const pinsOf = (what: 'user' | 'fingerprint' | 'record') => changes.flatMap((c) => (c.what === what ? [named.get(c.pin) ?? c.pin] : []));
    const users = [...new Set(pinsOf('user'))];
    const fingers = [...new Set(pinsOf('fingerprint'))].filter((p) => !users.includes(p));
    const admins: string[] = changes.some((c) => c.what === 'admins')
      ? (await m.query(`SELECT p.pin FROM att_person ax JOIN person p ON p.id = ax.person_id WHERE ax.per_dev_auth <> 0 OR ax.ins_per_dev_auth <> 0`)).map((r: { pin: string }) => r.pin)
      : [];
    const records = [...new Set([...pinsOf('record'), ...admins])].filter((p) => !users.includes(p));
    if (users.length) await forgetHeld(m, deviceId, TERMINAL_KINDS, 'AND key = ANY($3::varchar[])', [users]);
    if (fingers.length) await forgetHeld(m, deviceId, ['bio'], 'AND key = ANY($3::varchar[])', [fingers]);
    if (records.length) await forgetHeld(m, deviceId, ['user'], 'AND key = ANY($3::varchar[])', [records]);
    const pins = [...new Set([...users, ...fingers, ...records])];
    if (pins.length) await this.sync.reconcileTerminal(m, deviceId, pins);
  }

  /** A terminal initialised while admitted: the work it is owed, recorded and started. */
  async initialised(deviceId: string, sn: string, first: boolean): Promise<void> {
    await this.ds.transaction((m) => this.reconciler.owe(m, { deviceId, sn, first, admittedNow: false }));
    this.reconciler.kick();
  }

  /**
   * The biometric types a terminal announced changed (its options): what it should hold is planned again against what
   * it confirmed, unless a full sync is owed it, which plans all of it in the dialect of these options (stored before
   * this runs). A new terminal pushes its options right after its first initialisation, before a pass ran the full sync
   * that initialisation owed: planned here, every member went out, and the full sync (which sends everything, whatever
   * is in flight) sent every member again. The owed job's row is locked without skipping: a pass planning it now is
   * waited for, and its sync is then in flight, so only what these options change is planned. A pass that skipped the
   * row meanwhile is followed by another.
   */
  async bioOptionsChanged(deviceId: string): Promise<void> {
    const fullOwed = await this.ds.transaction(async (m) => {
      const [owed] = await m.query(`SELECT 1 FROM sync_owed WHERE device_id = $1 AND kind = 'full' FOR UPDATE`, [deviceId]);
      if (!owed) await this.sync.reconcileTerminal(m, deviceId, null);
      return !!owed;
    });
    if (fullOwed) this.reconciler.kick();
  }

  /** Everything the terminal should hold sent again (the gateway's terminal sync endpoint). */
  fullSync(deviceId: string): Promise<void> {
    return this.ds.transaction((m) => this.sync.syncTerminalFull(m, deviceId));
  }

  /**
   * The user count of a re-initialised terminal, judged once nothing of ours is queued or owed before it. The check
   * its initialisation owed (`verify`: its difference planned again) is no such thing: it sends nothing the count
   * could miss, and the count comes with the poll right after the initialisation, before a reconciler pass took that
   * job; deferred, a reset terminal polling without INFO waited a poll interval for the INFO command to be judged.
   */
  async countReported(deviceId: string, sn: string, count: number, fingers: number | null = null): Promise<boolean | 'again'> {
    const judged = await this.ds.transaction(async (m): Promise<boolean | 'again'> => {
      const [busy] = await m.query(
        `SELECT 1 FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent') AND meta ? 'sync'
         UNION ALL SELECT 1 FROM sync_owed WHERE device_id = $2 AND kind <> 'verify' LIMIT 1`,
        [sn, deviceId],
      );
      if (busy) return false;
      // More users than it confirmed (enrolled at it and not uploaded, or left by another server): a terminal's full
      // sync sends what it should hold and removes only what it confirmed, so it would change nothing there.
      // Read before the count is judged and a full sync planned: what they write is no confirmation of the terminal's.
      const ours = count === 0 ? 0 : await usersConfirmedSinceCountDue(m, deviceId);
      // Judged with nothing of ours in flight or owed (`settled`): a count of 0 holds nothing it confirmed.
      const usersHeld = await this.reconciler.verifiedCount(m, deviceId, sn, count, 'user', undefined, { acceptAbove: true, settled: true });
      // A full sync the count owed (a reset) is planned here, in the poll that reported the count: its reply carries
      // the users (a terminal's full sync is one plan), not the poll after a reconciler pass.
      const [{ owed }]: Array<{ owed: number }> = await m.query(
        `WITH d AS (DELETE FROM sync_owed WHERE device_id = $1 AND kind = 'full' RETURNING 1) SELECT count(*)::int AS owed FROM d`,
        [deviceId],
      );
      if (owed > 0) await this.sync.syncTerminalFull(m, deviceId);
      // No users where it confirmed some, or only users it got since the count became owed (the initialisation that
      // made it due: puts of ours, enrolments at its keypad uploaded): a reset, or a fresh unit under its SN. Its
      // records start again too, and the initialisation it made before this count handed it its old, higher Stamps:
      // Stamp 0 and CHECK, queued behind its users so that the re-read comes once they are in. The count is judged only once nothing of ours is in
      // flight, so a put of ours (a refused one's retry, a person edited meanwhile) can land on the reset terminal
      // before it: counting only 0 as a reset, its records were never asked for again, and a punch it made before a
      // boot lay below the old Stamp it resumed from, never sent. A terminal that only lost users at its menu still
      // holds users confirmed before the count was owed. Nor is a full sync owed needed: a reset whose every user came
      // back through puts of ours before the count counts just what it confirmed, yet holds nothing older than them;
      // a reboot whose users were all written again (or enrolled again at its keypad) meanwhile is taken for one too,
      // and only uploads its log again.
      // No users, where it confirmed none either (its only users' records refused, -12, failing still), yet holding
      // templates or photos it confirmed before the count was owed (those refused users' own, which it took): the count
      // matched, so nothing was forgotten, and a reset terminal was believed to hold them; once the user record's retry
      // landed it was said synced without them (found by the terminal twin fault hunt, FC_SEED=5: a photo written
      // between two resets). An empty user table holds none of them: a reset, as one with users confirmed.
      const emptied = count === 0 && owed === 0 && (await forgetHeldBeforeCountDue(m, deviceId, true)) > 0;
      if ((owed > 0 || count > 0 || emptied) && count <= ours) {
        // With no full sync owed, what it confirmed before the count was owed is still believed held: the templates and
        // photos of the users that came back (a put of ours writes the user record alone), and its other items. A reset
        // terminal holds none of them: forgotten, and planned again now, behind the users and before the CHECK.
        if (emptied || (owed === 0 && (await forgetHeldBeforeCountDue(m, deviceId)) > 0)) await this.sync.reconcileTerminal(m, deviceId, null);
        await forgetFingersResent(m, deviceId);
        const why = count === 0 ? `reports no users where it confirmed ${emptied ? 'templates or photos' : 'some'}` : `reports ${count} user(s), none but those it got since its count was owed`;
        await this.terminals.dataCleared(m, { id: deviceId, sn }, `${why} (a reset or a fresh unit)`);
        return true;
      }
      // Its users as confirmed, its fingerprint count (INFO value 3, FPCount) is judged against the fingerprints it
      // confirmed: fewer, where its count was once exact, and their sets' fingers are sent again, with another count
      // owed to see them held (fingerprint-count.ts). A full sync sends them anyway.
      if (!usersHeld || owed > 0 || fingers === null || fingers < 0) return true;
      const verdict = await judgeFingerprintCount(m, deviceId, fingers);
      if (verdict.resent === false) {
        if (verdict.distrusted) {
          this.logger.warn(`terminal ${sn} reports ${fingers} fingerprint(s) still below those it confirmed after they were sent again: its fingerprint count is no longer believed (nothing sent again) until it matches`);
        }
        return true;
      }
      this.logger.warn(`terminal ${sn} reports ${fingers} fingerprint(s) where it confirmed ${verdict.confirmed}: the fingers of its ${verdict.sets} template set(s) are sent again`);
      await this.sync.reconcileTerminal(m, deviceId, null);
      return 'again';
    });
    // A full sync the count made owed is visible from here on (committed): the reconciler starts it now.
    if (judged) this.reconciler.kick();
    return judged;
  }
}

/**
 * A terminal taken for reset whose count owed no full sync holds nothing it confirmed before its count became owed
 * (att_terminal.count_due_since, as usersConfirmedSinceCountDue): those items (user records, template sets, photos)
 * are forgotten, so that the plan sends them again (`onlyHeld`: those it confirmed holding, not its confirmed removals). Answers how many were.
 */
async function forgetHeldBeforeCountDue(m: EntityManager, deviceId: string, onlyHeld = false): Promise<number> {
  const [{ n }]: Array<{ n: number }> = await m.query(
    `WITH d AS (DELETE FROM sync_item s USING att_terminal t
      WHERE s.device_id = $1 AND t.device_id = $1 AND s.kind = ANY($2) AND s.confirmed_at < coalesce(t.count_due_since, t.last_contact_at)
        ${onlyHeld ? `AND s.hash IS NOT NULL AND s.hash <> ''` : ''} RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
    [deviceId, TERMINAL_KINDS],
  );
  return n;
}

/**
 * The users a terminal got since its user count became owed (att_terminal.count_due_since; its last initialisation
 * for a count owed before that was kept): those it confirmed (a put of ours, an enrolment recorded as held) and those
 * it uploaded a USER line for (an enrolment at its keypad, device_user_line), each pin once. A line that changed
 * nothing the gateway believed the terminal held (the same person enrolled alike again, or a line identical to one
 * it uploaded before) records no confirmation, yet the terminal got that user after its reset all the same. A user
 * taken off it since (its delete confirmed after the line) is not counted. A reboot after the reset, with our puts
 * landed in between, keeps the count owed since the reset's initialisation.
 */
async function usersConfirmedSinceCountDue(m: EntityManager, deviceId: string): Promise<number> {
  const [row]: Array<{ n: number }> = await m.query(
    `WITH t AS (SELECT coalesce(count_due_since, last_contact_at) AS since FROM att_terminal WHERE device_id = $1)
     SELECT count(*)::int AS n FROM (
       SELECT s.key AS pin FROM sync_item s, t
        WHERE s.device_id = $1 AND s.kind = 'user' AND s.hash IS NOT NULL AND s.hash <> '' AND s.confirmed_at >= t.since
       UNION
       SELECT l.pin FROM device_user_line l, t
        WHERE l.device_id = $1 AND l.updated_at >= t.since
          AND NOT EXISTS (SELECT 1 FROM sync_item s WHERE s.device_id = $1 AND s.kind = 'user' AND s.key = l.pin
            AND (s.hash IS NULL OR s.hash = '') AND s.confirmed_at >= l.updated_at)) got`,
    [deviceId],
  );
  return row?.n ?? 0;
}
