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
    const gate = { enabled: true, relayState: 1, alarmState: '00', doorStateAt: at };
    expect(gateStateTexts(gate, 'online')).toEqual({ connect: '1', gateState: '1', alarm: '0', relay: '2' });
    expect(gateStateTexts({ ...gate, relayState: 0, alarmState: '02' }, 'online')).toEqual({ connect: '1', gateState: '1', alarm: '2', relay: '0' });
    expect(gateStateTexts(gate, 'offline')).toEqual({ connect: '0', gateState: '0', alarm: 'None', relay: 'None' });
    expect(gateStateTexts(gate, 'disabled')).toEqual({ connect: '2', gateState: '2', alarm: 'None', relay: 'None' });
  });

  it('takes gateState from the connection, not from a first rtstate; a turned-off gate of an online controller is disabled', () => {
    const gate = { enabled: true, relayState: null, alarmState: null, doorStateAt: null };
    expect(gateStateTexts(gate, 'online')).toEqual({ connect: '1', gateState: '1', alarm: 'None', relay: 'None' });
    expect(gateStateTexts({ ...gate, enabled: false }, 'online')).toEqual({ connect: '1', gateState: '2', alarm: 'None', relay: 'None' });
    expect(gateStateTexts({ ...gate, enabled: false }, 'offline')).toEqual({ connect: '0', gateState: '0', alarm: 'None', relay: 'None' });
  });
});
