/**
 * Door model and CONTROL DEVICE (manual 9.4; digest §12).
 *   C:<id>:CONTROL DEVICE AABBCCDD[EE]   AA action (hex on the wire: table row 11 = 0B), BB door (00 = all),
 *   CC/DD parameters, EE operator.
 */

export type DoorActionKind =
  | 'open'
  | 'close'
  | 'normalOpen'
  | 'cancelAlarm'
  | 'restart'
  | 'enableNormalOpen'
  | 'disableNormalOpen'
  | 'lock'
  | 'unlock'
  | 'emergencyOpen'
  | 'emergencyClose'
  | 'auxOpen'
  | 'auxClose'
  | 'auxNormalOpen'
  | 'other';

export interface DoorAction {
  at: Date;
  cmdId: string;
  action: DoorActionKind;
  /** Door (or aux output for aux* actions); 0 = all. */
  door: number;
  /** Seconds for `open` / `auxOpen`. */
  seconds?: number;
  /** The AA byte as sent, e.g. '01'. */
  code: string;
  /** The hex argument as received. */
  raw: string;
  /** Return code the device answered. */
  result: number;
}

export type SensorState = 'none' | 'closed' | 'open';

export interface DoorState {
  door: number;
  /** Lock relay released until this instant (device clock). */
  openUntil?: Date;
  /** Latched open (CONTROL DEVICE 01 xx 01 FF, or emergency open). */
  normalOpen: boolean;
  /** Normal-open time period of the day enabled (AA=04). */
  normalOpenPeriodEnabled: boolean;
  /** Lockdown (AA=06). */
  lockedDown: boolean;
  sensor: SensorState;
  /** Alarm bits of the rtstate alarm byte (bit 0 accidental open, bit 1 tamper, ...). */
  alarm: number;
}

export function newDoor(door: number): DoorState {
  return { door, normalOpen: false, normalOpenPeriodEnabled: true, lockedDown: false, sensor: 'none', alarm: 0 };
}

/** Is the lock released at `now`? */
export function isUnlocked(d: DoorState, now: Date): boolean {
  if (d.lockedDown) return false;
  return d.normalOpen || (d.openUntil !== undefined && now.getTime() < d.openUntil.getTime());
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

export interface ControlContext {
  doors: DoorState[];
  auxOut: number;
  now: Date;
  cmdId: string;
  raw: string;
}

/**
 * Apply CONTROL DEVICE bytes to the doors. Returns the Return code and the recorded actions.
 * Errors: a door / output number beyond the device's count → -11 (Appendix 1 "incorrect data parameter");
 * an open command while the door is latched open → -28 (Appendix 1); unknown action → -1002.
 */
export function applyControl(bytes: number[], ctx: ControlContext): { code: number; actions: DoorAction[]; restart: boolean } {
  const [aa, bb, cc, dd] = bytes;
  const actions: DoorAction[] = [];
  let restart = false;
  const rec = (action: DoorActionKind, door: number, seconds?: number) =>
    actions.push({ at: ctx.now, cmdId: ctx.cmdId, action, door, seconds, code: hex2(aa), raw: ctx.raw, result: 0 });
  const targets = (n: number): DoorState[] | null => {
    if (n === 0) return ctx.doors;
    const d = ctx.doors[n - 1];
    return d ? [d] : null;
  };
  let code = 0;
  switch (aa) {
    case 0x01: {
      if (cc === 0x02) {
        if (bb > ctx.auxOut) {
          code = -11;
          break;
        }
        rec(dd === 0 ? 'auxClose' : dd === 0xff ? 'auxNormalOpen' : 'auxOpen', bb, dd > 0 && dd < 0xff ? dd : undefined);
        break;
      }
      if (cc !== 0x01) {
        code = -11;
        break;
      }
      const ds = targets(bb);
      if (!ds) {
        code = -11;
        break;
      }
      if (dd === 0x00) {
        for (const d of ds) {
          d.openUntil = undefined;
          d.normalOpen = false;
        }
        rec('close', bb);
      } else if (dd === 0xff) {
        for (const d of ds) d.normalOpen = true;
        rec('normalOpen', bb);
      } else {
        if (ds.length === 1 && ds[0].normalOpen) {
          code = -28;
        } else {
          for (const d of ds) d.openUntil = new Date(ctx.now.getTime() + dd * 1000);
        }
        rec('open', bb, dd);
      }
      break;
    }
    case 0x02: {
      const ds = targets(bb);
      if (!ds) {
        code = -11;
        break;
      }
      for (const d of ds) d.alarm = 0;
      rec('cancelAlarm', bb);
      break;
    }
    case 0x03:
      restart = true;
      rec('restart', bb);
      break;
    case 0x04: {
      const ds = targets(bb);
      if (!ds) {
        code = -11;
        break;
      }
      for (const d of ds) d.normalOpenPeriodEnabled = cc === 0x01;
      rec(cc === 0x01 ? 'enableNormalOpen' : 'disableNormalOpen', bb);
      break;
    }
    case 0x06: {
      const ds = targets(bb);
      if (!ds) {
        code = -11;
        break;
      }
      for (const d of ds) d.lockedDown = cc === 0x01;
      rec(cc === 0x01 ? 'lock' : 'unlock', bb);
      break;
    }
    case 0x07:
      if (bb === 0x01) {
        for (const d of ctx.doors) d.normalOpen = true;
        rec('emergencyOpen', 0);
      } else if (bb === 0x02) {
        for (const d of ctx.doors) {
          d.normalOpen = false;
          d.openUntil = undefined;
        }
        rec('emergencyClose', 0);
      } else code = -11;
      break;
    default:
      if (aa >= 0x05 && aa <= 0x12) rec('other', bb);
      else code = -1002;
  }
  for (const a of actions) a.result = code;
  return { code, actions, restart };
}

/**
 * rtstate fields (7.3): sensor 2 bits per door (01 closed, 10 open, 00 none; door 1 in the lowest bits of the
 * first byte); relay 1 bit per door (1 = lock released — the manual does not say which level means unlocked);
 * alarm one byte per door, at least 8 doors (16 hex digits) as in the manual's example.
 */
export function rtstateFields(doors: DoorState[], now: Date): { sensor: string; relay: string; alarm: string } {
  const sensorBytes: number[] = [];
  doors.forEach((d, i) => {
    const byte = Math.floor(i / 4);
    const v = d.sensor === 'closed' ? 1 : d.sensor === 'open' ? 2 : 0;
    sensorBytes[byte] = (sensorBytes[byte] ?? 0) | (v << (2 * (i % 4)));
  });
  const relayBytes: number[] = [];
  doors.forEach((d, i) => {
    const byte = Math.floor(i / 8);
    relayBytes[byte] = (relayBytes[byte] ?? 0) | ((isUnlocked(d, now) ? 1 : 0) << i % 8);
  });
  const alarmBytes = Array.from({ length: Math.max(8, doors.length) }, (_, i) => doors[i]?.alarm ?? 0);
  const hex = (bs: number[]) => (bs.length ? bs : [0]).map(hex2).join('');
  return { sensor: hex(sensorBytes), relay: hex(relayBytes), alarm: hex(alarmBytes) };
}
