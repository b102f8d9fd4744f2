/**
 * The planner's decision without a database: desired and confirmed sets (and commands in flight) in,
 * device commands with their refs out.
 */
import { describe, expect, it } from 'vitest';
import { chooseDialect, parseRegistrationBody } from '../push/protocol';
import type { SyncDevice } from './device-dialect';
import { holidayKey, holidayRecords, rightsRecords, userRecordFor, type SyncPerson } from './sync-commands';
import { authRows, backoffMs, bioHash, bioRows, countedItemKind, currentState, desiredHashes, diffItems, emptyDesired, expectedRows, itemId, UNKNOWN_HASH, type DesiredDevice, type SyncRef } from './sync-items';
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

  it('a user left whose rights delete was confirmed (its own delete refused): only the user is deleted again; a user of unknown content loses rights too', () => {
    const only1 = desiredWith([[person('1'), door1]]);
    // The rights of pin 2 were taken; the user's delete was refused, so the user stays confirmed.
    const rightsTaken = new Map([...allConfirmed].filter(([id]) => id !== itemId('auth', '2')));
    expect(plan(only1, rightsTaken).map((c) => c.command)).toEqual(['DATA DELETE user Pin=2']);
    // Enrolled at the panel (content `?`): it may hold rights the gateway never sent.
    const unknown = new Map([...rightsTaken, [itemId('user', '2'), UNKNOWN_HASH]]);
    expect(plan(only1, unknown).map((c) => c.command)).toEqual(['DATA DELETE userauthorize Pin=2', 'DATA DELETE user Pin=2']);
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
    type K = 'user' | 'auth' | 'card' | 'bio' | 'photo' | 'hday';
    const full = (refused: Set<K>, refusedRemove: Set<K> = new Set()) =>
      composeCommands(device, d, hashes, diffItems({ desired: hashes, current: new Map(), refused, refusedRemove }), new Map(), { plan: 'p1', full: true, refused, refusedRemove })
        .map((c) => c.command.split(' ').slice(0, 3).join(' '));
    expect(full(new Set())).toEqual(['DATA DELETE userauthorize', 'DATA DELETE user', 'DATA DELETE biodata', 'DATA DELETE biodata', 'DATA DELETE biophoto', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE user', 'DATA UPDATE userauthorize']);
    // The rights cannot be written: they are still cleared (fail closed), and not sent.
    expect(full(new Set(['auth']))).toEqual(['DATA DELETE userauthorize', 'DATA DELETE user', 'DATA DELETE biodata', 'DATA DELETE biodata', 'DATA DELETE biophoto', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE user']);
    // The users cannot be written: they are the panel's own (enrolled there), not cleared; the rights still are.
    expect(full(new Set(['user']))).toEqual(['DATA DELETE userauthorize', 'DATA DELETE biodata', 'DATA DELETE biodata', 'DATA DELETE biophoto', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE userauthorize']);
    // Neither written nor deleted: the table is left as it is.
    expect(full(new Set(['user']), new Set(['user']))).toEqual(['DATA DELETE userauthorize', 'DATA DELETE biodata', 'DATA DELETE biodata', 'DATA DELETE biophoto', 'DATA UPDATE timezone', 'DATA DELETE holiday', 'DATA UPDATE userauthorize']);
    expect(full(new Set(['auth', 'hday']), new Set(['auth', 'hday']))).toEqual(['DATA DELETE user', 'DATA DELETE biodata', 'DATA DELETE biodata', 'DATA DELETE biophoto', 'DATA UPDATE timezone', 'DATA UPDATE user']);
    // Templates are cleared by Type (the manual's biodata delete takes no `*`), unless the firmware refused them.
    expect(full(new Set(['bio'])).filter((c) => c.includes('biodata'))).toEqual([]);
    expect(full(new Set(), new Set(['bio'])).filter((c) => c.includes('biodata'))).toEqual([]);
    // Photos too (biophoto by the panel's photo Type): a face photo the gateway never sent is compared against.
    // A firmware refusing to write or to delete them keeps its photo table as it is.
    expect(full(new Set(['photo'])).filter((c) => c.includes('biophoto'))).toEqual([]);
    expect(full(new Set(), new Set(['photo'])).filter((c) => c.includes('biophoto'))).toEqual([]);
  });

  it('a revoked right leaves a panel whose firmware refused writing the rights table (only deleting refused keeps it)', () => {
    const held = new Map([['auth\t9', 'h9'], ['user\t9', 'u9']]);
    const desired = new Map([['user\t9', 'u9']]);
    expect(diffItems({ desired, current: held, refused: new Set(['auth']) }).remove).toEqual(['auth\t9']);
    expect(diffItems({ desired, current: held, refused: new Set(['auth']), refusedRemove: new Set(['auth']) }).remove).toEqual([]);
    // Deleting refused alone: still removed (composeCommands empties the rights with an update instead).
    expect(diffItems({ desired, current: held, refusedRemove: new Set(['auth']) }).remove).toEqual(['auth\t9']);
    expect(diffItems({ desired, current: held, refusedRemove: new Set(['user']) }).remove).toEqual(['auth\t9']);
    expect(diffItems({ desired: new Map([['auth\t9', 'new']]), current: held, refused: new Set(['auth']) }).put).toEqual([]);
  });

  it('a member leaving a panel that refuses deleting rights: emptied, confirmed as the rows of no door it leaves, not sent again', () => {
    const only1 = desiredWith([[person('1'), door1]]);
    const hashes = desiredHashes(only1);
    const compose = (current: Map<string, string>, refusedRemove: Set<'auth'>) =>
      composeCommands(device, only1, hashes, diffItems({ desired: hashes, current, refusedRemove }), current, { plan: 'p1', refusedRemove });
    const [empty, user] = compose(new Map(allConfirmed), new Set(['auth']));
    expect([empty.command, user.command]).toEqual(['DATA UPDATE userauthorize Pin=2\tAuthorizeTimezoneId=1\tAuthorizeDoorId=0', 'DATA DELETE user Pin=2']);
    // The rows stay on the panel: the item is what they are (time zone 1, no door), not gone.
    expect(empty.ref).toMatchObject({ kind: 'auth', put: [['2', '1:']] });
    expect(empty.ref.del).toBeUndefined();
    // Held so, nothing more an update can do; once deletes may be tried (the refusal's probe), it is deleted by Pin.
    const emptied = new Map([...hashes, ['auth\t2', '1:']]);
    expect(compose(emptied, new Set(['auth']))).toEqual([]);
    expect(compose(emptied, new Set()).map((c) => c.command)).toEqual(['DATA DELETE userauthorize Pin=2']);
  });

  it('rights that lose a time zone on a panel that refuses deleting rights: the lost one emptied, confirmed as held, deleted by Pin once deletes may be tried', () => {
    const two = desiredWith([[person('1'), new Map([[1, [1]], [2, [1]]])]], [1, 2]);
    const narrower = desiredWith([[person('1'), new Map([[2, [1]]])]], [1, 2]);
    const hashes = desiredHashes(narrower);
    const compose = (current: Map<string, string>, refusedRemove: Set<'auth'>) =>
      composeCommands(device, narrower, hashes, diffItems({ desired: hashes, current, refusedRemove }), current, { plan: 'p1', refusedRemove });
    const [update, ...rest] = compose(new Map(desiredHashes(two)), new Set(['auth']));
    expect(rest).toEqual([]);
    expect(update.command).toBe('DATA UPDATE userauthorize Pin=1\tAuthorizeTimezoneId=2\tAuthorizeDoorId=1\nPin=1\tAuthorizeTimezoneId=1\tAuthorizeDoorId=0');
    // Time zone 1 stays on the panel with no door: the item is confirmed as that, not as the database's right (2:1).
    expect(update.ref).toMatchObject({ kind: 'auth', put: [['1', '1:,2:1']] });
    const held = new Map([...hashes, ['auth\t1', '1:,2:1']]);
    expect(compose(held, new Set(['auth']))).toEqual([]);
    expect(compose(held, new Set()).map((c) => c.command)).toEqual(['DATA DELETE userauthorize Pin=1', 'DATA UPDATE userauthorize Pin=1\tAuthorizeTimezoneId=2\tAuthorizeDoorId=1']);
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
    // A member leaving whose rights one panel still holds and the other no longer does (their delete confirmed).
    const rightsGone = new Map([...gone].filter(([id]) => id !== itemId('auth', '2')));
    expect(composesAlike(input(only1, gone), input(only1, rightsGone))).toBe(false);
  });
});

describe('expected rights rows (the verification counts them against what the panel confirmed)', () => {
  /** A rights table replayed from the commands: one row per (Pin, AuthorizeTimezoneId), as firmware keys it. */
  function replay(table: Map<string, string>, commands: string[], name = 'userauthorize'): Map<string, string> {
    for (const c of commands) {
      const [first, ...more] = c.split('\n');
      const del = new RegExp(`^DATA DELETE ${name} (.*)$`).exec(first);
      if (del) for (const key of [...table.keys()]) if (del[1] === '*' || key.startsWith(`${del[1].slice('Pin='.length)}\t`)) table.delete(key);
      const upd = new RegExp(`^DATA UPDATE ${name} (.*)$`).exec(first);
      if (upd) {
        for (const line of [upd[1], ...more]) {
          const f = Object.fromEntries(line.split('\t').map((kv) => kv.split('=') as [string, string]));
          table.set(`${f.Pin}\t${f.AuthorizeTimezoneId}`, line);
        }
      }
    }
    return table;
  }
  const groupsOf = (hashes: ReadonlyMap<string, string>, kind = 'auth') => {
    const n = new Map<string, number>();
    for (const [id, h] of hashes) if (id.startsWith(`${kind}\t`)) n.set(h, (n.get(h) ?? 0) + 1);
    return [...n].map(([hash, items]) => ({ hash, items }));
  };

  it('on an elevator controller: one usereleauthorize row per pin and time zone, its floors a bitmask, after a grant and after floors narrowed and widened', () => {
    const ele: SyncDevice = { ...device, module: 'ele' };
    const floorsOf = (members: Array<[SyncPerson, Map<number, number[]>]>) => {
      const d = desiredWith(members, [1, 2]);
      d.rightsKind = 'eleauth';
      return d;
    };
    const planOn = (desired: DesiredDevice, confirmed: Map<string, string>) => {
      const hashes = desiredHashes(desired);
      return composeCommands(ele, desired, hashes, diffItems({ desired: hashes, current: confirmed }), confirmed, { plan: 'p1' }).map((c) => c.command);
    };
    // Person 1 has floors 2, 3 and 5 in time zone 1 (several floors, one row); person 2 floors in two time zones.
    const first = floorsOf([[person('1'), new Map([[1, [2, 3, 5]]])], [person('2'), new Map([[1, [1]], [2, [4, 6]]])]]);
    const commands = planOn(first, new Map());
    expect(commands.some((c) => c.startsWith('DATA UPDATE userauthorize'))).toBe(false);
    const table = replay(new Map(), commands, 'usereleauthorize');
    expect([...table.keys()].sort()).toEqual(['1\t1', '2\t1', '2\t2']);
    expect(table.get('1\t1')).toContain('AuthorizeFloors=16'); // floors 2, 3, 5: bits 1, 2, 4
    const confirmed = desiredHashes(first);
    expect(expectedRows('usereleauthorize', groupsOf(confirmed, 'eleauth'))).toEqual({ min: 3, max: 3 });
    expect(expectedRows('usereleauthorize', groupsOf(confirmed, 'auth'))).toEqual({ min: 0, max: 0 });
    // Person 2 loses time zone 2 (reset by Pin, then sent again), person 1 gains it, person 3 arrives with one floor.
    const second = floorsOf([[person('1'), new Map([[1, [2, 3]], [2, [7]]])], [person('2'), new Map([[1, [1, 4]]])], [person('3'), new Map([[2, [9]]])]]);
    replay(table, planOn(second, confirmed), 'usereleauthorize');
    expect([...table.keys()].sort()).toEqual(['1\t1', '1\t2', '2\t1', '3\t2']);
    expect(expectedRows('usereleauthorize', groupsOf(desiredHashes(second), 'eleauth'))).toEqual({ min: 4, max: 4 });
    // A member whose floors are in doubt may hold any number of rows.
    expect(expectedRows('usereleauthorize', [{ hash: '1:2.3', items: 2 }, { hash: UNKNOWN_HASH, items: 1 }])).toEqual({ min: 2, max: Infinity });
    expect(countedItemKind('usereleauthorize')).toBe('eleauth');
    expect(countedItemKind('userauthorize')).toBe('auth');
  });

  it('equal the rows the planner writes, after a grant and after rights narrowed and widened', () => {
    const withValidity = (d: DesiredDevice) => {
      const v = d.members.get('4')!;
      v.auth = v.auth.map((r) => ({ ...r, startTime: 100, endTime: 200 }));
      return d;
    };
    const first = withValidity(desiredWith([[person('1'), new Map([[1, [1, 2]]])], [person('2'), new Map([[1, [1]], [2, [2]], [3, [1, 2]]])], [person('3'), new Map([[2, [1]]])], [person('4'), new Map([[1, [1]]])]], [1, 2, 3]));
    const table = replay(new Map(), plan(first, new Map()).map((c) => c.command));
    const confirmed = desiredHashes(first);
    expect(table.size).toBe(6);
    expect(expectedRows('userauthorize', groupsOf(confirmed))).toEqual({ min: 6, max: 6 });
    // Person 2 loses time zone 3 (reset by Pin, then sent again), person 3 gains time zone 1, person 1 is gone.
    const second = withValidity(desiredWith([[person('2'), new Map([[1, [1]], [2, [2]]])], [person('3'), new Map([[1, [2]], [2, [1]]])], [person('4'), new Map([[1, [1]]])]], [1, 2, 3]));
    replay(table, plan(second, confirmed).map((c) => c.command));
    expect(table.size).toBe(5);
    expect(expectedRows('userauthorize', groupsOf(desiredHashes(second)))).toEqual({ min: 5, max: 5 });
  });

  it('a member whose rights are in doubt (?) may hold any number of rows; a user in doubt zero or one', () => {
    expect(authRows('')).toBe(0);
    expect(authRows('1:1.2,2:3@100-200')).toBe(2);
    expect(authRows(UNKNOWN_HASH)).toBeNull();
    expect(expectedRows('userauthorize', [{ hash: '1:1', items: 3 }, { hash: UNKNOWN_HASH, items: 1 }])).toEqual({ min: 3, max: Infinity });
    expect(expectedRows('user', [{ hash: '', items: 5 }, { hash: UNKNOWN_HASH, items: 2 }])).toEqual({ min: 5, max: 7 });
    expect(expectedRows('gatepassrule', [])).toEqual({ min: 0, max: 0 });
  });

  it('template rows: one per Index of a biodata slot, one per finger in templatev10; in doubt, any number', () => {
    const t = (bioType: number, templateNo: number, templateNoIndex: number) => ({ pin: '1', bioType, templateNo, templateNoIndex, validType: 1, majorVer: 10, minorVer: 0, format: 0, template: `T${bioType}.${templateNo}.${templateNoIndex}` });
    const fingers = bioHash([t(1, 0, 0), t(1, 3, 0)]);
    const face = bioHash([t(9, 0, 0), t(9, 0, 1), t(9, 0, 2), t(1, 0, 0)]);
    // A one-Index slot keeps the hash it always had (no resend of every fingerprint after an upgrade).
    expect(fingers).not.toContain('x');
    expect(bioRows(fingers, 'biodata')).toBe(2);
    expect(bioRows(face, 'biodata')).toBe(4);
    expect(bioRows(face, 'templatev10')).toBe(2);
    expect(bioRows(UNKNOWN_HASH, 'biodata')).toBeNull();
    expect(countedItemKind('biodata')).toBe('bio');
    expect(countedItemKind('templatev10')).toBe('bio');
    expect(expectedRows('biodata', [{ hash: fingers, items: 3 }, { hash: face, items: 1 }])).toEqual({ min: 10, max: 10 });
    expect(expectedRows('biodata', [{ hash: fingers, items: 1 }, { hash: UNKNOWN_HASH, items: 1 }])).toEqual({ min: 2, max: Infinity });
    // The slot's hash still changes with any of its Indexes.
    expect(bioHash([t(9, 0, 0), t(9, 0, 1), { ...t(9, 0, 2), template: 'other' }])).not.toBe(bioHash([t(9, 0, 0), t(9, 0, 1), t(9, 0, 2)]));
  });
});
