import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { newId } from '../common/ids';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CommandQueueService } from '../push/command-queue.service';
import { dataCount, dataQuery, PANEL_RULE_OPTIONS, refusalKey } from '../push/protocol';
import { effectiveKindSql } from '../device/device-kind';
import { refusalsRead } from '../push/device-refusals';
import { read, runRead, type Read } from '../database/read-together';
import { clearFailures, confirmedRead, devicesHoldingSql, devicesTouchingSql, inflightRead, noteSkipped, releaseSuperseded, settledFailures, type SettledItem } from './confirmed-state';
import { desiredBaseRead, loadDesired, type PinScope } from './desired-state';
import { dialectOf, type SyncDevice } from './device-dialect';
import { bioSlots, currentState, DEVICE_KINDS, desiredHashes, diffItems, itemId, MEMBER_KINDS, splitItemId, UNKNOWN_HASH, userHash, type CountedKind, type PhotoTable, type TemplateTable, type Diff, type ItemId, type ItemKind, type SyncRef } from './sync-items';
import { uploadedUserRecord, userRecordFor } from './sync-commands';
import type { UserRecord, UserUpload } from '../push/protocol';
import { moduleDevicePinsSql, moduleDevicesGrantingSql } from './module-rights';
import { appendToPending, tailsRead, type DeviceBatch, type TailRow } from './pending-append';
import { composeCommands, composesAlike, tableOf, type ComposeInput, type PlannedCommand } from './sync-plan';
import { levelDevices, loadDevices, loadDevicesWhere, personsRead } from './sync-queries';
import { intoOf } from '../database/columns';
import { namedQuery, preferGenericPlans } from '../database/prepared-query.service';
import { SyncItem } from './sync-state.entity';
import { lockPlanScope } from './plan-scope';
import { cardsStillElsewhere, holdCardPuts, incomingCards, sendGivingUp, type CardKind } from './card-moves';

const CONFIRMED_INTO = intoOf(SyncItem, ['deviceId', 'kind', 'key', 'hash', 'confirmedAt']);

/** A photo an enrolling device uploaded: 7.8 `biophoto` (with its Type) or 7.10 `userpic`. */
export interface HeldPhoto {
  table: 'biophoto' | 'userpic';
  type: number | null;
}

export interface SyncOptions {
  /** Re-send every desired item in scope even where the device confirmed it (REST syncPerson / syncLevel). */
  force?: boolean;
  /**
   * With `force`: the devices the re-send is for (those of the levels synced, levelDevices). The members' other
   * devices are planned as any change is (what they confirmed is not sent again): an elevator level's sync is no
   * reason to send a person's whole record to every access panel they are on.
   */
  forceOn?: readonly string[];
}

type Mode = 'diff' | 'force' | 'full' | 'continue';

interface PlanRequest {
  deviceIds: readonly string[];
  /** The devices of `deviceIds` already loaded (loadDevices), when the caller found them in the same query. */
  loaded?: ReadonlyMap<string, SyncDevice>;
  /**
   * The devices in scope read again once their order locks are held: a transaction that held them may have
   * committed a change of where the pins belong (a level's doors) while this one waited.
   */
  devicesNow?: (planned: string[]) => Read<readonly string[]>;
  /** Member pins in scope; the device's own items (DEVICE_KINDS) are in scope except in `continue`. null = all. */
  pins: PinScope;
  mode: Mode;
  /** With mode `force`: only these devices are forced, the others planned in `diff` (SyncOptions.forceOn). */
  forceOn?: ReadonlySet<string>;
  /** Device items (DEVICE_KINDS) in scope; default all of them. Member items are scoped by `pins`. */
  items?: ReadonlySet<ItemId>;
  /** Pins to treat as gone (deleted in this transaction before their rows go). */
  absent?: ReadonlySet<string>;
  /** SN of a device that already holds the members' templates (it enrolled them): recorded, not sent. */
  heldBy?: string;
  /**
   * Photos `heldBy` uploaded, by pin, in the form it uploaded them (7.8 biophoto with its Type, 7.10 userpic): held
   * where that is the form it is sent its photos in (nothing sent back), else sent in that form as to any device.
   */
  heldPhotos?: ReadonlyMap<string, HeldPhoto>;
  /**
   * The template slots (`<Type>.<No>`) `heldBy` uploaded, by pin: only those are held from the upload; the pin's other
   * slots are held as they were confirmed there. Absent for a pin: its whole stored set is taken as held.
   */
  heldSlots?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * A device's users it holds in a form the database did not take (recordEnrolledUsers): unknown whatever is in
   * flight to it, since a command it ran before its upload (the result not in yet) says nothing of them now.
   */
  unknownAt?: { deviceId: string; pins: ReadonlySet<string> };
  /** The plan id to use (an owed full sync's pages share one), and plans whose commands the replay skips. */
  plan?: string;
  ownPlans?: readonly string[];
}

/** Pins per transaction of a full sync (bounded memory and transaction size); the rest is owed. */
export const FULL_SYNC_PAGE = 10_000;
/** Member × device pairs per transaction of a full sync of several devices planned together. */
export const FULL_SYNC_PAIRS = 50_000;

/** Devices whose commands a plan keeps to hand to like devices (a few kinds of panel per site). */
const COMPOSED_KEPT = 4;

/** Kinds a full sync clears on the device (`DATA DELETE <table> *`; templates and photos by Type) before sending. */
const CLEARED_BY_FULL: ReadonlySet<ItemKind> = new Set(['user', 'auth', 'eleauth', 'card', 'bio', 'photo', 'hday']);
/** Tables a verification counts whose clear a full sync may leave out (refused for good). */
const UNCLEARED_COUNTED = ['user', 'USERINFO', 'userauthorize', 'usereleauthorize'];
/** Kinds whose table's clear (`DATA DELETE <table> *`) has a refusal key of its own (refusals.ts). */
const STAR_CLEARED: readonly ItemKind[] = ['user', 'auth', 'eleauth'];
/** Kinds a panel keeps as options (SET OPTIONS), in no table: a refusal of SET OPTIONS for good holds them back. */
const OPTION_KINDS: ReadonlySet<ItemKind> = new Set(['door', 'advanced']);

/**
 * The one planner (design.md point 3): every device command that reflects state comes from here. A plan is
 * diff(desired, current) per device, where current = confirmed state (sync_item, from Return codes) replayed
 * with the commands still in flight, so nothing already queued is queued twice. Items refused or unanswered
 * wait for a backoff; tables a firmware refused for good are not planned. Every method takes the caller's
 * EntityManager: the domain write and the commands it implies commit together.
 */
/** The devices a forced plan is limited to (SyncOptions.forceOn), none when the force is for every device in scope. */
const forceScope = (opts: SyncOptions): ReadonlySet<string> | undefined => (opts.force && opts.forceOn ? new Set(opts.forceOn) : undefined);

@Injectable()
export class SyncPlannerService {
  private readonly log = new Logger(SyncPlannerService.name);

  constructor(
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A person saved (or their levels or cards changed). */
  async syncPerson(m: EntityManager, personIdOrPin: string, opts: SyncOptions = {}): Promise<void> {
    const rows: Array<{ pin: string }> = await m.query(`SELECT pin FROM person WHERE id = $1 OR pin = $1 ORDER BY (id = $1) DESC LIMIT 1`, [personIdOrPin]);
    await this.syncPins(m, [rows[0]?.pin ?? personIdOrPin], opts);
  }

  async syncPersons(m: EntityManager, personIds: string[], opts: SyncOptions = {}): Promise<void> {
    if (personIds.length === 0) return;
    const rows: Array<{ pin: string }> = await m.query(`SELECT pin FROM person WHERE id IN (SELECT unnest($1::char(32)[]))`, [personIds]);
    await this.syncPins(m, rows.map((r) => r.pin), opts);
  }

  /** Members (persons or visitors) by pin, wherever they are or should be. */
  async syncPins(m: EntityManager, pins: readonly string[], opts: SyncOptions & Pick<PlanRequest, 'absent' | 'heldBy' | 'heldPhotos' | 'heldSlots' | 'unknownAt'> = {}): Promise<void> {
    const unique = [...new Set(pins)];
    if (unique.length === 0) return;
    await preferGenericPlans(m);
    // A plan with no device before the locks would end there: then the commands in flight are read at once.
    const before = await devicesOfPinsBeforeLock(m, unique, this.config.timeZone);
    await this.plan(m, {
      deviceIds: before.size > 0 ? [...before.keys()] : [...(await devicesOfPins(m, unique))],
      loaded: before.size > 0 ? before : undefined,
      devicesNow: (planned) => devicesOfPinsRead(unique, planned),
      pins: unique,
      mode: opts.force ? 'force' : 'diff',
      forceOn: forceScope(opts),
      absent: opts.absent,
      heldBy: opts.heldBy,
      heldPhotos: opts.heldPhotos,
      heldSlots: opts.heldSlots,
      unknownAt: opts.unknownAt,
    });
  }

  /** The person is gone (deleted in this transaction, or resigned): removed from every device. */
  removePerson(m: EntityManager, pin: string): Promise<void> {
    return this.removePins(m, [pin]);
  }

  removePins(m: EntityManager, pins: readonly string[]): Promise<void> {
    return this.syncPins(m, pins, { absent: new Set(pins) });
  }

  /** A level changed (doors, time segment) or was asked to sync: its members on its devices, and its time zone. */
  async syncLevel(m: EntityManager, levelId: string, opts: SyncOptions = {}): Promise<void> {
    const pins = await levelPins(m, levelId);
    const own = await levelDevices(m, 'acc', [levelId]);
    const deviceIds = new Set([...own, ...(await devicesOfPins(m, pins))]);
    await this.plan(m, { deviceIds: [...deviceIds], devicesNow: (planned) => devicesOfPinsRead(pins, planned), pins, mode: opts.force ? 'force' : 'diff', forceOn: new Set(own) });
  }

  /**
   * A door was enabled or disabled (a disabled door grants nothing: grantsRead): the members of its levels on its
   * panel, whose rights there gain or lose the door (and who leave the panel when it was their only door there).
   */
  async syncDoor(m: EntityManager, doorId: string): Promise<void> {
    const rows: Array<{ device_id: string; pin: string | null }> = await m.query(
      `SELECT d.device_id, x.pin FROM door d LEFT JOIN LATERAL (
         SELECT p.pin FROM acc_level_door ld JOIN acc_level_person lp ON lp.level_id = ld.level_id JOIN person p ON p.id = lp.person_id WHERE ld.door_id = d.id
         UNION SELECT r.visitor_pin FROM acc_level_door ld JOIN vis_registration_level rl ON rl.level_id = ld.level_id JOIN vis_registration r ON r.id = rl.registration_id WHERE ld.door_id = d.id
       ) x ON true WHERE d.id = $1`,
      [doorId],
    );
    const pins = rows.flatMap((r) => (r.pin === null ? [] : [r.pin]));
    if (rows.length === 0 || pins.length === 0) return;
    await this.plan(m, { deviceIds: [rows[0].device_id], pins, mode: 'diff' });
  }

  /**
   * A door's parameters set (the console's door edit): its options on its panel (the `door` item, SET OPTIONS
   * Door<n>Drivertime, ...), planned against what the panel confirmed, with its time zones (a passage mode or active
   * time zone names one, sent before the options; one no longer named by anything goes after), nothing else of the
   * panel. Answers the number of commands queued: 0 when the panel already holds them (or has them on their way), or
   * refuses SET OPTIONS for good.
   */
  async syncDoorOptions(m: EntityManager, doorId: string): Promise<number> {
    const [door]: Array<{ device_id: string; door_no: number; tz: number[] }> = await m.query(
      `SELECT device_id, door_no, ARRAY(SELECT tz_id FROM time_segment) AS tz FROM door WHERE id = $1`,
      [doorId],
    );
    if (!door) return 0;
    const items = new Set([itemId('door', door.door_no), ...(door.tz ?? []).map((tz) => itemId('tz', Number(tz)))]);
    return this.plan(m, { deviceIds: [door.device_id], pins: [], mode: 'diff', items });
  }

  /**
   * A panel's Interlock or Anti-Passback set (Advanced Functions): its `advanced` items, SET OPTIONS planned against
   * what the panel confirmed, nothing else of it. Answers the number of commands queued (0: it holds them already,
   * has them on their way, or refuses SET OPTIONS for good).
   */
  async syncPanelRules(m: EntityManager, deviceId: string): Promise<number> {
    return this.plan(m, { deviceIds: [deviceId], pins: [], mode: 'diff', items: new Set(PANEL_RULE_OPTIONS.map((o) => itemId('advanced', o))) });
  }

  /**
   * First-Person Normally Open rules changed on these doors (a rule added, edited or deleted, a person of one deleted):
   * the `firstcard` items of those doors on their panels (and the time zones they name), nothing else of the panels.
   * Answers the number of commands queued.
   */
  async syncFirstCards(m: EntityManager, doors: ReadonlyArray<{ deviceId: string; doorNo: number }>): Promise<number> {
    if (doors.length === 0) return 0;
    const items = new Set(doors.map((d) => itemId('firstcard', d.doorNo)));
    const deviceIds = [...new Set(doors.map((d) => d.deviceId))];
    // Every time zone of the panels too: a rule's segment the panel does not hold yet goes before the rows naming it.
    const tzs: Array<{ tz_id: number }> = await m.query(`SELECT tz_id FROM time_segment`);
    for (const t of tzs) items.add(itemId('tz', t.tz_id));
    return this.plan(m, { deviceIds, pins: [], mode: 'diff', items });
  }

  /** A time segment changed or is about to be deleted: time zones and pass rules of every admitted device (no member in scope). */
  async syncTimeSegment(m: EntityManager): Promise<void> {
    await this.plan(m, { deviceIds: await admittedDevices(m), pins: [], mode: 'diff' });
  }

  /**
   * A pass rule stored (psg_pass_rule): its `gatepassrule` item is sent again, even where the controller confirmed
   * it (an operator posting a rule asks for it on the device, like REST syncPerson), and nothing else of the
   * controller. Answers the number of commands queued: 0 when the controller is not admitted or its firmware
   * refused the table for good.
   */
  syncPassRule(m: EntityManager, deviceId: string, timezoneId: number): Promise<number> {
    return this.plan(m, { deviceIds: [deviceId], pins: [], mode: 'force', items: new Set([itemId('gatepassrule', timezoneId)]) });
  }

  /** Holidays changed: the holiday table of every admitted device. */
  async syncHolidays(m: EntityManager): Promise<void> {
    await this.plan(m, { deviceIds: await admittedDevices(m), pins: [], mode: 'diff' });
  }

  /** Plans one device completely against what it confirmed (the reconciler's periodic pass, per page of pins). */
  async reconcileDevice(m: EntityManager, deviceId: string, pins: PinScope): Promise<void> {
    await this.plan(m, { deviceIds: [deviceId], pins, mode: 'diff' });
  }

  /**
   * A device registered again whose user count cannot show a factory reset (it confirmed no users: 0 before and
   * after): what it confirmed of its own items (time zones, holidays, pass rules) is in doubt. They are few, so
   * every one it should hold is sent again (holidays as a table: `holiday *` first).
   */
  async resendDeviceItems(m: EntityManager, deviceId: string): Promise<void> {
    await this.plan(m, { deviceIds: [deviceId], pins: [], mode: 'force' });
  }

  /**
   * Full sync of one device, confirmed state unknown: the device's user, rights, card and holiday tables are
   * cleared with `*` and everything it should hold is sent. One page of pins per call (after `afterPin`);
   * returns the last pin sent, or null when done. The first page also removes templates and photos of pins
   * the device should no longer hold.
   */
  syncDeviceFull(m: EntityManager, deviceId: string, afterPin: string | null = null, pageSize = FULL_SYNC_PAGE): Promise<string | null> {
    return this.syncDevicesFull(m, [deviceId], afterPin, undefined, pageSize);
  }

  /**
   * Full sync of several devices at the same point (the reconciler groups owed full syncs by cursor): one page
   * of the pins any of them should hold, planned for all of them in one plan, so the desired state of a page is
   * loaded once, not once per device. The page shrinks with the number of devices (at most FULL_SYNC_PAIRS
   * member × device pairs per transaction). Returns the last pin of the page, or null when every device is done.
   * `plan`, the same for every page of one full sync, lets a later page skip the earlier pages' commands in its
   * replay (they carry earlier pins only).
   */
  async syncDevicesFull(m: EntityManager, deviceIds: readonly string[], afterPin: string | null = null, plan?: string, pageSize = FULL_SYNC_PAGE): Promise<string | null> {
    if (deviceIds.length === 0) return null;
    const size = Math.max(1, Math.min(pageSize, Math.floor(FULL_SYNC_PAIRS / deviceIds.length)));
    // The devices' order locks before the page is read, as every plan takes them before it reads (lockPlanScope): a
    // person planned and committed between a page read first and the plan's locks had their records queued ahead of
    // the clear below, which took them off the panel, and the page, read without them, never wrote them again.
    const loaded = await loadDevices(m, [...deviceIds], this.config.timeZone);
    await this.queue.lockForOrder(m, [...loaded.values()].map((d) => d.sn));
    // One page read per call (pins after the cursor), not every pin of the devices: a full sync of N pins in
    // pages reads N pins in all, not N × pages.
    const more = await devicePins(m, deviceIds, afterPin, size + 1);
    const page = more.slice(0, size);
    if (afterPin === null) {
      const stale = await stalePins(m, deviceIds);
      await this.plan(m, { deviceIds, loaded, pins: [...new Set([...page, ...stale])], mode: 'full', plan });
    } else if (page.length > 0) {
      await this.plan(m, { deviceIds, loaded, pins: page, mode: 'continue', plan, ownPlans: plan ? [plan] : [] });
    }
    if (more.length > size) return page[page.length - 1];
    await this.countWhereClearRefused(m, deviceIds);
    return null;
  }

  /**
   * After a full sync's last page: a panel whose user or rights table was not cleared (its `DATA DELETE` refused for
   * good, so the clear was left out) still holds what it held besides what was written, a spare board's users of
   * another site say, which nothing confirmed shows. It is counted after the writes (queue order), so rows beyond
   * those it confirmed are found and reported (SyncReconciler.verifiedCount) and the refused clear is probed again.
   */
  private async countWhereClearRefused(m: EntityManager, deviceIds: readonly string[]): Promise<void> {
    const refused = await runRead(m, refusalsRead([...deviceIds]));
    const ids = deviceIds.filter((id) => UNCLEARED_COUNTED.some((t) => refused.get(id)?.has(`DATA DELETE ${t}`) || refused.get(id)?.has(`DATA DELETE ${t} *`)));
    if (ids.length === 0) return;
    const rows: Array<{ sn: string }> = await m.query(`SELECT sn FROM device WHERE id = ANY($1) ORDER BY sn`, [ids]);
    for (const { sn } of rows) await this.queueVerify(m, sn);
  }

  /**
   * The hash of the user record each of a panel's `tabledata user` records describes, in the form the gateway sends
   * it to that panel (uploadedUserRecord, userHash): a confirmed user item with that hash is that record. Null where
   * the upload holds something no record of the gateway's could.
   */
  async uploadedUserHashes(m: EntityManager, deviceId: string, uploads: readonly UserUpload[]): Promise<Array<string | null>> {
    const device = (await loadDevices(m, [deviceId], this.config.timeZone)).get(deviceId);
    return uploads.map((u) => {
      const record = device ? uploadedUserRecord(device, u) : null;
      return record ? userHash(record) : null;
    });
  }

  /**
   * Users an access panel enrolled and uploaded (Security PUSH 7.5): the panel holds them, so they are recorded
   * as confirmed there, with the hash of the user record the gateway would send it, and its `DATA COUNT user`
   * counts them (a count above the confirmed users owes a full sync, which would clear them). Called after the
   * persons were planned: an item already recorded or in flight is left as it is. A pin the database gives no
   * right on the panel stays there until a change of that person is planned (then the planner removes it, as
   * for any user the panel should not hold).
   *
   * `doubt`: pins whose upload the database did not take whole (a card another person holds, a password taken,
   * a value that is no card number, a line sent before whose card is no longer the person's). The panel holds
   * them in a form the database refused, so they are recorded as held with unknown content, even over an earlier
   * confirmation, and planned at once: the panel gets the database's record, or loses the user where the
   * database gives it no right there. So is a pin the database has no person for (deleted since a line sent
   * again): it is removed. Left as recorded, a card the database gave someone else would stay on the panel with
   * nothing to bring it back.
   *
   * `uploaded`: the card and password each pin's (last) line carried. A line without the card or password the
   * database's record for this panel has (taken off at the panel's menu: an empty value changes nothing of the person)
   * is in doubt too. Recorded as the database's record, the panel was said synced holding a user without the card the
   * database gives it (that card no longer opening there), and nothing ever wrote it back.
   */
  async recordEnrolledUsers(
    m: EntityManager,
    deviceId: string,
    all: readonly string[],
    doubt: ReadonlySet<string> = new Set(),
    uploaded: ReadonlyMap<string, { cardNo: string | null; password: string | null }> = new Map(),
  ): Promise<void> {
    if (all.length === 0) return;
    const device = (await loadDevices(m, [deviceId], this.config.timeZone)).get(deviceId);
    if (!device) return;
    const persons = new Map((await runRead(m, personsRead({ pins: all }))).map((p) => [p.pin, p]));
    // A key is at most 64 characters (a longer pin is none the gateway could have sent or can name).
    const pins = all.filter((pin) => persons.has(pin) || pin.length <= 64);
    const lacks = (record: UserRecord, line: { cardNo: string | null; password: string | null } | undefined) =>
      !!line && ((!!record.cardNo && !(line.cardNo ?? '').trim()) || (!!record.password && !(line.password ?? '').trim()));
    const hashes = pins.map((pin) => {
      const p = persons.get(pin);
      const record = p && !doubt.has(pin) ? userRecordFor(device, p) : null;
      return record && !lacks(record, uploaded.get(pin)) ? userHash(record) : UNKNOWN_HASH;
    });
    await m.query(
      `INSERT INTO ${CONFIRMED_INTO}
       SELECT $1, 'user', k, h, now() FROM unnest($2::varchar[], $3::text[]) AS x(k, h)
       ON CONFLICT (device_id, kind, key) DO UPDATE SET hash = EXCLUDED.hash, confirmed_at = now()
         WHERE (sync_item.hash IS NULL AND sync_item.failures = 0) OR EXCLUDED.hash = '${UNKNOWN_HASH}'`,
      [device.id, pins, hashes],
    );
    const doubted = pins.filter((_, i) => hashes[i] === UNKNOWN_HASH);
    if (doubted.length) await this.syncPins(m, doubted, { unknownAt: { deviceId: device.id, pins: new Set(doubted) } });
  }

  /**
   * Rows a panel answered to a `DATA QUERY` that it did not confirm (SyncReconciler.learned: a stranger's user, a
   * rights row under no user, a door added at the panel): each pin's items of `kinds` are recorded as held with
   * unknown content (`?`), even over an earlier confirmation, and the panel is planned for those pins at once, so the
   * planner deletes them by PIN where the database gives the pin nothing there and writes them again (after a delete
   * by PIN) where it does. A kind the panel keeps in no table, or whose `DATA DELETE` its firmware refused for good,
   * is left as it is: a row of it is not known to be there, and could not be taken off.
   */
  async recordUnknownRows(m: EntityManager, deviceId: string, pins: readonly string[], kinds: readonly ItemKind[]): Promise<void> {
    const keys = pins.filter((pin) => pin.length <= 64);
    if (keys.length === 0) return;
    const device = (await loadDevices(m, [deviceId], this.config.timeZone)).get(deviceId);
    if (!device) return;
    const refused = (await runRead(m, refusalsRead([deviceId]))).get(deviceId);
    const doubted = kinds.filter((k) => {
      const table = tableOf(device, k);
      return table !== null && !refused?.has(`DATA DELETE ${table}`);
    });
    if (doubted.length === 0) return;
    await m.query(
      `INSERT INTO ${CONFIRMED_INTO} SELECT $1, k.kind, p.pin, '${UNKNOWN_HASH}', now() FROM unnest($2::varchar[]) AS k(kind), unnest($3::varchar[]) AS p(pin)
       ON CONFLICT (device_id, kind, key) DO UPDATE SET hash = EXCLUDED.hash, confirmed_at = now()`,
      [device.id, doubted, keys],
    );
    await this.plan(m, { deviceIds: [device.id], pins: keys, mode: 'diff', unknownAt: doubted.includes('user') ? { deviceId: device.id, pins: new Set(keys) } : undefined });
  }

  /**
   * Asks the device to count its users and its rights rows (`userauthorize`; an elevator controller's floors in
   * `usereleauthorize`), and a channel controller that holds or should hold pass rules to count those too: a factory reset of
   * a controller with rules and no users shows only there. The answers are compared with what it confirmed
   * (reconciler). A panel that confirmed templates counts its template table too (`biodata` or `templatev10`, its
   * dialect's), and one that confirmed photos its photo table (`biophoto` or `userpic`): a finger, face or photo
   * deleted at its menu (or lost with a partial reset) shows only there; so does its `timezone` and `holiday`
   * table where it confirmed rows of them (OwnTable): rights naming a time zone the panel lost open nothing. A count
   * the firmware refused for good is left out until its probe is due (then asked again). `replan` rides on the first
   * count (SyncRef.replan), and so does `reset` (SyncRef.reset). `pins`: the panel is asked which users it holds too
   * (`DATA QUERY tablename=user`, after the counts; SyncVerifier), unless its firmware refused that for good: a
   * stranger added at its menu while a user was deleted there counts the same. Answers whether a count was queued.
   */
  async queueVerify(m: EntityManager, deviceSn: string, replan?: SyncRef['replan'], opts: { reset?: boolean; pins?: boolean | null } = {}): Promise<boolean> {
    const [device]: Array<{ id: string; ele: boolean; rules: boolean; bio: boolean; photo: boolean; tz: boolean; hday: boolean; capabilities: unknown; registration: unknown }> = await namedQuery(m,
      `SELECT d.id, ${effectiveKindSql('d')} = 'ele' AS ele,
              EXISTS (SELECT 1 FROM psg_pass_rule r WHERE r.device_id = d.id)
           OR EXISTS (SELECT 1 FROM sync_item s WHERE s.device_id = d.id AND s.kind = 'gatepassrule' AND s.hash IS NOT NULL) AS rules,
              EXISTS (SELECT 1 FROM sync_item s WHERE s.device_id = d.id AND s.kind = 'bio' AND s.hash IS NOT NULL) AS bio,
              EXISTS (SELECT 1 FROM sync_item s WHERE s.device_id = d.id AND s.kind = 'photo' AND s.hash IS NOT NULL) AS photo,
              EXISTS (SELECT 1 FROM sync_item s WHERE s.device_id = d.id AND s.kind = 'tz' AND s.hash IS NOT NULL) AS tz,
              EXISTS (SELECT 1 FROM sync_item s WHERE s.device_id = d.id AND s.kind = 'hday' AND s.hash IS NOT NULL) AS hday,
              d.capabilities, d.registration
         FROM device d WHERE d.sn = $1`,
      [deviceSn],
    );
    if (!device) return false;
    const refused = (await runRead(m, refusalsRead([device.id]))).get(device.id);
    const { dialect } = dialectOf(device.capabilities, device.registration);
    const templates: TemplateTable = dialect.bio;
    const photos: PhotoTable | null = device.photo ? dialect.photo : null;
    const own: CountedKind[] = [...(device.tz ? (['timezone'] as const) : []), ...(device.hday ? (['holiday'] as const) : [])];
    const kinds = (['user', device.ele ? 'usereleauthorize' : 'userauthorize', 'gatepassrule', templates, ...(photos ? [photos] : []), ...own] as const satisfies readonly CountedKind[])
      .filter((kind) => kind !== 'gatepassrule' || device.rules)
      .filter((kind) => kind !== templates || device.bio)
      .filter((kind) => !refused?.has(refusalKey(dataCount(kind))));
    if (kinds.length === 0) return false;
    const plan = newId();
    const query = dataQuery({ table: 'user' });
    const pins = opts.pins && !refused?.has(refusalKey(query)) ? [{ command: query, ref: { sync: 1, plan, learn: 'user', pins: true } satisfies SyncRef }] : [];
    await this.queue.enqueueMany(m, [
      {
        deviceSn,
        commands: [
          ...kinds.map((kind, i) => ({ command: dataCount(kind), ref: { sync: 1, plan, verify: kind, ...(i === 0 && replan ? { replan } : {}), ...(i === 0 && opts.reset ? { reset: true } : {}) } satisfies SyncRef })),
          ...pins,
        ],
      },
    ]);
    // The pin period starts again with the query asked (an answer short of whole owes it again: PINS_OWED).
    if (pins.length > 0) await m.query(`UPDATE sync_verify SET pins_at = now() WHERE device_id = $1`, [device.id]);
    return true;
  }

  /** Answers the number of commands queued (or added to pending ones). */
  private async plan(m: EntityManager, req: PlanRequest): Promise<number> {
    if (req.deviceIds.length === 0) return 0;
    await preferGenericPlans(m);
    const byId = req.loaded ? new Map(req.loaded) : await loadDevices(m, [...req.deviceIds], this.config.timeZone);
    const devicesOf = (all: Map<string, SyncDevice>) => [...all.values()].sort((a, b) => a.sn.localeCompare(b.sn));
    // A full sync's commands start with clears, which are never added to pending commands: its plan reads no tails.
    const appends = req.mode !== 'full';
    const { base, confirmed, inflight, refusals, tails } = await lockPlanScope(this.queue, m, byId, req.devicesNow, (ids) => loadDevices(m, ids, this.config.timeZone), (all) => {
      const devices = devicesOf(all);
      const ids = devices.map((d) => d.id);
      return {
        base: desiredBaseRead(devices, req.pins),
        confirmed: confirmedRead(ids, req.pins),
        inflight: inflightRead(devices.map((d) => d.sn), req.pins, req.ownPlans),
        refusals: refusalsRead(ids),
        tails: tailsRead(appends ? devices.map((d) => d.sn) : []),
      };
    });
    const devices = devicesOf(byId);
    if (devices.length === 0) return 0;
    const ids = devices.map((d) => d.id);
    const desired = await loadDesired(m, devices, req.pins, req.absent, base);
    const pinSet = req.pins === null ? null : new Set(req.pins);
    const plan = req.plan ?? newId();
    const batches: DeviceBatch[] = [];
    const skipped: Array<{ deviceId: string; pin: string; reason: string }> = [];
    const sent: Array<{ deviceId: string; pin: string }> = [];
    const composed: Array<{ mode: Mode; input: ComposeInput; commands: PlannedCommand[] }> = [];
    const settled: SettledItem[] = [];
    for (const device of devices) {
      // A forced plan forces only the devices it is for (forceOn); the others get what changed.
      const mode: Mode = req.mode === 'force' && req.forceOn && !req.forceOn.has(device.id) ? 'diff' : req.mode;
      const want = desired.get(device.id)!;
      const have = confirmed.get(device.id)!;
      const hashes = desiredHashes(want);
      if (device.sn === req.heldBy) {
        // What it uploaded, it holds: recorded as confirmed, then replayed with the commands still in flight to it. A
        // put queued before the upload (a REST write of the same template) runs after it and overwrites the panel's
        // enrolment, so the plan sends the stored set again after it (taken as held, the panel kept the REST one).
        for (const [id, hash] of await this.recordHeld(m, device, hashes, pinSet, req.heldPhotos, req.heldSlots, have.confirmed)) {
          have.confirmed.set(id, hash);
          have.hold.delete(id);
        }
      }
      const current = currentState(have.confirmed, inflight.get(device.sn) ?? []);
      if (req.unknownAt?.deviceId === device.id) for (const pin of req.unknownAt.pins) current.set(itemId('user', pin), UNKNOWN_HASH);
      // Refusal keys are `DATA UPDATE <table>` and `DATA DELETE <table>` (device-refusals.ts): what the firmware
      // cannot write is not put, what it cannot delete is not removed; each on its own, so a table it will not
      // write still loses the rights the database revoked.
      // A door's options are no table: a firmware refusing `SET OPTIONS` for good holds them back (nothing deletes them).
      const refusedOf = (verb: string) =>
        new Set(MEMBER_KINDS.concat(DEVICE_KINDS).filter((k) => refusals.get(device.id)?.has(OPTION_KINDS.has(k) ? (verb === 'UPDATE' ? 'SET OPTIONS' : '') : `DATA ${verb} ${tableOf(device, k) ?? ''}`)));
      const refused = refusedOf('UPDATE');
      const refusedRemove = refusedOf('DELETE');
      // A user or rights table's clear is keyed apart (`DATA DELETE user *`): refused, the full sync leaves it out,
      // while deletes by PIN still go (refusals.ts). A refused delete by PIN leaves the clear out too, as it always did.
      const refusedClear = new Set([...refusedRemove, ...STAR_CLEARED.filter((k) => refusals.get(device.id)?.has(`DATA DELETE ${tableOf(device, k) ?? ''} *`))]);
      const member = (key: string) => pinSet === null || pinSet.has(key);
      const inScope = (id: string) => {
        const [kind, key] = splitItemId(id);
        if (DEVICE_KINDS.includes(kind)) return req.mode !== 'continue' && (!req.items || req.items.has(id));
        return member(key);
      };
      releaseSuperseded(have, hashes);
      const diff = this.diff(mode, hashes, current, have.hold, { refused, refusedRemove }, inScope);
      // A card another pin of the panel still holds, or may hold, waits until that pin has lost it (card-moves.ts);
      // a full sync clears the card's table first, unless its clear is refused.
      const cardKind: CardKind = device.dialect.cards === 'mulcarduser' ? 'card' : 'user';
      const cleared = (req.mode === 'full' || req.mode === 'continue') && !refusedClear.has(cardKind);
      let send = { want, hashes, diff };
      if (!cleared) {
        const incoming = incomingCards(cardKind, diff.put, hashes, current);
        const waiting = await cardsStillElsewhere(m, device.id, cardKind, incoming);
        if (waiting.size > 0) {
          // A waiting pin that gives up a card (two pins swapping) is sent its item without the new card meanwhile;
          // all wait a retry, those sent too: confirmed in backoff, an item stays due (sync-confirm.ts PUT_IN_BACKOFF).
          send = sendGivingUp(cardKind, want, hashes, current, diff, waiting, incoming, !refusedRemove.has(cardKind));
          await holdCardPuts(m, device.id, cardKind, [...waiting], this.config.syncRetryBaseMs);
          this.log.log(`device ${device.sn}: card of ${[...waiting].join(', ')} waits until its old holder there has lost it`);
        }
      }
      if (mode === 'diff') settled.push(...settledFailures(device.id, have, hashes, current, inScope));
      for (const s of want.skipped) {
        this.log.warn(`device ${device.sn}: member ${s.pin} not sent: ${s.reason}`);
        skipped.push({ deviceId: device.id, pin: s.pin, reason: s.reason });
      }
      const base = req.mode === 'full' ? new Map([...current].filter(([id]) => !CLEARED_BY_FULL.has(splitItemId(id)[0]))) : current;
      // Like panels (same dialect, same diff, same records) get the commands built for the first of them.
      const alone = have.refused;
      const input: ComposeInput = { device, desired: send.want, hashes: send.hashes, diff: send.diff, current: base, refused, refusedRemove, refusedClear, alone };
      const twin = composed.find((c) => c.mode === mode && composesAlike(c.input, input));
      const commands = twin?.commands ?? composeCommands(device, send.want, send.hashes, send.diff, base, { plan, full: mode === 'full', force: mode === 'force', resend: mode !== 'diff', refused, refusedRemove, refusedClear, alone });
      if (!twin && composed.length < COMPOSED_KEPT) composed.push({ mode, input, commands });
      // A note "not sent" is cleared once the member goes out.
      for (const id of send.diff.put) if (id.startsWith('user\t') && have.skipped.has(id.slice(5))) sent.push({ deviceId: device.id, pin: id.slice(5) });
      if (commands.length > 0) batches.push({ deviceSn: device.sn, commands });
    }
    await noteSkipped(m, skipped, sent);
    await clearFailures(m, settled);
    await this.queueBatches(m, batches, appends ? tails : undefined);
    return batches.reduce((n, b) => n + b.commands.length, 0);
  }

  /**
   * Under the devices' order locks (taken by plan): records go into pending commands where they may
   * (pending-append.ts), the rest is queued. `tails`: the devices' pending tails, read with the plan's state.
   */
  private async queueBatches(m: EntityManager, batches: DeviceBatch[], tails?: readonly TailRow[]): Promise<void> {
    if (batches.length === 0) return;
    const { rest, appended } = await appendToPending(m, batches, this.queue.notifiesOthers, tails);
    if (appended.length) this.queue.raiseAfterCommit(m, appended);
    if (rest.length) await this.queue.enqueueMany(m, rest);
  }

  /**
   * The enrolling device holds the templates it uploaded, and the photos it uploaded in the form it is sent them:
   * confirmed as the desired set (answered, for the plan to replay the commands still in flight to it), nothing sent back.
   */
  private async recordHeld(
    m: EntityManager,
    device: SyncDevice,
    hashes: Map<string, string>,
    pins: ReadonlySet<string> | null,
    photos: ReadonlyMap<string, HeldPhoto> | undefined,
    slots: ReadonlyMap<string, ReadonlySet<string>> | undefined,
    confirmed: ReadonlyMap<ItemId, string>,
  ): Promise<ReadonlyArray<[ItemId, string]>> {
    const inPins = (pin: string) => pins === null || pins.has(pin);
    // A template set: the slots uploaded as stored, the others as the device confirmed them. Taken whole, a finger the
    // device refused or never got (a put failed, in backoff) was recorded as held beside the one enrolled at its keypad,
    // and the device was said synced without it, for good. Unknown before (`?`), the set stays unknown (sent again).
    const heldSet = (id: ItemId, pin: string, hash: string): string | null => {
      const uploaded = slots?.get(pin);
      if (!uploaded) return hash;
      const had = confirmed.get(id);
      const before = had === undefined ? new Map<string, string>() : bioSlots(had);
      const want = bioSlots(hash);
      if (!before || !want) return null;
      for (const slot of uploaded) {
        const h = want.get(slot);
        if (h !== undefined) before.set(slot, h);
      }
      const order = (slot: string) => slot.split('.').map(Number);
      return [...before]
        .sort(([a], [b]) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1])
        .map(([slot, h]) => `${slot}:${h}`)
        .join('|');
    };
    const photoHeld = (pin: string) => {
      const p = photos?.get(pin);
      return !!p && p.table === device.dialect.photo && (p.table === 'userpic' || p.type === null || p.type === device.photoType);
    };
    const held = [...hashes]
      .filter(([id]) => {
        const [kind, pin] = splitItemId(id);
        return inPins(pin) && (kind === 'bio' || (kind === 'photo' && photoHeld(pin)));
      })
      .map(([id, hash]): [ItemId, string | null] => (splitItemId(id)[0] === 'bio' ? [id, heldSet(id, splitItemId(id)[1], hash)] : [id, hash]))
      .filter((x): x is [ItemId, string] => x[1] !== null && x[1] !== '');
    if (held.length === 0) return [];
    const items = held.map(([id, hash]) => [...splitItemId(id), hash]);
    await m.query(
      `INSERT INTO ${CONFIRMED_INTO}
       SELECT $1, k, p, h, now() FROM unnest($2::varchar[], $3::varchar[], $4::text[]) AS x(k, p, h)
       ON CONFLICT (device_id, kind, key) DO UPDATE SET hash = EXCLUDED.hash, confirmed_at = now(), failures = 0, next_try_at = NULL`,
      [device.id, items.map((i) => i[0]), items.map((i) => i[1]), items.map((i) => i[2])],
    );
    return held as Array<[ItemId, string]>;
  }

  private diff(
    mode: Mode,
    hashes: Map<string, string>,
    current: Map<string, string>,
    hold: Set<string>,
    r: { refused: Set<ItemKind>; refusedRemove: Set<ItemKind> },
    inScope: (id: string) => boolean,
  ): Diff {
    if (mode === 'diff') return diffItems({ desired: hashes, current, hold, ...r, inScope });
    // force / full / continue: every desired item in scope goes out again.
    const put = diffItems({ desired: hashes, current: new Map(), refused: r.refused, inScope }).put;
    if (mode === 'continue') return { put, remove: [] };
    const base = mode === 'full' ? new Map([...current].filter(([id]) => !CLEARED_BY_FULL.has(splitItemId(id)[0]))) : current;
    return { put, remove: diffItems({ desired: hashes, current: base, refusedRemove: r.refusedRemove, inScope }).remove };
  }
}

/** Admitted devices where these pins have rights (persons through levels, checked-in visitors through visitor levels; elevator and channel controllers through their own levels). */
export async function devicesGranting(m: EntityManager, pins: readonly string[]): Promise<string[]> {
  if (pins.length === 0) return [];
  const rows: Array<{ device_id: string }> = await namedQuery(m, DEVICES_GRANTING_SQL, [pins]);
  return rows.map((r) => r.device_id);
}

/** devicesGranting as SQL ($1: the pins). */
const DEVICES_GRANTING_SQL = `SELECT DISTINCT d.device_id FROM person p JOIN acc_level_person lp ON lp.person_id = p.id
       JOIN acc_level_door ld ON ld.level_id = lp.level_id JOIN door d ON d.id = ld.door_id
      WHERE p.pin IN (SELECT unnest($1::text[])) AND p.status = 'active'
     UNION SELECT DISTINCT d.device_id FROM vis_registration r JOIN vis_registration_level rl ON rl.registration_id = r.id
       JOIN acc_level_door ld ON ld.level_id = rl.level_id JOIN door d ON d.id = ld.door_id
      WHERE r.visitor_pin IN (SELECT unnest($1::text[])) AND r.state = 'in'
     UNION ${moduleDevicesGrantingSql('$1')}`;

/** Devices where these pins have rights or that hold or are being sent them (devicesGranting ∪ devicesTouching), in one query. */
function devicesOfPins(m: EntityManager, pins: readonly string[]): Promise<readonly string[]> {
  return runRead(m, devicesOfPinsRead(pins));
}

/** devicesOfPins as a read; the commands of the devices in `planned` (SNs) are not searched (lockPlanScope). */
function devicesOfPinsRead(pins: readonly string[], planned: string[] = []): Read<readonly string[]> {
  return read(`${DEVICES_GRANTING_SQL} UNION ${devicesTouchingSql('$1', '$2', 'true', '$3')}`, [pins, MEMBER_KINDS, planned], (rows: Array<{ device_id: string }>) => rows.map((r) => r.device_id));
}

/**
 * The devices whose order locks a plan of these pins takes first, loaded (loadDevices): devicesOfPins without the
 * commands in flight (reading them means searching every pending command's records). The scope is read in full once the locks are
 * held (devicesNow), so a device only in flight is still planned, its lock taken after the others.
 */
async function devicesOfPinsBeforeLock(m: EntityManager, pins: readonly string[], zone: string): Promise<Map<string, SyncDevice>> {
  return loadDevicesWhere(m, `${DEVICES_GRANTING_SQL} UNION ${devicesHoldingSql('$1', '$2')}`, [pins, MEMBER_KINDS], zone);
}

/** Every pin (person or visitor) of a level. */
async function levelPins(m: EntityManager, levelId: string): Promise<string[]> {
  const rows: Array<{ pin: string }> = await m.query(
    `SELECT p.pin FROM acc_level_person lp JOIN person p ON p.id = lp.person_id WHERE lp.level_id = $1
     UNION SELECT r.visitor_pin FROM vis_registration_level rl JOIN vis_registration r ON r.id = rl.registration_id WHERE rl.level_id = $1`,
    [levelId],
  );
  return rows.map((r) => r.pin);
}

/**
 * The member pins that should be on some of the devices in `devices` (an SQL array expression of device ids):
 * persons through levels, checked-in visitors, module levels.
 */
const devicePinsSql = (devices: string) => `SELECT p.pin FROM person p JOIN acc_level_person lp ON lp.person_id = p.id
      WHERE p.status = 'active' AND lp.level_id IN (${levelsOnSql(devices)})
     UNION SELECT r.visitor_pin FROM vis_registration r JOIN vis_registration_level rl ON rl.registration_id = r.id
      WHERE r.state = 'in' AND rl.level_id IN (${levelsOnSql(devices)})
     UNION ${moduleDevicePinsSql(devices)}`;

/** The levels with a door on these devices: memberships are matched by level, not joined with every door of the level. */
const levelsOnSql = (devices: string) => `SELECT ld.level_id FROM acc_level_door ld JOIN door d ON d.id = ld.door_id WHERE d.device_id = ANY(${devices})`;

/** Up to `limit` pins that should be on any of these devices, after `after`, in byte order (the order of JS string comparison). */
async function devicePins(m: EntityManager, deviceIds: readonly string[], after: string | null, limit: number): Promise<string[]> {
  const rows: Array<{ pin: string }> = await m.query(
    `SELECT pin FROM (${devicePinsSql('$1::char(32)[]')}) x WHERE $2::text IS NULL OR pin COLLATE "C" > $2::text COLLATE "C" GROUP BY pin ORDER BY pin COLLATE "C" LIMIT $3`,
    [deviceIds, after, limit],
  );
  return rows.map((r) => r.pin);
}

/** Member pins a device confirmed (any kind) that should no longer be on it, for each of these devices (only those that confirmed any). */
async function stalePins(m: EntityManager, deviceIds: readonly string[]): Promise<string[]> {
  const rows: Array<{ key: string }> = await m.query(
    `SELECT DISTINCT s.key FROM unnest($1::char(32)[]) AS dev(id)
       CROSS JOIN LATERAL (
         SELECT key FROM sync_item WHERE device_id = dev.id AND kind = ANY($2) AND hash IS NOT NULL
         EXCEPT SELECT pin FROM (${devicePinsSql('ARRAY[dev.id]')}) x
       ) s
      WHERE EXISTS (SELECT 1 FROM sync_item WHERE device_id = dev.id AND kind = ANY($2) AND hash IS NOT NULL)`,
    [deviceIds, MEMBER_KINDS],
  );
  return rows.map((r) => r.key).sort();
}

async function admittedDevices(m: EntityManager): Promise<string[]> {
  const rows: Array<{ id: string }> = await m.query(`SELECT id FROM device WHERE admission = 'admitted'`);
  return rows.map((r) => r.id);
}

export type { SyncDevice };
