import { describe, expect, it } from 'vitest';
import { gateAlarm, gateStateTexts } from './gate-state';

describe('gate state', () => {
  it('maps the alarm byte onto the manual alarm codes', () => {
    expect(gateAlarm('00')).toBe('0');
    expect(gateAlarm('01')).toBe('1');
    expect(gateAlarm('02')).toBe('2');
    expect(gateAlarm('04')).toBe('3');
    expect(gateAlarm('08')).toBe('4');
    expect(gateAlarm('10')).toBe('7');
    expect(gateAlarm(null)).toBe('None');
    expect(gateAlarm('zz')).toBe('None');
  });

  it('shows what an online controller reported, nothing for an offline or disabled one', () => {
    const at = new Date();
    expect(gateStateTexts({ relayState: 1, alarmState: '00', doorStateAt: at }, 'online')).toEqual({ connect: '1', gateState: '1', alarm: '0', relay: '2' });
    expect(gateStateTexts({ relayState: 0, alarmState: '02', doorStateAt: at }, 'online')).toEqual({ connect: '1', gateState: '1', alarm: '2', relay: '0' });
    expect(gateStateTexts({ relayState: 1, alarmState: '00', doorStateAt: null }, 'online')).toEqual({ connect: '1', gateState: '0', alarm: 'None', relay: 'None' });
    expect(gateStateTexts({ relayState: 1, alarmState: '00', doorStateAt: at }, 'offline')).toEqual({ connect: '0', gateState: '0', alarm: 'None', relay: 'None' });
    expect(gateStateTexts({ relayState: 1, alarmState: '00', doorStateAt: at }, 'disabled')).toEqual({ connect: '2', gateState: '2', alarm: 'None', relay: 'None' });
  });
});
