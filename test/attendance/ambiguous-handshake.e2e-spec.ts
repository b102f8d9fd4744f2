/**
 * A first initialisation that could be an access panel's (Security PUSH 4.1) as well as an attendance terminal's
 * (attendance manual 5): `options=all&pushver=2.4.1` alone (no language, no DeviceType, no pushcommkey) has one point
 * of attendance evidence (device-kind.ts attendanceHandshakeScore), so the device was created as a panel and answered
 * `OK` (please register). A terminal never registers: it asked for its option block again, was answered `OK` again,
 * for good, and sat in the access module. Now an initialisation made again instead of a registration moves a device
 * with some attendance evidence to the attendance module (a panel answered `OK` registers next, and its registration
 * decides from then on), and PushOptionsFlag on the request, which every attendance firmware of the field samples
 * sends and the Security manual's request does not name, is evidence too.
 */
import { describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import type { TestApp } from '../support/test-app';
import { useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const kindOf = async (sn: string) => ((await t.ds.query(`SELECT kind FROM device WHERE sn = $1`, [sn]))[0] as { kind: string } | undefined)?.kind;
/** The manual's section 5 request without its optional language and pushcommkey, and no DeviceType. */
const bare = { pushver: '2.4.1', language: null, pushcommkey: null, deviceType: null } as const;

describe('an initialisation that could be a panel\'s or a terminal\'s', () => {
  it('a terminal taken for a panel that initialises again instead of registering is a terminal, given its options, and uploads', async () => {
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-AMBIG-AGAIN', ...bare });
    expect(await term.init()).toBe(false);
    expect(await kindOf('ATT-AMBIG-AGAIN')).toBe('acc');
    expect(await term.init()).toBe(true);
    expect(await kindOf('ATT-AMBIG-AGAIN')).toBe('att');
    expect((await term.uploadRaw('ATTLOG', '77\t2026-11-27 08:00:00\t0\t1\t0\t0\t0\n')).body).toBe('OK: 1');
  });

  it('a terminal whose initialisation carries PushOptionsFlag is a terminal at once', async () => {
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-AMBIG-FLAG', ...bare, pushOptionsFlag: true });
    expect(await term.init()).toBe(true);
    expect(await kindOf('ATT-AMBIG-FLAG')).toBe('att');
  });

  it('a panel with the same initialisation registers after `OK` and stays a panel however often it connects again', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-AMBIG', doors: 1, pushVersion: '2.4.1' });
    for (let i = 0; i < 3; i++) {
      expect((await panel.connect()).registered).toBe(true);
      expect(await kindOf('ACC-AMBIG')).toBe('acc');
    }
  });

  it('a panel answered `OK` whose registration did not come through, then connecting again: a panel once it registers, for good', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-AMBIG-LOST', doors: 1, pushVersion: '2.4.1' });
    expect((await panel.handshake()).registered).toBe(false);
    for (let i = 0; i < 3; i++) {
      expect((await panel.connect()).registered).toBe(true);
      expect(await kindOf('ACC-AMBIG-LOST')).toBe('acc');
    }
  });
});
