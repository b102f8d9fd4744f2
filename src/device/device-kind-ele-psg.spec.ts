import { describe, expect, it } from 'vitest';
import { detectDeviceKind } from './device-kind';
import { isChannelEvidence, isElevatorEvidence } from './device-kind-ele-psg';

const base = '0101010000111000000111010100011010000000000000000000';

describe('elevator and channel controller detection', () => {
  it('takes AccSupportFunList positions 52-56 or 58 for an elevator controller, not 57 alone', () => {
    expect(detectDeviceKind(null, { registration: { AccSupportFunList: `${base}1` } })).toBe('ele');
    expect(detectDeviceKind(null, { registration: { AccSupportFunList: `${base}0001` } })).toBe('ele');
    expect(detectDeviceKind(null, { registration: { AccSupportFunList: `${base}0000001` } })).toBe('ele');
    expect(detectDeviceKind(null, { registration: { AccSupportFunList: `${base}000001` } })).toBe('acc');
    expect(detectDeviceKind(null, { registration: { AccSupportFunList: base } })).toBe('acc');
  });

  it('takes the elevator voice-module option or an EC model name for an elevator controller', () => {
    expect(isElevatorEvidence({ VoiceModuleType: '0' })).toBe(true);
    expect(isElevatorEvidence({ '~DeviceName': 'EC10' })).toBe(true);
    expect(isElevatorEvidence({ DeviceType: 'EC-100' })).toBe(true);
    expect(isElevatorEvidence({ '~DeviceName': 'inBIO460' })).toBe(false);
  });

  it('takes an irstate upload, Appendix 20 parameters or a gate model name for a channel controller', () => {
    expect(detectDeviceKind('acc', { uploadTable: 'irstate' })).toBe('psg');
    expect(detectDeviceKind(null, { registration: { PassWayType: '2', LockCount: '1' } })).toBe('psg');
    expect(isChannelEvidence({ '~DeviceName': 'InBio-PGates' })).toBe(true);
    expect(isChannelEvidence({ '~DeviceName': 'PGIC10' })).toBe(true);
    expect(isChannelEvidence({ '~DeviceName': 'SpeedFace-V5L', LockCount: '1' })).toBe(false);
  });

  it('leaves attendance terminals and rtlog uploads alone', () => {
    expect(detectDeviceKind(null, { registration: { DeviceType: 'att', AccSupportFunList: `${base}1` } })).toBe('att');
    expect(detectDeviceKind('ele', { uploadTable: 'rtlog' })).toBeNull();
  });
});
