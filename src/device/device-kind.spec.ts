import { describe, expect, it } from 'vitest';
import { detectDeviceKind, effectiveKindSql, isDeviceKind } from './device-kind';

describe('detectDeviceKind', () => {
  it('reads DeviceType=att from a registration as an attendance terminal', () => {
    expect(detectDeviceKind(null, { registration: { DeviceType: 'att', '~DeviceName': 'SpeedFace' } })).toBe('att');
    expect(detectDeviceKind('acc', { registration: { devicetype: ' ATT ' } })).toBe('att');
  });

  it('takes any other Security PUSH registration for an access panel', () => {
    expect(detectDeviceKind(null, { registration: { DeviceType: 'acc', LockCount: '4' } })).toBe('acc');
    expect(detectDeviceKind('att', { registration: { LockCount: '2' } })).toBe('acc');
  });

  it('takes an ATTLOG or OPERLOG upload from an unclassified device as a terminal', () => {
    expect(detectDeviceKind(null, { uploadTable: 'ATTLOG' })).toBe('att');
    expect(detectDeviceKind('acc', { uploadTable: 'operlog' })).toBe('att');
  });

  it('has no opinion on an rtlog upload or an empty handshake', () => {
    expect(detectDeviceKind('acc', { uploadTable: 'rtlog' })).toBeNull();
    expect(detectDeviceKind(null, { handshake: { SN: 'X', options: 'all' } })).toBeNull();
  });

  it('knows its kinds and writes the override-first SQL', () => {
    expect(isDeviceKind('ele')).toBe(true);
    expect(isDeviceKind('door')).toBe(false);
    expect(effectiveKindSql('d')).toBe('coalesce(d.kind_override, d.kind)');
  });
});
