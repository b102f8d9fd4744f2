import { describe, expect, it } from 'vitest';
import * as b from './commands';
import { ProtocolValueError } from './errors';
import { formatCommandLine, formatGetrequestReply, packCommands, utf8Length } from './getrequest';
import { parseGetrequestBody } from './command-line';

describe('builders refuse values that would inject fields, records or commands', () => {
  it.each([
    ['TAB', 'a\tb'],
    ['LF', 'a\nC:99:DATA DELETE user *'],
    ['CR', 'a\rb'],
    ['NUL', 'a\0b'],
  ])('%s inside a user name throws ProtocolValueError', (_n, name) => {
    expect(() => b.dataUpdateUser({ pin: 1, name })).toThrow(ProtocolValueError);
  });

  it('an injected newline in a pin cannot become a second command', () => {
    expect(() => b.deleteUser('1\nC:2:DATA DELETE user *')).toThrow(ProtocolValueError);
  });

  it('delete users by Pin only (uid=n wiped every user on a SenseFace 2A)', () => {
    expect(b.deleteUser('42')).toBe('DATA DELETE user Pin=42');
    expect(() => b.dataDelete('user', [['uid', 3]])).toThrow(/Pin only/);
    expect(() => b.dataDelete('templatev10', [])).toThrow(/use "\*"/);
    expect(b.dataDelete('templatev10', [['Pin', 1], ['FingerID', 6]])).toBe('DATA DELETE templatev10 Pin=1\tFingerID=6');
  });

  it('user writes use the manual spelling (Pin, not the upload spelling pin)', () => {
    const cmd = b.dataUpdateUser({ pin: '7', name: 'Zhang San', cardNo: '', privilege: 0, disable: false });
    expect(cmd).toBe('DATA UPDATE user CardNo=\tPin=7\tName=Zhang San\tPrivilege=0\tDisable=0');
  });

  it('several records share one DATA UPDATE, one per LF line', () => {
    expect(b.dataUpdateUser([{ pin: 1 }, { pin: 2 }])).toBe('DATA UPDATE user Pin=1\nPin=2');
  });

  it('biodata records of one command must share their Type', () => {
    const t = { pin: 1, no: 0, index: 0, majorVer: 58, minorVer: 1, tmp: 'AA' };
    expect(() => b.dataUpdateBiodata([{ ...t, type: 9 }, { ...t, type: 1 }])).toThrow(/same Type/);
    expect(b.dataUpdateBiodata({ ...t, type: 9 })).toBe('DATA UPDATE biodata Pin=1\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=58\tMinorVer=1\tFormat=0\tTmp=AA');
  });

  it('biophoto and userpic Size is the base64 character count', () => {
    expect(b.dataUpdateBiophoto({ pin: 5, type: 9, content: 'QUJDRA==' })).toBe('DATA UPDATE biophoto PIN=5\tType=9\tNo=0\tIndex=0\tSize=8\tContent=QUJDRA==\tFormat=0');
    expect(b.dataUpdateUserPic({ pin: 2, content: 'QUJD' })).toBe('DATA UPDATE userpic pin=2\tsize=4\tcontent=QUJD');
    expect(b.dataUpdateBiophoto({ pin: 5, type: 9, url: '/photos/5.jpg', postBackTmpFlag: true })).toBe('DATA UPDATE biophoto PIN=5\tType=9\tNo=0\tIndex=0\tFormat=1\tUrl=/photos/5.jpg\tPostBackTmpFlag=1');
  });

  it('userauthorize door bitmask: doors 1-4 = 15', () => {
    expect(b.doorMask([1, 2, 3, 4])).toBe(15);
    expect(b.doorsFromMask(11)).toEqual([1, 2, 4]);
    expect(b.dataUpdateUserAuthorize({ pin: 1, authorizeTimezoneId: 1, doors: [1, 3], devId: 1 })).toBe('DATA UPDATE userauthorize Pin=1\tAuthorizeTimezoneId=1\tAuthorizeDoorId=5\tDevID=1');
  });

  it('timezone: weekly schedule → 30 packed segments (08:30-12:00 = 54396080)', () => {
    const cmd = b.dataUpdateTimezone({ timezoneId: 3, schedule: { Mon: [{ start: '08:30', end: '12:00' }], Hol2: [{ start: '00:00', end: '23:59' }] } });
    const fields = cmd.slice('DATA UPDATE timezone '.length).split('\t');
    expect(fields).toHaveLength(31);
    expect(fields).toContain('MonTime1=54396080');
    expect(fields).toContain('Hol2Time1=2359');
    expect(fields.filter((f) => !f.endsWith('=0'))).toHaveLength(3);
    expect(() => b.encodeWeeklySchedule({ Sun: [{ start: '1:00', end: '2:00' }, { start: '3:00', end: '4:00' }, { start: '5:00', end: '6:00' }, { start: '7:00', end: '8:00' }] })).toThrow(/at most 3/);
    expect(b.encodeWeeklySchedule(b.ALWAYS_OPEN).filter(([k]) => k.endsWith('Time1')).every(([, v]) => v === 2359)).toBe(true);
  });

  it('holiday from a date', () => {
    expect(b.dataUpdateHoliday({ holiday: { year: 2026, month: 12, day: 25 }, holidayType: 1, loop: 1 })).toBe('DATA UPDATE holiday Holiday=20261225\tHolidayType=1\tLoop=1');
  });

  it('CONTROL DEVICE: AA is hex of the table row; door open duration 1-254', () => {
    expect(b.openDoor(1, 5)).toBe('CONTROL DEVICE 01010105');
    expect(b.closeDoor(2)).toBe('CONTROL DEVICE 01020100');
    expect(b.holdDoorOpen(1)).toBe('CONTROL DEVICE 010101FF');
    expect(b.cancelAlarm()).toBe('CONTROL DEVICE 02000000');
    expect(b.restartDevice()).toBe('CONTROL DEVICE 03000000');
    expect(b.setNormalOpen(1, true)).toBe('CONTROL DEVICE 04010100');
    expect(b.lockDoor(0, true)).toBe('CONTROL DEVICE 06000100');
    expect(b.emergency('close-all')).toBe('CONTROL DEVICE 07020000');
    expect(b.auxOutput(2, 10)).toBe('CONTROL DEVICE 0102020A');
    expect(() => b.openDoor(1, 255)).toThrow(ProtocolValueError);
  });

  it('SET OPTIONS: one option per command; the comma form refuses commas in values', () => {
    expect(b.setOption('Door1Drivertime', 5)).toBe('SET OPTIONS Door1Drivertime=5');
    expect(() => b.setOption('SIPKey', 'a,b')).toThrow(/commas/);
    expect(() => b.setOption('IclockSvrIP', 'host\tIclockSvrPort=443')).toThrow(ProtocolValueError);
    expect(b.setDateTime({ year: 2018, month: 2, day: 22, hour: 14, minute: 54, second: 54 })).toBe('SET OPTIONS DateTime=583080894');
    expect(b.getOptions(['~MaxUserCount', 'FirmVer'])).toBe('GET OPTIONS ~MaxUserCount,FirmVer');
  });

  it("SET OPTIONS of doors' parameters: the manual's comma list (9.5.1), a parameter not given left out", () => {
    expect(b.setDoorOptions([{ doorNo: 1, drivertime: 5, sensorType: 1, detectortime: 15, intertime: 0 }])).toBe(
      'SET OPTIONS Door1Drivertime=5,Door1SensorType=1,Door1Detectortime=15,Door1Intertime=0',
    );
    expect(b.setDoorOptions([{ doorNo: 2, drivertime: 9 }, { doorNo: 4, drivertime: 3, intertime: 2 }])).toBe('SET OPTIONS Door2Drivertime=9,Door4Drivertime=3,Door4Intertime=2');
    expect(() => b.setDoorOptions([{ doorNo: 0, drivertime: 5 }])).toThrow(ProtocolValueError);
    expect(() => b.setDoorOptions([])).toThrow(ProtocolValueError);
    // The passage mode and active time zones, lock at door closing, the duress and emergency passwords ('' clears one).
    expect(b.setDoorOptions([{ doorNo: 1, drivertime: 5, keepOpenTz: 3, validTz: 1, closeAndLock: 0, forcePassword: '123456', superPassword: '' }])).toBe(
      'SET OPTIONS Door1Drivertime=5,Door1KeepOpenTimeZone=3,Door1ValidTZ=1,Door1CloseAndLock=0,Door1ForcePassWord=123456,Door1SupperPassWord=',
    );
    expect(() => b.setDoorOptions([{ doorNo: 1, drivertime: 5, forcePassword: '1234567' }])).toThrow(ProtocolValueError);
    expect(() => b.setDoorOptions([{ doorNo: 1, drivertime: 5, superPassword: '12a' }])).toThrow(ProtocolValueError);
    expect(() => b.setDoorOptions([{ doorNo: 1, drivertime: 5, keepOpenTz: -1 }])).toThrow(ProtocolValueError);
  });

  it('DATA QUERY / COUNT grammar', () => {
    expect(b.dataQuery({ table: 'transaction', filter: 'NewRecord' })).toBe('DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord');
    expect(b.dataQuery({ table: 'biodata', filter: [['Type', 1], ['Pin', 1], ['No', 6]] })).toBe('DATA QUERY tablename=biodata,fielddesc=*,filter=Type=1\tPin=1\tNo=6');
    // Get transactions (9.1.4, access records): new, all, or a period in the panel's wall clock, both ends included.
    const w = (year: number, month: number, day: number, hour: number, minute: number, second: number) => ({ year, month, day, hour, minute, second });
    expect(b.queryTransactions({ records: 'new' })).toBe('DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord');
    expect(b.queryTransactions({ records: 'all' })).toBe('DATA QUERY tablename=transaction,fielddesc=*,filter=*');
    expect(b.queryTransactions({ records: 'period', start: w(2026, 5, 2, 8, 0, 0), end: w(2026, 5, 2, 23, 59, 59) })).toBe(
      'DATA QUERY tablename=transaction,fielddesc=*,filter=starttime=2026-05-02 08:00:00\tendtime=2026-05-02 23:59:59',
    );
    expect(() => b.queryTransactions({ records: 'period', start: w(2026, 5, 3, 0, 0, 0), end: w(2026, 5, 2, 0, 0, 0) })).toThrow(ProtocolValueError);
    expect(b.dataCount('biophoto', { Type: 9 })).toBe('DATA COUNT biophoto Type=9');
    expect(b.dataCount('user')).toBe('DATA COUNT user');
  });

  it('card numbers: decimal and the [LSB-first hex] form', () => {
    expect(b.formatCardNoHex(123456789)).toBe('[15CD5B07]');
    expect(b.readCardNo('[15CD5B07]')).toEqual({ card: '123456789' });
    expect(b.readCardNo(' [15cd5b07] ')).toEqual({ card: '123456789' });
    expect(b.readCardNo(b.formatCardNoHex(0xffffffff))).toEqual({ card: '4294967295' });
    expect(b.readCardNo('0')).toEqual({ card: null });
    expect(b.readCardNo('[00000000]')).toEqual({ card: null });
    expect(b.readCardNo(null)).toEqual({ card: null });
    expect(b.readCardNo('5170382')).toEqual({ card: '5170382' });
    for (const bad of ['[15CD5B0]', '[15CD5B0G]', '[15CD5B07', '15CD5B07]', '[]', '[15CD5B0700]']) expect(typeof b.readCardNo(bad)).toBe('string');
  });

  it('invalid field and table names are refused', () => {
    expect(() => b.dataUpdate('user x', [['Pin', 1]])).toThrow(ProtocolValueError);
    expect(() => b.dataUpdate('user', [['P in', 1]])).toThrow(ProtocolValueError);
  });
});

describe('getrequest reply', () => {
  it('joins C:<id>:<command> lines with LF; empty queue answers OK', () => {
    expect(formatGetrequestReply([])).toBe('OK');
    expect(formatGetrequestReply([{ cmdId: 1, command: b.deleteUser(1) }, { cmdId: 2, command: b.restartDevice() }])).toBe('C:1:DATA DELETE user Pin=1\nC:2:CONTROL DEVICE 03000000');
  });

  it('CmdFormat=1 wrapper', () => {
    expect(formatCommandLine({ cmdId: 295, command: 'DATA COUNT user' }, { sn: 'ABC' })).toBe('DataType=1,SN=ABC,Priority=0,CmdID=295,CmdDesc=C:295:DATA COUNT user');
  });

  it('refuses bad ids and commands that smuggle a C: line', () => {
    expect(() => formatCommandLine({ cmdId: '1:2', command: 'DATA COUNT user' })).toThrow(ProtocolValueError);
    expect(() => formatCommandLine({ cmdId: 1, command: 'DATA UPDATE user Pin=1\nC:2:DATA DELETE user *' })).toThrow(ProtocolValueError);
  });

  it('packs in order within the byte budget and never skips ahead', () => {
    const cmds = [
      { cmdId: 1, command: b.deleteUser(1) },
      { cmdId: 2, command: b.dataUpdateUser({ pin: 2, name: 'x'.repeat(200) }) },
      { cmdId: 3, command: b.deleteUser(3) },
    ];
    const p = packCommands(cmds, 60);
    expect(p.batch.map((c) => c.cmdId)).toEqual([1]);
    expect(p.rest.map((c) => c.cmdId)).toEqual([2, 3]);
    expect(p.bytes).toBe(utf8Length(formatGetrequestReply(p.batch)));
    const all = packCommands(cmds, 10_000, { maxCount: 2 });
    expect(all.batch.map((c) => c.cmdId)).toEqual([1, 2]);
    expect(utf8Length(formatGetrequestReply(all.batch))).toBe(all.bytes);
  });

  it('an oversize first command is sent alone rather than stalling the queue', () => {
    const p = packCommands([{ cmdId: 1, command: b.dataUpdateUser({ pin: 1, name: 'ü'.repeat(100) }) }, { cmdId: 2, command: b.deleteUser(2) }], 50);
    expect(p).toMatchObject({ oversize: true, bytes: utf8Length(formatCommandLine({ cmdId: 1, command: b.dataUpdateUser({ pin: 1, name: 'ü'.repeat(100) }) })) });
    expect(p.batch).toHaveLength(1);
  });

  it('round trip: builders → reply → parser', () => {
    const body = formatGetrequestReply([
      { cmdId: 10, command: b.dataUpdateUser([{ pin: 1, name: 'A B' }, { pin: 2 }]) },
      { cmdId: 11, command: b.openDoor(1, 5) },
    ]);
    const r = parseGetrequestBody(body);
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ cmdId: '10', verb: 'DATA UPDATE', table: 'user', records: [[['Pin', '1'], ['Name', 'A B']], [['Pin', '2']]] });
    expect(r.results[1]).toMatchObject({ cmdId: '11', verb: 'CONTROL DEVICE', bytes: [1, 1, 1, 5] });
  });

  it('command parser tolerates the manual typos C:123: DATA and ReaderProperty*', () => {
    expect(parseGetrequestBody('C:123: DATA DELETE holiday *').results[0]).toMatchObject({ verb: 'DATA DELETE', table: 'holiday', conditions: '*' });
    expect(parseGetrequestBody('C:342:DATA DELETE ReaderProperty*').results[0]).toMatchObject({ table: 'ReaderProperty', conditions: '*' });
    expect(parseGetrequestBody('C:5:DATA DELETE biophoto PIN=1 Type=9').results[0]).toMatchObject({ conditions: [['PIN', '1'], ['Type', '9']] });
    expect(parseGetrequestBody('DATA DELETE user *').rejected).toHaveLength(1);
  });
});
