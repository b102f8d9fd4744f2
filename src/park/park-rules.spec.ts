import { describe, expect, it } from 'vitest';
import { CvError } from '../common/cv-error';
import { checkListType, checkPlate, checkValidity, decide, parseDirection, plateKey } from './park-rules';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as CvError).code;
  }
  return 0;
};

describe('plates', () => {
  it('match whatever spacing and case people and cameras use', () => {
    expect(plateKey(' ab-123 cd ')).toBe('AB123CD');
    expect(plateKey('粤B·12345')).toBe('粤B12345');
    expect(checkPlate('A32212')).toEqual({ carNumber: 'A32212', key: 'A32212' });
  });
  it.each([[''], [undefined], ['A'], ['A3221$'], ['A'.repeat(16)], [{}]])('%j is -223', (v) => {
    expect(code(() => checkPlate(v))).toBe(-223);
  });
});

describe('list type and dates', () => {
  it('reads 0/1 and the words; anything else is -221', () => {
    expect([checkListType('0'), checkListType(1), checkListType('Black')]).toEqual([0, 1, 1]);
    expect(code(() => checkListType('2'))).toBe(-221);
    expect(code(() => checkListType(undefined))).toBe(-221);
  });
  it('needs both dates on the white list, in order; -222 otherwise', () => {
    expect(checkValidity(0, '2018-08-17', '2019/8/16 23:59:59', 'UTC')).toEqual({ from: { day: '2018-08-17', time: null }, to: { day: '2019-08-16', time: null } });
    // A time of day off the day's edge is kept; on the same day the start must come first.
    expect(checkValidity(0, '2018-08-17 08:00:00', '2018-08-17 18:30:00', 'UTC')).toEqual({ from: { day: '2018-08-17', time: '08:00:00' }, to: { day: '2018-08-17', time: '18:30:00' } });
    expect(code(() => checkValidity(0, '2018-08-17 18:00:00', '2018-08-17 08:00:00', 'UTC'))).toBe(-222);
    expect(checkValidity(1, undefined, '', 'UTC')).toEqual({ from: null, to: null });
    expect(code(() => checkValidity(0, '2018-08-17', undefined, 'UTC'))).toBe(-222);
    expect(code(() => checkValidity(1, '2019-02-30', undefined, 'UTC'))).toBe(-222);
    expect(code(() => checkValidity(1, '2019-08-17', '2019-08-16', 'UTC'))).toBe(-222);
  });
});

describe('the camera decision', () => {
  const white = { type: 0 as const, from: '2026-01-01 00:00:00', to: '2026-12-31 23:59:59' };
  const office = { type: 0 as const, from: '2026-03-02 08:00:00', to: '2026-03-02 18:00:00' };
  const black = { type: 1 as const, from: null, to: null };
  it('black refuses both ways; white lets through within its dates; others are temporary cars', () => {
    expect(decide(black, '2026-03-02', 1, true)).toMatchObject({ allowed: false, listType: 1 });
    expect(decide(black, '2026-03-02', 2, true)).toMatchObject({ allowed: false, listType: 1 });
    expect(decide(white, '2026-03-02 10:00:00', 1, false)).toMatchObject({ allowed: true, listType: 0 });
    expect(decide(white, '2026-12-31 23:59:59', 1, false)).toMatchObject({ allowed: true, listType: 0 });
    expect(decide(white, '2027-01-01 00:00:00', 1, false)).toMatchObject({ allowed: false, listType: null });
    expect(decide(office, '2026-03-02 07:59:59', 1, false)).toMatchObject({ allowed: false, listType: null });
    expect(decide(office, '2026-03-02 18:00:00', 1, false)).toMatchObject({ allowed: true, listType: 0 });
    expect(decide(office, '2026-03-02 18:00:01', 1, false)).toMatchObject({ allowed: false, listType: null });
    expect(decide(undefined, '2026-03-02', 1, true)).toMatchObject({ allowed: true, listType: null });
    expect(decide(undefined, '2026-03-02', 2, false)).toMatchObject({ allowed: true });
  });
  it('reads directions in every form', () => {
    expect(['in', 'Entry', 1, '1', 0].map(parseDirection)).toEqual([1, 1, 1, 1, 1]);
    expect(['out', 'EXIT', 2, '2'].map(parseDirection)).toEqual([2, 2, 2, 2]);
    expect(parseDirection('sideways')).toBeUndefined();
  });
});
