import { describe, expect, it } from 'vitest';
import { cvsEventName } from './cvsecurity-event-names';
import { eventInfo } from './protocol';

describe('cvsEventName', () => {
  it('names access events as the REST manual does, not as the protocol appendix', () => {
    expect(cvsEventName(0)).toBe('Normal Verify Open');
    expect(eventInfo(0)?.name).not.toBe('Normal Verify Open');
    expect(cvsEventName(8)).toBe('remote opening');
    expect(cvsEventName(27)).toBe('card is not registered');
    expect(cvsEventName(206)).toBe('Device Started');
    expect(cvsEventName(214)).toBe('Connect to Server');
    expect(cvsEventName(23)).toBe('Access Denied');
  });

  it('keeps the channel controllers their own names, and elevators the access names', () => {
    expect(cvsEventName(110, 'psg')).toBe('The Gate is not connected');
    expect(cvsEventName(700, 'psg')).toBe('Connection abort');
    expect(cvsEventName(110, 'acc')).toBe(eventInfo(110)?.name);
    expect(cvsEventName(0, 'ele')).toBe('Normal Verify Open');
  });

  it('falls back to the protocol description for a code CVSecurity does not name, and to CVSecurity\'s key of a new event type for an unknown one', () => {
    const unnamed = [...Array(10000).keys()].find((c) => c > 0 && eventInfo(c) && cvsEventName(c) === eventInfo(c)?.name);
    expect(unnamed).toBeDefined();
    expect(cvsEventName(99999)).toBe('acc_newEventNo_99999');
    expect(cvsEventName(99999, 'psg')).toBe('acc_newEventNo_99999');
  });
});
