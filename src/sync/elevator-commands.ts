/**
 * Pure planning for elevator and channel controllers: what one device needs for some persons, given what it
 * was last planned to hold. No database, no Nest (the service around it is elevator-planner.service.ts).
 */
import { dataUpdateUserAuthorize, dataUpdateUserEleAuthorize } from '../push/protocol';
import { chunkBuild, type SyncPerson } from './sync-commands';

/** 'ele': elevator controller (floors, usereleauthorize); 'psg': channel controller (gates, userauthorize). */
export type ModuleKind = 'ele' | 'psg';

/** One person's rights on one controller: TimezoneId → floor numbers (ele) or gate numbers (psg). */
export type ModuleRights = Map<number, number[]>;

/** What the planner last planned for (device, pin): [TimezoneId, points] pairs, sorted. */
export interface ModuleSyncRow {
  deviceId: string;
  pin: string;
  rights: Array<[number, number[]]>;
}

export interface ModulePlanItem {
  person: SyncPerson;
  rights: Array<[number, number[]]>;
  /** Delete the person's rights records first: a time zone the device holds is no longer granted. */
  reset: boolean;
}

export interface ModulePlan {
  items: ModulePlanItem[];
  upserts: Array<{ pin: string; rights: Array<[number, number[]]> }>;
  /** Pins the device held and should not hold any more. */
  removals: string[];
  /** Pins put on the device now (or re-sent in full): their fingerprint and face templates follow. */
  placed: string[];
  timezones: number[];
}

const sorted = (r: ModuleRights): Array<[number, number[]]> =>
  [...r.entries()].sort(([a], [b]) => a - b).map(([tz, pts]) => [tz, [...new Set(pts)].sort((a, b) => a - b)]);

/**
 * Persons with rights on the device get their user record and rights (a person is always re-sent: the
 * caller syncs persons whose data changed). A person's rights records are deleted first only when a time
 * zone they held is gone (the others are overwritten); `force` re-sends templates too. Pins in `before`
 * without rights now are removals.
 */
export function planModuleDevice(
  persons: readonly SyncPerson[],
  rightsOf: (personId: string) => ModuleRights | undefined,
  before: ReadonlyMap<string, ModuleSyncRow>,
  force: boolean,
): ModulePlan {
  const items: ModulePlanItem[] = [];
  const keep = new Set<string>();
  const timezones = new Set<number>();
  const placed: string[] = [];
  for (const person of persons) {
    const r = rightsOf(person.id);
    if (!r || r.size === 0) continue;
    const rights = sorted(r);
    const prev = before.get(person.pin);
    // DATA UPDATE replaces the record of the same (Pin, time zone), so only a time zone that is gone needs a delete.
    items.push({ person, rights, reset: !!prev && prev.rights.some(([tz]) => !r.has(tz)) });
    keep.add(person.pin);
    if (!prev || force) placed.push(person.pin);
    for (const [tz] of rights) timezones.add(tz);
  }
  return {
    items,
    upserts: items.map((i) => ({ pin: i.person.pin, rights: i.rights })),
    removals: [...before.keys()].filter((pin) => !keep.has(pin)),
    timezones: [...timezones].sort((a, b) => a - b),
    placed,
  };
}

/** The rights records: `usereleauthorize` (floors) or `userauthorize` (gate numbers as door bits). */
export function moduleRightsCommands(module: ModuleKind, items: readonly ModulePlanItem[]): string[] {
  const records = items.flatMap((i) => i.rights.map(([tz, points]) => ({ pin: i.person.pin, tz, points })));
  if (records.length === 0) return [];
  return module === 'ele'
    ? chunkBuild(records.map((r) => ({ pin: r.pin, authorizeTimezoneId: r.tz, floors: r.points })), dataUpdateUserEleAuthorize)
    : chunkBuild(records.map((r) => ({ pin: r.pin, authorizeTimezoneId: r.tz, doors: r.points })), dataUpdateUserAuthorize);
}
