import { Inject, Injectable, Logger } from '@nestjs/common';
import { personPinsOnDevice } from '../person/pin-value';
import type { EntityManager } from 'typeorm';
import { newId } from '../common/ids';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { effectiveKindSql } from '../device/device-kind';
import { CommandQueueService } from '../push/command-queue.service';
import { BIO_TYPE, BIODATA_TYPE_REFUSAL, FUNCTION_SWITCH_TYPES, parseMultiBioList, refusalKey, switchedOffBioTypes } from '../push/protocol';
import { declaredMajorVersion } from './bio-sync';
import { takesVisibleFacePhotos, type BioPhotoWord } from '../push/attendance/protocol';
import { FOR_GOOD_SQL, loadRefusals, refusalsRead } from '../push/device-refusals';
import { preferGenericPlans } from '../database/prepared-query.service';
import { read, runRead, type Read } from '../database/read-together';
import {
  bioLegacyHash,
  composeTerminalCommands,
  refusedItems,
  refusedItemKeys,
  removalRefusalKeys,
  templateCommands,
  terminalHoldsTemplate,
  terminalMember,
  enrolledPhotoHash,
  userItemWithout,
  TERMINAL_KINDS,
  userInfoCommand,
  type AttSyncPerson,
  type AttSyncTemplate,
  type AttSyncTerminal,
  type TerminalMember,
} from './attendance-commands';
import { clearFailures, confirmedRead, devicesTouchingSql, inflightRead, noteSkipped, releaseSuperseded, settledFailures, type SettledItem } from './confirmed-state';
import type { PinScope } from './desired-state';
import { currentState, diffItems, itemId, MEMBER_KINDS, splitItemId, typeRefusedSets, UNKNOWN_HASH, type DesiredHashes, type Diff, type ItemId } from './sync-items';
import { lockPlanScope } from './plan-scope';
import { terminalTemplatesWhy } from './cannot-hold';
import { cardsStillElsewhere, holdCardPuts, incomingCards } from './card-moves';
import { personBasics } from './sync-queries';
import { SECONDARY_CARD } from '../card/card-writes';
import type { PlannedCommand } from './sync-plan';
import { intoOf } from '../database/columns';
import { SyncItem } from './sync-state.entity';
import { forgetFingersResent } from '../attendance/fingerprint-count';

/** A template's identity in a person's set (bio_template's type, number and index), as uploads name it. */
export const templateKey = (bioType: number, no: number, index: number): string => `${bioType}:${no}:${index}`;

const CONFIRMED_INTO = intoOf(SyncItem, ['deviceId', 'kind', 'key', 'hash', 'confirmedAt']);

export interface AttSyncOptions {
  /** Re-send every desired item in scope, whatever the terminal confirmed. */
  force?: boolean;
  /** The terminal a change came from (enrolment there): it holds the user and templates it uploaded. */
  originDeviceId?: string;
  /**
   * Pins whose uploaded USER line the database did not take whole (a card or password another person holds): the
   * origin terminal holds something else than their record, so it is not believed to hold the record.
   */
  originDoubt?: ReadonlySet<string>;
  /**
   * Pins whose photo the origin terminal uploaded (a USERPIC line, stored as the person's photo): it holds that
   * photo too, so it is not sent back to it.
   */
  originPhotos?: ReadonlySet<string>;
  /**
   * Pins whose USER line the origin terminal sent but the database did not apply (a line sent before, skipped, or
   * one that made no person): the terminal holds them all the same. One the database does not put on that
   * terminal (deleted or moved out of its area since) is recorded as held in an unknown form, so the plan takes
   * it off; one it does is left as its confirmations say (its record is not the line's).
   */
  originHeld?: ReadonlySet<string>;
  /**
   * Per pin, the templates the origin terminal uploaded (`bioType:no:index`). It holds those and what it held before,
   * not necessarily the person's whole set (a template written through REST that it refused, or never got).
   */
  originTemplates?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * The pins the origin terminal uploaded a USER line for. A pin whose upload carried templates or a photo alone says
   * nothing of the user record it holds: left as its confirmations say (a REST edit it refused is sent again).
   */
  originUsers?: ReadonlySet<string>;
}

type Mode = 'diff' | 'force' | 'full';

interface PlanRequest {
  deviceIds: readonly string[];
  /** The terminals in scope read again once their order locks are held (plan-scope.ts). */
  devicesNow?: (planned: string[]) => Read<readonly string[]>;
  pins: PinScope;
  mode: Mode;
  /** Pins to treat as gone (deleted or resigned in this transaction). */
  absent?: ReadonlySet<string>;
  originDeviceId?: string;
  originDoubt?: ReadonlySet<string>;
  originPhotos?: ReadonlySet<string>;
  originHeld?: ReadonlySet<string>;
  originTemplates?: ReadonlyMap<string, ReadonlySet<string>>;
  originUsers?: ReadonlySet<string>;
}

/** What the terminals in a plan should hold: device id → pin → items; and what cannot be sent. */
interface TerminalDesired {
  members: Map<string, Map<string, TerminalMember>>;
  skipped: Array<{ deviceId: string; pin: string; reason: string }>;
  /**
   * On the origin terminal of an upload, per pin: the hash of the template set it must have held before for the set
   * it holds now to be the person's whole set (their templates but those it uploaded), null when it uploaded them all.
   */
  heldBefore: Map<string, string | null>;
  /** Per terminal id, pin → the person its members were built from (a held card move's record without the card). */
  persons: Map<string, Map<string, AttSyncPerson>>;
}

/**
 * The attendance part of the one planner: which persons belong on which attendance terminal and FaceKiosk,
 * and the commands in the terminal's dialect. A person belongs on the terminals (kind `att`) of the attendance
 * areas they are a member of (`attAreaPerson`), and on the kiosks (kind `facekiosk`) of their FaceKiosk areas
 * (`insAreaPerson`) unless blacklisted there (editInsPerson category 2: blocked = not on the kiosk).
 *
 * Like the access planner, a plan is diff(desired, current) where current is the terminal's CONFIRMED state
 * (sync_item, written from its Return codes by SyncConfirmation) replayed with the commands still in flight:
 * a refused or unanswered command leaves its item unconfirmed, in backoff, and the reconciler plans it again;
 * a table the firmware refused for good (-1002 repeatedly, -1004) is not planned. Every method runs in the
 * caller's transaction.
 */
@Injectable()
export class AttendanceSyncService {
  private readonly log = new Logger('AttendanceSync');

  constructor(
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Persons changed (saved, area membership, attendance settings, enrolment): their terminals converge. */
  async syncPersons(m: EntityManager, personIds: readonly string[], opts: AttSyncOptions = {}): Promise<void> {
    if (personIds.length === 0 && !opts.originHeld?.size) return;
    const rows: Array<{ pin: string }> = personIds.length ? await m.query(`SELECT pin FROM person WHERE id = ANY($1)`, [[...personIds]]) : [];
    await this.syncPins(m, rows.map((r) => r.pin), opts);
  }

  /** syncPersons for a caller that holds the persons' pins (a write group): no lookup of them. */
  syncPersonPins(m: EntityManager, pins: readonly string[], opts: AttSyncOptions = {}): Promise<void> {
    return this.syncPins(m, pins, opts);
  }

  /** A person deleted or resigned: off every terminal that holds them. */
  removePin(m: EntityManager, pin: string): Promise<void> {
    return this.removePins(m, [pin]);
  }

  /** Several persons deleted at once: one plan for all of them. */
  removePins(m: EntityManager, pins: readonly string[]): Promise<void> {
    return this.syncPins(m, pins, {}, new Set(pins));
  }

  /** Everything one terminal should hold (admitted, moved to another area, or asked for a full sync). */
  async syncTerminalFull(m: EntityManager, deviceId: string): Promise<void> {
    await this.plan(m, { deviceIds: [deviceId], pins: null, mode: 'full' });
    await forgetFingersResent(m, deviceId);
  }

  /** One terminal planned against what it confirmed (the reconciler: items out of backoff, re-registration). */
  async reconcileTerminal(m: EntityManager, deviceId: string, pins: PinScope): Promise<void> {
    await this.plan(m, { deviceIds: [deviceId], pins, mode: 'diff' });
  }

  /** Whether the device is an admitted terminal or kiosk (planned here, not by the access planner). */
  async isTerminal(m: EntityManager, deviceId: string): Promise<boolean> {
    return (await this.terminalsAmong(m, [deviceId])).has(deviceId);
  }

  /** Which of these devices are attendance terminals, in one query. */
  async terminalsAmong(m: EntityManager, deviceIds: readonly string[]): Promise<Set<string>> {
    return new Set((await loadTerminals(m, deviceIds)).keys());
  }

  /** Terminals where these pins belong (their areas). */
  async terminalsOf(m: EntityManager, pins: readonly string[]): Promise<string[]> {
    return [...new Set((await loadMembership(m, { pins: [...pins] })).map((w) => w.deviceId))];
  }

  /**
   * Remote attendance (attendance manual 14): what a terminal that does not hold a person is handed when that
   * person keys in their PIN there: the user record and templates in the terminal's dialect, as bare command
   * records (no `C:<id>:`). Nothing is recorded as held: the terminal keeps such a user only for a while. Empty
   * when the PIN is no active person's or the device is no admitted terminal. A terminal keeping numeric PINs asks
   * for person 0412 as 412 (personPinsOnDevice); matched as written, it was answered nobody.
   */
  async remoteAttendance(m: EntityManager, deviceId: string, keyed: string, stringPins = false): Promise<string[]> {
    const t = (await loadTerminals(m, [deviceId])).get(deviceId);
    if (!t) return [];
    const pin = (await personPinsOnDevice(m, [keyed], stringPins)).get(keyed) ?? keyed;
    const [row]: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE pin = $1 AND status = 'active'`, [pin]);
    if (!row) return [];
    const [p] = await loadPersons(m, [row.id]);
    if (!p) return [];
    return [userInfoCommand(p), ...templateCommands(t, p.pin, (await loadTemplates(m, [row.id])).get(row.id) ?? [])];
  }

  /** Desired item hashes of these terminals (operators' convergence views); non-terminals are absent. */
  async desiredHashes(m: EntityManager, deviceIds: readonly string[], pins: PinScope): Promise<Map<string, DesiredHashes>> {
    const terminals = await loadTerminals(m, deviceIds);
    // What the database gives each terminal, the template types it refused included (said lacking, with the
    // refusal), and what it is sent without them.
    const refusing = (t: AttSyncTerminal) => !!t.refusedBioTypes?.length || t.bioPhotoRefused === true;
    const typed = [...terminals.values()].filter(refusing);
    const desired = await this.loadDesired(m, new Map([...terminals].map(([id, t]) => [id, refusing(t) ? { ...t, refusedBioTypes: [], bioPhoto: t.bioPhoto || t.bioPhotoRefused } : t])), pins);
    const sent = typed.length ? await this.loadDesired(m, new Map(typed.map((t) => [t.id, t])), pins) : null;
    const refusals = await loadRefusals(m, [...terminals.keys()], { withDue: true });
    const hashesOf = (members: ReadonlyMap<string, TerminalMember>) => {
      const hashes = new Map<ItemId, string>();
      for (const [pin, member] of members) for (const [kind, item] of member) hashes.set(`${kind}\t${pin}`, item.hash);
      return hashes;
    };
    const out = new Map<string, DesiredHashes>();
    for (const t of terminals.values()) {
      const members = desired.members.get(t.id) ?? new Map<string, TerminalMember>();
      const hashes = hashesOf(members);
      const typeRefused = refusing(t)
        ? typeRefusedSets(hashes, hashesOf(sent?.members.get(t.id) ?? new Map()), {
            bio: (t.refusedBioTypes ?? []).map((type) => `${BIODATA_TYPE_REFUSAL}${type}`),
            photo: t.bioPhotoRefused ? [BIOPHOTO_UPDATE] : [],
          })
        : undefined;
      const skipped = new Map(desired.skipped.filter((s) => s.deviceId === t.id).map((s) => [s.pin, s.reason]));
      const held = refusals.get(t.id);
      const refused = refusedItemKeys(members, held);
      // An item to remove is held back by the refusal of its delete (a terminal that refused DATA DELETE USERINFO
      // keeps a person who left): listed as an addition's refusal is.
      const refusedBy = (id: ItemId, wanted: boolean): string | null => {
        if (wanted) return refused.get(id) ?? null;
        const [kind, pin] = splitItemId(id);
        return removalRefusalKeys(t, kind, pin).find((k) => held?.has(k)) ?? null;
      };
      const templates = { holds: (x: { bioType: number; templateNo: number; majorVer: number }) => terminalHoldsTemplate(t, x), why: (notHeld: readonly number[]) => terminalTemplatesWhy(t.biodata, t.bioTypes, t.bioVersions, t.bioOff, notHeld) };
      out.set(t.id, { sn: t.sn, hashes, skipped, refusedBy, typeRefused, secondaryCards: 'first', templates });
    }
    return out;
  }

  private async syncPins(m: EntityManager, pins: readonly string[], opts: AttSyncOptions, absent?: ReadonlySet<string>): Promise<void> {
    const held = opts.originDeviceId ? [...(opts.originHeld ?? [])] : [];
    const unique = [...new Set([...pins, ...held])];
    if (unique.length === 0) return;
    await preferGenericPlans(m);
    const devicesNow = (planned: string[]) => read(TERMINALS_OF_PINS_SQL, [unique, MEMBER_KINDS, planned], (rows: Array<{ id: string }>) => rows.map((r) => r.id));
    // The origin terminal is in the plan: it holds what it uploaded, even users the database does not put on it.
    const deviceIds = [...new Set([...(await runRead(m, devicesNow([]))), ...(opts.originDeviceId ? [opts.originDeviceId] : [])])];
    await this.plan(m, {
      deviceIds,
      devicesNow,
      pins: unique,
      mode: opts.force ? 'force' : 'diff',
      absent,
      originDeviceId: opts.originDeviceId,
      originDoubt: opts.originDoubt,
      originPhotos: opts.originPhotos,
      // Also a pin whose templates were stored while its USER line was skipped: the user record is still the line's.
      originHeld: new Set(held),
      originTemplates: opts.originTemplates,
      originUsers: opts.originUsers,
    });
  }

  private async plan(m: EntityManager, req: PlanRequest): Promise<void> {
    const terminals = await loadTerminals(m, req.deviceIds);
    if (terminals.size === 0) return;
    const { confirmed, inflight, refusals } = await lockPlanScope(this.queue, m, terminals, req.devicesNow, (ids) => loadTerminals(m, ids), (all) => ({
      confirmed: confirmedRead([...all.keys()], req.pins),
      inflight: inflightRead([...all.values()].map((t) => t.sn), req.pins),
      refusals: refusalsRead([...all.keys()]),
    }));
    const origin = req.originDeviceId ? { deviceId: req.originDeviceId, templates: req.originTemplates ?? new Map<string, ReadonlySet<string>>() } : undefined;
    const desired = await this.loadDesired(m, terminals, req.pins, req.absent, origin);
    const pinSet = req.pins === null ? null : new Set(req.pins);
    const inScope = (id: ItemId) => {
      const [kind, key] = splitItemId(id);
      return TERMINAL_KINDS.includes(kind) && (pinSet === null || pinSet.has(key));
    };
    const plan = newId();
    const batches: Array<{ deviceSn: string; commands: PlannedCommand[] }> = [];
    const sent: Array<{ deviceId: string; pin: string }> = [];
    const settled: SettledItem[] = [];
    for (const t of [...terminals.values()].sort((a, b) => a.sn.localeCompare(b.sn))) {
      const members = desired.members.get(t.id) ?? new Map<string, TerminalMember>();
      const hashes = new Map<ItemId, string>();
      for (const [pin, member] of members) for (const [kind, item] of member) hashes.set(`${kind}\t${pin}`, item.hash);
      const have = confirmed.get(t.id)!;
      await upgradeBioHashes(m, t.id, hashes, have.confirmed);
      let current = currentState(have.confirmed, inflight.get(t.sn) ?? []);
      if (t.id === req.originDeviceId) {
        // What it uploaded, it holds: recorded as confirmed. Then it is planned like any terminal, against that
        // record replayed with the commands still in flight to it: a command queued before the upload (a REST
        // edit or delete of the same person) runs after it, so the terminal is brought back to the database.
        // Its template set only where it now holds the person's whole set: what it confirmed before, with what it uploaded.
        const bioHeld = (pin: string) => {
          const before = desired.heldBefore.get(pin);
          return before === null || (before !== undefined && have.confirmed.get(itemId('bio', pin)) === before);
        };
        // A photo it enrolled is held as its USERPIC alone: a comparison photo it should hold is still sent.
        const enrolled = new Map(hashes);
        for (const [pin, member] of members) {
          const photo = member.get('photo');
          if (photo) enrolled.set(itemId('photo', pin), enrolledPhotoHash(photo));
        }
        const recorded = await recordEnrolled(m, t.id, enrolled, current, pinSet, req.originDoubt, req.originPhotos, req.originHeld, bioHeld, req.originUsers);
        // Recorded as the device's own word, their failures and backoff are reset: planned now, not held back.
        for (const [id, hash] of recorded) {
          have.confirmed.set(id, hash);
          have.hold.delete(id);
        }
        current = currentState(have.confirmed, inflight.get(t.sn) ?? []);
        // A user it holds in a form the database did not take is unknown whatever is in flight to it: a command
        // it ran before the upload (its result not in yet) says nothing of what it holds now, so the plan corrects
        // it again (a delete of a user it no longer holds is answered -10, done).
        for (const [id, hash] of recorded) if (hash === UNKNOWN_HASH) current.set(id, UNKNOWN_HASH);
      }
      releaseSuperseded(have, hashes);
      const refused = refusedItems(members, refusals.get(t.id));
      const hold = new Set([...have.hold, ...refused]);
      const diff: Diff =
        req.mode === 'diff'
          ? diffItems({ desired: hashes, current, hold, inScope })
          : { put: diffItems({ desired: hashes, current: new Map(), hold: refused, inScope }).put, remove: diffItems({ desired: hashes, current, hold: refused, inScope }).remove };
      // A card another pin of the terminal still holds, or may hold, waits until that pin's record has lost it
      // (card-moves.ts): the record carries it (Card=, ViceCard=), and a terminal is never cleared before its users go.
      const incoming = incomingCards('user', diff.put, hashes, current);
      const waiting = await cardsStillElsewhere(m, t.id, 'user', incoming);
      if (waiting.size > 0) {
        // A waiting pin whose record without its incoming cards differs from what the terminal holds (it gives up a
        // card: two pins swapping, each waiting on the other's) gets that record now; the new cards follow.
        const without = [...waiting].flatMap((pin) => {
          const p = desired.persons.get(t.id)?.get(pin);
          const item = p ? userItemWithout(p, incoming.get(pin) ?? []) : undefined;
          return item && item.hash !== current.get(itemId('user', pin)) ? [[pin, item] as const] : [];
        });
        for (const [pin, item] of without) members.set(pin, new Map([...members.get(pin)!, ['user', item]]));
        const held = [...waiting].filter((pin) => !without.some(([w]) => w === pin));
        diff.put = diff.put.filter((id) => !(id.startsWith('user\t') && held.includes(splitItemId(id)[1])));
        // All wait a retry, those sent without their new cards too: confirmed while waiting, an item stays due
        // (sync-confirm.ts PUT_IN_BACKOFF) and is planned again with its cards.
        await holdCardPuts(m, t.id, 'user', [...waiting], this.config.syncRetryBaseMs);
        this.log.log(`terminal ${t.sn}: card of ${[...waiting].join(', ')} waits until its old holder there has lost it`);
      }
      if (req.mode === 'diff') settled.push(...settledFailures(t.id, have, hashes, current, inScope));
      for (const id of diff.put) if (id.startsWith('user\t') && have.skipped.has(id.slice(5))) sent.push({ deviceId: t.id, pin: id.slice(5) });
      const commands = composeTerminalCommands(t, members, diff, current, plan, req.mode !== 'diff');
      if (commands.length) batches.push({ deviceSn: t.sn, commands });
    }
    for (const s of desired.skipped) this.log.warn(`person ${s.pin} is not sent to terminal ${terminals.get(s.deviceId)?.sn}: ${s.reason}`);
    await noteSkipped(m, desired.skipped, sent);
    await clearFailures(m, settled);
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }

  /** Members of these terminals (pins in scope, absent ones left out), as items with their commands. */
  private async loadDesired(
    m: EntityManager,
    terminals: Map<string, AttSyncTerminal>,
    pins: PinScope,
    absent: ReadonlySet<string> = new Set(),
    origin?: { deviceId: string; templates: ReadonlyMap<string, ReadonlySet<string>> },
  ): Promise<TerminalDesired> {
    const out: TerminalDesired = { members: new Map(), skipped: [], heldBefore: new Map(), persons: new Map() };
    if (terminals.size === 0) return out;
    const wanted = await loadMembership(m, pins === null ? { deviceIds: [...terminals.keys()] } : { pins: [...pins], deviceIds: [...terminals.keys()] });
    const personIds = [...new Set(wanted.map((w) => w.personId))];
    const persons = new Map((await loadPersons(m, personIds)).map((p) => [p.id, p]));
    const templates = await loadTemplates(m, personIds);
    for (const w of wanted) {
      const t = terminals.get(w.deviceId);
      const base = persons.get(w.personId);
      if (!t || !base || absent.has(base.pin)) continue;
      let members = out.members.get(t.id);
      if (!members) out.members.set(t.id, (members = new Map()));
      if (members.has(base.pin)) continue;
      const p: AttSyncPerson = t.kind === 'facekiosk' ? { ...base, pri: w.insPri, disabled: null } : base;
      try {
        members.set(p.pin, terminalMember(t, p, templates.get(p.id) ?? []));
        let persons = out.persons.get(t.id);
        if (!persons) out.persons.set(t.id, (persons = new Map()));
        persons.set(p.pin, p);
        if (t.id === origin?.deviceId) {
          const uploaded = origin.templates.get(p.pin);
          const rest = (templates.get(p.id) ?? []).filter((x) => !uploaded?.has(templateKey(x.bioType, x.no, x.index)));
          out.heldBefore.set(p.pin, terminalMember(t, p, rest).get('bio')?.hash ?? null);
        }
      } catch (err) {
        out.skipped.push({ deviceId: t.id, pin: p.pin, reason: `cannot be encoded: ${(err as Error).message}` });
      }
    }
    return out;
  }
}

/**
 * The terminal a person enrolled at uploaded their user record and templates (OPERLOG): it holds them, so they
 * are recorded as confirmed (the device's own word, like a Return) instead of being sent back to it. Its photo
 * only when the upload carried one (`photos`, USERPIC lines): a template enrolled there says nothing of the photo.
 * A user in `doubt` (held in a form the database did not take) or `untaken` (its line not applied) is recorded with
 * unknown content where the database does not put it on this terminal, so the plan takes it off; an `untaken` one
 * the database does put there keeps what its confirmations say.
 */
async function recordEnrolled(
  m: EntityManager,
  deviceId: string,
  hashes: Map<ItemId, string>,
  current: Map<ItemId, string>,
  pins: ReadonlySet<string> | null,
  doubt: ReadonlySet<string> = new Set(),
  photos: ReadonlySet<string> = new Set(),
  untaken: ReadonlySet<string> = new Set(),
  bioHeld: (pin: string) => boolean = () => true,
  lines?: ReadonlySet<string>,
): Promise<Array<[ItemId, string]>> {
  // A user record the database did not take whole (doubt) is held in another form: unknown, so it is sent again.
  const held = [...hashes]
    .filter(([id]) => {
      const [kind, pin] = splitItemId(id);
      const doubted = kind === 'user' && doubt.has(pin);
      // Its user record is as its confirmations say (the line was not applied); templates and a photo it uploaded
      // were stored, and are recorded by the rules below.
      if (kind === 'user' && untaken.has(pin) && !doubted) return false;
      // No USER line of the pin (templates or a photo alone): its user record is as its confirmations say, where it
      // confirmed one. Taken as the database's, a REST edit it had refused (a privilege, a card) was said held, for good.
      if (kind === 'user' && lines && !lines.has(pin) && current.get(id) !== undefined) return false;
      return (kind === 'user' || (kind === 'bio' && bioHeld(pin)) || (kind === 'photo' && photos.has(pin))) && (pins === null || pins.has(pin)) && (doubted || current.get(id) !== hashes.get(id));
    })
    .map(([id, hash]): [ItemId, string] => [id, id.startsWith('user\t') && doubt.has(splitItemId(id)[1]) ? UNKNOWN_HASH : hash]);
  // A user it holds in a form the database did not take, or not taken at all, that the database does not put on
  // it: taken off.
  for (const pin of new Set([...untaken, ...doubt])) {
    const id = itemId('user', pin);
    if (!hashes.has(id) && pin.length <= 64) held.push([id, UNKNOWN_HASH]);
  }
  if (held.length === 0) return [];
  await m.query(
    `INSERT INTO ${CONFIRMED_INTO}
     SELECT $1, k, p, h, now() FROM unnest($2::varchar[], $3::varchar[], $4::text[]) AS x(k, p, h)
     ON CONFLICT (device_id, kind, key) DO UPDATE SET hash = EXCLUDED.hash, confirmed_at = now(), failures = 0, next_try_at = NULL, failed_plan = NULL`,
    [deviceId, held.map(([id]) => splitItemId(id)[0]), held.map(([id]) => splitItemId(id)[1]), held.map(([, h]) => h)],
  );
  return held;
}

/**
 * A template set confirmed before its hash named its slots (`<types>:<sha>`) that is the set the terminal should
 * hold (the same legacy part as the desired hash) is that set: its confirmed hash becomes the desired one in place,
 * with nothing sent, so a later change of one template deletes and sends that slot only. Migration 1763700010210
 * makes such items due, so the reconciler does this once for every terminal.
 */
async function upgradeBioHashes(m: EntityManager, deviceId: string, desired: ReadonlyMap<ItemId, string>, confirmed: Map<ItemId, string>): Promise<void> {
  const upgrades: Array<[string, string, string]> = [];
  for (const [id, hash] of desired) {
    const held = confirmed.get(id);
    if (!id.startsWith('bio\t') || !held || held === hash || held.includes('/') || held !== bioLegacyHash(hash)) continue;
    upgrades.push([splitItemId(id)[1], held, hash]);
    confirmed.set(id, hash);
  }
  if (upgrades.length === 0) return;
  await m.query(
    `UPDATE sync_item s SET hash = x.h FROM unnest($2::varchar[], $3::text[], $4::text[]) AS x(k, old, h)
      WHERE s.device_id = $1 AND s.kind = 'bio' AND s.key = x.k AND s.hash = x.old`,
    [deviceId, upgrades.map((u) => u[0]), upgrades.map((u) => u[1]), upgrades.map((u) => u[2])],
  );
}

interface Membership {
  deviceId: string;
  personId: string;
  /** FaceKiosk privilege of the person (editInsPerson). */
  insPri: number;
}

/**
 * (terminal, person) pairs that should exist: attendance areas → att terminals of the area; FaceKiosk areas →
 * kiosks of the area, blacklisted persons excepted. Active persons only.
 */
async function loadMembership(m: EntityManager, where: { pins?: string[]; deviceIds?: string[] }): Promise<Membership[]> {
  const params: unknown[] = [];
  const filters: string[] = [];
  if (where.deviceIds) {
    params.push(where.deviceIds);
    filters.push(`d.id = ANY($${params.length})`);
  }
  if (where.pins) {
    params.push(where.pins);
    filters.push(`p.pin = ANY($${params.length})`);
  }
  const rows: Array<{ device_id: string; person_id: string; ins_pri: number | null }> = await m.query(
    `SELECT d.id AS device_id, ap.person_id, ax.ins_per_dev_auth AS ins_pri ${membershipFromSql(filters.length ? filters.join(' AND ') : 'true')}`,
    params,
  );
  return rows.map((r) => ({ deviceId: r.device_id, personId: r.person_id, insPri: Number(r.ins_pri ?? 0) }));
}

/** FROM and WHERE of the (terminal, person) pairs that should exist (loadMembership), with `where` on `d`, `p` and `ap`. */
export const membershipFromSql = (where: string) => `FROM att_area_person ap
       JOIN device d ON d.area_id = ap.area_id AND d.admission = 'admitted'
        AND ${effectiveKindSql('d')} = CASE ap.module WHEN 'att' THEN 'att' ELSE 'facekiosk' END
       JOIN person p ON p.id = ap.person_id AND p.status = 'active'
       LEFT JOIN att_person ax ON ax.person_id = ap.person_id
      WHERE ${where} AND NOT (ap.module = 'ins' AND COALESCE(ax.ins_category, 0) = 2)`;

/**
 * Terminals and kiosks where these pins ($1) belong, or that hold or are being sent them ($2: MEMBER_KINDS; the
 * commands of the SNs in $3 not searched, see devicesTouchingSql), in
 * one query: only terminals' commands are searched for the pins (an access panel's pending commands are not this
 * planner's business, and are long while persons are being added).
 */
const TERMINALS_OF_PINS_SQL = `SELECT DISTINCT d.id ${membershipFromSql('p.pin = ANY($1)')}
     UNION ${devicesTouchingSql('$1', '$2', `${effectiveKindSql('d')} IN ('att', 'facekiosk')`, '$3')}`;

async function loadPersons(m: EntityManager, ids: readonly string[]): Promise<AttSyncPerson[]> {
  if (ids.length === 0) return [];
  const rows: Array<{
    id: string;
    pin: string;
    name: string | null;
    last_name: string | null;
    card_no: string | null;
    vice_card: string | null;
    password: string | null;
    photo: string | null;
    pri: number | null;
    verify_mode: number | null;
    terminal_grp: number | null;
    terminal_tz: string | null;
    terminal_disabled: boolean | null;
    is_disabled: boolean;
  }> = await m.query(
    // The terminal's ViceCard is the first secondary card, in secondaryCardsOf's order (setViceCard puts an uploaded one first).
    `SELECT p.id, p.pin, p.name, p.last_name, p.card_no, p.password, p.photo, ax.per_dev_auth AS pri, ax.verify_mode, ax.terminal_grp, ax.terminal_tz, ax.terminal_disabled, p.is_disabled,
        (SELECT c.card_no FROM card c WHERE c.person_id = p.id AND c.card_type = ${SECONDARY_CARD} ORDER BY c.created_at, c.card_no LIMIT 1) AS vice_card
       FROM person p LEFT JOIN att_person ax ON ax.person_id = p.id WHERE p.id = ANY($1)`,
    [ids],
  );
  return rows.map((r) => ({
    ...personBasics(r),
    viceCard: r.vice_card,
    photo: r.photo,
    pri: Number(r.pri ?? 0),
    verifyMode: r.verify_mode === null ? null : Number(r.verify_mode),
    grp: r.terminal_grp === null ? null : Number(r.terminal_grp),
    tz: r.terminal_tz,
    // A person on the disabled list (person isDisabled, REST) is a disabled user on the terminals, as one disabled
    // at a terminal's menu is: enrolled, templates kept, but not let punch (an odd Pri, bit 0, attPrivilegeOf).
    disabled: r.is_disabled ? true : r.terminal_disabled,
  }));
}

/**
 * Admitted attendance terminals and kiosks. Unified templates (BIODATA) when the terminal announced a 2.4+
 * protocol or reported BIODATA/multi-biometric options, unless it refused `DATA UPDATE BIODATA` for good (-1004, or
 * -1002 repeatedly: firmware announcing pushver 2.4.1 whose algorithm is 10.0, field notes 5 and 14); FINGERTMP/FACE/FVEIN
 * otherwise (attendance manual 12.1.1.3: FINGERTMP is for algorithms up to 10.0). The refusal stays until another
 * firmware registers (device-refusals.ts), so a firmware upgrade gets BIODATA again. The reverse: a terminal below 2.4
 * (2.2.14 or later) that refused FINGERTMP or FACE for good, or whose options report a fingerprint algorithm above
 * 10.0 (fingerprintsPastFingerTmp), gets BIODATA (LEGACY_UPDATES).
 */
/**
 * The terminals in a plan, with their dialect. BIODATA is decided from the options pushed since the terminal's last
 * initialisation (att_terminal.last_contact_at) when it pushed any: a unit replaced under the same SN by an older one,
 * or a firmware that lost BioData, pushes options without it and is sent FINGERTMP/FACE/FVEIN again. Before it
 * pushes, or for firmware that never pushes after an initialisation, every options push it made counts.
 */
/** The refusal key (refusalKey) of the unified-template write. */
const BIODATA_UPDATE = 'DATA UPDATE BIODATA';
/**
 * The refusal keys of the older template writes. A terminal below pushver 2.4 that pushed no BioData option is sent
 * FINGERTMP/FACE; one that refuses either for good (firmware whose fingerprint algorithm is above 10.0, which
 * FINGERTMP does not carry, manual 12.1.1.3) is sent BIODATA instead when its protocol is 2.2.14 or later (the
 * unified templates' minimum: field notes 5; manual V3.2, the BIODATA table in the initialisation), unless it refused
 * BIODATA for good too: the reverse of the BIODATA fallback, and never a swing between the two.
 */
const LEGACY_UPDATES = ['DATA UPDATE FINGERTMP', 'DATA UPDATE FACE'];
/** The refusal key of the comparison photo write: a terminal's refusal of its BIOPHOTO table, whatever photo it was. */
const BIOPHOTO_UPDATE = 'DATA UPDATE BIOPHOTO';

async function loadTerminals(m: EntityManager, ids: readonly string[]): Promise<Map<string, AttSyncTerminal>> {
  if (ids.length === 0) return new Map();
  const rows: Array<{
    id: string;
    sn: string;
    kind: 'att' | 'facekiosk';
    area_id: string | null;
    pushver: string | null;
    biodata_option: boolean;
    biodata_refused: string | null;
    legacy_refused: boolean;
    multi_bio: string | null;
    fp_version: string | null;
    multi_bio_version: string | null;
    zkfp_version: string | null;
    face_version: string | null;
    switches: Record<string, string | null>;
    info_fp_version: string | null;
    info_face_version: string | null;
    bio_photo: BioPhotoWord | null;
    bio_photo_refused: boolean;
    refused_types: string[] | null;
  }> = await m.query(
    `SELECT d.id, d.sn, ${effectiveKindSql('d')} AS kind, d.area_id,
            COALESCE(t.handshake->>'pushver', d.registration->>'pushver') AS pushver,
            COALESCE(
              (SELECT bool_or(coalesce(u.record->>'BioDataFun' = '1', false) OR u.record ? 'MultiBioDataSupport') FROM device_upload u
                WHERE u.device_sn = d.sn AND u.table_name = 'options' AND u.received_at >= t.last_contact_at),
              EXISTS (SELECT 1 FROM device_upload u WHERE u.device_sn = d.sn AND u.table_name = 'options'
                       AND (u.record->>'BioDataFun' = '1' OR u.record ? 'MultiBioDataSupport'))) AS biodata_option,
            (SELECT r.command FROM device_refusal r WHERE r.device_id = d.id AND r.what = '${BIODATA_UPDATE}' AND ${FOR_GOOD_SQL}) AS biodata_refused,
            EXISTS (SELECT 1 FROM device_refusal r WHERE r.device_id = d.id AND r.what = ANY($2) AND ${FOR_GOOD_SQL}) AS legacy_refused,
            ${latestOption('MultiBioDataSupport')} AS multi_bio,
            ${latestOption('FPVersion')} AS fp_version,
            ${latestOption('MultiBioVersion')} AS multi_bio_version,
            ${latestOption('ZKFPVersion')} AS zkfp_version,
            ${latestOption('FaceVersion')} AS face_version,
            jsonb_build_object(${FUNCTION_SWITCH_TYPES.map((w) => `'${w.option}', ${latestOption(w.option)}`).join(', ')}) AS switches,
            t.info->>'fpVersion' AS info_fp_version, t.info->>'faceVersion' AS info_face_version,
            t.bio_photo,
            EXISTS (SELECT 1 FROM device_refusal r WHERE r.device_id = d.id AND r.what = '${BIOPHOTO_UPDATE}' AND ${FOR_GOOD_SQL} AND r.probe_at > now()) AS bio_photo_refused,
            ARRAY(SELECT substr(r.what, $3) FROM device_refusal r WHERE r.device_id = d.id AND starts_with(r.what, $4) AND ${FOR_GOOD_SQL} AND r.probe_at > now()) AS refused_types
       FROM device d LEFT JOIN att_terminal t ON t.device_id = d.id
      WHERE d.id = ANY($1) AND d.admission = 'admitted' AND ${effectiveKindSql('d')} IN ('att', 'facekiosk')`,
    [ids, LEGACY_UPDATES, BIODATA_TYPE_REFUSAL.length + 1, BIODATA_TYPE_REFUSAL],
  );
  return new Map(
    rows.map((r) => {
      // A refusal kept under the table's key by a gateway that did not key types apart: its command says the type
      // refused. One a type of its own has now (a face) is taken as that type's refusal, not the table's, so the other
      // templates go as BIODATA and the first success forgets the row (recordRefusals).
      // Its last word on comparison photos, wherever it said it (options, INFO result, a poll's INFO bits).
      const bioPhoto = takesVisibleFacePhotos(r.bio_photo);
      const tableRefusal = r.biodata_refused === null ? null : refusalKey(r.biodata_refused);
      const oldType = tableRefusal?.startsWith(BIODATA_TYPE_REFUSAL) ? [tableRefusal.slice(BIODATA_TYPE_REFUSAL.length)] : [];
      const biodata =
        (r.biodata_option || pushverAtLeast(r.pushver, [2, 4, 0]) || ((r.legacy_refused || fingerprintsPastFingerTmp(r.fp_version)) && pushverAtLeast(r.pushver, [2, 2, 14]))) &&
        (tableRefusal === null || oldType.length > 0);
      return [
        r.id,
        {
          id: r.id,
          sn: r.sn,
          kind: r.kind,
          areaId: r.area_id,
          biodata,
          bioVersions: declaredVersions(biodata, r),
          bioTypes: parseMultiBioList(r.multi_bio ?? undefined)?.types ?? null,
          bioOff: switchedOffTypes(r.switches),
          refusedBioTypes: [...(r.refused_types ?? []), ...oldType].map(Number).filter(Number.isInteger),
          // Comparison photos (12.1.1.8) only to one that says it takes them, of the visible-light face (3.1).
          // One that refused them for good is sent USERPIC alone until the refusal's probe, as a refused template type.
          bioPhoto: bioPhoto && !r.bio_photo_refused,
          bioPhotoRefused: bioPhoto && r.bio_photo_refused,
        },
      ];
    }),
  );
}

/**
 * The latest value a terminal's options pushed for `key` (with or without the `~` some firmware puts before it, field
 * notes 1), null when it never named it.
 */
const latestOption = (key: string) => `(SELECT COALESCE(u.record->>'${key}', u.record->>'~${key}') FROM device_upload u
   WHERE u.device_sn = d.sn AND u.table_name = 'options' AND (u.record ? '${key}' OR u.record ? '~${key}') ORDER BY u.id DESC LIMIT 1)`;

/**
 * The template types a terminal's function switches turn off (FingerFunOn=0, FaceFunOn=0, FvFunOn=0, PvFunOn=0 in its
 * latest options naming each: attendance manual 8, PushOptions=FingerFunOn,FaceFunOn), as a panel's (switchedOffBioTypes):
 * a terminal whose fingerprint function is off matches no finger, whatever its table could store. A switch never
 * pushed, or pushed as anything but 0 or 1, turns nothing off.
 */
function switchedOffTypes(switches: Record<string, string | null> | null): number[] {
  const flag = (v: string | null | undefined) => (v?.trim() === '0' ? false : v?.trim() === '1' ? true : null);
  const at = (option: string) => flag(switches?.[option]);
  return switchedOffBioTypes({ fingerFunOn: at('FingerFunOn'), faceFunOn: at('FaceFunOn'), fvFunOn: at('FvFunOn'), pvFunOn: at('PvFunOn') });
}

/**
 * The algorithm (major version) a terminal declared per template type, what it can match (terminalHoldsTemplate):
 * the MultiBioVersion of its latest options naming it (attendance manual 3.1, Appendix 18: `0:10:0:7:...`, the
 * hybrid protocol's declaration). Firmware of the separate tables (FINGERTMP, FACE) predates it and says so in flat
 * values: FPVersion (or ~ZKFPVersion, field samples) for fingers, FaceVersion for the near-infrared face, else its
 * INFO's fingerprint and face algorithm fields (manual 9, Value6 and Value7), which many such terminals alone send.
 * The flat values are not read on BIODATA: there FaceVersion may be the visible-light face's (a SenseFace 2A:
 * FaceVersion=40 with type 9, field samples), and the manual's way to say versions is MultiBioVersion. Null when
 * nothing is declared: no template is held back for its version.
 */
function declaredVersions(
  biodata: boolean,
  r: { multi_bio_version: string | null; fp_version: string | null; zkfp_version: string | null; face_version: string | null; info_fp_version: string | null; info_face_version: string | null },
): Record<number, number> | null {
  const out: Record<number, number> = {};
  const multi = parseMultiBioList(r.multi_bio_version ?? undefined);
  multi?.values.forEach((v, type) => {
    const major = declaredMajorVersion(v);
    if (type > 0 && major) out[type] = major;
  });
  if (!biodata) {
    const finger = [r.fp_version, r.zkfp_version, r.info_fp_version].map(declaredMajorVersion).find((v) => v !== null);
    const face = [r.face_version, r.info_face_version].map(declaredMajorVersion).find((v) => v !== null);
    if (finger && !out[BIO_TYPE.fingerprint]) out[BIO_TYPE.fingerprint] = finger;
    if (face && !out[BIO_TYPE.nirFace]) out[BIO_TYPE.nirFace] = face;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * Whether the fingerprint algorithm a terminal's options report (FPVersion: 10, 12, 13...) is one FINGERTMP does not
 * carry: "the fingerprint algorithm version supported by this command is less than or equal to 10.0" (manual
 * 12.1.1.3). Such a terminal below pushver 2.4 without BioData options gets BIODATA from the start (at 2.2.14 or
 * later, the unified templates' minimum), instead of after a refusal of FINGERTMP for good, which firmware answering
 * -12 (a record refused, field sample rc-iface950-fingertmp-12) never gives.
 */
function fingerprintsPastFingerTmp(fpVersion: string | null): boolean {
  const v = Number.parseFloat(fpVersion ?? '');
  return Number.isFinite(v) && v > 10;
}

/**
 * Whether the protocol a terminal announced is `min` or later. A terminal that sends no pushver at all uses 2.2.14
 * ("If there is no pushver field, then the default device USES the 2.2.14 protocol version", manual Appendix 6).
 */
function pushverAtLeast(v: string | null, min: number[]): boolean {
  const parts = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(v == null || v.trim() === '' ? '2.2.14' : v);
  if (!parts) return false;
  const got = [Number(parts[1]), Number(parts[2]), Number(parts[3] ?? 0)];
  for (let i = 0; i < 3; i++) if (got[i] !== min[i]) return got[i] > min[i];
  return true;
}

async function loadTemplates(m: EntityManager, personIds: readonly string[]): Promise<Map<string, AttSyncTemplate[]>> {
  if (personIds.length === 0) return new Map();
  const rows: Array<{ person_id: string; bio_type: number; template_no: number; template_no_index: number; valid_type: number; major_ver: number; minor_ver: number; format: number; template: string }> =
    await m.query(
      `SELECT person_id, bio_type, template_no, template_no_index, valid_type, major_ver, minor_ver, format, template
         FROM bio_template WHERE person_id = ANY($1) ORDER BY person_id, bio_type, template_no, template_no_index`,
      [personIds],
    );
  const out = new Map<string, AttSyncTemplate[]>();
  for (const r of rows) {
    const list = out.get(r.person_id) ?? [];
    list.push({ bioType: r.bio_type, no: r.template_no, index: r.template_no_index, validType: r.valid_type, majorVer: r.major_ver, minorVer: r.minor_ver, format: r.format, template: r.template });
    out.set(r.person_id, list);
  }
  return out;
}
