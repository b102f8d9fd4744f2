import { describe, expect, it } from 'vitest';
import { alarmText, doorStateTexts, relayText, sensorText } from './door-state';

const at = new Date('2026-01-01T00:00:00Z');

describe('door state texts', () => {
  it.each([
    [0, 'no sensor'],
    [1, 'off'],
    [2, 'open'],
    [3, 'unknown'],
    [null, 'unknown'],
  ])('sensor %s → %s', (v, text) => expect(sensorText(v)).toBe(text));

  it.each([
    [0, 'off'],
    [1, 'open'],
    [null, 'unknown'],
  ])('relay %s → %s', (v, text) => expect(relayText(v)).toBe(text));

  it.each([
    ['00', 'none'],
    ['01', 'be opened accidentally'],
    ['02', 'tampering'],
    ['04', 'duress password opening'],
    ['08', 'duress fingerprint opening'],
    ['10', 'timeout'],
    ['20', 'backup power'],
    ['40', 'low battery voltage'],
    ['80', 'tampering'],
    ['11', 'be opened accidentally'],
    ['0A', 'tampering'],
    [null, 'unknown'],
    ['zz', 'unknown'],
  ])('alarm %s → %s', (v, text) => expect(alarmText(v)).toBe(text));

  it('online with a recorded state reads the state', () => {
    expect(doorStateTexts({ sensorState: 1, relayState: 0, alarmState: '00', doorStateAt: at }, 'online')).toEqual({
      connect: '1',
      sensor: 'off',
      alarm: 'none',
      relay: 'off',
    });
  });

  it('online without any rtstate yet is unknown', () => {
    expect(doorStateTexts({ sensorState: null, relayState: null, alarmState: null, doorStateAt: null }, 'online')).toEqual({
      connect: '1',
      sensor: 'unknown',
      alarm: 'unknown',
      relay: 'unknown',
    });
  });

  it('offline and disabled devices do not repeat stale states', () => {
    const door = { sensorState: 2, relayState: 1, alarmState: '02', doorStateAt: at };
    expect(doorStateTexts(door, 'offline')).toEqual({ connect: '0', sensor: 'unknown', alarm: 'unknown', relay: 'unknown' });
    expect(doorStateTexts(door, 'disabled')).toEqual({ connect: '2', sensor: 'unknown', alarm: 'unknown', relay: 'unknown' });
  });
});
