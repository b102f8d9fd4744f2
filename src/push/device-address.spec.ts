import { describe, expect, it } from 'vitest';
import { addressDecision } from './device-address.service';

describe('addressDecision (DEVICE_SN_CONFLICT)', () => {
  const base = { ip: '10.0.0.2', now: 100_000, windowMs: 30_000 };

  it('binds a device with no address yet, and keeps its own address', () => {
    expect(addressDecision({ ...base, boundIp: null, lastSeenAt: null })).toBe('same');
    expect(addressDecision({ ...base, boundIp: '10.0.0.2', lastSeenAt: 99_000 })).toBe('same');
  });

  it('is a conflict while the bound address is online: up to the window and a tenth (a terminal a second late)', () => {
    expect(addressDecision({ ...base, boundIp: '10.0.0.1', lastSeenAt: 99_000 })).toBe('conflict');
    expect(addressDecision({ ...base, boundIp: '10.0.0.1', lastSeenAt: 69_000 })).toBe('conflict');
    expect(addressDecision({ ...base, boundIp: '10.0.0.1', lastSeenAt: 67_000 })).toBe('conflict');
  });

  it('accepts a move once the bound address has been silent for longer than that, or was never seen', () => {
    expect(addressDecision({ ...base, boundIp: '10.0.0.1', lastSeenAt: 66_999 })).toBe('move');
    expect(addressDecision({ ...base, boundIp: '10.0.0.1', lastSeenAt: 65_000 })).toBe('move');
    expect(addressDecision({ ...base, boundIp: '10.0.0.1', lastSeenAt: null })).toBe('move');
  });
});
