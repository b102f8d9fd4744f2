import { describe, expect, it } from 'vitest';
import {
  authorizeFloors,
  cancelElevatorEmergency,
  closeFloors,
  controlFloors,
  endFloorsNormalOpen,
  holdFloorsOpen,
  dataUpdateUserEleAuthorize,
  floorControlBytes,
  floorsFromAuthorizeFloors,
  floorsFromControlHex,
  openFloors,
  openGate,
  parseIrstate,
  dataUpdateGatePassRule,
  resetGateCounters,
} from './elevator';

describe('usereleauthorize (8.16)', () => {
  it('writes AuthorizeFloors with floor 1 = bit 0: the manual example, floors 8 and 9 → 180', () => {
    expect(authorizeFloors([8, 9])).toBe('180');
    expect(authorizeFloors([1])).toBe('1');
    expect(authorizeFloors([1, 3, 8, 9])).toBe('185');
    expect(authorizeFloors([])).toBe('0');
    expect(authorizeFloors([256])).toBe(`8${'0'.repeat(63)}`);
  });

  it('reads every form back (case, 0x prefix), and refuses what is not hex', () => {
    expect(floorsFromAuthorizeFloors('180')).toEqual([8, 9]);
    expect(floorsFromAuthorizeFloors('0x1a')).toEqual([2, 4, 5]);
    expect(floorsFromAuthorizeFloors('zz')).toBeNull();
  });

  it('builds the record with the right table name (the example says biodata by mistake)', () => {
    expect(dataUpdateUserEleAuthorize({ pin: '2', authorizeTimezoneId: 1, authorizeFloorId: 1, floors: [8, 9] })).toBe(
      'DATA UPDATE usereleauthorize Pin=2\tAuthorizeTimezoneId=1\tAuthorizeFloorId=1\tAuthorizeFloors=180',
    );
    expect(dataUpdateUserEleAuthorize([{ pin: '2', authorizeTimezoneId: 1, floors: [1] }, { pin: '3', authorizeTimezoneId: 2, floors: [2] }])).toBe(
      'DATA UPDATE usereleauthorize Pin=2\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=1\nPin=3\tAuthorizeTimezoneId=2\tAuthorizeFloorId=0\tAuthorizeFloors=2',
    );
  });

  it('refuses bad values, and injected newlines', () => {
    expect(() => authorizeFloors([0])).toThrow();
    expect(() => authorizeFloors([257])).toThrow();
    expect(() => dataUpdateUserEleAuthorize({ pin: '2\nC:1:DATA DELETE user *', authorizeTimezoneId: 1, floors: [1] })).toThrow();
    expect(() => dataUpdateUserEleAuthorize({ pin: '2', authorizeTimezoneId: 0, floors: [1] })).toThrow();
  });
});

describe('floor CONTROL DEVICE 17/18 (9.4)', () => {
  it('puts floor 1 in the most significant bit of the first byte, 32 bytes (the printed examples have 66/67 digits)', () => {
    expect(floorControlBytes([1]).map((b) => b.toString(16).padStart(2, '0')).join('')).toBe(`80${'00'.repeat(31)}`);
    // "Floor 1,3,5,7,9" is printed 2A80…; the stated rule gives AA80….
    expect(floorControlBytes([1, 3, 5, 7, 9]).map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('')).toBe(`AA80${'00'.repeat(30)}`);
    expect(floorsFromControlHex(`AA80${'00'.repeat(30)}`)).toEqual([1, 3, 5, 7, 9]);
  });

  it('opens, closes and holds open with AA, 32 bytes, CC 00 and DD', () => {
    expect(openFloors([3], 7)).toBe(`CONTROL DEVICE 11${'20'}${'00'.repeat(31)}0007`);
    expect(closeFloors([3])).toBe(`CONTROL DEVICE 11${'20'}${'00'.repeat(31)}0000`);
    expect(controlFloors([9], 0xff, true)).toBe(`CONTROL DEVICE 12${'00'}${'80'}${'00'.repeat(30)}00FF`);
    expect(() => openFloors([3], 0)).toThrow();
    expect(() => openFloors([3], 255)).toThrow();
    expect(() => controlFloors([], 5)).toThrow();
  });

  it('holds floors open (row 18, DD FF) and ends it (row 18, DD 00), floor 1 the first byte\'s top bit', () => {
    expect(holdFloorsOpen([1, 3])).toBe(`CONTROL DEVICE 12${'A0'}${'00'.repeat(31)}00FF`);
    expect(endFloorsNormalOpen([1, 3])).toBe(`CONTROL DEVICE 12${'A0'}${'00'.repeat(31)}0000`);
    expect(() => holdFloorsOpen([])).toThrow();
  });

  it('cancels the elevator emergency with 0F', () => {
    expect(cancelElevatorEmergency()).toBe('CONTROL DEVICE 0F000000');
  });
});

describe('channel controllers', () => {
  it('resets counters with row 16 (10 on the wire)', () => {
    expect(resetGateCounters('out')).toBe('CONTROL DEVICE 10010000');
    expect(resetGateCounters('in')).toBe('CONTROL DEVICE 10020000');
    expect(resetGateCounters('alarm')).toBe('CONTROL DEVICE 10030000');
    expect(resetGateCounters('all')).toBe('CONTROL DEVICE 10040000');
  });

  it('opens a gate for entry on its lock output and for exit on its auxiliary output', () => {
    expect(openGate(1, 'entry', 5)).toBe('CONTROL DEVICE 01010105');
    expect(openGate(2, 'exit', 5)).toBe('CONTROL DEVICE 01020205');
    expect(() => openGate(0, 'entry', 5)).toThrow();
  });

  it('parses irstate records: tabs or the printed spaces, CR LF, case, missing counters; a bad line alone is rejected', () => {
    const body = 'irstate=1\tirsensecount=2\tincount=2\toutcount=2\talarmcount=1\truncount=1\r\nirstate=1                    irsensecount=2       incount=3\r\nIRSTATE=x\r\n';
    const { results, rejected } = parseIrstate(body);
    expect(results).toEqual([
      { irstate: 1, irsensecount: 2, incount: 2, outcount: 2, alarmcount: 1, runcount: 1 },
      { irstate: 1, irsensecount: 2, incount: 3, outcount: null, alarmcount: null, runcount: null },
    ]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].lineNo).toBe(3);
  });

  it.each([
    ['a negative counter', 'irstate=1\tincount=-3', 'incount "-3" is not a whole number 0-2147483647'],
    ['a counter past 2^31-1', 'irstate=1\toutcount=2147483648', 'outcount "2147483648" is not a whole number 0-2147483647'],
    ['a huge counter', 'irstate=1\truncount=99999999999999999999', 'runcount "99999999999999999999" is not a whole number 0-2147483647'],
    ['a non-numeric counter', 'irstate=1\talarmcount=lots', 'alarmcount "lots" is not a whole number 0-2147483647'],
    ['a fractional counter', 'irstate=1\tirsensecount=1.5', 'irsensecount "1.5" is not a whole number 0-2147483647'],
    ['a signed counter', 'irstate=1\tincount=+4', 'incount "+4" is not a whole number 0-2147483647'],
    ['a negative irstate', 'irstate=-1\tincount=3', 'irstate "-1" is not a whole number 0-2147483647'],
    ['an irstate past 2^31-1', 'irstate=4294967296', 'irstate "4294967296" is not a whole number 0-2147483647'],
    ['a non-numeric irstate', 'IRSTATE=x', 'irstate "x" is not a whole number 0-2147483647'],
    ['no irstate', 'incount=3', 'irstate is missing'],
    ['an empty irstate', 'irstate=\tincount=3', 'irstate is missing'],
  ])('rejects the line with %s, keeping the good lines around it', (_name, bad, reason) => {
    const { results, rejected } = parseIrstate(`irstate=0\tincount=1\n${bad}\nirstate=1\tincount=2\toutcount=2147483647\n`);
    expect(results).toEqual([
      { irstate: 0, irsensecount: null, incount: 1, outcount: null, alarmcount: null, runcount: null },
      { irstate: 1, irsensecount: null, incount: 2, outcount: 2147483647, alarmcount: null, runcount: null },
    ]);
    expect(rejected).toEqual([{ line: bad, lineNo: 2, reason }]);
  });

  it('an empty counter is no reading (null), not a rejection; leading zeros are a number', () => {
    expect(parseIrstate('irstate=0\tincount=\toutcount=007').results).toEqual([
      { irstate: 0, irsensecount: null, incount: null, outcount: 7, alarmcount: null, runcount: null },
    ]);
  });

  it('reads irstate records separated by a lone CR as separate lines', () => {
    const { results, rejected } = parseIrstate('irstate=1\tincount=1\rirstate=0\tincount=2\rirstate=1\tincount=3');
    expect(rejected).toEqual([]);
    expect(results.map((r) => [r.irstate, r.incount])).toEqual([[1, 1], [0, 2], [1, 3]]);
  });
});

describe('gatepassrule (8.16)', () => {
  it('writes five periods per weekday with their passing modes, unused ones 0', () => {
    const cmd = dataUpdateGatePassRule({ passwayTimezoneId: 2, days: { Mon: [{ start: '08:30', end: '12:00', passMode: 1 }] } });
    const fields = cmd.replace('DATA UPDATE gatepassrule ', '').split('\t');
    expect(fields[0]).toBe('PasswayTimeZoneId=2');
    expect(fields).toHaveLength(1 + 7 * 10);
    expect(fields).toContain('MonTime1=54396080');
    expect(fields).toContain('MonPassMode1=1');
    expect(fields).toContain('SunTime1=0');
    expect(() => dataUpdateGatePassRule({ passwayTimezoneId: 0, days: {} })).toThrow();
    expect(() => dataUpdateGatePassRule({ passwayTimezoneId: 1, days: { Sun: [{ start: '00:00', end: '23:59', passMode: 256 }] } })).toThrow();
  });

  it('carries several rules as lines of one command', () => {
    const [first, second, ...rest] = dataUpdateGatePassRule([{ passwayTimezoneId: 2, days: {} }, { passwayTimezoneId: 3, days: {} }]).split('\n');
    expect(first).toMatch(/^DATA UPDATE gatepassrule PasswayTimeZoneId=2\t/);
    expect(second).toMatch(/^PasswayTimeZoneId=3\t/);
    expect(rest).toEqual([]);
  });
});
