import { describe, expect, it } from 'vitest';
import { impliedLockCount, parseRegistrationBody } from './registry';

const locks = (body: string) => impliedLockCount(parseRegistrationBody(body).capabilities);

describe('the locks a registration implies', () => {
  it('keeps a reported LockCount, 0 included', () => {
    expect(locks('DeviceType=acc,~DeviceName=C3-400,LockCount=2')).toBe(2);
    expect(locks('DeviceType=acc,~DeviceName=SpeedFace-V5L,LockCount=0')).toBe(0);
  });

  it('reads the model of a trimmed body: C3 and inBio by their number, C4 as four, any other access device as one', () => {
    // Field samples reg-c3-100pro-acc and reg-senseface2a-acc.
    expect(locks('DeviceType=acc,~DeviceName=C3-100Pro,FirmVer=AC Ver 4.7.8.3033 Aug 14 2023,authKey=\n')).toBe(1);
    expect(locks('DeviceType=acc,~DeviceName=SenseFace 2A,FirmVer=ZAM70-NF24HA-Ver3.0.15,PushVersion=Ver 3.0.4S-20240809,~SerialNumber=NYU7251601501,FaceFunOn=1,FingerFunOn=1')).toBe(1);
    expect(locks('DeviceType=acc,~DeviceName=C3-200')).toBe(2);
    expect(locks('DeviceType=acc,~DeviceName=inBio460 Pro')).toBe(4);
    expect(locks('DeviceType=acc,~DeviceName=inBio 260')).toBe(2);
    expect(locks('DeviceType=acc,~DeviceName=C4')).toBe(4);
    expect(locks('~DeviceName=ProFace X')).toBe(1);
  });

  it('implies nothing for a device of another type', () => {
    expect(locks('DeviceType=att,~DeviceName=MB360')).toBeNull();
  });
});
