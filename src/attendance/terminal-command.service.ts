import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import type { Device } from '../device/device.entity';
import { DeviceService } from '../device/device.service';
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
import { CommandQueueService } from '../push/command-queue.service';
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
/**
 * One operator command for an attendance terminal or FaceKiosk, queued with what it implies for the gateway's own
 * state in the same transaction: the REST API's `api/gateway/attendance/terminals/{sn}/command` and the console's
 * Devices page (Reboot, Clear punches) both send through here.
 */
@Injectable()
export class TerminalCommandService {
  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly terminals: AttendanceTerminalService,
    private readonly queue: CommandQueueService,
    private readonly sync: AttendanceSyncService,
  ) {}

  /** An admitted attendance terminal or FaceKiosk (-200 otherwise). */
  async requireTerminal(sn: string): Promise<Device> {
    const d = await this.devices.findBySn(sn.trim());
    if (!d || d.admission !== 'admitted' || !['att', 'facekiosk'].includes(d.kindOverride ?? d.kind)) throw new CvError(CvCode.SnRequired, `No admitted attendance terminal or kiosk: ${sn}`);
    return d;
  }

  /** Queues the action's command; answers its text and queue id, by which its Return is followed. */
  async send(sn: string, action: TerminalAction, pin?: string, fingerId?: number): Promise<{ deviceSn: string; command: string; commandId: string | null }> {
    const d = await this.requireTerminal(sn);
    const command = terminalCommand(action, pin, fingerId);
    if (!command) throw new CvError(CvCode.PinEmpty, `${action} needs a pin`);
    return this.ds.transaction(async (m) => {
      await this.queue.enqueue(m, d.sn, [command]);
      // Taken before anything the action queues behind it (a clear's full sync).
      const commandId = await this.queue.lastQueuedId(m, d.sn);
      if (action === 'check') await this.terminals.markCheck(m, d.id);
      // CLEAR DATA wipes the terminal's users with their templates and photos, CLEAR BIODATA its templates (manual
      // 12.2.3, 12.2.4): what it confirmed is gone once the clear runs, and no user count shows a template lost. So
      // everything it should hold is sent again, queued behind the clear (commands run in queue order).
      if (action === 'clearData' || action === 'clearBiodata') await this.sync.syncTerminalFull(m, d.id);
      // CLEAR LOG and CLEAR DATA wipe its attendance records, which start again under new Stamps: the old ones are
      // dropped and its next initialisation hands Stamp 0, or a reboot would hand it marks its new records never reach.
      if (action === 'clearLog' || action === 'clearData') await this.terminals.dataCleared(m, d, `${command} queued`, false);
      // CLEAR PHOTO wipes its attendance photos (12.2.2), which start again under new Stamps: the ATTPHOTO one is dropped.
      if (action === 'clearPhoto') await this.terminals.photosCleared(m, d.id);
      return { deviceSn: d.sn, command, commandId };
    });
  }
}
