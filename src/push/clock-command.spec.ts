import { describe, expect, it } from 'vitest';
import { clockAtHandOut } from './clock-command';
import { instantToWallClock, setDateTime } from './protocol';

describe('clockAtHandOut', () => {
  const queuedAt = new Date('2026-11-26T10:00:00Z');
  const handedAt = new Date('2026-11-26T10:00:07Z');
  const queued = setDateTime(instantToWallClock(queuedAt, '+0800'));

  it('writes a clock setting with a ClockRef again with the hand-out time in the device zone', () => {
    expect(clockAtHandOut(queued, { clock: '+0800' }, handedAt)).toBe(setDateTime(instantToWallClock(handedAt, '+0800')));
    expect(clockAtHandOut(queued, { clock: 480 }, handedAt)).toBe(setDateTime(instantToWallClock(handedAt, 480)));
  });

  it('leaves other commands, clock settings without a zone, and an unchanged time alone', () => {
    expect(clockAtHandOut('CONTROL DEVICE 03000000', { clock: '+0800' }, handedAt)).toBeNull();
    expect(clockAtHandOut(queued, null, handedAt)).toBeNull();
    expect(clockAtHandOut(queued, { sync: 1 }, handedAt)).toBeNull();
    expect(clockAtHandOut(queued, { clock: '+0800' }, queuedAt)).toBeNull();
  });
});
