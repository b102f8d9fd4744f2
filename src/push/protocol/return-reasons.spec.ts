import { describe, expect, it } from 'vitest';
import { isPhotoCommand, returnReason } from './return-reasons';

describe('returnReason (Appendix 1 of both manuals)', () => {
  it('a full device: -18 insufficient space, -1001 limited capacity', () => {
    expect(returnReason(-18)).toBe('capacity');
    expect(returnReason(-1001, 'attendance')).toBe('capacity');
  });
  it('-1001 to a photo is the photo too large: data, not a full device', () => {
    expect(isPhotoCommand('DATA UPDATE USERPIC PIN=1\tSize=3\tContent=abc')).toBe(true);
    expect(isPhotoCommand('DATA UPDATE biophoto PIN=1\tType=9')).toBe(true);
    expect(isPhotoCommand('DATA UPDATE user Pin=1')).toBe(false);
    expect(returnReason(-1001, 'attendance', true)).toBe('data');
  });
  it('-12 is data on a terminal (the fingerprint template is illegal), a failed command on a panel', () => {
    expect(returnReason(-12, 'attendance')).toBe('data');
    expect(returnReason(-12, 'security')).toBe('transient');
    // -10 on a terminal: the user is not on it (an ordering matter), not bad data.
    expect(returnReason(-10, 'attendance')).toBe('transient');
    expect(returnReason(-620)).toBe('data');
    expect(returnReason(-1006, 'attendance')).toBe('data');
  });
  it('refusals for good are unsupported; a success or no Return has no reason', () => {
    for (const c of [-1002, -1004, -629, -708, -13]) expect(returnReason(c)).toBe('unsupported');
    expect(returnReason(-1005, 'attendance')).toBe('transient');
    expect(returnReason(-99999)).toBe('transient');
    expect(returnReason(0)).toBeNull();
    expect(returnReason(null)).toBeNull();
  });
});
