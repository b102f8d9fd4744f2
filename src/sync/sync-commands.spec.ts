import { describe, expect, it } from 'vitest';
import { chooseDialect, parseRegistrationBody } from '../push/protocol';
import type { SyncDevice } from './device-dialect';
import { dialectOf } from './device-dialect';
import { chunkBuild, holidayCommands, holidayRecords, personCommands, removalCommands, rightsRecords, timezoneCommands, uploadedUserRecord, userRecordFor, type SyncPerson } from './sync-commands';

const modern: SyncDevice = {
  id: 'a'.repeat(32),
  sn: 'SN1',
  timeZone: 'Asia/Shanghai',
  photoType: 9,
  dialect: chooseDialect(parseRegistrationBody('PushVersion=Ver 3.1.2,DateFmtFunOn=1,MultiBioDataSupport=0:1:0:0:0:0:0:0:0:1,MultiBioPhotoSupport=0:0:0:0:0:0:0:0:0:1').capabilities),
};
const legacy: SyncDevice = { ...modern, sn: 'SN2', dialect: chooseDialect(parseRegistrationBody('PushVersion=Ver 2.0.22,DateFmtFunOn=0,PhotoFunOn=1').capabilities) };

const person: SyncPerson = {
  id: 'p'.repeat(32),
  pin: '12',
  name: 'Ann',
  lastName: null,
  cardNo: '777',
  password: null,
  isDisabled: true,
  accStartTime: new Date('2026-01-01T00:00:00Z'),
  accEndTime: null,
  photo: null,
  cards: [],
};

describe('sync-commands', () => {
  it('user validity is the device-local wall clock: Appendix-5 seconds or YYYYMMDD', () => {
    // 2026-01-01 00:00 UTC is 08:00 in Shanghai.
    expect(userRecordFor(modern, person)).toMatchObject({ startTime: (26 * 372) * 86400 + 8 * 3600, endTime: 0, disable: true, cardNo: '777' });
    expect(userRecordFor(legacy, person)).toMatchObject({ startTime: '20260101', endTime: 0 });
  });

  it('rights are one record per time zone with the door bitmask (1→1, 2→2, 3→4, 4→8)', () => {
    expect(rightsRecords('12', new Map([[2, [4, 1]], [1, [3]]]))).toEqual([
      { pin: '12', authorizeTimezoneId: 1, doors: [3] },
      { pin: '12', authorizeTimezoneId: 2, doors: [1, 4] },
    ]);
    const [, rights] = personCommands(modern, [{ person, rights: new Map([[1, [1, 2, 3, 4]]]), resetRights: false, sendPhoto: false, deletePhoto: false }]);
    expect(rights).toBe('DATA UPDATE userauthorize Pin=12\tAuthorizeTimezoneId=1\tAuthorizeDoorId=15');
  });

  it('removal: rights, user, templates, photo, in each dialect', () => {
    expect(removalCommands(modern, '12')).toEqual(['DATA DELETE userauthorize Pin=12', 'DATA DELETE user Pin=12', 'DATA DELETE biodata Pin=12', 'DATA DELETE biophoto PIN=12\tType=9']);
    expect(removalCommands(legacy, '12')).toEqual(['DATA DELETE userauthorize Pin=12', 'DATA DELETE user Pin=12', 'DATA DELETE templatev10 Pin=12', 'DATA DELETE userpic pin=12']);
  });

  it('chunkBuild respects the record count and the byte ceiling', () => {
    const build = (xs: number[]) => xs.join(',');
    expect(chunkBuild([1, 2, 3, 4, 5], build, 1000, 2)).toEqual(['1,2', '3,4', '5']);
    expect(chunkBuild([111, 222, 333], build, 7, 100)).toEqual(['111,222', '333']);
  });

  it('timezones and holidays', () => {
    const [tz] = timezoneCommands([{ tzId: 3, schedule: { sun: [], mon: [['08:30', '12:00']], tue: [], wed: [], thu: [], fri: [], sat: [], hol1: [], hol2: [], hol3: [] } }]);
    expect(tz).toContain('TimezoneId=3\tSunTime1=0\tSunTime2=0\tSunTime3=0\tMonTime1=54396080\t');
    expect(holidayCommands([{ startDate: '2027-12-31', endDate: '2028-01-01', holidayType: 3, isLoopByYear: false }])).toEqual([
      'DATA DELETE holiday *',
      'DATA UPDATE holiday Holiday=20271231\tHolidayType=3\tLoop=2\nHoliday=20280101\tHolidayType=3\tLoop=2',
    ]);
  });

  it('the dialect comes from the stored capabilities, or else from the raw registration', () => {
    expect(dialectOf({ dialect: legacy.dialect }, null).dialect).toEqual(legacy.dialect);
    expect(dialectOf(null, { PushVersion: 'Ver 3.1.2', DateFmtFunOn: '1', '~DeviceName': 'x', MultiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1' })).toMatchObject({ dialect: { dateFormat: 'seconds', photo: 'biophoto' }, photoType: 9 });
  });

  it('keeps holiday days apart that only zero padding tells apart (2025-01-11 and 2025-11-01)', () => {
    const days = holidayRecords([
      { startDate: '2025-01-11', endDate: '2025-01-11', holidayType: 1, isLoopByYear: false },
      { startDate: '2025-11-01', endDate: '2025-11-01', holidayType: 2, isLoopByYear: false },
    ]);
    expect(days).toHaveLength(2);
    expect(holidayCommands([
      { startDate: '2025-01-11', endDate: '2025-01-11', holidayType: 1, isLoopByYear: false },
      { startDate: '2025-11-01', endDate: '2025-11-01', holidayType: 2, isLoopByYear: false },
    ]).join('\n')).toMatch(/Holiday=20250111[\s\S]*Holiday=20251101/);
  });

  it("a panel's upload of the user record it was sent reads back as that record (uploadedUserRecord); an edited one does not", () => {
    for (const device of [modern, legacy]) {
      const sent = userRecordFor(device, { ...person, accEndTime: new Date('2027-06-30T12:00:00Z') });
      const upload = { pin: '12', name: sent.name!, cardNo: String(sent.cardNo), password: sent.password!, startTime: String(sent.startTime), endTime: String(sent.endTime), privilege: 0, disable: sent.disable! };
      expect(uploadedUserRecord(device, upload)).toEqual(sent);
      expect(uploadedUserRecord(device, { ...upload, name: 'Bob' })).not.toEqual(sent);
      expect(uploadedUserRecord(device, { ...upload, privilege: 14 })).not.toEqual(sent);
      expect(uploadedUserRecord(device, { ...upload, startTime: 'soon' })).toBeNull();
    }
  });
});
