import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { effectiveKindSql, returnCodeManual } from '../device/device-kind';
import { loadRefusalFacts, loadRefusals, type RefusalFact } from '../push/device-refusals';
import { doorMask, PANEL_BIODATA_TYPE_REFUSAL, returnMeaning } from '../push/protocol';
import { failingReasons, itemReason, lastReturnReason } from './failing-reasons';
import { AttendanceSyncService } from './attendance-sync.service';
import { cannotHoldOf, loadHoldFacts, panelTemplates } from './cannot-hold';
import { devicesInDoubt, devicesTouching, GIVEN_UP, loadConfirmed, loadInflight, refNamesPins } from './confirmed-state';
import { loadDesired } from './desired-state';
import { loadDeviceCapacities } from '../device/device-capacity';
import type { SyncDevice } from './device-dialect';
import type { DeviceCannotHoldDto, DeviceConvergenceDto, PersonDeviceRightDto, PersonDeviceSyncDto, RefusalDto, UnknownRowsDto } from './dto/sync-status.dto';
import { authTimezones, currentState, desiredHashes, DEVICE_KINDS, MEMBER_KINDS, onItsWay, refusedHolding, splitItemId, typeRefusedSets, UNKNOWN_HASH, type DesiredDevice, type DesiredHashes, type ItemId } from './sync-items';
import { tableOf } from './sync-plan';
import { devicesGranting } from './sync-planner.service';
import { loadDevices } from './sync-queries';
import { readSnapshot } from '../database/snapshot';

/** Entries of a device's cannotHold listed at most (as its skipped members: the first hundred). */
const CANNOT_HOLD_LISTED = 100;

/** A device as the database gives it templates: every type it announced, those it refused for good too. */
const withAnnouncedTypes = (d: SyncDevice): SyncDevice => (d.announcedBioTypes ? { ...d, dialect: { ...d.dialect, bioTypes: [...d.announcedBioTypes] } } : d);

/** Rights as operators read them, from an auth hash ("1:1.2,2:1"): door bits, or an elevator controller's floors. */
function rightsOf(hash: string | undefined, elevator = false): PersonDeviceRightDto[] {
  if (!hash || hash === UNKNOWN_HASH) return [];
  return hash.split(',').map((part, i) => {
    const points = part.split(':')[1].split('@')[0].split('.').filter(Boolean).map(Number);
    return elevator ? { timezoneId: authTimezones(hash)[i], floors: points } : { timezoneId: authTimezones(hash)[i], authorizeDoorId: doorMask(points) };
  });
}

/** What operators read of the rows a panel holds beyond those it confirmed, in a table whose clear it refused. */
const ROWS_NAMED: Record<string, [string, string]> = {
  user: ['user', 'users'],
  USERINFO: ['user', 'users'],
  userauthorize: ['access right', 'access rights'],
  usereleauthorize: ['floor right', 'floor rights'],
  gatepassrule: ['pass rule', 'pass rules'],
};

function unknownRowsOf(r: { device_id: string; what: string; return_code: number; excess_rows: number }): UnknownRowsDto & { deviceId: string } {
  const table = r.what.replace(/^DATA DELETE /, '').replace(/ \*$/, '');
  const [one, many] = ROWS_NAMED[table] ?? [`${table} row`, `${table} rows`];
  return {
    deviceId: r.device_id,
    table,
    rows: r.excess_rows,
    returnCode: r.return_code,
    reason: `holds ${r.excess_rows} ${r.excess_rows === 1 ? one : many} the database does not give it; the firmware refused clearing the table (Return ${r.return_code})`,
  };
}

/** A refusal for good as the sync views list it (RefusalDto): its key, Return code and meaning, and when it is probed. */
function refusalOf(what: string, fact: RefusalFact | undefined, kind: string, tz: string): RefusalDto {
  const returnCode = fact?.returnCode ?? null;
  return {
    what,
    returnCode,
    meaning: returnCode === null ? null : (returnMeaning(returnCode, returnCodeManual(kind)) ?? null),
    reason: 'unsupported',
    refusals: fact?.refusals ?? 0,
    lastAt: formatCvDateTime(fact?.lastAt ?? null, tz),
    probeAt: formatCvDateTime(fact?.probeAt ?? null, tz),
  };
}

/** Rows by a key, each group in the rows' order. */
function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    let l = out.get(k);
    if (!l) out.set(k, (l = []));
    l.push(r);
  }
  return out;
}

/** What personsIn read for a set of pins, from which each pin's answer is taken (personOn). */
interface PersonReads {
  desired: Map<string, DesiredHashes>;
  confirmed: Awaited<ReturnType<typeof loadConfirmed>>;
  inflight: Awaited<ReturnType<typeof loadInflight>>;
  allRows: Array<{ device_id: string; key: string; kind: string; failures: number; last_return: number | null; last_error: string | null; skipped: string | null; confirmed_at: Date | null; given_up: boolean }>;
  aliasOf: Map<string, string>;
  tzHeld: (deviceId: string, tz: number) => string | undefined;
  inDoubt: Set<string>;
  holdFacts: Awaited<ReturnType<typeof loadHoldFacts>> extends Map<string, infer H> ? H | undefined : never;
  factsAll: Awaited<ReturnType<typeof loadRefusalFacts>>;
  manualOf: Map<string, ReturnType<typeof returnCodeManual>>;
  kindOf: Map<string, string>;
}

/**
 * What operators see of convergence: per person, which devices hold them (confirmed by Return codes) and
 * which do not yet; per device, desired against confirmed, what fails, what is refused, skipped or owed.
 */
@Injectable()
export class SyncStatusService {
  constructor(
    private readonly ds: DataSource,
    private readonly attendance: AttendanceSyncService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Desired item hashes of devices of either planner, with the members that could not be sent and the tables the
   * firmware refused for good: access panels from the access planner's desired state, attendance terminals and
   * kiosks from the attendance planner's.
   */
  private async desiredOf(m: EntityManager, ids: string[], pins: string[] | null): Promise<Map<string, DesiredHashes>> {
    const devices = [...(await loadDevices(m, ids, this.config.timeZone)).values()];
    // What the database gives each device, the template types it refused included: a panel that refused faces lacks
    // them (said so below, with the refusal), it does not hold all it should.
    const desired = await loadDesired(m, devices.map(withAnnouncedTypes), pins);
    const typed = devices.filter((d) => d.announcedBioTypes);
    const sent = typed.length ? await loadDesired(m, typed, pins) : new Map<string, DesiredDevice>();
    // What the access planner did not take is a terminal, a kiosk or a controller of another planner.
    const rest = ids.filter((id) => !devices.some((d) => d.id === id));
    const out = rest.length ? await this.attendance.desiredHashes(m, rest, pins) : new Map<string, DesiredHashes>();
    const refusals = await loadRefusals(m, devices.map((d) => d.id), { withDue: true });
    for (const d of devices) {
      const want = desired.get(d.id)!;
      // Refusal keys are `DATA UPDATE <table>` and `DATA DELETE <table>`, as the planner reads them.
      const refusedBy = (id: ItemId, wanted: boolean) => {
        const key = `DATA ${wanted ? 'UPDATE' : 'DELETE'} ${tableOf(d, splitItemId(id)[0]) ?? ''}`;
        return refusals.get(d.id)?.has(key) ? key : null;
      };
      const hashes = desiredHashes(want);
      const refusedTypes = (d.announcedBioTypes ?? []).filter((t) => !d.dialect.bioTypes.includes(t));
      const typeRefused = sent.has(d.id) ? typeRefusedSets(hashes, desiredHashes(sent.get(d.id)!), { bio: refusedTypes.map((t) => `${PANEL_BIODATA_TYPE_REFUSAL}${t}`) }) : undefined;
      out.set(d.id, {
        sn: d.sn,
        hashes,
        skipped: new Map(want.skipped.map((s) => [s.pin, s.reason])),
        refusedBy,
        rightsKind: want.rightsKind,
        typeRefused,
        secondaryCards: d.dialect.cards === 'mulcarduser' ? 'all' : 'none',
        templates: panelTemplates(withAnnouncedTypes(d)),
      });
    }
    return out;
  }

  /**
   * The answers below read a dozen statements (desired state, confirmed items, commands in flight, owed work): each
   * read alone, a full sync committing between two of them (its owed row gone, its commands not yet counted) made a
   * panel that had just been found empty be reported synced. One snapshot of the database for all of them.
   */
  private snapshot<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return readSnapshot(this.ds, fn);
  }

  ofPerson(pin: string): Promise<PersonDeviceSyncDto[]> {
    return this.snapshot((m) => this.ofPersonIn(m, pin));
  }

  /**
   * ofPerson read in `m`, a snapshot (readSnapshot) the caller reads the person in too: the console's detail says
   * whether a panel holds a disabled person disabled from the person's flag and this answer, which read apart could
   * pair a flag with panel states from before or after it changed.
   */
  async ofPersonIn(m: EntityManager, pin: string): Promise<PersonDeviceSyncDto[]> {
    if (!(await this.isKnown(m, pin))) throw personNotExist(pin);
    return (await this.personsIn(m, [pin])).get(pin)!;
  }

  /**
   * ofPerson for several pins at once (the console's Persons list, a page of them): the same answer per pin, read
   * in one snapshot by a fixed number of statements whatever the number of pins. A pin nobody knows has no devices.
   */
  ofPersons(pins: readonly string[]): Promise<Map<string, PersonDeviceSyncDto[]>> {
    if (pins.length === 0) return Promise.resolve(new Map());
    return this.snapshot((m) => this.ofPersonsIn(m, pins));
  }

  /** ofPersons read in `m`: the snapshot a list (the console's visits) read its rows in. */
  async ofPersonsIn(m: EntityManager, pins: readonly string[]): Promise<Map<string, PersonDeviceSyncDto[]>> {
    if (pins.length === 0) return new Map();
    return this.personsIn(m, [...new Set(pins)]);
  }

  ofDevice(sn: string): Promise<DeviceConvergenceDto> {
    return this.snapshot((m) => this.deviceIn(m, sn));
  }

  /**
   * Known: a person, a checked-in visitor, or a pin some device holds or has commands on their way about (a person
   * added and deleted before the panel polled: its add and its removal are still to be delivered).
   */
  private async isKnown(m: EntityManager, pin: string): Promise<boolean> {
    if ((await devicesTouching(m, [pin])).length) return true;
    const [known] = await m.query(
      `SELECT 1 FROM person WHERE pin = $1 UNION ALL SELECT 1 FROM vis_registration WHERE visitor_pin = $1 AND state = 'in'
       UNION ALL SELECT 1 FROM sync_item WHERE key = $1 AND kind = ANY($2) LIMIT 1`,
      [pin, MEMBER_KINDS],
    );
    return !!known;
  }

  private async personsIn(m: EntityManager, pins: string[]): Promise<Map<string, PersonDeviceSyncDto[]>> {
    const touching = await devicesTouching(m, pins);
    const ids = [...new Set([...(await devicesGranting(m, pins)), ...(await this.attendance.terminalsOf(m, pins)), ...touching])];
    const desired = await this.desiredOf(m, ids, pins);
    const devices = [...desired].map(([id, d]) => ({ id, sn: d.sn })).sort((a, b) => a.sn.localeCompare(b.sn));
    const confirmed = await loadConfirmed(m, devices.map((d) => d.id), pins);
    const inflight = await loadInflight(m, devices.map((d) => d.sn), pins);
    const allRows: Array<{ device_id: string; key: string; kind: string; failures: number; last_return: number | null; last_error: string | null; skipped: string | null; confirmed_at: Date | null; given_up: boolean }> = await m.query(
      `SELECT device_id, key, kind, failures, last_return, last_error, skipped, confirmed_at, failures > 0 AND next_try_at = ${GIVEN_UP} AS given_up FROM sync_item WHERE key = ANY($1::text[]) AND kind = ANY($2) AND device_id = ANY($3)`,
      [pins, MEMBER_KINDS, devices.map((d) => d.id)],
    );
    const aliases: Array<{ id: string; alias: string; kind: string }> = await m.query(`SELECT id, alias, ${effectiveKindSql('device')} AS kind FROM device WHERE id = ANY($1)`, [
      devices.map((d) => d.id),
    ]);
    const aliasOf = new Map(aliases.map((a) => [a.id, a.alias]));
    // The time zones a person's rights name are the device's own items, not the person's: read them too, since
    // rights that name a time zone the device does not hold as desired open nothing (or at the wrong hours).
    const tzRows: Array<{ device_id: string; key: string; hash: string | null }> = await m.query(
      `SELECT device_id, key, hash FROM sync_item WHERE kind = 'tz' AND device_id = ANY($1)`,
      [devices.map((d) => d.id)],
    );
    // Devices whose confirmed state is in doubt (a reset panel, a terminal whose count is owed): nothing is "synced" there.
    const inDoubt = await devicesInDoubt(m, devices.map((d) => d.id));
    const holdFactsOf = await loadHoldFacts(m, pins);
    const factsAll = await loadRefusalFacts(m, devices.map((d) => d.id));
    const tzHeld = (deviceId: string, tz: number) => tzRows.find((r) => r.device_id === deviceId && r.key === String(tz))?.hash ?? undefined;
    // A terminal's Return codes mean what the attendance manual says (device-kind.ts returnCodeManual).
    const manualOf = new Map(aliases.map((a) => [a.id, returnCodeManual(a.kind)]));
    const kindOf = new Map(aliases.map((a) => [a.id, a.kind]));
    const out = new Map<string, PersonDeviceSyncDto[]>();
    for (const pin of pins) out.set(pin, this.personOn(pin, devices, { desired, confirmed, inflight, allRows, aliasOf, tzHeld, inDoubt, holdFacts: holdFactsOf.get(pin), factsAll, manualOf, kindOf }));
    return out;
  }

  /**
   * One pin's answer from what personsIn read for all of them: the devices granting, holding or being sent this pin
   * (devicesGranting ∪ terminalsOf ∪ devicesTouching of the pin alone), each with its state.
   */
  private personOn(pin: string, devices: Array<{ id: string; sn: string }>, r: PersonReads): PersonDeviceSyncDto[] {
    const { desired, confirmed, inflight, allRows, aliasOf, tzHeld, inDoubt, holdFacts, factsAll, manualOf, kindOf } = r;
    const mine = new Set([pin]);
    // Of the refs in flight for all the pins: clears and the device's own items concern every pin, member items this one.
    const flyingOf = (sn: string) => (inflight.get(sn) ?? []).filter((f) => !f.kind || !MEMBER_KINDS.includes(f.kind) || f.clear || refNamesPins(f, mine));
    const rows = allRows.filter((x) => x.key === pin);
    // The pin's devices: where the database gives it something or could not send it (granting, an attendance area),
    // where an item of it is recorded (holding), where a command about it is on its way (touching).
    const concerned = devices.filter(
      (d) =>
        [...desired.get(d.id)!.hashes.keys()].some((id) => splitItemId(id)[1] === pin && !DEVICE_KINDS.includes(splitItemId(id)[0])) ||
        desired.get(d.id)!.skipped.has(pin) ||
        rows.some((x) => x.device_id === d.id) ||
        flyingOf(d.sn).some((f) => f.kind && MEMBER_KINDS.includes(f.kind) && refNamesPins(f, mine)),
    );
    return concerned.map((d) => {
      // An elevator controller holds the rights as `eleauth` (floors), every other device as `auth` (doors).
      const elevator = desired.get(d.id)!.rightsKind === 'eleauth';
      const rights = `${desired.get(d.id)!.rightsKind ?? 'auth'}\t${pin}`;
      const want = new Map([...desired.get(d.id)!.hashes].filter(([id]) => !DEVICE_KINDS.includes(splitItemId(id)[0])));
      const have = confirmed.get(d.id)!.confirmed;
      const flying = flyingOf(d.sn);
      const items = rows.filter((r) => r.device_id === d.id);
      const unconfirmed: string[] = MEMBER_KINDS.filter((k) => want.get(`${k}\t${pin}`) !== have.get(`${k}\t${pin}`));
      const wantedRights = want.get(rights);
      const tzHashes = desired.get(d.id)!.hashes;
      const tzMissing = wantedRights && wantedRights !== UNKNOWN_HASH ? authTimezones(wantedRights).some((tz) => tzHashes.get(`tz\t${tz}`) !== tzHeld(d.id, tz)) : false;
      if (tzMissing) unconfirmed.push('tz');
      // A failure is the state of an item only while nothing newer about it is on its way: a retry, or the
      // removal of a person who left after a grant was refused, makes it pending again (its Return code stays shown).
      const failed = items.filter((r) => r.failures > 0);
      const failing = failed.filter((r) => !flying.some((f) => f.kind === r.kind));
      // Given up on (the device failed the same content for good): not sent again until the data changes.
      const givenUp = failing.find((r) => r.given_up) ?? null;
      // Items the firmware refused for good are not planned again until their probe: the person stays off the
      // device (or on it, for a refused removal) whatever the database says, and operators must see why.
      // A template set held without the types the firmware refused is kept off by those refusals, as a refused table.
      const refusedOf = (k: string): Array<string | null> => {
        const id = `${k}\t${pin}`;
        return k !== 'tz' && want.has(id) ? (refusedHolding(desired.get(d.id)!, id, have.get(id)) ?? []) : [desired.get(d.id)!.refusedBy(id, k === 'tz')];
      };
      const refused = [...new Set(unconfirmed.flatMap(refusedOf).filter((k): k is string => !!k))].sort();
      const skipped = items.find((r) => r.skipped)?.skipped ?? desired.get(d.id)!.skipped.get(pin) ?? null;
      const pending = flying.filter((r) => r.kind && (MEMBER_KINDS.includes(r.kind) || (tzMissing && r.kind === 'tz'))).length;
      const isDesired = want.size > 0;
      // A user record or rights command of this person in flight may already have changed them on the device.
      const rightsKind = desired.get(d.id)!.rightsKind ?? 'auth';
      const userOrRightsFlying = flying.some((r) => r.kind === 'user' || r.kind === rightsKind);
      const state: PersonDeviceSyncDto['state'] = skipped
        ? 'skipped'
        : unconfirmed.length === 0
          ? // Commands about this person still on their way change what the device holds before their results come
            // in (a disable it ran, its result not in yet, then an enable queued): not synced until they are answered.
            inDoubt.has(d.id) || pending > 0
            ? 'pending'
            : 'synced'
          : refused.length > 0
            ? 'refused'
            : givenUp
              ? 'failed'
              : failing.length > 0
              ? 'divergent'
              : pending > 0
                ? 'pending'
                : isDesired
                  ? 'divergent'
                  : 'removing';
      const lastReturn = failed.find((r) => r.last_return !== null)?.last_return ?? null;
      // A command the terminal failed after its Return (ERRORLOG, DataOrigin=cmd): its code and meaning (appendix 9).
      const errorLog = failed.find((r) => r.last_error)?.last_error ?? null;
      const lastConfirmedAt = items.map((r) => r.confirmed_at).filter((t): t is Date => !!t).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
      return {
        deviceSn: d.sn,
        deviceAlias: aliasOf.get(d.id) ?? d.sn,
        state,
        desired: isDesired,
        // Not while what the device confirmed is in doubt (inDoubt: it registered again, was found changed, or a count
        // or a full sync's clear is on its way): a panel reset and registering again held none of it, yet was said to.
        holds: isDesired && !tzMissing && want.get(`user\t${pin}`) === have.get(`user\t${pin}`) && want.get(rights) === have.get(rights) && !userOrRightsFlying && !inDoubt.has(d.id),
        rights: rightsOf(want.get(rights), elevator),
        confirmedRights: rightsOf(have.get(rights), elevator),
        unconfirmed,
        pendingCommands: pending,
        lastReturn,
        lastReason: failed.length ? itemReason(failed.find((r) => r.last_return !== null) ?? failed[0], manualOf.get(d.id)) : null,
        lastError: givenUp?.last_error ? givenUp.last_error : lastReturn === null ? (errorLog ?? (failed.length ? 'no result' : null)) : `Return ${lastReturn}: ${returnMeaning(lastReturn, manualOf.get(d.id)) ?? 'unknown error code'}`,
        refused,
        refusals: refused.map((k) => refusalOf(k, factsAll.get(d.id)?.get(k), kindOf.get(d.id) ?? '', this.config.timeZone)),
        skipped,
        cannotHold: isDesired && !skipped ? cannotHoldOf(desired.get(d.id)!, holdFacts) : [],
        // A time under `confirmedAt` reads as "in sync since": given only while it is (a device that confirmed an
        // earlier version and has a later change on its way, refused or unanswered does not hold what it says).
        confirmedAt: state === 'synced' ? formatCvDateTime(lastConfirmedAt, this.config.timeZone) : null,
        lastConfirmedAt: formatCvDateTime(lastConfirmedAt, this.config.timeZone),
      };
    });
  }

  /**
   * The convergence of several devices (by SN) in one snapshot, as ofDevice answers each: the console's dashboard
   * and Devices page look at up to a hundred devices per load. Each statement reads them all at once, and like
   * panels share each member's records and hashes (loadDesired), where one snapshot per device read and hashed a
   * large person set again for every panel. SNs of devices that do not exist are left out.
   */
  ofDevices(sns: readonly string[]): Promise<Map<string, DeviceConvergenceDto>> {
    if (sns.length === 0) return Promise.resolve(new Map());
    return this.snapshot(async (m) => this.devicesIn(m, await this.devicesBySn(m, sns)));
  }

  private devicesBySn(m: EntityManager, sns: readonly string[]): Promise<Array<{ id: string; sn: string; kind: string }>> {
    return m.query(`SELECT id, sn, ${effectiveKindSql('device')} AS kind FROM device WHERE sn = ANY($1)`, [sns]);
  }

  private async deviceIn(m: EntityManager, sn: string): Promise<DeviceConvergenceDto> {
    const [row] = await this.devicesBySn(m, [sn]);
    if (!row) throw new CvError(CvCode.NotFound, `Device ${sn} does not exist`);
    return (await this.devicesIn(m, [row])).get(row.sn)!;
  }

  private async devicesIn(m: EntityManager, rows: ReadonlyArray<{ id: string; sn: string; kind: string }>): Promise<Map<string, DeviceConvergenceDto>> {
    const ids = rows.map((r) => r.id);
    const sns = rows.map((r) => r.sn);
    const desiredAll = await this.desiredOf(m, ids, null);
    const confirmedAll = await loadConfirmed(m, ids, null);
    const inflightAll = await loadInflight(m, sns, null);
    const failingRows: Array<{ device_id: string; kind: string; key: string; last_return: number | null; last_error: string | null }> = await m.query(
      `SELECT device_id, kind, key, last_return, last_error FROM sync_item WHERE device_id = ANY($1) AND failures > 0 ORDER BY device_id, key, kind`,
      [ids],
    );
    const failingOf = groupBy(failingRows, (r) => r.device_id);
    const failingAll = new Map([...failingOf].map(([id, items]) => [id, items.map((r) => `${r.kind}\t${r.key}`)]));
    const counts: Array<{ id: string; pending: number; oldest: Date | null }> = await m.query(
      `SELECT d.id,
              (SELECT count(*)::int FROM device_command WHERE device_sn = d.sn AND state IN ('pending', 'sent')) AS pending,
              (SELECT min(created_at) FROM device_command WHERE device_sn = d.sn AND state IN ('pending', 'sent')) AS oldest
         FROM device d WHERE d.id = ANY($1)`,
      [ids],
    );
    // Each device's ten latest results and first hundred skipped members, as the single-device view reads them.
    const lastAll: Array<{ device_sn: string; command: string; return_code: number | null; state: string; done_at: Date | null }> = await m.query(
      `SELECT d.sn AS device_sn, c.command, c.return_code, c.state, c.done_at FROM device d
         CROSS JOIN LATERAL (SELECT id, left(command, 80) AS command, return_code, state, done_at FROM device_command
                              WHERE device_sn = d.sn AND state IN ('done', 'failed') ORDER BY done_at DESC NULLS LAST, id DESC LIMIT 10) c
        WHERE d.id = ANY($1) ORDER BY d.sn, c.done_at DESC NULLS LAST, c.id DESC`,
      [ids],
    );
    // With the member's names (a visitor's pin has no person row: null), as cannotHold: an operator knows people by name.
    const skippedAll: Array<{ device_id: string; key: string; skipped: string; name: string | null; last_name: string | null }> = await m.query(
      `SELECT d.id AS device_id, s.key, s.skipped, p.name, p.last_name FROM device d
         CROSS JOIN LATERAL (SELECT key, skipped FROM sync_item WHERE device_id = d.id AND skipped IS NOT NULL ORDER BY key LIMIT 100) s
         LEFT JOIN person p ON p.pin = s.key
        WHERE d.id = ANY($1) ORDER BY d.id, s.key`,
      [ids],
    );
    const owedAll: Array<{ device_id: string; kind: string; attempts: number; last_error: string | null; next_try_at: Date | null }> = await m.query(
      `SELECT device_id, kind, attempts, last_error, next_try_at FROM sync_owed WHERE device_id = ANY($1) ORDER BY device_id, kind`,
      [ids],
    );
    // Attendance terminals whose user count is owed (att_terminal.count_due): they initialised again (a reboot, a
    // factory reset) or were asked by the periodic verification, and the INFO whose count is judged has not come, or
    // came while commands of ours were in flight (judged at a later INFO). What they confirmed is in doubt until then:
    // a reset terminal's next poll may bring its count of 0. Like a panel's count on its way: pending, not synced.
    const countOwed = new Set(
      ((await m.query(`SELECT device_id FROM att_terminal WHERE count_due AND device_id = ANY($1)`, [ids])) as Array<{ device_id: string }>).map((r) => r.device_id),
    );
    const refusals = await loadRefusals(m, ids, { withDue: true });
    const factsAll = await loadRefusalFacts(m, ids);
    const unknownAll: Array<{ device_id: string; what: string; return_code: number; excess_rows: number }> = await m.query(
      `SELECT device_id, what, return_code, excess_rows FROM device_refusal WHERE device_id = ANY($1) AND excess_rows > 0 ORDER BY device_id, what`,
      [ids],
    );
    const unknownOf = groupBy(unknownAll.map(unknownRowsOf), (u) => u.deviceId);
    // What members cannot hold (cannotHold), as each person's answer says it: members are the pins with a user item.
    const membersOf = (id: string) => [...(desiredAll.get(id)?.hashes.keys() ?? [])].filter((k) => k.startsWith('user\t')).map((k) => splitItemId(k)[1]);
    const holdFactsAll = await loadHoldFacts(m, [...new Set(ids.flatMap(membersOf))]);
    const cannotHoldIn = (id: string): DeviceCannotHoldDto[] => {
      const d = desiredAll.get(id);
      if (!d) return [];
      const out: DeviceCannotHoldDto[] = [];
      for (const pin of membersOf(id).sort()) {
        if (out.length >= CANNOT_HOLD_LISTED) break;
        const facts = holdFactsAll.get(pin);
        for (const c of cannotHoldOf(d, facts)) out.push({ pin, name: facts!.name, lastName: facts!.lastName, ...c });
      }
      return out.slice(0, CANNOT_HOLD_LISTED);
    };
    const capacities = await loadDeviceCapacities(m, sns);
    const lastOf = groupBy(lastAll, (l) => l.device_sn);
    const skippedOf = groupBy(skippedAll, (s) => s.device_id);
    const owedOf = groupBy(owedAll, (o) => o.device_id);
    const tz = this.config.timeZone;
    const out = new Map<string, DeviceConvergenceDto>();
    for (const row of rows) {
      const sn = row.sn;
      const desired = desiredAll.get(row.id)?.hashes ?? new Map<string, string>();
      const confirmed = confirmedAll.get(row.id)!.confirmed;
      const current = currentState(confirmed, inflightAll.get(sn) ?? []);
      const want = desiredAll.get(row.id);
      let unconfirmed = 0;
      let divergent = 0;
      let confirmedAsDesired = 0;
      // Desired items the device lacks only because its firmware refused them for good (a table, a template type):
      // nothing sends them before the refusal's probe, so the device is neither synced nor divergent, it is refused.
      const refusedIds = new Set<ItemId>();
      const holdingBack = new Map<string, number>();
      for (const [id, hash] of desired) {
        if (confirmed.get(id) !== hash) unconfirmed++;
        else confirmedAsDesired++;
        if (current.get(id) === hash) continue;
        const keys = want && refusedHolding(want, id, current.get(id));
        if (!keys) divergent++;
        else {
          refusedIds.add(id);
          for (const k of keys) holdingBack.set(k, (holdingBack.get(k) ?? 0) + 1);
        }
      }
      for (const id of confirmed.keys()) if (!desired.has(id)) unconfirmed++;
      for (const id of current.keys()) {
        if (desired.has(id)) continue;
        divergent++;
        // An item to remove that a refusal of its delete keeps on the device (a panel answering -1004 to DATA DELETE
        // user) is counted with that refusal too: its `items` are every item it holds back, wanted or unwanted.
        const key = want?.refusedBy(id, false);
        if (key) holdingBack.set(key, (holdingBack.get(key) ?? 0) + 1);
      }
      // A refused item is not failing (retried with backoff): it waits for its refusal's probe. Nor is one whose retry
      // (or a later command about it) is on its way: pending, as the person's answer says (ofPerson), so the two
      // agree while the retry travels; a retry that does not reach the desired state still counts in `divergent`.
      const retrying = onItsWay(inflightAll.get(sn) ?? []);
      const failing = (failingAll.get(row.id) ?? []).filter((id) => !refusedIds.has(id) && !retrying(id)).length;
      const q = counts.find((c) => c.id === row.id)!;
      const last = lastOf.get(sn) ?? [];
      const skipped = skippedOf.get(row.id) ?? [];
      const owed = [
        ...(owedOf.get(row.id) ?? []),
        ...(countOwed.has(row.id) ? [{ device_id: row.id, kind: 'count', attempts: 0, last_error: null, next_try_at: null }] : []),
      ];
      const refused = [...(refusals.get(row.id) ?? [])].sort();
      const unknownRows = (unknownOf.get(row.id) ?? []).map(({ deviceId: _, ...u }) => u);
      const maxUserCount = capacities.get(sn)?.maxUserCount ?? null;
      const users = membersOf(row.id).length;
      // What the device refused, by reason: the items refused for good are the refusals' (listed there).
      const manual = returnCodeManual(row.kind);
      const reasons = failingReasons((failingOf.get(row.id) ?? []).filter((r) => !refusedIds.has(`${r.kind}\t${r.key}`)), manual);
      // Full only by the device's own word (a capacity Return), never from ~MaxUserCount: not a count of users.
      const full = reasons.find((r) => r.reason === 'capacity');
      const capacityExceeded = full ? `the device answered Return ${full.returnCode} (${full.meaning}) to ${full.items} item${full.items === 1 ? '' : 's'} it lacks (${full.examples.slice(0, 5).join(', ')}${full.items > 5 ? ', …' : ''}): ${full.advice}` : null;
      // An owed count is no divergence: it is a check still to come (pending), as a panel's count on its way. A full
      // device is: it cannot converge until room is made, however often the items are sent again.
      const isDivergent = divergent > 0 || failing > 0 || owed.some((o) => o.kind !== 'count') || unknownRows.length > 0 || capacityExceeded !== null;
      const facts = factsAll.get(row.id);
      out.set(sn, {
        sn,
        state: isDivergent ? 'divergent' : q.pending > 0 || unconfirmed > refusedIds.size || countOwed.has(row.id) ? 'pending' : refusedIds.size > 0 ? 'refused' : 'synced',
        divergent: isDivergent,
        desiredItems: desired.size,
        confirmedItems: confirmedAsDesired,
        unconfirmedItems: unconfirmed,
        refusedItems: refusedIds.size,
        failingItems: failing,
        pendingCommands: q.pending,
        oldestUnconfirmedAt: formatCvDateTime(q.oldest, tz),
        oldestUnconfirmedAgeSeconds: q.oldest ? Math.max(0, Math.round((Date.now() - new Date(q.oldest).getTime()) / 1000)) : null,
        lastReturns: last.map((l) => ({
          command: l.command.length >= 80 ? `${l.command}…` : l.command,
          returnCode: l.return_code,
          meaning: l.return_code === null ? null : (returnMeaning(l.return_code, returnCodeManual(row.kind)) ?? null),
          state: l.state,
          reason: lastReturnReason(l.return_code, manual, l.command),
          at: formatCvDateTime(l.done_at, tz),
        })),
        failing: reasons,
        refused,
        refusals: refused.map((k) => ({ ...refusalOf(k, facts?.get(k), row.kind, tz), items: holdingBack.get(k) ?? 0 })),
        skipped: skipped.map((s) => ({ pin: s.key, name: s.name, lastName: s.last_name, reason: s.skipped })),
        owed: owed.map((o) => ({ kind: o.kind, attempts: o.attempts, lastError: o.last_error, nextTryAt: formatCvDateTime(o.next_try_at, tz) })),
        unknownRows,
        cannotHold: cannotHoldIn(row.id),
        maxUserCount,
        users,
        capacityExceeded,
      });
    }
    return out;
  }
}
