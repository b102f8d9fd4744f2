/**
 * Gate state as 2.31.1-2.31.3 render it, from what the channel controller reported. A gate is a door of the
 * controller, so its rtstate bits are the door's (door-state.ts has the bit layout):
 *   connect   "0" offline, "1" online, "2" disabled (the controller)
 *   gateState follows connect (the gate answers through its controller): "0" offline, "1" online, "2" disabled
 *             (the controller, or the gate's door turned off); "0" too while the controller's latest event at the
 *             gate is 110 "The Gate is not connected" (2.34: the controller lost the gate itself). "3" lockdown is never answered: rtstate does not
 *             report it, and a lockdown command that was sent says nothing of whether it still holds
 *   alarm     the door's alarm byte: bit 0 → "1" opened accidentally, bit 1 → "2" tampering, bit 2 → "3" duress
 *             password, bit 3 → "4" duress fingerprint, any other bit → "7" gate error; "None" when unknown
 *   relay     the lock relay bit drives the entry direction (README "Entrance control"): 1 → "2" entry open,
 *             0 → "0" off; "None" when unknown (the exit output is an auxiliary output, which rtstate does not
 *             report)
 */
import type { DeviceConnection } from '../door/door-state';

export interface GateStateInput {
  /** The gate's door row: false turns the gate off (remote control refuses it too). */
  enabled: boolean;
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

/**
 * Alarm and relay are "None" until the online controller's first rtstate, and while it is offline or disabled
 * (what it last said may no longer hold); gateState does not wait for rtstate, connect alone decides it.
 */
export function gateStateTexts(g: GateStateInput, connection: DeviceConnection, gateLost = false): GateStateTexts {
  const connect = connection === 'disabled' ? '2' : connection === 'online' ? '1' : '0';
  if (connection !== 'online') return { connect, gateState: connect, alarm: 'None', relay: 'None' };
  // 2.31.1's "0 offline: the device is not connected to the entrance control gate": the controller answers, but
  // its last word about this gate was event 110 "The Gate is not connected" (gate.service.ts lostGates).
  const gateState = !g.enabled ? '2' : gateLost ? '0' : '1';
  if (g.doorStateAt === null) return { connect, gateState, alarm: 'None', relay: 'None' };
  return { connect, gateState, alarm: gateAlarm(g.alarmState), relay: g.relayState === 1 ? '2' : g.relayState === 0 ? '0' : 'None' };
}
