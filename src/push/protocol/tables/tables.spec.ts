import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSpecJson } from '../testing/spec-files';
// @ts-expect-error plain-Node generator script without type declarations
import { OUTPUT, renderTables } from '../../../../scripts/gen-push-tables.mjs';
import { alarmBitNames, controlDeviceInfo, eventInfo, returnMeaning, verifyModeName, dataTables } from '.';

describe('generated tables', () => {
  it('match push-tables.json (run node scripts/gen-push-tables.mjs when this fails)', () => {
    const json = readSpecJson('push-tables.json');
    expect(readFileSync(OUTPUT as string, 'utf8')).toBe((renderTables as (j: unknown) => string)(json));
  });

  it('Return codes of both manuals: Security Appendix 1 first, Attendance Appendix 1 for the rest', () => {
    expect(returnMeaning(-1002)).toBe('Not supported by the equipment');
    expect(returnMeaning(-1004)).toBe('The data and equipment configuration are inconsistent');
    expect(returnMeaning(-1001)).toBe('Limited capacity');
    expect(returnMeaning(-1008)).toBe('Failed to get server data');
    expect(returnMeaning(-12)).toBe('Command execution error');
    expect(returnMeaning(-12, 'attendance')).toBe('The fingerprint template is illegal');
    expect(returnMeaning(-629, 'attendance')).toBe('Incorrect table name');
    expect(returnMeaning(-708)).toBe('The firmware does not support this command');
    expect(returnMeaning(-5000)).toMatch(/sub-controller/);
  });

  it('lookups', () => {
    expect(eventInfo(27)).toMatchObject({ code: 27, level: 'error' });
    expect(eventInfo(6005)?.level).toBe('alarm');
    expect(eventInfo(9999)).toBeNull();
    expect(returnMeaning(-629)).toBe('Incorrect table name');
    expect(returnMeaning(3)).toBe('Successful');
    expect(returnMeaning(-9999)).toBeNull();
    expect(verifyModeName(15)).toMatch(/face/i);
    // 200 ("Other" in Appendix 3) is spelled as the REST manual's transactions show it.
    expect(verifyModeName(200)).toBe('others');
    expect(controlDeviceInfo(11)?.AA).toBe('0B');
    expect(alarmBitNames(0x03)).toEqual(['Accidental door opening', 'Tamper alarm']);
    expect(dataTables.user.map((f) => f.field)).toEqual(['CardNo', 'Pin', 'Password', 'Group', 'StartTime', 'EndTime', 'Name', 'Privilege', 'Disable']);
  });
});
