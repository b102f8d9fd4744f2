import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { requireCvPeriod } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Device } from '../device/device.entity';
import { DeviceService } from '../device/device.service';
import { DeviceQueueClearService, type RemovedCommand } from '../device/device-queue-clear.service';
import { AttendanceTerminalService } from '../push/attendance/attendance-terminal.service';
import {
  ATT_AC_UNALARM,
  ATT_AC_UNLOCK,
  ATT_CHECK,
  ATT_INFO,
  ATT_LOG,
  ATT_REBOOT,
  ATT_RELOAD_OPTIONS,
  attClear,
  attEnrollBio,
  attEnrollCard,
  attEnrollFp,
  attQueryUserInfo,
} from '../push/attendance/protocol';
import { CommandOutcomeHub, type CommandOutcome } from '../push/command-outcome';
import { requireOnlineFor } from '../door/door-control.service';
import { CommandQueueService } from '../push/command-queue.service';
import { DeviceStatusService } from '../push/device-status.service';
import { DeviceRegistryService } from '../push/device-registry.service';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import type { TerminalAction } from './dto/attendance.dto';

/** The terminal command of an operator action, from the codec's builders; null when the action needs a pin it lacks. */
function terminalCommand(action: TerminalAction, pin: string | undefined, fingerId: number | undefined): string | null {
  switch (action) {
    case 'info':
      return ATT_INFO;
    case 'check':
      return ATT_CHECK;
    case 'log':
      return ATT_LOG;
    case 'reboot':
      return ATT_REBOOT;
    case 'unlock':
      return ATT_AC_UNLOCK;
    case 'unalarm':
      return ATT_AC_UNALARM;
    case 'reloadOptions':
      return ATT_RELOAD_OPTIONS;
    case 'clearLog':
      return attClear('LOG');
    case 'clearPhoto':
      return attClear('PHOTO');
    case 'clearData':
      return attClear('DATA');
    case 'clearBiodata':
      return attClear('BIODATA');
    default:
      if (!pin) return null;
      if (action === 'enrollFingerprint') return attEnrollFp({ pin, fid: fingerId ?? 0 });
      if (action === 'enrollCard') return attEnrollCard({ pin });
      if (action === 'enrollFace') return attEnrollBio({ type: 9, pin });
      return attQueryUserInfo(pin);
  }
}
/** What an operator's recovery answers: the command's text, and its queue id, by which its Return is followed. */
export interface QueuedTerminalCommand {
  deviceSn: string;
  command: string;
  commandId: string | null;
}

/** CLEAR LOG and CLEAR DATA wipe a terminal's attendance records (12.2.1, 12.2.3); CLEAR PHOTO its attendance photos (12.2.2). */
const CLEAR_LOG = attClear('LOG');
const CLEAR_DATA = attClear('DATA');
const CLEAR_PHOTO = attClear('PHOTO');
/** The commands whose queueing changes the terminal's Stamps (send): they keep the Stamps before it, to be put back if removed unsent. */
const STAMPS_KEPT: ReadonlySet<string> = new Set([CLEAR_LOG, CLEAR_DATA, CLEAR_PHOTO, ATT_CHECK]);
/** The mark (att_terminal.stamps `cleared`) a queued CLEAR LOG or CLEAR DATA leaves. */
const queuedMark = (command: string): string => `${command} queued`;
/**
 * The terminal commands that are remote actions, as a panel's reboot and a door's open are (DeviceControlService,
 * requireOnlineFor): sent to an online terminal only, and dropped if not fetched within DEVICE_ACTION_VALID_SECONDS.
 * A reboot or a door unlocked whenever the terminal comes back, hours later, is not what the operator asked for. The
 * clears and queries stay queued until delivered: they change what the gateway holds of the terminal with them (its
 * stamps, a full sync behind CLEAR DATA) and are as right late as now.
 */

export const TERMINAL_REMOTE_ACTIONS: ReadonlySet<TerminalAction> = new Set(['reboot', 'unlock', 'unalarm']);

/**
 * One operator command for an attendance terminal or FaceKiosk, queued with what it implies for the gateway's own
 * state in the same transaction: the REST API's `api/gateway/attendance/terminals/{sn}/command` and `.../recover`,
 * and the console's Devices page (Reboot, Clear punches, Get punches) all send through here.
 */
@Injectable()
export class TerminalCommandService implements OnModuleInit {
  constructor(
    private readonly outcomes: CommandOutcomeHub,
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly terminals: AttendanceTerminalService,
    private readonly queue: CommandQueueService,
    private readonly sync: AttendanceSyncService,
    private readonly registry: DeviceRegistryService,
    private readonly status: DeviceStatusService,
    private readonly queueClear: DeviceQueueClearService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.outcomes.register((m, outcomes) => this.clearsRan(m, outcomes));
    this.queueClear.onCleared((m, device, removed) => this.clearsRemoved(m, device, removed));
  }

  /**
   * Clears and CHECKs of ours removed from the terminal's queue unsent (the console's Clear commands): they never
   * ran, so the Stamps their queueing dropped or marked are put back from the earliest one's `stampsBefore` (send).
   */
  private async clearsRemoved(m: EntityManager, device: { id: string; sn: string }, removed: readonly RemovedCommand[]): Promise<void> {
    const ours = removed.filter((r) => STAMPS_KEPT.has(r.head.trim()) && r.meta && typeof r.meta.stampsBefore === 'object');
    if (!ours.length) return;
    const clearMarks = ours.map((r) => r.head.trim()).filter((c) => c === CLEAR_LOG || c === CLEAR_DATA).map(queuedMark);
    await this.terminals.undoQueued(m, device, ours[0].meta!.stampsBefore as Record<string, string>, [...new Set(clearMarks)]);
  }

  /**
   * A clear of records that ran (its Return `>= 0`; or expired, its result never in: it may have run), in the
   * transaction recording it: the terminal's records start again now, so its Stamps are dropped again and its next
   * initialisation hands Stamp 0, as when the clear was queued (send). That mark alone was consumed by an
   * initialisation between the queueing and the clear (a terminal away, or rebooting, when it was queued): handed
   * Stamp 0 then, it uploaded its old log again, under the old log's Stamp, and ran the clear; its next boot was
   * handed that Stamp, and it skipped the new records numbered below it that it had not sent yet (lost punches). A
   * refused clear (negative Return) cleared nothing: nothing more is marked.
   */
  private async clearsRan(m: EntityManager, outcomes: readonly CommandOutcome[]): Promise<void> {
    for (const o of outcomes) {
      const command = o.command.trim();
      if ((command !== CLEAR_LOG && command !== CLEAR_DATA && command !== CLEAR_PHOTO) || (o.state !== 'done' && o.reason !== 'expired')) continue;
      const [d]: Array<{ id: string }> = await m.query(`SELECT id FROM device WHERE sn = $1`, [o.deviceSn]);
      if (!d) continue;
      if (command === CLEAR_PHOTO) await this.terminals.photosCleared(m, d.id);
      else await this.terminals.dataCleared(m, { id: d.id, sn: o.deviceSn }, `${command} ${o.state === 'done' ? 'ran' : 'expired, may have run'}`, false);
    }
  }

  /** An admitted attendance terminal or FaceKiosk (-200 otherwise). */
  async requireTerminal(sn: string): Promise<Device> {
    const d = await this.devices.findBySn(sn.trim());
    if (!d || d.admission !== 'admitted' || !['att', 'facekiosk'].includes(d.kindOverride ?? d.kind)) throw new CvError(CvCode.SnRequired, `No admitted attendance terminal or kiosk: ${sn}`);
    return d;
  }

  /**
   * CVSecurity's "Get attendance records": the terminal is asked to upload its punches of the period again
   * (`DATA QUERY ATTLOG StartTime=<HT>EndTime=`, 12.1.3, in its own wall clock); what comes back is stored once.
   * Times are wall clocks in the gateway's zone (`yyyy-MM-dd HH:mm:ss`). `upToNow` (the console's form): the period
   * must also be a real one (start before end) and end by now: a period in the future has no punches to ask for.
   */
  async recover(sn: string, period: { startTime: string; endTime: string }, upToNow = false): Promise<QueuedTerminalCommand> {
    const d = await this.devices.requireAddedBySn(sn.trim(), 'att');
    const { from, to } = requireCvPeriod(period, this.config.timeZone, upToNow);
    const s = await this.registry.resolve(d.sn);
    return this.ds.transaction(async (m) => {
      const command = await this.terminals.queueRecovery(m, s, from, to);
      return { deviceSn: d.sn, command, commandId: await this.queue.lastQueuedId(m, d.sn) };
    });
  }

  /**
   * Queues the action's command; answers its text and queue id, by which its Return is followed. A remote action
   * (TERMINAL_REMOTE_ACTIONS) is refused for an offline terminal (-1, nothing queued) and carries the action validity.
   */
  async send(sn: string, action: TerminalAction, pin?: string, fingerId?: number): Promise<QueuedTerminalCommand & { validSeconds?: number | null }> {
    const d = await this.requireTerminal(sn);
    const command = terminalCommand(action, pin, fingerId);
    if (!command) throw new CvError(CvCode.PinEmpty, `${action} needs a pin`);
    const isAction = TERMINAL_REMOTE_ACTIONS.has(action);
    if (isAction) requireOnlineFor(await this.status.isOnlineNow(d), d.sn);
    return this.ds.transaction(async (m) => {
      if (isAction) {
        const validSeconds = await this.queue.enqueueAction(m, d.sn, command);
        return { deviceSn: d.sn, command, commandId: await this.queue.lastQueuedId(m, d.sn), validSeconds };
      }
      // A clear or CHECK keeps the Stamps it changes: removed unsent, it is undone (clearsRemoved).
      const ref = STAMPS_KEPT.has(command) ? { stampsBefore: await this.terminals.stampsBefore(m, d.id) } : undefined;
      await this.queue.enqueue(m, d.sn, [{ command, ref }]);
      // Taken before anything the action queues behind it (a clear's full sync).
      const commandId = await this.queue.lastQueuedId(m, d.sn);
      if (action === 'check') await this.terminals.markCheck(m, d.id);
      // CLEAR DATA wipes the terminal's users with their templates and photos, CLEAR BIODATA its templates (manual
      // 12.2.3, 12.2.4): what it confirmed is gone once the clear runs, and no user count shows a template lost. So
      // everything it should hold is sent again, queued behind the clear (commands run in queue order).
      if (action === 'clearData' || action === 'clearBiodata') await this.sync.syncTerminalFull(m, d.id);
      // CLEAR LOG and CLEAR DATA wipe its attendance records, which start again under new Stamps: the old ones are
      // dropped and its next initialisation hands Stamp 0, or a reboot would hand it marks its new records never reach.
      if (action === 'clearLog' || action === 'clearData') await this.terminals.dataCleared(m, d, queuedMark(command), false);
      // CLEAR PHOTO wipes its attendance photos (12.2.2), which start again under new Stamps: the ATTPHOTO one is dropped.
      if (action === 'clearPhoto') await this.terminals.photosCleared(m, d.id);
      return { deviceSn: d.sn, command, commandId };
    });
  }
}
