/**
 * The convergence model, pure (no database, no Nest): what a device should hold (desired items), what it
 * holds as far as we know (current = confirmed state replayed with the commands still in flight), and the
 * difference between the two. The planner loads the sets; this file decides.
 *
 * An item is one thing a device table holds, keyed so that the device would overwrite it in place:
 *   user  / auth / card / photo / bio   by pin (the user record, its userauthorize rows, its mulcarduser rows,
 *                                       its face photo, its biometric templates)
 *   eleauth                             by pin: its usereleauthorize rows (an elevator controller's floors;
 *                                       such a device has no `auth` item — a channel controller's gates are
 *                                       `auth`, its table is userauthorize like a panel's)
 *   tz                                  by TimezoneId
 *   hday                                by holiday day (YYYYMMDD)
 *   gatepassrule                        by PasswayTimeZoneId (a channel controller's pass rule, psg_pass_rule)
 *   door                                by door number: an access panel's options of a door an operator set
 *                                       (SET OPTIONS Door<n>Drivertime, ..., 9.5.1); a door never set is no item
 *   advanced                            by option (AntiPassback, InterLock): an access panel's Advanced Functions an
 *                                       operator set (SET OPTIONS, Appendix 8/9; panel-rules-sync.ts), hash the value
 *   firstcard                           by door number: an access panel's First-Person Normally Open rows of the
 *                                       door (DATA UPDATE firstcard, 8.9) with Door<n>FirstCardOpenDoor=1; a door
 *                                       with no rule's person is no item
 * Each has a hash of its content. `?` is the hash of an item the device may hold with unknown content
 * (a command carrying it failed): it never equals a desired hash, and it still gets removed when not desired.
 */
import { createHash } from 'node:crypto';
import type { DoorOptionsRecord, GatePassRuleRecord, PanelRuleRecord, FirstCardRecord, HolidayRecord, MulCardUserRecord, TimezoneRecord, UserAuthorizeRecord, UserRecord } from '../push/protocol';
import type { StoredTemplate } from './bio-sync';

export type ItemKind = 'user' | 'auth' | 'eleauth' | 'card' | 'photo' | 'bio' | 'tz' | 'hday' | 'gatepassrule' | 'door' | 'advanced' | 'firstcard';
export const MEMBER_KINDS: readonly ItemKind[] = ['user', 'auth', 'eleauth', 'card', 'photo', 'bio'];
/** Items of the device itself, not of a member: few, so every plan but a full sync's later pages looks at all of them. */
export const DEVICE_KINDS: readonly ItemKind[] = ['tz', 'hday', 'gatepassrule', 'door', 'advanced', 'firstcard'];

/**
 * A device's desired items as operators' views read them (sync-status.service.ts): item → hash, the members
 * that cannot be sent (pin → reason), and the refusal key (`DATA UPDATE biophoto`) that holds an item back
 * when the firmware refused its table for good (`desired` false: its removal).
 */
export interface DesiredHashes {
  sn: string;
  hashes: Map<ItemId, string>;
  skipped: Map<string, string>;
  refusedBy: (id: ItemId, desired: boolean) => string | null;
  rightsKind?: string;
  /**
   * Template sets the device is sent without the template types it refused for good (`hashes` has the database's
   * whole set): the hash it is sent instead (undefined: none, every template refused) and the refusals keeping the rest off.
   */
  typeRefused?: Map<ItemId, { planned: string | undefined; keys: string[] }>;
  /**
   * How many of a person's secondary cards the device's records carry: every one (a panel keeping cards in
   * `mulcarduser`), the first (an attendance terminal's or kiosk's USERINFO `ViceCard`), or none (a panel without
   * MulCardUserFunOn=1: its user record carries the main card only). What it cannot carry is never sent, so it is
   * not a desired item: the person views name it (cannotHold) instead.
   */
  secondaryCards?: 'all' | 'first' | 'none';
  /**
   * Which stored templates the device can hold at all, by its options (a panel: the types of MultiBioDataSupport /
   * BioDataFun through `biodata`, else fingerprints of version 10 in `templatev10`; a terminal on BIODATA: the types of
   * its MultiBioDataSupport), and why not the others. A template it cannot hold is never sent, so it is no desired
   * item either: the views name it (cannotHold). A type it announced and then refused is a refusal, not this.
   */
  templates?: { holds: (t: { bioType: number; templateNo: number; majorVer: number }) => boolean; why: (notHeld: readonly number[]) => string };
}

/**
 * DesiredHashes.typeRefused from a device's template sets as the database gives them (`full`) and as it is sent them,
 * without the types it refused (`planned`): the sets that differ, each kept off by the refusals `keys`.
 */
export function typeRefusedSets(
  full: ReadonlyMap<ItemId, string>,
  planned: ReadonlyMap<ItemId, string>,
  keys: Readonly<Record<string, string[]>>,
): Map<ItemId, { planned: string | undefined; keys: string[] }> {
  const out = new Map<ItemId, { planned: string | undefined; keys: string[] }>();
  for (const id of new Set([...full.keys(), ...planned.keys()])) {
    const kindKeys = keys[splitItemId(id)[0]];
    if (kindKeys?.length && full.get(id) !== planned.get(id)) out.set(id, { planned: planned.get(id), keys: kindKeys });
  }
  return out;
}

/**
 * The refusals for good that alone keep item `id` from being held as the database says, `held` being what the device
 * holds of it (its confirmed hash, replayed with the commands in flight where the caller looks at those): a refused
 * table or delete, or template types refused while the rest of the set is held. Null when something else is amiss.
 */
export function refusedHolding(d: DesiredHashes, id: ItemId, held: string | undefined): string[] | null {
  const want = d.hashes.get(id);
  if (want === undefined || want === held) return null;
  const types = d.typeRefused?.get(id);
  if (types) return types.planned === held ? types.keys : null;
  const key = d.refusedBy(id, true);
  return key ? [key] : null;
}
/** DEVICE_KINDS as an SQL list of literals. */
export const DEVICE_KINDS_SQL = DEVICE_KINDS.map((k) => `'${k}'`).join(', ');

/** The kind of a member's rights: `eleauth` (usereleauthorize, floors) on an elevator controller, else `auth`. */
export type RightsKind = 'auth' | 'eleauth';
export const UNKNOWN_HASH = '?';

/** `kind<TAB>key`: one item of one device. TAB cannot occur in a key (keys are pins, numbers, dates). */
export type ItemId = string;
export const itemId = (kind: ItemKind, key: string | number): ItemId => `${kind}\t${key}`;
export function splitItemId(id: ItemId): [ItemKind, string] {
  const i = id.indexOf('\t');
  return [id.slice(0, i) as ItemKind, id.slice(i + 1)];
}

/** Everything one device should hold for one pin (a person or a checked-in visitor). */
export interface MemberOnDevice {
  pin: string;
  user: UserRecord;
  /** The rights rows (door numbers; on an elevator controller the floor numbers, item kind `eleauth`). */
  auth: UserAuthorizeRecord[];
  /** mulcarduser rows; empty when the device keeps the card in the user record or the member has none. */
  cards: MulCardUserRecord[];
  /** Face photo (base64) for a device that takes photos; null otherwise. */
  photo: string | null;
  /** Templates this device can take. */
  templates: StoredTemplate[];
}

/** What one device should hold, and what could not be sent at all (a stored value a command cannot carry). */
export interface DesiredDevice {
  members: Map<string, MemberOnDevice>;
  timezones: Map<number, TimezoneRecord>;
  holidays: Map<string, HolidayRecord>;
  /** A channel controller's pass rules by PasswayTimeZoneId (empty on every other device). */
  passRules: Map<number, GatePassRuleRecord>;
  /** An access panel's door options by door number (only doors whose parameters an operator set). */
  doorOptions: Map<number, DoorOptionsRecord>;
  /** An access panel's Interlock and Anti-Passback options by option name (only those an operator set). */
  panelRules: Map<string, PanelRuleRecord>;
  /** An access panel's First-Person Normally Open rows by door number (doors with a rule's person only). */
  firstCards: Map<number, FirstCardRecord[]>;
  skipped: Array<{ pin: string; reason: string }>;
  /** The item kind the members' rights are held as on this device. */
  rightsKind: RightsKind;
}

export const emptyDesired = (rightsKind: RightsKind = 'auth'): DesiredDevice => ({ members: new Map(), timezones: new Map(), holidays: new Map(), passRules: new Map(), doorOptions: new Map(), panelRules: new Map(), firstCards: new Map(), skipped: [], rightsKind });

const sha = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 24);

/**
 * The hash of a `user` item: its user record as sent, and after `#` the card it carries (a panel keeping the card
 * in the user record): what another pin's write of that card must wait for (card-moves.ts).
 */
export const userHash = (user: UserRecord): string => {
  const card = user.cardNo === undefined || user.cardNo === null ? '' : String(user.cardNo);
  return card ? `${sha(JSON.stringify(user))}#${card}` : sha(JSON.stringify(user));
};

/**
 * The card numbers an item's hash says the device holds under its pin: a `card` item's (`<cardNo>/<cardType>,…`),
 * a `user` item's (after `#`, userHash; a terminal's, comma-separated); none for `?` or any other kind.
 */
export function itemCards(kind: ItemKind, hash: string | null | undefined): string[] {
  if (!hash || hash === UNKNOWN_HASH) return [];
  if (kind === 'user') {
    // A terminal's record carries its main and secondary card (`#<card>,<viceCard>`, attendance-commands.ts).
    const i = hash.indexOf('#');
    return i < 0 ? [] : hash.slice(i + 1).split(',').filter(Boolean);
  }
  if (kind === 'card') return hash.split(',').map((c) => c.split('/')[0]).filter(Boolean);
  return [];
}

/** The rights as a readable canonical string ("1:3,2:1@start-end"): the planner reads TimezoneIds back from it. */
export function authHash(records: readonly UserAuthorizeRecord[]): string {
  return [...records]
    .sort((a, b) => a.authorizeTimezoneId - b.authorizeTimezoneId)
    .map((r) => `${r.authorizeTimezoneId}:${[...(r.doors ?? [])].sort((x, y) => x - y).join('.')}${r.startTime !== undefined ? `@${r.startTime}-${r.endTime}` : ''}`)
    .join(',');
}

/** TimezoneIds named by an auth hash (empty for `?`). */
export function authTimezones(hash: string): number[] {
  if (!hash || hash === UNKNOWN_HASH) return [];
  return hash.split(',').map((p) => Number(p.split(':')[0]));
}

/**
 * A template set as `<Type>.<No>:<hash>|...` per slot (every Index of a slot together), so that a change
 * sends only the slots that changed and deletes only the slots that went. A slot of several Indexes (a face: up to
 * 15 biodata records) carries their number (`:<hash>x15`), so that a `DATA COUNT biodata` can be judged from the
 * confirmed hashes alone (bioRows); a one-Index slot (a fingerprint) has no suffix.
 */
export function bioHash(templates: readonly StoredTemplate[]): string {
  const slots = new Map<string, string[]>();
  for (const t of [...templates].sort((a, b) => a.bioType - b.bioType || a.templateNo - b.templateNo || a.templateNoIndex - b.templateNoIndex)) {
    const slot = `${t.bioType}.${t.templateNo}`;
    let l = slots.get(slot);
    if (!l) slots.set(slot, (l = []));
    l.push(`${t.templateNoIndex}/${t.validType}/${t.majorVer}/${t.minorVer}/${t.format}/${t.template}`);
  }
  return [...slots].map(([slot, parts]) => `${slot}:${sha(parts.join('|')).slice(0, 12)}${parts.length > 1 ? `x${parts.length}` : ''}`).join('|');
}

/**
 * The rows one confirmed `bio` item holds in the device's template table: `templatev10` keeps one record per finger
 * (bio-sync.ts sends one Index per finger), `biodata` one per Index of every slot. null for `?` (content unknown).
 */
export function bioRows(hash: string, table: 'biodata' | 'templatev10'): number | null {
  const slots = bioSlots(hash);
  if (slots === null) return null;
  if (table === 'templatev10') return slots.size;
  let rows = 0;
  for (const h of slots.values()) rows += Number(/x(\d+)$/.exec(h)?.[1] ?? 1);
  return rows;
}

/** Slot → hash from a bio hash; null for `?` (content unknown). */
export function bioSlots(hash: string): Map<string, string> | null {
  if (hash === UNKNOWN_HASH) return null;
  return new Map(hash.split('|').filter(Boolean).map((p) => p.split(':') as [string, string]));
}

interface MemberHashes {
  user: string;
  auth: string;
  card: string | null;
  photo: string | null;
  bio: string | null;
}

/** Hashes of a member, computed once per member object (desired-state.ts shares one member among like devices). */
const memberHashes = new WeakMap<MemberOnDevice, MemberHashes>();

function hashesOf(m: MemberOnDevice): MemberHashes {
  let h = memberHashes.get(m);
  if (!h) {
    h = {
      user: userHash(m.user),
      auth: authHash(m.auth),
      card: m.cards.length ? m.cards.map((c) => `${c.cardNo}/${c.cardType}`).sort().join(',') : null,
      photo: m.photo ? sha(m.photo) : null,
      bio: m.templates.length ? bioHash(m.templates) : null,
    };
    memberHashes.set(m, h);
  }
  return h;
}

/** Hash of every item of a desired device. */
export function desiredHashes(d: DesiredDevice): Map<ItemId, string> {
  const out = new Map<ItemId, string>();
  for (const m of d.members.values()) {
    const h = hashesOf(m);
    out.set(itemId('user', m.pin), h.user);
    out.set(itemId(d.rightsKind, m.pin), h.auth);
    if (h.card !== null) out.set(itemId('card', m.pin), h.card);
    if (h.photo !== null) out.set(itemId('photo', m.pin), h.photo);
    if (h.bio !== null) out.set(itemId('bio', m.pin), h.bio);
  }
  for (const [tz, r] of d.timezones) out.set(itemId('tz', tz), sha(JSON.stringify(r.schedule)));
  for (const [day, r] of d.holidays) out.set(itemId('hday', day), `${r.holidayType}:${r.loop}`);
  for (const [tz, r] of d.passRules) out.set(itemId('gatepassrule', tz), passRuleHash(r));
  for (const [no, r] of d.doorOptions) out.set(itemId('door', no), doorOptionsHash(r));
  for (const [option, r] of d.panelRules) out.set(itemId('advanced', option), String(r.value));
  for (const [no, rows] of d.firstCards) out.set(itemId('firstcard', no), firstCardHash(rows));
  return out;
}

/**
 * A door's options hash: readable, the values in the command's order (`5/1/15/2`, `-` for one not sent), then those of
 * the time zones, lock at closing and passwords that are set (`/ko3/v1/cl0/fp…/sp…`; a password as a digest, never as
 * itself), so a door without them keeps the hash it had.
 */
export const doorOptionsHash = (r: DoorOptionsRecord): string => {
  const base = [r.drivertime, r.sensorType, r.detectortime, r.intertime].map((v) => (v === undefined ? '-' : String(v)));
  const more: Array<[string, string | number | undefined]> = [
    ['ko', r.keepOpenTz],
    ['v', r.validTz],
    ['cl', r.closeAndLock],
    ['fp', r.forcePassword === undefined ? undefined : sha(`door-password:${r.forcePassword}`).slice(0, 12)],
    ['sp', r.superPassword === undefined ? undefined : sha(`door-password:${r.superPassword}`).slice(0, 12)],
  ];
  return [...base, ...more.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}${v}`)].join('/');
};

/** A door's first-card rows' hash: their time zones and pins, in order, so adding or removing a person changes it. */
export const firstCardHash = (rows: readonly FirstCardRecord[]): string => sha(rows.map((r) => `${r.timezoneId}:${r.pin}`).join('\n'));

/** A pass rule's hash: its content (periods and passing modes), so a time segment edit changes it. */
export const passRuleHash = (r: GatePassRuleRecord): string => sha(JSON.stringify(r));

/**
 * What a queued command says about items, stored as its `ref`. One kind per command: `put` items with their
 * hash, `del` keys, or `clear` the whole kind; `verify` asks the device to count its users. `plan` groups the
 * commands of one plan, so a later success of the same plan never hides an earlier failure.
 */
export interface SyncRef {
  sync: 1;
  plan: string;
  kind?: ItemKind;
  /** Items with their hash; an entry added to a pending command by a later write names its own plan (pending-append.ts). */
  put?: Array<[key: string, hash: string, plan?: string]>;
  del?: string[];
  /** Kinds a `del` takes with it on the device (a terminal's DATA DELETE USERINFO drops templates and photo too). */
  cascade?: ItemKind[];
  clear?: true;
  /** The table a `DATA COUNT` counts, held against the items of that kind the device confirmed. */
  verify?: CountedKind;
  count?: number;
  /**
   * A `DATA QUERY tablename=<table>` asked of a panel whose count found rows beyond those it confirmed in a table it
   * will not clear: the pins it answers (querydata) whose rows it did not confirm are deleted by PIN, or written again
   * where the database gives them something there (learnUnknownRows).
   */
  learn?: LearntTable;
  /**
   * The `learn: 'user'` query is the periodic pin check's (SyncVerifier): one that gets no whole answer leaves the
   * check owed (PINS_OWED), since the counts asked again cannot see a user swapped at the menu.
   */
  pins?: true;
  /** Records of other writes were added to this command (pending-append.ts): its items are not all of `plan`. */
  appended?: true;
  /**
   * The command carries one item the device refused before in a command of several (ComposeOptions.alone): it takes
   * no other write's records (pending-append.ts), so its Return is that item's alone.
   */
  alone?: 1;
  /**
   * On the first count of a re-registration's verification that went ahead of the writes waiting for the panel
   * (SyncReconciler.countFirst): the pins those writes were for, planned again once the count is judged (unless a
   * full sync is owed by then); `device`: every pin of the device (too many to list).
   */
  replan?: string[] | 'device';
  /**
   * On the first count asked of a panel that reported a factory reset (event 6016) stored before: posted again, or
   * reset again under the same index and time. A count that comes back with no number (refused, or no result) cannot
   * tell the two apart, and owes the full sync a new reset owes (SyncReconciler.judgeCount).
   */
  reset?: true;
}

/**
 * Tables a verification counts (`DATA COUNT <table>`): users on every device, rights rows on every device (doors or a
 * channel controller's gates in `userauthorize`, an elevator controller's floors in `usereleauthorize`), pass rules
 * too on a channel controller that has any.
 */
export type CountedKind = 'user' | 'userauthorize' | 'usereleauthorize' | 'gatepassrule' | TemplateTable | PhotoTable | OwnTable;

/**
 * A panel's own tables (`timezone`, `holiday`), one row per item: counted on a panel that confirmed any, since no
 * other count shows them cleared (its menu, another tool, a partial reset) while its users and rights stay. Judged
 * from below only: a panel may keep rows of its own (a factory time zone 1). Rows missing are written again; the
 * users and rights they serve are not in doubt, so no full sync.
 */
export type OwnTable = 'timezone' | 'holiday';
export const isOwnTable = (table: CountedKind | undefined): table is OwnTable => table === 'timezone' || table === 'holiday';

/**
 * Counted tables whose rows beyond those confirmed are asked for by PIN (`DATA QUERY`) when the firmware refuses
 * clearing them: the user table, and the rights tables, where a row under no user (left by a refused delete, a power
 * cut mid-sequence, another server) would open for whoever is later given that pin.
 */
export type LearntTable = 'user' | 'userauthorize' | 'usereleauthorize';
export const isLearntTable = (table: CountedKind): table is LearntTable => table === 'user' || RIGHTS_TABLES.has(table);

/**
 * A panel's photo table (its dialect's): counted on a panel that confirmed photos, one row per photo. Only a count
 * below what it confirmed is judged: photos a panel enrolled for users of its own (whose templates and photos a
 * firmware refusing our writes keeps) are not the gateway's to count, and owing a full sync for them at every count
 * would wipe and refill the panel each time. A full sync does clear the photo table (sync-plan.ts photoClearCommand).
 */
export type PhotoTable = 'biophoto' | 'userpic';
export const isPhotoTable = (table: CountedKind | undefined): table is PhotoTable => table === 'biophoto' || table === 'userpic';

/** A panel's template table (its dialect's): counted on a panel that confirmed templates, one row per bioRows. */
export type TemplateTable = 'biodata' | 'templatev10';
const TEMPLATE_TABLES: ReadonlySet<CountedKind> = new Set<CountedKind>(['biodata', 'templatev10']);

/** Counted tables that hold a member's rights, one row per TimezoneId of its item (authRows). */
const RIGHTS_TABLES: ReadonlySet<CountedKind> = new Set(['userauthorize', 'usereleauthorize']);

/** The item kind whose confirmed items a counted table is held against. */
export function countedItemKind(table: CountedKind): ItemKind {
  if (table === 'userauthorize') return 'auth';
  if (table === 'usereleauthorize') return 'eleauth';
  if (TEMPLATE_TABLES.has(table)) return 'bio';
  if (isPhotoTable(table)) return 'photo';
  if (table === 'timezone') return 'tz';
  if (table === 'holiday') return 'hday';
  return table as ItemKind;
}

/** Whether a counted table's rows follow from its items' hashes (rights, templates), not one row per item. */
export const countsRightsRows = (table: CountedKind): boolean => RIGHTS_TABLES.has(table) || TEMPLATE_TABLES.has(table);

/**
 * The rows the device holds for one confirmed `auth` or `eleauth` item: one row per record, and a member's records
 * are one per TimezoneId, each one entry of its hash (authHash). In `userauthorize` the doors are a bitmask inside
 * the row (AuthorizeDoorId, no DevID is sent); in `usereleauthorize` the floors are too (AuthorizeFloors, a hex
 * bitmask, 8.16: one record per Pin and time zone), so a member with floors of two levels of one time segment holds
 * one row. A later update overwrites the rows of the TimezoneIds it names, and rights that lose a TimezoneId are
 * deleted by Pin first (sync-plan.ts), so the rows after a confirmed put are exactly its records. null for `?`
 * (content unknown).
 */
export function authRows(hash: string): number | null {
  if (hash === UNKNOWN_HASH) return null;
  return hash === '' ? 0 : hash.split(',').length;
}

/**
 * The range a `DATA COUNT` of a table must fall in, from the confirmed items of its kind grouped by hash (`items`
 * items with that hash): a user or pass rule is one row (one in doubt, `?`, is zero or one); a member's rights are
 * authRows rows, and a member whose rights are in doubt may hold any number (no upper bound).
 */
export function expectedRows(table: CountedKind, groups: ReadonlyArray<{ hash: string; items: number }>): { min: number; max: number } {
  const rights = countsRightsRows(table);
  let min = 0;
  let max = 0;
  for (const { hash, items } of groups) {
    const rows = TEMPLATE_TABLES.has(table) ? bioRows(hash, table as TemplateTable) : rights ? authRows(hash) : hash === UNKNOWN_HASH ? null : 1;
    // A member whose rights or templates are in doubt may hold any number of rows.
    if (rows === null) max = rights ? Infinity : max + items;
    else {
      min += rows * items;
      max += rows * items;
    }
  }
  return { min, max };
}

export function isSyncRef(ref: unknown): ref is SyncRef {
  return !!ref && typeof ref === 'object' && (ref as SyncRef).sync === 1;
}

/** Confirmed state replayed with the refs of the commands still queued for the device, in queue order. */
export function currentState(confirmed: ReadonlyMap<ItemId, string>, inflight: readonly SyncRef[]): Map<ItemId, string> {
  const cur = new Map(confirmed);
  for (const r of inflight) {
    if (!r.kind) continue;
    if (r.clear) for (const id of [...cur.keys()]) if (id.startsWith(`${r.kind}\t`)) cur.delete(id);
    for (const key of r.del ?? []) for (const kind of [r.kind, ...(r.cascade ?? [])]) cur.delete(itemId(kind, key));
    for (const [key, hash] of r.put ?? []) cur.set(itemId(r.kind, key), hash);
  }
  return cur;
}

/**
 * Whether a command on its way is about the item: puts it, deletes it (or takes it with a delete, `cascade`), or
 * clears its table. A failed item with such a command in flight is being retried, not failing (sync-status).
 */
export function onItsWay(inflight: readonly SyncRef[]): (id: ItemId) => boolean {
  const ids = new Set<ItemId>();
  const cleared = new Set<ItemKind>();
  for (const r of inflight) {
    if (!r.kind) continue;
    if (r.clear) cleared.add(r.kind);
    for (const key of r.del ?? []) for (const kind of [r.kind, ...(r.cascade ?? [])]) ids.add(itemId(kind, key));
    for (const [key] of r.put ?? []) ids.add(itemId(r.kind, key));
  }
  return (id) => ids.has(id) || cleared.has(splitItemId(id)[0]);
}

export interface DiffInput {
  desired: ReadonlyMap<ItemId, string>;
  current: ReadonlyMap<ItemId, string>;
  /** Items not to plan now: in backoff after a failure, or of a table the firmware refused for good. */
  hold?: ReadonlySet<ItemId>;
  /** Kinds whose `DATA UPDATE` the firmware refused for good: never put. */
  refused?: ReadonlySet<ItemKind>;
  /**
   * Kinds whose `DATA DELETE` the firmware refused for good: never removed, but for rights (emptied by an update
   * instead, composeCommands). Apart from `refused`: a firmware that will not write a table may still delete from it,
   * and a revoked right must leave the panel all the same.
   */
  refusedRemove?: ReadonlySet<ItemKind>;
  /** Only these items are looked at (default: all of desired and current). */
  inScope?: (id: ItemId) => boolean;
}

export interface Diff {
  put: ItemId[];
  remove: ItemId[];
}

const RIGHTS_KINDS: ReadonlySet<ItemKind> = new Set<ItemKind>(['auth', 'eleauth']);

/** The planner's decision: put what is desired and not held as such, remove what is held and not desired. */
export function diffItems(i: DiffInput): Diff {
  const put: ItemId[] = [];
  const remove: ItemId[] = [];
  const open = (id: ItemId, refused: ReadonlySet<ItemKind> | undefined) => (!i.inScope || i.inScope(id)) && !i.hold?.has(id) && !refused?.has(splitItemId(id)[0]);
  for (const [id, hash] of i.desired) if (i.current.get(id) !== hash && open(id, i.refused)) put.push(id);
  // Rights are removed even where their table's DATA DELETE is refused for good, as long as it takes updates:
  // composeCommands then empties them with an update (a revoked right must not stay on the panel).
  const keptRights = new Set([...RIGHTS_KINDS].filter((k) => i.refusedRemove?.has(k) && i.refused?.has(k)));
  for (const id of i.current.keys()) if (!i.desired.has(id) && open(id, RIGHTS_KINDS.has(splitItemId(id)[0]) ? keptRights : i.refusedRemove)) remove.push(id);
  return { put: put.sort(), remove: remove.sort() };
}

/** Backoff after `failures` failures: base·2^(failures-1), capped. */
export function backoffMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
}

/** A stored value that cannot travel in a device command (control characters break the line protocol). */
export function unsafeValue(fields: Record<string, string | null | undefined>): string | null {
  for (const [name, v] of Object.entries(fields)) {
    if (v && /[\x00-\x1f\x7f]/.test(v)) return `${name} contains a control character`;
  }
  return null;
}
