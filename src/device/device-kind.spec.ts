import { describe, expect, it } from 'vitest';
import { detectDeviceKind, effectiveKindSql, isDeviceKind, returnCodeManual } from './device-kind';

describe('detectDeviceKind', () => {
  it('reads DeviceType=att from a registration as an attendance terminal', () => {
    expect(detectDeviceKind(null, { registration: { DeviceType: 'att', '~DeviceName': 'SpeedFace' } })).toBe('att');
    expect(detectDeviceKind('acc', { registration: { devicetype: ' ATT ' } })).toBe('att');
  });

  it('takes any other Security PUSH registration for an access panel', () => {
    expect(detectDeviceKind(null, { registration: { DeviceType: 'acc', LockCount: '4' } })).toBe('acc');
    expect(detectDeviceKind('att', { registration: { LockCount: '2' } })).toBe('acc');
  });

  it('takes an ATTLOG, OPERLOG, USERINFO or FINGERTMP upload from an unclassified device as a terminal', () => {
    expect(detectDeviceKind(null, { uploadTable: 'ATTLOG' })).toBe('att');
    expect(detectDeviceKind('acc', { uploadTable: 'operlog' })).toBe('att');
    expect(detectDeviceKind(null, { uploadTable: 'USERINFO' })).toBe('att');
    expect(detectDeviceKind(null, { uploadTable: 'FINGERTMP' })).toBe('att');
    expect(detectDeviceKind(null, { uploadTable: 'biodata' })).toBeNull();
  });

  it('never moves a device its registration decided: an upload or INFO of a registered panel has no opinion', () => {
    expect(detectDeviceKind('acc', { uploadTable: 'ATTLOG', registered: true })).toBeNull();
    expect(detectDeviceKind('acc', { uploadTable: 'OPERLOG', registered: true })).toBeNull();
    expect(detectDeviceKind('acc', { info: 'ZAM180-NF50VA-Ver3.4.9,5,0,146,192.168.2.43,10,39,12,5,11110,0,0,0', registered: true })).toBeNull();
    // A registration still decides by itself (DeviceType=att is a terminal).
    expect(detectDeviceKind('acc', { registration: { DeviceType: 'att' }, registered: true })).toBe('att');
  });

  it('has no opinion on an rtlog upload or a handshake without options=all', () => {
    expect(detectDeviceKind('acc', { uploadTable: 'rtlog' })).toBeNull();
    expect(detectDeviceKind(null, { handshake: { SN: 'X' } })).toBeNull();
  });

  it("takes old terminal firmware's bare initialisation (SN and options=all, no pushver: 2.2.14 by attendance Appendix 6) for a terminal", () => {
    expect(detectDeviceKind(null, { handshake: { SN: 'X', options: 'all' } })).toBe('att');
    expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', language: '69' } })).toBe('att');
    // A DeviceType says what it is; a pushver is read as before.
    expect(detectDeviceKind(null, { handshake: { SN: 'X', options: 'all', DeviceType: 'acc' } })).toBeNull();
    expect(detectDeviceKind(null, { handshake: { SN: 'X', options: 'all', pushver: '3.0.1' } })).toBeNull();
  });

  it('knows its kinds and writes the override-first SQL', () => {
    expect(isDeviceKind('ele')).toBe(true);
    expect(isDeviceKind('door')).toBe(false);
    expect(effectiveKindSql('d')).toBe('coalesce(d.kind_override, d.kind)');
  });

  describe('attendance terminals and kiosks (attendance helper)', () => {
    it('reads the attendance initialisation from the whole handshake, never one flag', () => {
      // The attendance manual's own example: language + pushcommkey.
      expect(detectDeviceKind('acc', { handshake: { SN: '0316144680030', options: 'all', pushver: '2.2.14', language: '83', pushcommkey: '4a95' } })).toBe('att');
      // Field samples: DeviceType=att; DeviceType=middle east with language.
      expect(detectDeviceKind('acc', { handshake: { SN: 'AJE1261900133', options: 'all', language: '69', pushver: '2.4.1', DeviceType: 'att', PushOptionsFlag: '1' } })).toBe('att');
      expect(detectDeviceKind('acc', { handshake: { SN: 'BOCK200961014', options: 'all', language: '69', pushver: '2.4.0', DeviceType: 'middle east' } })).toBe('att');
      // One weak flag alone is not enough; DeviceType=acc vetoes.
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', pushver: '2.4.1' } })).toBeNull();
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', language: '69', pushver: '2.4.1', DeviceType: 'acc' } })).toBeNull();
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', pushver: '3.1.2' } })).toBeNull();
    });

    it("takes the attendance manual's section 5 form (no pushcommkey, no DeviceType) for a terminal, and keeps panels panels", () => {
      // Attendance manual 5 / Appendix 6: pushver is of the 2.x line (2.2.14 .. 2.4.1), language is attendance-only.
      expect(detectDeviceKind(null, { handshake: { SN: '0316144680030', options: 'all', pushver: '2.2.14', language: '83' } })).toBe('att');
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', language: '69', pushver: '2.4.1' } })).toBe('att');
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', pushver: '2.3.0', pushcommkey: 'k' } })).toBe('att');
      // Security manual 4.1 / Appendix 13: `pushver=3.x&options=all`, plus what the panel was set to send.
      expect(detectDeviceKind(null, { handshake: { SN: '3383154200002', pushver: '3.0.1', options: 'all' } })).toBeNull();
      expect(detectDeviceKind(null, { handshake: { SN: 'X', pushver: '3.1.2', options: 'all', DeviceType: 'acc' } })).toBeNull();
      expect(detectDeviceKind(null, { handshake: { SN: 'X', pushver: '3.1.2', options: 'all', language: '69' } })).toBeNull();
      // Older panels announcing a 2.x pushver (no language, no key) stay panels.
      expect(detectDeviceKind(null, { handshake: { SN: 'X', pushver: '2.2.0', options: 'all' } })).toBeNull();
      // PushOptionsFlag on the request (every attendance field sample; no Security PUSH 4.1 parameter) is a point.
      expect(detectDeviceKind(null, { handshake: { SN: 'X', options: 'all', pushver: '2.4.1', PushOptionsFlag: '1' } })).toBe('att');
      // One point, initialising again instead of registering after `OK`: a terminal. No point, or registered: no opinion.
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', pushver: '2.4.1' }, handshakeAgain: true })).toBe('att');
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', pushver: '3.0.1' }, handshakeAgain: true })).toBeNull();
      expect(detectDeviceKind('acc', { handshake: { SN: 'X', options: 'all', pushver: '2.4.1' }, handshakeAgain: true, registered: true })).toBeNull();
      // A device taken for a terminal on its handshake that then registers is a panel: the registration decides.
      expect(detectDeviceKind('att', { registration: { DeviceType: 'acc', LockCount: '1' } })).toBe('acc');
    });

    it('reads a terminal or kiosk Return with the attendance manual, any other device with the Security one', () => {
      expect(returnCodeManual('att')).toBe('attendance');
      expect(returnCodeManual('facekiosk')).toBe('attendance');
      for (const kind of ['acc', 'ele', 'psg', null, undefined]) expect(returnCodeManual(kind)).toBe('security');
    });

    it('takes INFO on the poll from a default device as a terminal', () => {
      expect(detectDeviceKind('acc', { info: 'ZAM180-NF50VA-Ver3.4.9,5,0,146,192.168.2.43,10,39,12,5,11110,0,0,0' })).toBe('att');
      expect(detectDeviceKind('acc', { info: 'short,list' })).toBeNull();
      expect(detectDeviceKind('facekiosk', { info: 'Ver 2.0.12-20150625,0,0,0,192.168.16.27,10,7,15,0,111' })).toBeNull();
    });

    it('reads a kiosk DeviceType as a FaceKiosk, and keeps a kiosk a kiosk on attendance uploads', () => {
      expect(detectDeviceKind('acc', { handshake: { SN: 'K', options: 'all', DeviceType: 'ins', language: '69' } })).toBe('facekiosk');
      expect(detectDeviceKind('facekiosk', { uploadTable: 'ATTLOG' })).toBeNull();
    });
  });
});
