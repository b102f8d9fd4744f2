/**
 * Door state as CVSecurity's door-state endpoints (2.11.1-2.11.3) render it, from what rtstate recorded on the
 * door row (push-protocol.md 6.2):
 *   sensor  2 bits per door: 0 no sensor, 1 closed, 2 open          → "no sensor" | "off" | "open" | "unknown"
 *   relay   1 bit per door: 1 = lock released                        → "open" | "off" | "unknown"
 *   alarm   one byte per door (hex): bit 0 accidental opening, bit 1 tamper, bit 2 duress password,
 *           bit 3 duress fingerprint, bit 4 door-sensor timeout, bit 5 mains power failure,
 *           bit 6 battery failure, bit 7 reader disassembly         → the manual's alarm texts
 *   connect "0" offline, "1" online, "2" disabled (state of the device, not of the door)
 * Texts are lower case, as the manual's enumerations; the examples' "None"/"No sensor" are the same values.
 */

export interface DoorStateInput {
  sensorState: number | null;
  relayState: number | null;
  alarmState: string | null;
  doorStateAt: Date | null;
}

export interface DoorStateTexts {
  connect: string;
  sensor: string;
  alarm: string;
  relay: string;
}

export type DeviceConnection = 'online' | 'offline' | 'disabled';

const ALARM_BITS: Array<[number, string]> = [
  [0x02, 'tampering'],
  [0x04, 'duress password opening'],
  [0x08, 'duress fingerprint opening'],
  [0x01, 'be opened accidentally'],
  [0x10, 'timeout'],
  [0x80, 'tampering'],
  [0x40, 'low battery voltage'],
  [0x20, 'backup power'],
];

export function sensorText(v: number | null): string {
  if (v === 0) return 'no sensor';
  if (v === 1) return 'off';
  if (v === 2) return 'open';
  return 'unknown';
}

export function relayText(v: number | null): string {
  if (v === 0) return 'off';
  if (v === 1) return 'open';
  return 'unknown';
}

/** The most serious alarm of the door's byte (duress and tamper before the rest), or "none". */
export function alarmText(hex: string | null): string {
  if (hex === null || !/^[0-9a-fA-F]{1,2}$/.test(hex.trim())) return 'unknown';
  const b = parseInt(hex.trim(), 16);
  if (b === 0) return 'none';
  for (const [bit, text] of ALARM_BITS) if (b & bit) return text;
  return 'alarm';
}

/**
 * A disabled device answers "2"; an offline one "0" with every state "unknown" (what it last said may no
 * longer hold); an online one its last rtstate, "unknown" until the first rtstate arrives.
 */
export function doorStateTexts(door: DoorStateInput, connection: DeviceConnection): DoorStateTexts {
  const connect = connection === 'disabled' ? '2' : connection === 'online' ? '1' : '0';
  if (connection !== 'online' || door.doorStateAt === null) return { connect, sensor: 'unknown', alarm: 'unknown', relay: 'unknown' };
  return { connect, sensor: sensorText(door.sensorState), alarm: alarmText(door.alarmState), relay: relayText(door.relayState) };
}
