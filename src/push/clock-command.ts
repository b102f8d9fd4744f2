import { instantToWallClock, setDateTime, type DeviceZone } from './protocol';

/**
 * The ref of a clock setting (`SET OPTIONS DateTime=`, 9.5.1): the device's zone, so that the time it is sent is
 * the time it is handed out, not the time an operator asked. A panel polls every RequestDelay seconds and an action
 * may wait up to DEVICE_ACTION_VALID_SECONDS for it: a value frozen at queue time set the clock that late.
 */
export interface ClockRef {
  clock: DeviceZone;
}

export const CLOCK_HEAD = 'SET OPTIONS DateTime=';

/**
 * The text a claimed command goes out with at `now`: a clock setting queued with a ClockRef is written again with
 * `now` in the device's wall clock; any other command is unchanged (null).
 */
export function clockAtHandOut(command: string, ref: unknown, now: Date): string | null {
  if (!command.startsWith(CLOCK_HEAD) || typeof ref !== 'object' || ref === null) return null;
  const zone = (ref as Partial<ClockRef>).clock;
  if (typeof zone !== 'string' && typeof zone !== 'number') return null;
  const fresh = setDateTime(instantToWallClock(now, zone));
  return fresh === command ? null : fresh;
}
