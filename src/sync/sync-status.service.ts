import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { effectiveKindSql, returnCodeManual } from '../device/device-kind';
import { loadRefusals } from '../push/device-refusals';
import { doorMask, returnMeaning } from '../push/protocol';
import { AttendanceSyncService } from './attendance-sync.service';
import { devicesTouching, loadConfirmed, loadInflight } from './confirmed-state';
import { loadDesired } from './desired-state';
import type { DeviceConvergenceDto, PersonDeviceRightDto, PersonDeviceSyncDto, UnknownRowsDto } from './dto/sync-status.dto';
import { authTimezones, currentState, desiredHashes, DEVICE_KINDS, MEMBER_KINDS, splitItemId, UNKNOWN_HASH, type DesiredHashes, type ItemId } from './sync-items';
import { tableOf } from './sync-plan';
import { devicesGranting } from './sync-planner.service';
import { loadDevices } from './sync-queries';
import { readSnapshot } from '../database/snapshot';

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
    const desired = await loadDesired(m, devices, pins);
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
      out.set(d.id, { sn: d.sn, hashes: desiredHashes(want), skipped: new Map(want.skipped.map((s) => [s.pin, s.reason])), refusedBy, rightsKind: want.rightsKind });
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
    return this.snapshot((m) => this.personIn(m, pin));
  }

  ofDevice(sn: string): Promise<DeviceConvergenceDto> {
    return this.snapshot((m) => this.deviceIn(m, sn));
  }

  private async personIn(m: EntityManager, pin: string): Promise<PersonDeviceSyncDto[]> {
    // Known: a person, a checked-in visitor, or a pin some device holds or has commands on their way about (a person
    // added and deleted before the panel polled: its add and its removal are still to be delivered).
    const touching = await devicesTouching(m, [pin]);
    const [known] = touching.length
      ? [1]
      : await m.query(
          `SELECT 1 FROM person WHERE pin = $1 UNION ALL SELECT 1 FROM vis_registration WHERE visitor_pin = $1 AND state = 'in'
           UNION ALL SELECT 1 FROM sync_item WHERE key = $1 AND kind = ANY($2) LIMIT 1`,
          [pin, MEMBER_KINDS],
        );
    if (!known) throw personNotExist(pin);
    const ids = [...new Set([...(await devicesGranting(m, [pin])), ...(await this.attendance.terminalsOf(m, [pin])), ...touching])];
    const desired = await this.desiredOf(m, ids, [pin]);
    const devices = [...desired].map(([id, d]) => ({ id, sn: d.sn })).sort((a, b) => a.sn.localeCompare(b.sn));
    const confirmed = await loadConfirmed(m, devices.map((d) => d.id), [pin]);
    const inflight = await loadInflight(m, devices.map((d) => d.sn), [pin]);
    const rows: Array<{ device_id: string; kind: string; failures: number; last_return: number | null; skipped: string | null; confirmed_at: Date | null }> = await m.query(
      `SELECT device_id, kind, failures, last_return, skipped, confirmed_at FROM sync_item WHERE key = $1 AND kind = ANY($2) AND device_id = ANY($3)`,
      [pin, MEMBER_KINDS, devices.map((d) => d.id)],
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
    // Devices whose confirmed state is in doubt: they registered again or were found changed (a count or a full sync
    // owed), a count is on its way, or a full sync's clear of a member table is (a reset panel keeps its confirmed
    // items until that clear is confirmed). Nothing is "synced" there until that is settled.
    const doubtRows: Array<{ id: string }> = await m.query(
      `SELECT device_id AS id FROM sync_owed WHERE device_id = ANY($1)
       UNION SELECT d.id FROM device d JOIN device_command c ON c.device_sn = d.sn AND c.state IN ('pending', 'sent') AND c.meta ? 'sync'
         AND (c.meta ? 'verify' OR (c.meta ? 'clear' AND c.meta->>'kind' = ANY($2)))
        WHERE d.id = ANY($1)`,
      [devices.map((d) => d.id), MEMBER_KINDS],
    );
    const inDoubt = new Set(doubtRows.map((r) => r.id));
    const tzHeld = (deviceId: string, tz: number) => tzRows.find((r) => r.device_id === deviceId && r.key === String(tz))?.hash ?? undefined;
    // A terminal's Return codes mean what the attendance manual says (device-kind.ts returnCodeManual).
    const manualOf = new Map(aliases.map((a) => [a.id, returnCodeManual(a.kind)]));
    return devices.map((d) => {
      // An elevator controller holds the rights as `eleauth` (floors), every other device as `auth` (doors).
      const elevator = desired.get(d.id)!.rightsKind === 'eleauth';
      const rights = `${desired.get(d.id)!.rightsKind ?? 'auth'}\t${pin}`;
      const want = new Map([...desired.get(d.id)!.hashes].filter(([id]) => !DEVICE_KINDS.includes(splitItemId(id)[0])));
      const have = confirmed.get(d.id)!.confirmed;
      const flying = inflight.get(d.sn) ?? [];
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
      // Items the firmware refused for good are not planned again until their probe: the person stays off the
      // device (or on it, for a refused removal) whatever the database says, and operators must see why.
      const refused = [...new Set(unconfirmed.map((k) => desired.get(d.id)!.refusedBy(`${k}\t${pin}`, k === 'tz' || want.has(`${k}\t${pin}`))).filter((k): k is string => !!k))].sort();
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
            : failing.length > 0
              ? 'divergent'
              : pending > 0
                ? 'pending'
                : isDesired
                  ? 'divergent'
                  : 'removing';
      const lastReturn = failed.find((r) => r.last_return !== null)?.last_return ?? null;
      const confirmedAt = items.map((r) => r.confirmed_at).filter((t): t is Date => !!t).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
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
        lastError: lastReturn === null ? (failed.length ? 'no result' : null) : `Return ${lastReturn}: ${returnMeaning(lastReturn, manualOf.get(d.id)) ?? 'unknown error code'}`,
        refused,
        skipped,
        confirmedAt: formatCvDateTime(confirmedAt, this.config.timeZone),
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
    const counts: Array<{ id: string; failing: number; pending: number; oldest: Date | null }> = await m.query(
      `SELECT d.id,
              (SELECT count(*)::int FROM sync_item WHERE device_id = d.id AND failures > 0) AS failing,
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
    const skippedAll: Array<{ device_id: string; key: string; skipped: string }> = await m.query(
      `SELECT d.id AS device_id, s.key, s.skipped FROM device d
         CROSS JOIN LATERAL (SELECT key, skipped FROM sync_item WHERE device_id = d.id AND skipped IS NOT NULL ORDER BY key LIMIT 100) s
        WHERE d.id = ANY($1) ORDER BY d.id, s.key`,
      [ids],
    );
    const owedAll: Array<{ device_id: string; kind: string; attempts: number; last_error: string | null; next_try_at: Date }> = await m.query(
      `SELECT device_id, kind, attempts, last_error, next_try_at FROM sync_owed WHERE device_id = ANY($1) ORDER BY device_id, kind`,
      [ids],
    );
    const refusals = await loadRefusals(m, ids, { withDue: true });
    const unknownAll: Array<{ device_id: string; what: string; return_code: number; excess_rows: number }> = await m.query(
      `SELECT device_id, what, return_code, excess_rows FROM device_refusal WHERE device_id = ANY($1) AND excess_rows > 0 ORDER BY device_id, what`,
      [ids],
    );
    const unknownOf = groupBy(unknownAll.map(unknownRowsOf), (u) => u.deviceId);
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
      let unconfirmed = 0;
      let divergent = 0;
      let confirmedAsDesired = 0;
      for (const [id, hash] of desired) {
        if (confirmed.get(id) !== hash) unconfirmed++;
        else confirmedAsDesired++;
        if (current.get(id) !== hash) divergent++;
      }
      for (const id of confirmed.keys()) if (!desired.has(id)) unconfirmed++;
      for (const id of current.keys()) if (!desired.has(id)) divergent++;
      const q = counts.find((c) => c.id === row.id)!;
      const last = lastOf.get(sn) ?? [];
      const skipped = skippedOf.get(row.id) ?? [];
      const owed = owedOf.get(row.id) ?? [];
      const refused = [...(refusals.get(row.id) ?? [])].sort();
      const unknownRows = (unknownOf.get(row.id) ?? []).map(({ deviceId: _, ...u }) => u);
      out.set(sn, {
        sn,
        divergent: divergent > 0 || q.failing > 0 || owed.length > 0 || unknownRows.length > 0,
        desiredItems: desired.size,
        confirmedItems: confirmedAsDesired,
        unconfirmedItems: unconfirmed,
        failingItems: q.failing,
        pendingCommands: q.pending,
        oldestUnconfirmedAt: formatCvDateTime(q.oldest, tz),
        oldestUnconfirmedAgeSeconds: q.oldest ? Math.max(0, Math.round((Date.now() - new Date(q.oldest).getTime()) / 1000)) : null,
        lastReturns: last.map((l) => ({
          command: l.command.length >= 80 ? `${l.command}…` : l.command,
          returnCode: l.return_code,
          meaning: l.return_code === null ? null : (returnMeaning(l.return_code, returnCodeManual(row.kind)) ?? null),
          state: l.state,
          at: formatCvDateTime(l.done_at, tz),
        })),
        refused,
        skipped: skipped.map((s) => ({ pin: s.key, reason: s.skipped })),
        owed: owed.map((o) => ({ kind: o.kind, attempts: o.attempts, lastError: o.last_error, nextTryAt: formatCvDateTime(o.next_try_at, tz) })),
        unknownRows,
      });
    }
    return out;
  }
}
