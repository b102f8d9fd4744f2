/**
 * From a diff to device commands, pure: which commands, in which order, each with the `ref` that names the
 * items it carries (the confirmation hook reads it back from the command's outcome). Records of many items
 * travel in one multi-record DATA UPDATE (up to MAX_RECORDS_PER_COMMAND / MAX_COMMAND_BYTES); an item's
 * records never straddle two commands, so one Return confirms or fails the whole item.
 *
 * Order on the wire: time zones, holidays, pass rules, door options, first-card rows, then per member kind resets, users, rights, cards, photos,
 * templates; removals of members, pass rules no longer stored, then time zones no longer used (rights referring
 * to them are gone first).
 */
import {
  dataDelete,
  dataUpdateBiophoto,
  dataUpdateGatePassRule,
  dataUpdateHoliday,
  dataUpdateMulCardUser,
  dataUpdateTimezone,
  dataUpdateUser,
  dataUpdateUserAuthorize,
  dataUpdateUserEleAuthorize,
  dataUpdateUserPic,
  deleteFirstCardsOfDoor,
  deleteUser,
  setDoorOptions,
  setPanelRules,
  setFirstCardOpenDoor,
  dataUpdateFirstCard,
  utf8Length,
  type UserAuthorizeRecord,
} from '../push/protocol';
import { templateClearCommands, templateDeleteCommands, templateRecordSets, type TemplateSlot } from './bio-sync';
import type { SyncDevice } from './device-dialect';
import { MAX_COMMAND_BYTES, MAX_PHOTO_COMMAND_BYTES, MAX_RECORDS_PER_COMMAND } from './sync-commands';
import { authHash, authTimezones, bioSlots, itemId, splitItemId, UNKNOWN_HASH, type DesiredDevice, type Diff, type ItemId, type ItemKind, type SyncRef } from './sync-items';

export interface PlannedCommand {
  command: string;
  ref: SyncRef;
}

interface Group<T> {
  key: string;
  hash: string;
  records: T[];
}

/** Multi-record commands over groups of records; a group stays in one command. */
export function chunkGroups<T>(groups: readonly Group<T>[], build: (records: T[]) => string, maxBytes = MAX_COMMAND_BYTES, maxRecords = MAX_RECORDS_PER_COMMAND): Array<{ command: string; put: Array<[string, string]> }> {
  const out: Array<{ command: string; put: Array<[string, string]> }> = [];
  let parts: string[] = [];
  let put: Array<[string, string]> = [];
  let records = 0;
  let bytes = 0;
  let rebuild: T[] = [];
  let joinable = true;
  const flush = () => {
    if (put.length === 0) return;
    out.push({ command: joinable ? parts.join('\n') : build(rebuild), put });
    parts = [];
    put = [];
    records = 0;
    bytes = 0;
    rebuild = [];
    joinable = true;
  };
  for (const g of groups) {
    if (g.records.length === 0) continue;
    const singles = g.records.map((r) => build([r]));
    const size = singles.reduce((n, s) => n + utf8Length(s), 0);
    if (put.length > 0 && (records + g.records.length > maxRecords || bytes + size > maxBytes)) flush();
    for (const single of singles) {
      const header = /^DATA UPDATE [^ ]+ /.exec(single);
      if (parts.length === 0) parts.push(single);
      else if (header && single.indexOf('\n') < 0) parts.push(single.slice(header[0].length));
      else joinable = false;
    }
    rebuild.push(...g.records);
    put.push([g.key, g.hash]);
    records += g.records.length;
    bytes += size;
  }
  flush();
  return out;
}

/** A full sync's clear of the photo table: biophoto rows of the device's photo Type, the whole userpic table. */
function photoClearCommand(device: SyncDevice): string | null {
  if (device.dialect.photo === 'biophoto') return dataDelete('biophoto', [['Type', device.photoType]]);
  if (device.dialect.photo === 'userpic') return dataDelete('userpic', '*');
  return null;
}

function photoDeleteCommand(device: SyncDevice, pin: string): string | null {
  if (device.dialect.photo === 'biophoto') return dataDelete('biophoto', [['PIN', pin], ['Type', device.photoType]]);
  if (device.dialect.photo === 'userpic') return dataDelete('userpic', [['pin', pin]]);
  return null;
}

const toSlot = (slot: string): TemplateSlot => {
  const [type, no] = slot.split('.').map(Number);
  return { bioType: type, templateNo: no };
};

const bioTable = (device: SyncDevice) => (device.dialect.bio === 'biodata' ? 'biodata' : 'templatev10');

/**
 * Where a device keeps a member's rights: an elevator controller in `usereleauthorize` (floors, 8.16), every
 * other device in `userauthorize` (doors; a channel controller's gates). Both are keyed by (Pin, TimezoneId).
 */
function rightsTable(device: SyncDevice): { kind: 'auth' | 'eleauth'; table: string; build: (records: UserAuthorizeRecord[]) => string } {
  if (device.module === 'ele') {
    return { kind: 'eleauth', table: 'usereleauthorize', build: (rs) => dataUpdateUserEleAuthorize(rs.map((r) => ({ pin: String(r.pin), authorizeTimezoneId: r.authorizeTimezoneId, floors: r.doors ?? [] }))) };
  }
  return { kind: 'auth', table: 'userauthorize', build: dataUpdateUserAuthorize };
}

/** The table a kind lives in on this device (what a firmware refusal names). */
export function tableOf(device: SyncDevice, kind: ItemKind): string | null {
  switch (kind) {
    case 'user':
      return 'user';
    case 'auth':
      return 'userauthorize';
    case 'eleauth':
      return 'usereleauthorize';
    case 'card':
      return device.dialect.cards === 'mulcarduser' ? 'mulcarduser' : null;
    case 'photo':
      return device.dialect.photo;
    case 'bio':
      return bioTable(device);
    case 'tz':
      return 'timezone';
    case 'hday':
      return 'holiday';
    case 'gatepassrule':
      return 'gatepassrule';
    case 'firstcard':
      return 'firstcard';
    case 'door':
    case 'advanced':
      // Options, no table: a refusal of the panel's `SET OPTIONS` holds them back (the planner's refusedOf).
      return null;
  }
}

export interface ComposeOptions {
  plan: string;
  /** Full sync: the device's user, rights, card, template and holiday tables are cleared first. */
  full?: boolean;
  /** Re-send as new: rights the device holds are cleared first even when the time zones stay. */
  force?: boolean;
  /**
   * Every desired item in scope goes out again whatever the device confirmed (a full sync and its later pages, a
   * forced sync): templates slot by slot too, not only the slots whose hash differs from the confirmed set. A full
   * sync clears no template table, so a factory-reset panel whose templates were confirmed before the reset got its
   * users and rights back and never its fingerprints or faces, while its convergence answer said it held them.
   */
  resend?: boolean;
  /** Kinds whose `DATA UPDATE` the firmware refused for good (device-refusals.ts): nothing of theirs is put. */
  refused?: ReadonlySet<ItemKind>;
  /**
   * Kinds whose `DATA DELETE` the firmware refused for good: a full sync does not clear them. A rights table refused
   * for writing only is still cleared (fail closed: rights the gateway cannot write must not outlive a revocation).
   */
  refusedRemove?: ReadonlySet<ItemKind>;
  /**
   * Kinds a full sync does not clear: refusedRemove, and the user and rights tables whose clear alone the firmware
   * refused for good (`DATA DELETE user *`, keyed apart from the deletes by PIN). Defaults to refusedRemove.
   */
  refusedClear?: ReadonlySet<ItemKind>;
  /**
   * Items the device last answered with a negative Return (DeviceConfirmed.refused): each goes out in a command of its
   * own (SyncRef.alone). One Return answers a whole multi-record command, so a refusal of several records does not say
   * which was refused: sent apart, the others land and the refused one is known, and it no longer costs them.
   */
  alone?: ReadonlySet<ItemId>;
}

/**
 * The commands for one device. `current` is what the device holds as far as we know (for the resets a put
 * needs: fewer time zones in the rights, templates or cards replaced as a set).
 */
export function composeCommands(device: SyncDevice, desired: DesiredDevice, hashes: ReadonlyMap<ItemId, string>, diff: Diff, current: ReadonlyMap<ItemId, string>, o: ComposeOptions): PlannedCommand[] {
  const out: PlannedCommand[] = [];
  const ref = (kind: ItemKind, r: Omit<SyncRef, 'sync' | 'plan' | 'kind'>): SyncRef => ({ sync: 1, plan: o.plan, kind, ...r });
  const del = (kind: ItemKind, key: string, command: string) => out.push({ command, ref: ref(kind, { del: [key] }) });
  const puts = new Map<ItemKind, string[]>();
  for (const id of diff.put) {
    const [kind, key] = splitItemId(id);
    let l = puts.get(kind);
    if (!l) puts.set(kind, (l = []));
    l.push(key);
  }
  const removes = new Map<ItemKind, string[]>();
  for (const id of diff.remove) {
    const [kind, key] = splitItemId(id);
    let l = removes.get(kind);
    if (!l) removes.set(kind, (l = []));
    l.push(key);
  }
  const hashOf = (kind: ItemKind, key: string) => hashes.get(`${kind}\t${key}`)!;
  const member = (pin: string) => desired.members.get(pin)!;
  const emit = (kind: ItemKind, chunks: Array<{ command: string; put: Array<[string, string]>; alone?: true }>) => {
    for (const c of chunks) out.push({ command: c.command, ref: ref(kind, { put: c.put, ...(c.alone ? { alone: 1 as const } : {}) }) });
  };
  /** chunkGroups, each group of an item in `o.alone` in a command of its own (marked `alone`). */
  const apart = <T>(kind: ItemKind, groups: readonly Group<T>[], build: (records: T[]) => string, maxBytes?: number) => {
    const alone = (g: Group<T>) => o.alone?.has(itemId(kind, g.key)) ?? false;
    if (!groups.some(alone)) return chunkGroups(groups, build, maxBytes);
    const single = groups.filter(alone).flatMap((g) => chunkGroups([g], build, maxBytes).map((c) => ({ ...c, alone: true as const })));
    return [...chunkGroups(groups.filter((g) => !alone(g)), build, maxBytes), ...single];
  };

  const rights = rightsTable(device);
  // A table the firmware will not delete from is never cleared. One it will not write is cleared only when it holds
  // rights (fail closed: rights the gateway can no longer replace must not outlive a revocation); users, cards and
  // holidays it will not write are the panel's own (enrolled there) and stay.
  const clears = (kind: ItemKind) => o.full && !(o.refusedClear ?? o.refusedRemove)?.has(kind) && (kind === rights.kind || !o.refused?.has(kind));
  if (clears(rights.kind)) out.push({ command: dataDelete(rights.table, '*'), ref: ref(rights.kind, { clear: true }) });
  if (clears('user')) out.push({ command: dataDelete('user', '*'), ref: ref('user', { clear: true }) });
  if (clears('card') && device.dialect.cards === 'mulcarduser') out.push({ command: dataDelete('mulcarduser', '*'), ref: ref('card', { clear: true }) });
  // Templates too: a template under one of our pins that the gateway never sent (another site's person on a spare
  // board) would open as that pin. Every desired slot is sent again after it (`resend`).
  if (clears('bio')) for (const command of templateClearCommands(device)) out.push({ command, ref: ref('bio', { clear: true }) });
  // And the photo table: a face photo under one of our pins that the gateway never sent, or of a person long gone
  // (another site's, a photo whose put was never confirmed and whose person left meanwhile), is compared against by
  // a visible-light panel. The manual's generic DATA DELETE clears a table by condition (`Type=`) or `*` (9.1.2);
  // every desired photo is sent again after it, as a full sync always did.
  const photoClear = photoClearCommand(device);
  if (photoClear && clears('photo')) out.push({ command: photoClear, ref: ref('photo', { clear: true }) });
  // A channel controller's pass rules are counted (DATA COUNT gatepassrule): a rule the gateway never sent (another
  // server's, one entered at the controller) makes that count miss, and a full sync that left the table as it was
  // would be owed again at every count, wiping and refilling users and rights each time.
  if (device.module === 'psg' && clears('gatepassrule')) out.push({ command: dataDelete('gatepassrule', '*'), ref: ref('gatepassrule', { clear: true }) });

  // Time zones before the rights that name them.
  const tzs = (puts.get('tz') ?? []).map(Number).sort((a, b) => a - b);
  emit('tz', apart('tz', tzs.map((tz) => ({ key: String(tz), hash: hashOf('tz', String(tz)), records: [desired.timezones.get(tz)!] })), dataUpdateTimezone));

  // Holidays can only be deleted all at once (`holiday *`, manual 9.1.2): any removal or change resends the table.
  const hdayPuts = puts.get('hday') ?? [];
  const hdayChange = (removes.get('hday') ?? []).length > 0 || hdayPuts.some((d) => current.has(`hday\t${d}`));
  const hdays = o.full || hdayChange ? [...desired.holidays.keys()] : hdayPuts;
  if ((o.full || hdayChange) && !o.refusedRemove?.has('hday') && !o.refused?.has('hday')) out.push({ command: dataDelete('holiday', '*'), ref: ref('hday', { clear: true }) });
  emit('hday', apart('hday', hdays.sort().map((d) => ({ key: d, hash: hashOf('hday', d), records: [desired.holidays.get(d)!] })), dataUpdateHoliday));

  // A channel controller's pass rules: an update overwrites the row of its PasswayTimeZoneId in place.
  const rules = (puts.get('gatepassrule') ?? []).map(Number).sort((a, b) => a - b);
  emit('gatepassrule', apart('gatepassrule', rules.map((tz) => ({ key: String(tz), hash: hashOf('gatepassrule', String(tz)), records: [desired.passRules.get(tz)!] })), dataUpdateGatePassRule));

  // A door's options (an operator set its parameters): one SET OPTIONS for the doors of the panel that changed, the
  // manual's comma list (9.5.1); a door apart when the panel refused it before. Options are never deleted: a door that
  // is no longer an item (the panel's LockCount shrank) leaves its options as they are, and nothing is sent for it.
  const doors = (puts.get('door') ?? []).map(Number).sort((a, b) => a - b);
  emit('door', apart('door', doors.map((no) => ({ key: String(no), hash: hashOf('door', String(no)), records: [desired.doorOptions.get(no)!] })), setDoorOptions));
  // Interlock and Anti-Passback (Advanced Functions): one SET OPTIONS of those that changed; never deleted either (a
  // rule cleared is the value 0, sent as such; a panel never set is no item).
  const panelRules = (puts.get('advanced') ?? []).sort();
  emit('advanced', apart('advanced', panelRules.map((o) => ({ key: o, hash: hashOf('advanced', o), records: [desired.panelRules.get(o)!] })), setPanelRules));

  // First-Person Normally Open (8.9): a door's rows go as one item. An update only adds rows (keyed by door, time
  // zone and pin), and the panel deletes them only by door or by pin (9.1.2), so a door it may hold rows of is
  // cleared by DoorID first, then its rows and Door<n>FirstCardOpenDoor=1 follow, all of the one put: an earlier
  // failure of the plan leaves the item unconfirmed. A full sync clears the table (`firstcard *`) where it has or
  // had rows of the gateway's, and sends every door again.
  const hadFirstCards = [...current.keys()].some((k) => k.startsWith('firstcard\t'));
  const firstCardsCleared = clears('firstcard') && !device.module && (desired.firstCards.size > 0 || hadFirstCards);
  if (firstCardsCleared) out.push({ command: dataDelete('firstcard', '*'), ref: ref('firstcard', { clear: true }) });
  for (const no of (puts.get('firstcard') ?? []).map(Number).sort((a, b) => a - b)) {
    const put: Array<[string, string]> = [[String(no), hashOf('firstcard', String(no))]];
    if (current.has(itemId('firstcard', no)) && !firstCardsCleared) out.push({ command: deleteFirstCardsOfDoor(no), ref: ref('firstcard', { put }) });
    const rows = desired.firstCards.get(no)!;
    for (let i = 0; i < rows.length; i += MAX_RECORDS_PER_COMMAND) out.push({ command: dataUpdateFirstCard(rows.slice(i, i + MAX_RECORDS_PER_COMMAND)), ref: ref('firstcard', { put }) });
    out.push({ command: setFirstCardOpenDoor(no, 1), ref: ref('firstcard', { put }) });
  }

  // A firmware that refused for good to delete from its rights table (DATA DELETE usereleauthorize / userauthorize)
  // still takes updates: a right the database withdrew is overwritten with no door (no floor) in each time zone it
  // held, so that it opens nothing (fail closed), instead of a delete the firmware refuses and a right that stays.
  const noDelete = (o.refusedRemove?.has(rights.kind) ?? false) && !o.refused?.has(rights.kind);
  const emptied = (pin: string, timezones: readonly number[]): UserAuthorizeRecord[] => timezones.map((tz) => ({ pin, authorizeTimezoneId: tz, doors: [] }));
  const revoked = new Map<string, UserAuthorizeRecord[]>();
  // Rights that lose a time zone are cleared first (an update only overwrites the time zones it names).
  const authPins = puts.get(rights.kind) ?? [];
  for (const pin of authPins) {
    const had = current.get(`${rights.kind}\t${pin}`);
    if (had === undefined) continue;
    const keep = new Set(member(pin).auth.map((r) => r.authorizeTimezoneId));
    const lost = authTimezones(had).filter((tz) => !keep.has(tz));
    if (noDelete && had !== '?') revoked.set(pin, emptied(pin, lost));
    else if (o.force || had === '?' || lost.length > 0) del(rights.kind, pin, dataDelete(rights.table, [['Pin', pin]]));
  }
  emit('user', apart('user', (puts.get('user') ?? []).map((pin) => ({ key: pin, hash: hashOf('user', pin), records: [member(pin).user] })), dataUpdateUser));
  // A right that kept some time zones and lost others where deletes are refused: the lost ones stay on the panel as
  // rows of no door, so the update is confirmed as what the panel then holds (`1:1,2:`), not as the database's right
  // (`1:1`), as removeRights below does for a right that lost every time zone. Confirmed as the database's right, the
  // panel was said synced with rows a faultless one lacks, and no diff ever planned the delete by Pin that takes them
  // off once the refusal's probe is due. An update that would change nothing (already emptied) is not sent again.
  const rightsPuts = authPins.flatMap((pin) => {
    const records = [...member(pin).auth, ...(revoked.get(pin) ?? [])];
    if ((revoked.get(pin) ?? []).length === 0) return [{ key: pin, hash: hashOf(rights.kind, pin), records }];
    const hash = authHash(records);
    return hash === current.get(`${rights.kind}\t${pin}`) ? [] : [{ key: pin, hash, records }];
  });
  emit(rights.kind, apart(rights.kind, rightsPuts, rights.build));
  /**
   * A member's rights leave the device: deleted by Pin, or emptied in every time zone it held where deletes are refused.
   * The emptied rows stay on the panel, so the update is confirmed as what the item then is (each time zone, no door:
   * `1:,2:`), not as its delete. Confirmed as a delete, no item named those rows: the device was reported synced with
   * rows a faultless panel lacks, and once the refusal's probe came due its plan had nothing to delete, so the refused
   * key was never tried again and the rows stayed for good (fault-combos, seed 138704357). Held, the item keeps the
   * device divergent while the firmware refuses (the rows are not what the database gives it), a `DATA COUNT` finds
   * them as confirmed rows, and the probe (the key no longer held back) plans its delete by Pin: taken, the refusal
   * goes (and the full sync it owes clears the table); refused, it is probed later with backoff. Already emptied, an
   * update changes nothing, so none is sent again until deletes are taken.
   */
  const removeRights = (pin: string) => {
    const had = current.get(`${rights.kind}\t${pin}`) ?? '';
    const held = authTimezones(had);
    if (noDelete && held.length > 0) {
      const records = emptied(pin, held);
      const hash = authHash(records);
      if (had !== hash) out.push({ command: rights.build(records), ref: ref(rights.kind, { put: [[pin, hash]] }) });
    } else del(rights.kind, pin, dataDelete(rights.table, [['Pin', pin]]));
  };

  const cardPins = puts.get('card') ?? [];
  for (const pin of cardPins) if (current.has(`card\t${pin}`)) del('card', pin, dataDelete('mulcarduser', [['Pin', pin]]));
  emit('card', apart('card', cardPins.map((pin) => ({ key: pin, hash: hashOf('card', pin), records: member(pin).cards })), dataUpdateMulCardUser));

  const photoPins = puts.get('photo') ?? [];
  if (device.dialect.photo === 'biophoto') {
    emit('photo', apart('photo', photoPins.map((pin) => ({ key: pin, hash: hashOf('photo', pin), records: [{ pin, type: device.photoType, no: 0, index: 0, content: member(pin).photo! }] })), dataUpdateBiophoto, MAX_PHOTO_COMMAND_BYTES));
  } else if (device.dialect.photo === 'userpic') {
    emit('photo', apart('photo', photoPins.map((pin) => ({ key: pin, hash: hashOf('photo', pin), records: [{ pin, content: member(pin).photo! }] })), dataUpdateUserPic, MAX_PHOTO_COMMAND_BYTES));
  }

  // Templates per slot (Type, No): changed slots are sent, slots gone are deleted; a set in doubt (`?`) is
  // cleared by Pin first. Records of many pins share a multi-record command per table and Type.
  const bioSets = new Map<string, { build: (r: never[]) => string; groups: Array<Group<never>> }>();
  for (const pin of puts.get('bio') ?? []) {
    const hash = hashOf('bio', pin);
    const want = bioSlots(hash)!;
    const had = current.get(`bio\t${pin}`);
    const have = had === undefined ? new Map<string, string>() : bioSlots(had);
    if (have === null) del('bio', pin, dataDelete(bioTable(device), [['Pin', pin]]));
    const gone = have ? [...have.keys()].filter((slot) => !want.has(slot)).map(toSlot) : [];
    for (const command of templateDeleteCommands(device, pin, gone)) out.push({ command, ref: ref('bio', { put: [[pin, hash]] }) });
    const changed = new Set([...want].filter(([slot, h]) => o.resend || have?.get(slot) !== h).map(([slot]) => slot));
    const templates = member(pin).templates.filter((t) => changed.has(`${t.bioType}.${t.templateNo}`));
    for (const set of templateRecordSets(device, templates)) {
      let entry = bioSets.get(set.table);
      if (!entry) bioSets.set(set.table, (entry = { build: set.build, groups: [] }));
      entry.groups.push({ key: pin, hash, records: set.records as never[] });
    }
  }
  for (const { build, groups } of bioSets.values()) emit('bio', apart('bio', groups, build));

  // Removals: a member leaving the device loses rights and user, then the templates, cards and photo it
  // holds (manual 9.1.2); a member staying loses only what it no longer has.
  const gone = new Set(removes.get('user') ?? []);
  const holds = (kind: ItemKind, pin: string) => current.has(`${kind}\t${pin}`);
  for (const pin of [...gone].sort()) {
    // Rights the device is known not to hold (their delete confirmed, or never sent) are not deleted again: a user
    // delete the firmware refuses for good is planned again at each of its probes, and each probe sent the rights'
    // delete again, long taken, beside it (a lost reply to it put the rights in doubt for nothing). A user of
    // unknown content (`?`: enrolled at the panel, found by a query) may hold rights the gateway never sent, so
    // those are deleted still (fail closed).
    if (holds(rights.kind, pin) || current.get(itemId('user', pin)) === UNKNOWN_HASH) removeRights(pin);
    del('user', pin, deleteUser(pin));
    if (holds('bio', pin)) del('bio', pin, dataDelete(bioTable(device), [['Pin', pin]]));
    if (holds('card', pin) && device.dialect.cards === 'mulcarduser') del('card', pin, dataDelete('mulcarduser', [['Pin', pin]]));
    const photo = holds('photo', pin) ? photoDeleteCommand(device, pin) : null;
    if (photo) del('photo', pin, photo);
  }
  for (const pin of removes.get(rights.kind) ?? []) if (!gone.has(pin)) removeRights(pin);
  for (const pin of removes.get('bio') ?? []) {
    if (gone.has(pin)) continue;
    const slots = bioSlots(current.get(`bio\t${pin}`)!);
    // Several fingers of a templatev10 device go with one `Pin=` command.
    const commands = slots ? templateDeleteCommands(device, pin, [...slots.keys()].map(toSlot), slots.size > 1) : [dataDelete(bioTable(device), [['Pin', pin]])];
    for (const command of commands) del('bio', pin, command);
  }
  for (const pin of removes.get('card') ?? []) if (!gone.has(pin) && device.dialect.cards === 'mulcarduser') del('card', pin, dataDelete('mulcarduser', [['Pin', pin]]));
  for (const pin of removes.get('photo') ?? []) {
    const photo = !gone.has(pin) ? photoDeleteCommand(device, pin) : null;
    if (photo) del('photo', pin, photo);
  }
  // A door whose rules have no person left: its rows go, then its first-card mode (each a delete of the item: a failed
  // one leaves it held, and it is removed again).
  for (const no of (removes.get('firstcard') ?? []).map(Number).sort((a, b) => a - b)) {
    del('firstcard', String(no), deleteFirstCardsOfDoor(no));
    del('firstcard', String(no), setFirstCardOpenDoor(no, 0));
  }
  for (const tz of (removes.get('gatepassrule') ?? []).map(Number).sort((a, b) => a - b)) del('gatepassrule', String(tz), dataDelete('gatepassrule', [['PasswayTimeZoneId', tz]]));
  for (const tz of (removes.get('tz') ?? []).map(Number).sort((a, b) => a - b)) del('tz', String(tz), dataDelete('timezone', [['TimezoneId', tz]]));
  return out;
}

/** What composeCommands reads for one device. */
export interface ComposeInput {
  device: SyncDevice;
  desired: DesiredDevice;
  hashes: ReadonlyMap<ItemId, string>;
  diff: Diff;
  current: ReadonlyMap<ItemId, string>;
  /** The kinds refused for good, for writing and for deleting (they change what a full sync clears). */
  refused: ReadonlySet<ItemKind>;
  refusedRemove: ReadonlySet<ItemKind>;
  refusedClear?: ReadonlySet<ItemKind>;
  alone?: ReadonlySet<ItemId>;
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((k) => b.has(k));

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Whether composeCommands (same options) gives `b` exactly the commands it gave `a`, so a plan over a fleet of
 * like panels builds the commands once and queues them for each. True when the devices speak alike, the
 * diffs are equal item by item with equal hashes (a hash is the content of the records), and what `current`
 * says matters equally: the items put or removed, and what a member leaving holds.
 */
export function composesAlike(a: ComposeInput, b: ComposeInput): boolean {
  if (a.device.photoType !== b.device.photoType || a.device.module !== b.device.module || a.desired.rightsKind !== b.desired.rightsKind) return false;
  if (JSON.stringify(a.device.dialect) !== JSON.stringify(b.device.dialect)) return false;
  if (!sameSet(a.refused, b.refused) || !sameSet(a.refusedRemove, b.refusedRemove)) return false;
  if (!sameSet(a.refusedClear ?? a.refusedRemove, b.refusedClear ?? b.refusedRemove)) return false;
  if (!sameList(a.diff.put, b.diff.put) || !sameList(a.diff.remove, b.diff.remove)) return false;
  if (a.diff.put.some((id) => (a.alone?.has(id) ?? false) !== (b.alone?.has(id) ?? false))) return false;
  // Holidays go out as a whole table when one changes (and in a full sync).
  if (!sameList([...a.desired.holidays.keys()], [...b.desired.holidays.keys()])) return false;
  for (const id of a.diff.put) if (a.hashes.get(id) !== b.hashes.get(id) || a.current.get(id) !== b.current.get(id)) return false;
  for (const id of a.diff.remove) {
    const key = splitItemId(id)[1];
    const rights = rightsTable(a.device).kind;
    for (const held of [id, itemId(rights, key), itemId('bio', key), itemId('card', key), itemId('photo', key)]) if (a.current.get(held) !== b.current.get(held)) return false;
  }
  return true;
}
