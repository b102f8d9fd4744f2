import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSpecJson } from '../testing/spec-files';
// @ts-expect-error plain-Node generator script without type declarations
import { OUTPUT, renderTables } from '../../../../scripts/gen-push-tables.mjs';
import { alarmBitNames, controlDeviceInfo, eventInfo, returnMeaning, verifyModeName, dataTables } from './index';

describe('generated tables', () => {
  it('match push-tables.json (run node scripts/gen-push-tables.mjs when this fails)', () => {
    const json = readSpecJson('push-tables.json');
    expect(readFileSync(OUTPUT as string, 'utf8')).toBe((renderTables as (j: unknown) => string)(json));
  });

  it('lookups', () => {
    expect(eventInfo(27)).toMatchObject({ code: 27, level: 'error' });
    expect(eventInfo(6005)?.level).toBe('alarm');
    expect(eventInfo(9999)).toBeNull();
    expect(returnMeaning(-629)).toBe('Incorrect table name');
    expect(returnMeaning(3)).toBe('Successful');
    expect(returnMeaning(-1004)).toBeNull();
    expect(verifyModeName(15)).toMatch(/face/i);
    expect(controlDeviceInfo(11)?.AA).toBe('0B');
    expect(alarmBitNames(0x03)).toEqual(['Accidental door opening', 'Tamper alarm']);
    expect(dataTables.user.map((f) => f.field)).toEqual(['CardNo', 'Pin', 'Password', 'Group', 'StartTime', 'EndTime', 'Name', 'Privilege', 'Disable']);
  });
});
