/**
 * Test-only: rebuilds a parsed command with the typed builders, so a vector passes only when
 * parser and builder agree with the manual byte for byte.
 */
import * as b from '../commands';
import type { Pair, ParsedCommand } from '../command-line';
import { decodeTimeSegment } from '../time';

const getter = (pairs: Pair[]) => {
  const m = new Map(pairs.map(([k, v]) => [k.toLowerCase(), v]));
  return (k: string): string | undefined => m.get(k.toLowerCase());
};
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

function schedule(get: (k: string) => string | undefined): b.WeeklySchedule {
  const s: Record<string, { start: string; end: string }[]> = {};
  for (const day of b.TIMEZONE_DAYS) {
    const segs = [1, 2, 3].map((i) => decodeTimeSegment(Number(get(`${day}Time${i}`) ?? 0)));
    // A zero segment between used ones cannot be expressed as a list; keep positions by stopping at the last used.
    const last = segs.map((x) => x !== null).lastIndexOf(true);
    s[day] = segs.slice(0, last + 1).map((x) => x ?? { start: '00:00', end: '00:00' });
  }
  return s;
}

function updateTyped(table: string, records: Pair[][]): string {
  const rs = records.map(getter);
  switch (table) {
    case 'user':
      return b.dataUpdateUser(
        rs.map((g) => ({
          pin: g('Pin')!,
          cardNo: g('CardNo'),
          password: g('Password'),
          group: num(g('Group')),
          startTime: g('StartTime'),
          endTime: g('EndTime'),
          name: g('Name'),
          privilege: num(g('Privilege')),
          disable: g('Disable') === undefined ? undefined : g('Disable') === '1',
        })),
      );
    case 'extuser':
      return b.dataUpdateExtUser(rs.map((g) => ({ pin: g('Pin')!, funSwitch: num(g('FunSwitch')), firstName: g('FirstName'), lastName: g('LastName'), personalVS: num(g('PersonalVS')) })));
    case 'userauthorize':
      return b.dataUpdateUserAuthorize(
        rs.map((g) => ({
          pin: g('Pin')!,
          authorizeTimezoneId: Number(g('AuthorizeTimezoneId')),
          doors: b.doorsFromMask(Number(g('AuthorizeDoorId'))),
          devId: num(g('DevID')),
          startTime: num(g('StartTime')),
          endTime: num(g('EndTime')),
        })),
      );
    case 'timezone':
      return b.dataUpdateTimezone(rs.map((g) => ({ timezoneId: Number(g('TimezoneId')), schedule: schedule(g), startTime: num(g('StartTime')), endTime: num(g('EndTime')) })));
    case 'holiday':
      return b.dataUpdateHoliday(rs.map((g) => ({ holiday: g('Holiday')!, holidayType: Number(g('HolidayType')) as 1, loop: Number(g('Loop')) as 1 })));
    case 'biodata':
      return b.dataUpdateBiodata(
        rs.map((g) => ({
          pin: g('Pin')!,
          no: Number(g('No')),
          index: Number(g('Index')),
          valid: Number(g('Valid')) as 1,
          duress: Number(g('Duress')) as 0,
          type: Number(g('Type')),
          majorVer: Number(g('MajorVer')),
          minorVer: Number(g('MinorVer')),
          format: g('Format'),
          tmp: g('Tmp')!,
        })),
      );
    case 'templatev10':
      return b.dataUpdateTemplateV10(rs.map((g) => ({ pin: g('Pin')!, fingerId: Number(g('FingerID')), valid: Number(g('Valid')) as 1, template: g('Template')! })));
    case 'userpic':
      return b.dataUpdateUserPic(rs.map((g) => ({ pin: g('pin')!, content: g('content')! })));
    case 'mulcarduser':
      return b.dataUpdateMulCardUser(
        rs.map((g) => ({
          pin: g('Pin')!,
          cardNo: g('CardNo')!,
          lossCardFlag: Number(g('LossCardFlag')) as 0,
          cardType: Number(g('CardType')) as 0,
          cardBit: num(g('CardBit')),
          siteCode: num(g('SiteCode')),
          imie: g('IMIE'),
        })),
      );
    case 'firstcard':
      return b.dataUpdateFirstCard(rs.map((g) => ({ doorId: Number(g('DoorID')), timezoneId: Number(g('TimezoneID')), pin: g('Pin')!, devId: num(g('DevID')) })));
    case 'multimcard':
      return b.dataUpdateMultimCard(
        rs.map((g) => ({
          index: Number(g('Index')),
          doorId: Number(g('DoorId')),
          groups: [1, 2, 3, 4, 5].map((i) => (g(`Group${i}`) ? Number(g(`Group${i}`)) : null)),
          devId: num(g('DevID')),
        })),
      );
    default:
      return b.dataUpdate(table, records);
  }
}

/** Returns the rebuilt command text, or a string starting with `SKIP:` and the reason. */
export function rebuild(c: ParsedCommand): string {
  switch (c.verb) {
    case 'DATA UPDATE':
      if (c.table === null) return 'SKIP: the manual prints no table name';
      return updateTyped(c.table, c.records);
    case 'DATA DELETE':
      if (c.table === 'user' && c.conditions !== '*') return b.deleteUser(c.conditions[0][1]);
      return b.dataDelete(c.table, c.conditions);
    case 'DATA COUNT':
      return b.dataCount(c.table, c.conditions);
    case 'DATA QUERY':
      return b.dataQuery({ table: c.table, fieldDesc: c.fieldDesc, filter: c.filter });
    case 'CONTROL DEVICE': {
      const [aa, bb, cc, dd] = c.bytes;
      if (c.bytes.length === 4 && aa === 1 && cc === 1 && dd >= 1 && dd <= 254) return b.openDoor(bb, dd);
      if (c.bytes.length === 4 && aa === 2 && cc === 0 && dd === 0) return b.cancelAlarm(bb);
      if (c.bytes.length === 4 && aa === 3 && cc === 0 && dd === 0) return b.restartDevice(bb);
      return b.controlDevice(c.bytes);
    }
    case 'SET OPTIONS':
      return c.options.length === 1 ? b.setOption(c.options[0][0], c.options[0][1]) : b.setOptions(c.options);
    case 'GET OPTIONS':
      return b.getOptions(c.names);
    case 'UPGRADE': {
      const g = getter(c.options);
      const keys = c.options.map(([k]) => k.toLowerCase());
      const method = g('type') === '1' ? 2 : keys.indexOf('url') < keys.indexOf('size') ? 1 : 3;
      return b.upgrade({ method, checksum: g('checksum')!, url: g('url')!, size: Number(g('size')), supportSubcontracting: num(g('supportsubcontracting')) as 0 | 1 | undefined });
    }
    case 'Test Host':
      return b.testHost(getter(c.fields)('Address')!);
    case 'ENROLL_BIO': {
      const g = getter(c.fields);
      return b.enrollBio({ type: Number(g('TYPE')), no: Number(g('NO')), pin: g('PIN')!, retry: Number(g('RETRY')), overwrite: g('OVERWRITE') === '1', mode: Number(g('MODE')) as 0 | 1 });
    }
    case 'ENROLL_INFO': {
      const g = getter(c.fields);
      return b.enrollInfo({ type: num(g('TYPE')), pin: g('PIN')!, retry: Number(g('RETRY')), mode: Number(g('MODE')) as 0 | 1 });
    }
    case 'ACCOUNT':
      return b.accountTransactions(Number(getter(c.fields)('MaxIndex') ?? 0));
    default:
      return `SKIP: no builder for ${c.verb}`;
  }
}
