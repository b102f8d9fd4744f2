/** What elevator and channel controllers hold, in the short forms the elevator specs compare with the database. */
import type { DeviceSimulator } from '../simulator/device-simulator';
import type { ElevatorControllerSimulator } from '../simulator/elevator';

/** What an elevator controller holds: pin → "tz:floor.floor" rights. */
export function floorsOf(sim: ElevatorControllerSimulator): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of sim.table('user')) out[String(u.Pin)] = [];
  for (const pin of Object.keys(out)) out[pin] = sim.eleRightsOf(pin).map((r) => `${r.timezone}:${r.floors.join('.')}`);
  for (const r of sim.table('usereleauthorize')) out[String(r.Pin)] ??= ['(no user)'];
  return out;
}

/** What a channel controller (or a panel) holds: pin → "tz:doorMask" rights (gate 1 = bit 1). */
export function gatesOf(sim: DeviceSimulator): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of sim.table('user')) out[String(u.Pin)] = [];
  for (const r of sim.table('userauthorize')) (out[String(r.Pin)] ??= []).push(`${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`);
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}
