import { describe, expect, it } from 'vitest';
import { bodyTemperatureCelsius, maskFlagOf, parseRtlog, type RtlogEvent } from './rtlog';

const line = (extra: string) => `time=2020-07-03 16:57:16\tpin=1\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=15\tindex=315${extra}`;
const event = (extra: string) => parseRtlog(line(extra)).results[0] as RtlogEvent;

describe('rtlog temperature and mask (7.2, IRTempUnitTrans)', () => {
  it.each([
    ['\tmaskflag=1\ttemperature=36.6\tconvtemperature=36.6', 36.6, 1],
    ['\tmaskflag=0\ttemperature=97.9\tconvtemperature=36.6', 36.6, 0],
    ['\tmaskflag=1\ttemperature=36.56', 36.56, 1],
    ['\tmaskflag=1\ttemperature=99.5\tconvtemperature=0', 37.5, 1],
    ['\tmaskflag=0\ttemperature=0\tconvtemperature=0', null, 0],
    ['', null, null],
    ['\tmaskflag=2\ttemperature=abc', null, null],
  ])('%j → %s °C, mask %s', (extra, celsius, mask) => {
    const e = event(extra);
    expect(bodyTemperatureCelsius(e)).toBe(celsius);
    expect(maskFlagOf(e)).toBe(mask);
  });

  it('prefers convtemperature (the unit the server asked for) over the device unit', () => {
    expect(bodyTemperatureCelsius({ temperature: 98.6, convTemperature: 37 })).toBe(37);
    expect(bodyTemperatureCelsius({ temperature: 36.9, convTemperature: null })).toBe(36.9);
  });
});
