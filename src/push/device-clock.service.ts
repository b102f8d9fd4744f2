import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { setDateTime, instantToWallClock, wallClockToInstant, type WallClock } from './protocol';
import { CLOCK_HEAD, type ClockRef } from './clock-command';
import { CommandQueueService } from './command-queue.service';
import type { DeviceSession } from './device-registry.service';
import { speaksAttendance } from './attendance/attendance-terminal.service';

/** A panel clock further than this from the server's is set again (a minute or two of drift is every RTC's). */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;
/** At most one correction per panel in this time (a firmware that ignores it is not sent one per upload). */
const CORRECTION_INTERVAL_MS = 10 * 60_000;

/**
 * A panel whose clock is far off decides with it: a validity (a visit's window, a person's accEndTime) that ended by
 * the server's clock still opens the door by a slow panel's, a visit not begun yet already does by a fast one's, and
 * its time zones open at the wrong hours. Firmware sets its clock from the server's HTTP Date at its handshake only,
 * so a panel that stays connected for weeks keeps what its RTC makes of the time. Its real-time door states tell: each
 * is reported as it is now. One further than CLOCK_TOLERANCE_MS from the server's time queues the clock setting an operator's syncTime queues (`SET OPTIONS DateTime=`, 9.5.1, its time
 * taken when the panel fetches it), unless one is on its way, at most once per CORRECTION_INTERVAL_MS per panel.
 */
@Injectable()
export class DeviceClockService {
  private readonly log = new Logger('DeviceClock');
  private readonly lastCorrection = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly queue: CommandQueueService,
  ) {}

  /**
   * The wall clocks of a real-time upload's door states, each reported as it is now (events are not looked at: they
   * may be old, buffered while the panel was offline). null when the clock is right (the commonest upload there is:
   * no promise).
   */
  observe(device: DeviceSession, states: readonly WallClock[], at: Date = new Date()): Promise<void> | null {
    // Attendance terminals are left out: Attendance PUSH defines no command that sets their clock.
    if (device.admission !== 'admitted' || states.length === 0 || speaksAttendance(device)) return null;
    const off = states.map((w) => wallClockToInstant(w, device.timeZone).getTime() - at.getTime()).find((s) => Math.abs(s) > CLOCK_TOLERANCE_MS);
    if (off === undefined) return null;
    const last = this.lastCorrection.get(device.sn);
    if (last !== undefined && at.getTime() - last < CORRECTION_INTERVAL_MS) return null;
    this.lastCorrection.set(device.sn, at.getTime());
    return this.correct(device, off, at);
  }

  private async correct(device: DeviceSession, off: number, at: Date): Promise<void> {
    await this.ds.transaction(async (m) => {
      const [waiting]: unknown[] = await m.query(
        `SELECT 1 FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent') AND left(command, ${CLOCK_HEAD.length}) = $2 LIMIT 1`,
        [device.sn, CLOCK_HEAD],
      );
      if (waiting) return;
      const ref: ClockRef = { clock: device.timeZone };
      await this.queue.enqueueAction(m, device.sn, setDateTime(instantToWallClock(at, device.timeZone)), ref);
      this.log.warn(`device ${device.sn}: its clock is ${Math.round(off / 1000)} s off the server's; setting it (SET OPTIONS DateTime=)`);
    });
  }

}
