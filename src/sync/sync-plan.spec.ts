/**
 * The planner's decision without a database: desired and confirmed sets (and commands in flight) in,
 * device commands with their refs out.
 */
import { describe, expect, it } from 'vitest';
import { chooseDialect, parseRegistrationBody } from '../push/protocol';
import type { SyncDevice } from './device-dialect';
import { holidayKey, holidayRecords, rightsRecords, userRecordFor, type SyncPerson } from './sync-commands';
import { backoffMs, currentState, desiredHashes, diffItems, emptyDesired, itemId, type DesiredDevice, type SyncRef } from './sync-items';
import { composeCommands, composesAlike, type ComposeInput } from './sync-plan';

const device: SyncDevice = {
  id: 'd'.repeat(32),
  sn: 'SN1',
  timeZone: 'UTC',
  photoType: 9,
  dialect: chooseDialect(parseRegistrationBody('PushVersion=Ver 3.1.2,DateFmtFunOn=1,MultiBioDataSupport=0:1:0:0:0:0:0:0:0:1,MultiBioPhotoSupport=0:0:0:0:0:0:0:0:0:1').capabilities),
};

const person = (pin: string, name = `P${pin}`): SyncPerson => ({
  id: pin.padStart(32, '0'), pin, name, lastName: null, cardNo: null, password: null, isDisabled: false, accStartTime: null, accEndTime: null, photo: null, cards: [],
});

function desiredWith(members: Array<[SyncPerson, Map<number, number[]>]>, tzs: number[] = [1]): DesiredDevice {
  const d = emptyDesired();
  for (const [p, r] of members) d.members.set(p.pin, { pin: p.pin, user: userRecordFor(device, p), auth: rightsRecords(p.pin, r), cards: [], photo: null, templates: [] });
  for (const tz of tzs) d.timezones.set(tz, { timezoneId: tz, schedule: { Mon: [{ start: '08:00', end: '18:00' }] } });
  return d;
}

function plan(desired: DesiredDevice, confirmed: Map<string, string>, inflight: SyncRef[] = [], hold = new Set<string>()) {
  const hashes = desiredHashes(desired);
  const current = currentState(confirmed, inflight);
  const diff = diffItems({ desired: hashes, current, hold });
  return composeCommands(device, desired, hashes, diff, current, { plan: 'p1' });
}

describe('the planner diff (desired vs confirmed)', () => {
  const door1 = new Map([[1, [1]]]);
  const d = desiredWith([[person('1'), door1], [person('2'), door1]]);
  const allConfirmed = desiredHashes(d);

  it('an empty device gets time zones, users and rights, many records per command, each command naming its items', () => {
    const out = plan(d, new Map());
    expect(out.map((c) => c.command.split(' ').slice(0, 3).join(' '))).toEqual(['DATA UPDATE timezone', 'DATA UPDATE user', 'DATA UPDATE userauthorize']);
    expect(out[1].command.split('\n')).toHaveLength(2);
    expect(out[1].ref).toMatchObject({ sync: 1, plan: 'p1', kind: 'user', put: [['1', allConfirmed.get(itemId('user', '1'))], ['2', allConfirmed.get(itemId('user', '2'))]] });
  });

  it('a device that confirmed everything gets nothing; commands in flight are not planned twice', () => {
    expect(plan(d, allConfirmed)).toEqual([]);
    const first = plan(d, new Map());
    expect(plan(d, new Map(), first.map((c) => c.ref))).toEqual([]);
  });

  it('a revoke removes rights then user; a grant in flight followed by a revoke still removes', () => {
    const only1 = desiredWith([[person('1'), door1]]);
    expect(plan(only1, allConfirmed).map((c) => c.command)).toEqual(['DATA DELETE userauthorize Pin=2', 'DATA DELETE user Pin=2']);
    const grant = plan(d, new Map(desiredHashes(only1)));
    expect(plan(only1, new Map(desiredHashes(only1)), grant.map((c) => c.ref)).map((c) => c.command)).toEqual(['DATA DELETE userauthorize Pin=2', 'DATA DELETE user Pin=2']);
  });

  it('an item whose command failed (`?`) is sent again, and removed when no longer desired; backoff holds it', () => {
    const failed = new Map(allConfirmed).set(itemId('auth', '2'), '?');
    expect(plan(d, failed).map((c) => c.command)).toEqual(['DATA DELETE userauthorize Pin=2', 'DATA UPDATE userauthorize Pin=2\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1']);
    expect(plan(d, failed, [], new Set([itemId('auth', '2')]))).toEqual([]);
    const only1 = desiredWith([[person('1'), door1]]);
    expect(plan(only1, failed).map((c) => c.command)).toContain('DATA DELETE userauthorize Pin=2');
  });

  it('rights that lose a time zone are cleared first; a changed name re-sends the user only', () => {
    const two = desiredWith([[person('1'), new Map([[1, [1]], [2, [1]]])]], [1, 2]);
    const narrower = desiredWith([[person('1'), new Map([[2, [1]]])]], [1, 2]);
    expect(plan(narrower, desiredHashes(two)).map((c) => c.command)).toEqual(['DATA DELETE userauthorize Pin=1', 'DATA UPDATE userauthorize Pin=1\tAuthorizeTimezoneId=2\tAuthorizeDoorId=1']);
    const renamed = desiredWith([[person('1', 'Ann'), new Map([[1, [1]], [2, [1]]])]], [1, 2]);
    expect(plan(renamed, desiredHashes(two)).map((c) => c.command)).toEqual([expect.stringMatching(/^DATA UPDATE user .*Name=Ann/)]);
  });

  it('a clear in flight (full sync) means the device holds nothing of that kind', () => {
    const clear: SyncRef = { sync: 1, plan: 'x', kind: 'user', clear: true };
    expect([...currentState(allConfirmed, [clear]).keys()].filter((k) => k.startsWith('user\t'))).toEqual([]);
  });

  it('a full sync clears every table it refills; a rights table refused for writing is still cleared, users the panel keeps, a table refused for deleting is not', () => {
    const hashes = desiredHashes(d);
    type K = 'user' | 'auth' | 'card' | 'hday';
    const full = (refused: Set<K>, refusedRemove: Set<K> = new Set()) =>
      composeCommands(device, d, hashes, diffItems({ desired: hashes, current: new Map(), refused, refusedRemove }), new Map(), { plan: 'p1', full: true, refused, refusedRemove })
        .map((c) => c.command.split(' ').slice(0, 3).join(' '));
    expect(full(new Set())).toEqual(['DATA DELETE userauthorize', 'DATA DELETE user', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE user', 'DATA UPDATE userauthorize']);
    // The rights cannot be written: they are still cleared (fail closed), and not sent.
    expect(full(new Set(['auth']))).toEqual(['DATA DELETE userauthorize', 'DATA DELETE user', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE user']);
    // The users cannot be written: they are the panel's own (enrolled there), not cleared; the rights still are.
    expect(full(new Set(['user']))).toEqual(['DATA DELETE userauthorize', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE userauthorize']);
    // Neither written nor deleted: the table is left as it is.
    expect(full(new Set(['user']), new Set(['user']))).toEqual(['DATA DELETE userauthorize', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE userauthorize']);
    expect(full(new Set(['auth', 'hday']), new Set(['auth', 'hday']))).toEqual(['DATA DELETE user', 'DATA UPDATE timezone', 'DATA UPDATE user']);
  });

  it('a revoked right leaves a panel whose firmware refused writing the rights table (only deleting refused keeps it)', () => {
    const held = new Map([['auth\t9', 'h9'], ['user\t9', 'u9']]);
    const desired = new Map([['user\t9', 'u9']]);
    expect(diffItems({ desired, current: held, refused: new Set(['auth']) }).remove).toEqual(['auth\t9']);
    expect(diffItems({ desired, current: held, refused: new Set(['auth']), refusedRemove: new Set(['auth']) }).remove).toEqual([]);
    expect(diffItems({ desired: new Map([['auth\t9', 'new']]), current: held, refused: new Set(['auth']) }).put).toEqual([]);
  });

  it('backoff doubles and is capped', () => {
    expect([1, 2, 3, 10].map((n) => backoffMs(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
  });
});

describe('holidays', () => {
  it('days that differ only by zero padding stay two items, and a removed day resends the table after `holiday *`', () => {
    const d = emptyDesired();
    for (const h of holidayRecords([
      { startDate: '2025-01-11', endDate: '2025-01-11', holidayType: 1, isLoopByYear: false },
      { startDate: '2025-11-01', endDate: '2025-11-01', holidayType: 2, isLoopByYear: false },
    ])) d.holidays.set(typeof h.holiday === 'string' ? h.holiday : holidayKey(h.holiday), h);
    expect([...d.holidays.keys()]).toEqual(['20250111', '20251101']);
    const held = desiredHashes(d);
    const fewer = emptyDesired();
    fewer.holidays.set('20251101', d.holidays.get('20251101')!);
    expect(plan(fewer, held).map((c) => c.command)).toEqual(['DATA DELETE holiday *', expect.stringMatching(/^DATA UPDATE holiday Holiday=20251101\t/)]);
  });
});

describe('like panels share the commands built once (composesAlike)', () => {
  const door1 = new Map([[1, [1]]]);
  const input = (desired: DesiredDevice, confirmed: Map<string, string>, dev: SyncDevice = device): ComposeInput => {
    const hashes = desiredHashes(desired);
    const current = currentState(confirmed, []);
    return { device: dev, desired, hashes, diff: diffItems({ desired: hashes, current }), current, refused: new Set(), refusedRemove: new Set() };
  };
  const both = desiredWith([[person('1'), door1], [person('2'), door1]]);

  it('the same diff with the same records and the same confirmed state: alike, and composing gives equal commands', () => {
    const a = input(both, new Map());
    const b = input(desiredWith([[person('1'), door1], [person('2'), door1]]), new Map(), { ...device, id: 'e'.repeat(32), sn: 'SN2' });
    expect(composesAlike(a, b)).toBe(true);
    const compose = (i: ComposeInput) => composeCommands(i.device, i.desired, i.hashes, i.diff, i.current, { plan: 'p1' });
    expect(compose(b)).toEqual(compose(a));
  });

  it('different records, a different confirmed state behind a put, a different dialect or a different removal: not alike', () => {
    const a = input(both, new Map());
    expect(composesAlike(a, input(desiredWith([[person('1', 'Other'), door1], [person('2'), door1]]), new Map()))).toBe(false);
    expect(composesAlike(a, input(both, new Map([[itemId('auth', '1'), '?']])))).toBe(false);
    expect(composesAlike(a, input(both, new Map(), { ...device, dialect: { ...device.dialect, cards: 'mulcarduser' } }))).toBe(false);
    const gone = new Map(desiredHashes(both));
    const only1 = desiredWith([[person('1'), door1]]);
    const withBio = new Map([...gone, [itemId('bio', '2'), '1.0:abc']]);
    expect(composesAlike(input(only1, gone), input(only1, withBio))).toBe(false);
  });
});
