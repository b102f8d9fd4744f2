/**
 * Gate state as 2.31.1-2.31.3 render it, from what the channel controller reported. A gate is a door of the
 * controller, so its rtstate bits are the door's (door-state.ts has the bit layout):
 *   connect   "0" offline, "1" online, "2" disabled (the controller)
 *   gateState "0" no gate terminal seen (offline, or no rtstate yet), "1" online, "2" disabled
 *   alarm     the door's alarm byte: bit 0 → "1" opened accidentally, bit 1 → "2" tampering, bit 2 → "3" duress
 *             password, bit 3 → "4" duress fingerprint, any other bit → "7" gate error; "None" when unknown
 *   relay     the lock relay bit drives the entry direction (README "Entrance control"): 1 → "2" entry open,
 *             0 → "0" off; "None" when unknown (the exit output is an auxiliary output, which rtstate does not
 *             report)
 */
import type { DeviceConnection } from '../door/door-state';

export interface GateStateInput {
  relayState: number | null;
  alarmState: string | null;
  doorStateAt: Date | null;
}

export interface GateStateTexts {
  connect: string;
  gateState: string;
  alarm: string;
  relay: string;
}

const ALARM_CODES: Array<[number, string]> = [
  [0x01, '1'],
  [0x02, '2'],
  [0x04, '3'],
  [0x08, '4'],
];

export function gateAlarm(hex: string | null): string {
  if (hex === null || !/^[0-9a-fA-F]{1,2}$/.test(hex.trim())) return 'None';
  const b = parseInt(hex.trim(), 16);
  if (b === 0) return '0';
  for (const [bit, code] of ALARM_CODES) if (b & bit) return code;
  return '7';
}

export function gateStateTexts(g: GateStateInput, connection: DeviceConnection): GateStateTexts {
  const connect = connection === 'disabled' ? '2' : connection === 'online' ? '1' : '0';
  if (connection === 'disabled') return { connect, gateState: '2', alarm: 'None', relay: 'None' };
  if (connection === 'offline' || g.doorStateAt === null) return { connect, gateState: '0', alarm: 'None', relay: 'None' };
  return { connect, gateState: '1', alarm: gateAlarm(g.alarmState), relay: g.relayState === 1 ? '2' : g.relayState === 0 ? '0' : 'None' };
}
