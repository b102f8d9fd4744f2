import type { PersonDeviceSyncDto } from './dto/sync-status.dto';

/**
 * A person's sync state over all their devices, in one word for a list row (the console's Persons list), taken from
 * the per-device answer the person's detail shows (SyncStatusService.ofPerson / ofPersons): `refused` when a device
 * refused them, could not be sent them, keeps failing or failed them for good (the detail says which and why); else `pending` with how many
 * devices have not confirmed yet; else `synced` (every device that should hold them does, and those that should not
 * have let them go); `none` when no device concerns them (no level with doors, no attendance area with terminals).
 */
export interface PersonSyncSummary {
  state: 'synced' | 'pending' | 'refused' | 'none';
  /** Devices that concern the person. */
  devices: number;
  /** Devices not confirmed yet (pending or being removed). */
  pending: number;
  /** Devices that refused, skipped or keep failing. */
  refused: number;
}

const REFUSED_STATES: ReadonlySet<PersonDeviceSyncDto['state']> = new Set(['refused', 'skipped', 'divergent', 'failed']);

export function personSyncSummary(devices: readonly PersonDeviceSyncDto[]): PersonSyncSummary {
  const refused = devices.filter((d) => REFUSED_STATES.has(d.state)).length;
  const pending = devices.filter((d) => d.state === 'pending' || d.state === 'removing').length;
  const state = devices.length === 0 ? 'none' : refused > 0 ? 'refused' : pending > 0 ? 'pending' : 'synced';
  return { state, devices: devices.length, pending, refused };
}
