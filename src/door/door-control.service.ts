import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { wholeNumber } from '../common/whole-number';
import { CommandQueueService } from '../push/command-queue.service';
import { DeviceStatusService } from '../push/device-status.service';
import { cancelAlarm, closeDoor, holdDoorOpen, lockDoor, openDoor, setNormalOpen } from '../push/protocol';
import { DoorService } from './door.service';
import type { Door } from './door.entity';

/** The manual's codes for the open interval that have no CvCode constant in src/common (appendix 3.1). */
export const DoorOpenTimeRequired = -202;
export const DoorOpenTimeNotPositive = -203;

/** How a request names its door: by id (…ById) or by name (…ByName). */
export type DoorRef = { doorId: string } | { doorName: string };

/** A queued door command: to which device, and whether that device is online to receive it now. */
export interface QueuedDoorCommand {
  deviceSn: string;
  online: boolean;
  /** Seconds the action waits for its device before it is dropped (DEVICE_ACTION_VALID_SECONDS); null: no limit. */
  validSeconds?: number | null;
  /** The queued command's id (the console follows it to the panel's Return). */
  commandId?: string | null;
}

/** What happened to the command, in words: the gateway extensions' message and the X-Gateway-Detail header. */
export function queuedDetail(q: QueuedDoorCommand): string {
  if (q.online) return `the command is queued for device ${q.deviceSn}`;
  return q.validSeconds
    ? `device ${q.deviceSn} is offline; the command is queued and will be sent if it reconnects within ${q.validSeconds} s, else dropped`
    : `device ${q.deviceSn} is offline; the command is queued and will be sent when it reconnects`;
}

/**
 * A remote action (open, close, lockdown…) goes to an online device only. To an offline one it is refused, not
 * queued: a client reading `code 0` reports the door opened, and a queued open would run whenever the device
 * came back (the manual is silent; its digest suggests a negative code). A device that is online when asked and
 * misses the command (a lost reply) still drops it after DEVICE_ACTION_VALID_SECONDS.
 */
export function requireOnlineFor(online: boolean, sn: string): void {
  if (!online) throw new CvError(CvCode.ProgramError, `Device ${sn} is offline: the command was not sent`);
}

/**
 * Remote door control: each action is one `CONTROL DEVICE` command (push-protocol.md 12), built by the codec
 * and queued in one transaction, for an online device (requireOnlineFor). The call answers once the command is
 * queued.
 */
@Injectable()
export class DoorControlService {
  constructor(
    private readonly ds: DataSource,
    private readonly doors: DoorService,
    private readonly queue: CommandQueueService,
    private readonly status: DeviceStatusService,
  ) {}

  /** 2.11.8 / 2.11.9: release the lock for `interval` seconds (1-254). */
  async remoteOpen(ref: DoorRef, interval: string | undefined): Promise<QueuedDoorCommand> {
    const seconds = checkInterval(interval);
    return this.send(ref, (d) => openDoor(d.doorNo, seconds));
  }

  /** 2.11.6 / 2.11.7: lock now; also ends a remote normal-open. */
  remoteClose(ref: DoorRef): Promise<QueuedDoorCommand> {
    return this.send(ref, (d) => closeDoor(d.doorNo));
  }

  cancelAlarm(ref: DoorRef): Promise<QueuedDoorCommand> {
    return this.send(ref, (d) => cancelAlarm(d.doorNo));
  }

  /** Keep the lock released until a remote close. */
  normalOpen(ref: DoorRef): Promise<QueuedDoorCommand> {
    return this.send(ref, (d) => holdDoorOpen(d.doorNo));
  }

  /** Enable or disable the door's normal-open time period of the day. */
  normalOpenPeriod(ref: DoorRef, enable: boolean): Promise<QueuedDoorCommand> {
    return this.send(ref, (d) => setNormalOpen(d.doorNo, enable));
  }

  /** Lockdown (`lock` true) or its end. */
  lockdown(ref: DoorRef, lock: boolean): Promise<QueuedDoorCommand> {
    return this.send(ref, (d) => lockDoor(d.doorNo, lock));
  }

  private async send(ref: DoorRef, build: (door: Door) => string): Promise<QueuedDoorCommand> {
    const door = 'doorId' in ref ? await this.doors.requireById(ref.doorId) : await this.doors.requireByName(ref.doorName);
    const device = door.device!;
    if (device.admission === 'disabled') throw new CvError(CvCode.Conflict, `Device ${device.sn} is disabled`);
    if (!door.enabled) throw new CvError(CvCode.Conflict, `Door ${door.name} is disabled`);
    const command = build(door);
    requireOnlineFor(await this.status.isOnlineNow(device), device.sn);
    const { validSeconds, commandId } = await this.ds.transaction(async (m) => {
      const valid = await this.queue.enqueueAction(m, device.sn, command);
      return { validSeconds: valid, commandId: await this.queue.lastQueuedId(m, device.sn) };
    });
    return { deviceSn: device.sn, online: true, validSeconds, commandId };
  }
}

/**
 * -202 missing, -203 not greater than 0, -45 not a whole number of seconds within 1-254. The manual's -202 and
 * -203 texts ("The door opening time …", listed beside -201 "Floor Id is required") serve doors and floors
 * alike, as its 2.12.3 calls a floor's interval the "door opening time"; its only range code, -45, reads "Door
 * open duration", so a floor gets the same code with the floor's name in it.
 */
export function checkInterval(raw: string | undefined, subject: 'Door' | 'Floor' = 'Door'): number {
  if (raw === undefined || raw.trim() === '') throw new CvError(DoorOpenTimeRequired, 'The door opening time is required');
  const n = wholeNumber(raw);
  if (n <= 0) throw new CvError(DoorOpenTimeNotPositive, 'The door opening time needs to be greater than 0');
  if (!Number.isInteger(n) || n > 254) throw new CvError(CvCode.DoorOpenDuration, `${subject} open duration between 1~254 seconds.`);
  return n;
}
