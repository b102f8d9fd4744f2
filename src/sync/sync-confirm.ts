import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CommandOutcomeHub, type CommandOutcome } from '../push/command-outcome';
import { backoffMs, isSyncRef, itemCards, UNKNOWN_HASH, type ItemKind, type SyncRef } from './sync-items';
import { excludedOf, intoOf, listOf } from '../database/columns';
import { namedQuery } from '../database/prepared-query.service';
import { numberArray, textArray } from '../database/pg-array';
import { SyncItem, SyncOwed } from './sync-state.entity';
import { isRefusal, refusalKey } from '../push/protocol';
import { loadRefusals } from '../push/device-refusals';
import { ORDER_LOCK } from '../push/command-queue.service';
import { lockKeys } from '../database/advisory-locks';
import { GIVEN_UP } from './confirmed-state';

const FAILED_INTO = intoOf(SyncItem, ['deviceId', 'kind', 'key', 'hash', 'failures', 'lastReturn', 'failedAt', 'failedPlan', 'failedDelete', 'failedDeleteAt', 'errorHash']);
const OWED_INTO = intoOf(SyncOwed, ['deviceId', 'kind', 'nextTryAt']);
/** Kinds whose table a verification counts (DATA COUNT user / userauthorize / usereleauthorize). */
const CLEAR_COUNTED: ReadonlySet<string> = new Set(['user', 'auth', 'eleauth']);
const CONFIRMED_INTO = intoOf(SyncItem, ['deviceId', 'kind', 'key', 'hash', 'confirmedAt', 'lastReturn']);
const ITEM_KEY = listOf(SyncItem, ['deviceId', 'kind', 'key']);
/**
 * An item owed a retry: a command for it failed, or its card waits on another pin (card-moves.ts), and the
 * reconciler has not planned it again yet (runDivergent clears next_try_at when it does). A backoff that ended
 * before the device answered still owes its retry: read as over, a confirmed delete dropped the row and a confirmed
 * put cleared its failure, and nothing sent the write held meanwhile (a card swap's pin given its new card never).
 */
const IN_BACKOFF = `failures > 0 AND next_try_at IS NOT NULL`;
/**
 * Kinds whose put writes rows beside the ones a device holds instead of replacing them: rights (one row per time
 * zone), cards (one row per card), templates (one per slot), first-card rows (one per time zone and pin). The planner deletes them by Pin first where rows must
 * go (sync-plan.ts), so a put of a later plan, planned while that delete was still in the queue, assumed it done.
 */
const ROWS_BESIDE: ReadonlySet<ItemKind> = new Set(['auth', 'eleauth', 'card', 'bio', 'firstcard']);
const ROWS_BESIDE_SQL = `ARRAY[${[...ROWS_BESIDE].map((k) => `'${k}'`).join(', ')}]::varchar[]`;
/**
 * A put confirmed for an item whose delete failed EARLIER in the queue (s.failed_delete < the put's command), queued
 * by a plan that began before that failure was recorded (it replayed the delete as done): the device holds the
 * put's rows and whatever that delete was to remove, so the item is in doubt (`?`), keeps its failure and backoff,
 * and the planner clears it by Pin and sends it again. A put planned after the failure knew of it (the firmware's
 * emptied updates where it refuses deletes for good, sync-plan.ts) and is taken as it is. Released meanwhile (next_try_at
 * NULL: the delete's backoff ended while the put was still queued, and the divergent pass took the put as done and sent
 * nothing), the item is due again at once: kept released, nothing would plan it (in doubt, not STRANDED), and the
 * panel kept the rights the refused delete was to take off beside the put's, divergent for good with nothing pending.
 */
const PUT_OVER_FAILED_DELETE = `(s.failed_delete IS NOT NULL AND s.failed_delete < x.cmd AND x.kind = ANY(${ROWS_BESIDE_SQL})
  AND (SELECT c.created_at FROM device_command c WHERE c.id = x.cmd) <= s.failed_delete_at)`;
// A put confirmed while its item waits out the backoff of a later command's failure was planned before that
// failure (a full sync, a forced send): the writes made during the backoff were held, not planned (the planner
// leaves such an item out), so the confirmed record may be older than the database's. The item stays failing and
// is due at once: the reconciler's divergent pass plans it against desired, and clears the failure where the
// device now holds what the database gives (settledFailures). Cleared here, nothing would ever send the held write.
// A put planned once the backoff had ended (its command's created_at, the planning transaction's now(), at or past
// next_try_at: the planner's own test of a held item) held nothing back: it carries the database as it was then, and
// later writes were planned as usual. Its confirmation settles the item; kept failing, a revoke and grant made after
// the backoff left a panel that holds exactly its rights reported divergent until the next reconciler pass.
// A put of other content than the one the device refused (error_hash) is the data changed since: planned at once,
// within the backoff, because it superseded the refused content (releaseSuperseded), so it held nothing back either.
const PUT_IN_BACKOFF = `(s.failures > 0 AND s.next_try_at IS NOT NULL
  AND COALESCE((SELECT c.created_at FROM device_command c WHERE c.id = x.cmd) < s.next_try_at, true)
  AND NOT (s.error_hash IS NOT NULL AND s.error_hash IS DISTINCT FROM x.h))`;
// A put of a plan an earlier command of which failed for its item settles nothing (the item stays unconfirmed).
// Released meanwhile (next_try_at NULL: the reconciler's divergent pass planned the item while this put was still
// queued, took it as done and sent nothing), the item owes its retry again now: kept released, nothing would plan
// it (STRANDED in the reconciler needs hash NULL), and the panel kept what a refused delete was to take off beside
// the put's rows, divergent for good with nothing pending.
const DUE_AGAIN = `s.failures > 0 AND s.next_try_at IS NULL`;
// A failed clear restarts an owed full sync from its first page: the pages sent after it assumed a cleared
// device, and only a new clear (sent with the first page) removes what the device still holds beyond them.
const OWED_UPDATE = `${excludedOf(SyncOwed, ['nextTryAt'])}, cursor = NULL, plan = NULL`;

/** An outcome the confirmation hook acts on, with its device id. */
interface Confirmation {
  deviceId: string;
  outcome: CommandOutcome;
  ref: ConfirmRef;
}

/**
 * A ref as confirmed: a clear overtaken by later commands leaves their items (`except`) as they recorded them; a
 * failed delete of rows a later, finished put wrote beside (`overtaken`) leaves those items in doubt.
 */
type ConfirmRef = SyncRef & { except?: string[]; overtaken?: string[] };

/** A put's item as its command's success confirms it (`cmd`: the command, by its queue position). */
interface ConfirmedPut {
  d: string;
  kind: string;
  k: string;
  h: string;
  plan: string;
  rc: number | null;
  cmd: string;
}

/**
 * Writes confirmed state from command outcomes, in the transaction that records them (CommandOutcomeHub):
 *   done   put → the item is confirmed with the hash the command carried (unless an earlier command of the
 *                 same plan failed for it); del → gone (with the same keys of the `cascade` kinds); clear →
 *                 every item of the kind gone.
 *   failed put → the item is unknown (`?`): held possibly in an older form, never believed; del → still
 *                 held when refused (a Return), unknown when it got none (it may have run); both count a
 *                 failure and wait for a backoff before the planner tries again.
 *                 A failed clear makes a full sync owed, from its first page.
 * Verification results (DATA COUNT) go to the listener registered with `onVerify`.
 */
@Injectable()
export class SyncConfirmation implements OnModuleInit {
  private readonly log = new Logger('SyncConfirmation');
  private verifyListener?: (m: EntityManager, deviceId: string, outcome: CommandOutcome, ref: SyncRef) => Promise<void>;

  constructor(
    private readonly hub: CommandOutcomeHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.hub.register((m, outcomes) => this.apply(m, outcomes));
  }

  onVerify(fn: (m: EntityManager, deviceId: string, outcome: CommandOutcome, ref: SyncRef) => Promise<void>): void {
    this.verifyListener = fn;
  }

  async apply(m: EntityManager, outcomes: CommandOutcome[]): Promise<void> {
    // Queue order, not the order the results came in: a device runs its commands in queue order, so a result
    // posted late (after those of later commands, in one body or another) must not undo what they confirmed.
    const ours = outcomes.filter((o) => isSyncRef(o.ref)).sort((a, b) => compareIds(a.commandId, b.commandId));
    if (ours.length === 0) return;
    const sns = [...new Set(ours.map((o) => o.deviceSn))];
    // A refused delete of rows a later put writes beside is stamped (failed_delete_at) under its devices' order locks,
    // which every plan holds from before it reads until it commits: a plan holding them committed before the stamp
    // (its put, planned without the failure, created before it: in doubt), and a plan that takes them later reads the
    // failure. Unlocked, a plan begun between the stamp and this commit read the delete as still in flight (taken as
    // done), yet its put, created after the stamp, was taken as knowing of the failure: the item settled, the panel
    // said synced while it held the rights the delete was to take off beside the put's. Taken before any sync_item
    // is written here (the reconciler's passes take these locks before theirs too: no cycle).
    const deleting = ours.filter((o) => o.state === 'failed' && (o.ref as SyncRef).del?.length && ROWS_BESIDE.has((o.ref as SyncRef).kind as ItemKind));
    if (deleting.length) await lockKeys(m, ORDER_LOCK, deleting.map((o) => o.deviceSn));
    const rows: Array<{ id: string; sn: string }> = await namedQuery(m, `SELECT id, sn FROM device WHERE sn = ANY($1)`, [sns]);
    const idOf = new Map(rows.map((r) => [r.sn, r.id]));
    const later = await this.laterFinished(m, ours);
    // Successful puts in a row are confirmed with one statement (a reply carries many commands).
    let puts: ConfirmedPut[] = [];
    const flush = async () => {
      if (puts.length) await this.confirmPuts(m, puts);
      puts = [];
    };
    for (const outcome of ours) {
      const deviceId = idOf.get(outcome.deviceSn);
      if (!deviceId) continue;
      const ref = withoutSuperseded(outcome.ref as SyncRef, later.get(outcome.deviceSn)?.filter((l) => compareIds(l.id, outcome.commandId) > 0), outcome.state === 'failed');
      if (!ref) continue;
      const c: Confirmation = { deviceId, outcome, ref };
      if (outcome.state === 'done' && c.ref.kind && c.ref.put?.length && !c.ref.clear && !c.ref.del?.length) {
        for (const [k, h, plan] of c.ref.put) puts.push({ d: deviceId, kind: c.ref.kind, k, h, plan: plan ?? c.ref.plan, rc: outcome.returnCode, cmd: outcome.commandId });
        continue;
      }
      await flush();
      if (c.ref.verify || c.ref.learn) {
        await this.verifyListener?.(m, deviceId, outcome, c.ref);
        continue;
      }
      if (outcome.state === 'done') await this.confirm(m, c);
      else await this.fail(m, c);
    }
    await flush();
  }

  /**
   * Sync commands of these devices queued after the earliest of these outcomes and already finished in an earlier
   * transaction (their results came first): what they did to an item is newer than what these outcomes say.
   * Usually none (results come in queue order); a few rows when a panel answered late.
   */
  private async laterFinished(m: EntityManager, ours: CommandOutcome[]): Promise<Map<string, LaterCommand[]>> {
    const first = new Map<string, string>();
    for (const o of ours) if (!first.has(o.deviceSn)) first.set(o.deviceSn, o.commandId);
    const rows: Array<{ sn: string; id: string; kind: ItemKind | null; clear: boolean; del: boolean; cascade: ItemKind[] | null; keys: string[] | null }> = await namedQuery(
      m,
      `SELECT c.device_sn AS sn, c.id::text AS id, c.meta->>'kind' AS kind, c.meta ? 'clear' AS clear, c.meta ? 'del' AS del, c.meta->'cascade' AS cascade, c.keys
         FROM unnest($1::varchar[], $2::bigint[]) AS f(sn, id)
         JOIN device_command c ON c.device_sn = f.sn AND c.state IN ('done', 'failed') AND c.id > f.id
        WHERE c.meta ? 'sync' AND NOT c.meta ? 'verify' AND c.id <> ALL($3::bigint[])`,
      [[...first.keys()], [...first.values()], ours.map((o) => o.commandId)],
    );
    const out = new Map<string, LaterCommand[]>();
    for (const r of rows) {
      if (!r.kind) continue;
      let l = out.get(r.sn);
      if (!l) out.set(r.sn, (l = []));
      l.push({ id: r.id, kinds: [r.kind, ...(r.cascade ?? [])], clear: r.clear, del: r.del, keys: new Set(r.keys ?? []) });
    }
    return out;
  }

  /** Confirms put items (device, kind, key → hash), unless an earlier command of the same plan failed for them. */
  private async confirmPuts(m: EntityManager, puts: ConfirmedPut[]): Promise<void> {
    // One row per item: the last put of an item in this batch wins (queue order).
    const last = [...new Map(puts.map((p) => [`${p.d}\t${p.kind}\t${p.k}`, p])).values()];
    // One array per column: PostgreSQL reads array literals for about two thirds of the CPU a JSON document of the
    // same rows costs it (a full sync of 100,000 persons × 10 panels confirms two million items).
    const rows = `unnest($1::char(32)[], $2::varchar[], $3::varchar[], $4::text[], $5::varchar[], $6::int[], $7::bigint[]) AS x(d, kind, k, h, plan, rc, cmd)`;
    // One statement for known and new items (a full sync confirms a million items, 500 per command). An item a
    // failure of this same plan marked stays unconfirmed (the update's condition), due again if a pass released it
    // meanwhile (`failed`, DUE_AGAIN); a new item is inserted, and a known one, updated or not, is left to the
    // updates (ON CONFLICT DO NOTHING: no second lookup of each item).
    await namedQuery(
      m,
      `WITH x AS (SELECT * FROM ${rows}),
       known AS (
         UPDATE sync_item s SET hash = CASE WHEN ${PUT_OVER_FAILED_DELETE} THEN '${UNKNOWN_HASH}' ELSE x.h END, confirmed_at = now(),
             failures = CASE WHEN ${PUT_OVER_FAILED_DELETE} OR ${PUT_IN_BACKOFF} THEN s.failures ELSE 0 END,
             next_try_at = CASE WHEN ${PUT_OVER_FAILED_DELETE} THEN COALESCE(s.next_try_at, now()) WHEN ${PUT_IN_BACKOFF} THEN now() END,
             failed_delete = CASE WHEN ${PUT_OVER_FAILED_DELETE} THEN s.failed_delete END,
             failed_delete_at = CASE WHEN ${PUT_OVER_FAILED_DELETE} THEN s.failed_delete_at END, last_return = x.rc,
             -- The content a Return refused (failItems) is history once a put is taken: kept, a later lost reply would
             -- read as superseded content and go out again at once. A terminal's ERRORLOG count (last_return NULL) stays.
             error_hash = CASE WHEN s.last_return < 0 AND NOT (${PUT_OVER_FAILED_DELETE} OR ${PUT_IN_BACKOFF}) THEN NULL ELSE s.error_hash END
           FROM x WHERE s.device_id = x.d AND s.kind = x.kind AND s.key = x.k AND s.failed_plan IS DISTINCT FROM x.plan
       ),
       failed AS (
         UPDATE sync_item s SET next_try_at = now()
           FROM x WHERE s.device_id = x.d AND s.kind = x.kind AND s.key = x.k AND s.failed_plan = x.plan AND ${DUE_AGAIN}
       )
       INSERT INTO ${CONFIRMED_INTO}
       SELECT x.d, x.kind, x.k, x.h, now(), x.rc FROM x
       ON CONFLICT (${ITEM_KEY}) DO NOTHING`,
      [
        textArray(last.map((p) => p.d)),
        textArray(last.map((p) => p.kind)),
        textArray(last.map((p) => p.k)),
        textArray(last.map((p) => p.h)),
        textArray(last.map((p) => p.plan)),
        numberArray(last.map((p) => p.rc)),
        textArray(last.map((p) => p.cmd)),
      ],
    );
  }

  private async confirm(m: EntityManager, { deviceId, outcome, ref }: Confirmation): Promise<void> {
    if (!ref.kind) return;
    if (ref.clear || ref.del?.length) {
      const which = ref.clear ? (ref.except?.length ? 'AND key <> ALL($3)' : '') : 'AND key = ANY($3)';
      // A cascading delete (ref.cascade) took the items of those kinds with it on the device.
      const kinds = [ref.kind, ...(ref.cascade ?? [])];
      await forgetHeld(m, deviceId, kinds, which, ref.clear ? (ref.except?.length ? [ref.except] : []) : [ref.del]);
      if (ref.clear) await forgetExcessRows(m, deviceId, outcome.command);
    }
    const kind = ref.kind;
    if (ref.put?.length) await this.confirmPuts(m, ref.put.map(([k, h, plan]) => ({ d: deviceId, kind, k, h, plan: plan ?? ref.plan, rc: outcome.returnCode, cmd: outcome.commandId })));
  }

  /**
   * A failed put: the item is unknown (`?`). A failed delete: the rows are still held (the hash stays; unknown when
   * it got no Return, as it may have run), and the command is remembered (failed_delete) so that a put queued after
   * it is not taken as the item's whole content;
   * where such a put already finished (its result came first: `overtaken`), the item is in doubt now.
   */
  private async fail(m: EntityManager, { deviceId, outcome, ref }: Confirmation): Promise<void> {
    if (!ref.kind) return;
    const rc = outcome.returnCode;
    this.log.warn(`device ${outcome.deviceSn}: ${ref.kind} command ${outcome.commandId} ${outcome.reason === 'expired' ? 'got no result' : `failed (Return=${rc})`}; its items are unconfirmed and will be planned again`);
    if (ref.clear) {
      // No Return at all (its result lost behind later results, or none after its last delivery): the panel may well
      // have run it (one overtaken by answered commands did), so what it confirmed of the kind may be gone. Those items
      // are in doubt (`?`, their cards kept as priors for card-moves.ts), not confirmed: kept, the status counted a
      // cleared panel's members as held (REST confirmedRights, the convergence counts) until the full sync owed below
      // ran again. Items a later, answered command spoke for (`except`) keep what it said.
      if (outcome.reason === 'expired') await inDoubt(m, deviceId, ref.kind, ref.except ?? []);
      // A clear the firmware now refuses for good (its refusal was recorded before this outcome, in this transaction:
      // -1004, or -1002 the third time) would be left out of the full sync owed again for it, or sent again as the
      // probe whenever that full sync is planned while the refusal is due (a loaded machine: every pass), refused,
      // and the full sync owed again, for ever. The pages of this full sync went out after it and are confirmed as
      // they come; what the clear was to take off is handled as where the clear is left out (stop 43): below.
      const forGood = isRefusal(rc) && !!(await loadRefusals(m, [deviceId], { withDue: true })).get(deviceId)?.has(refusalKey(outcome.command));
      // The photo table's clear (by Type or `*`, the manual's generic DATA DELETE; the photo sections print per-PIN
      // deletes only) is a firmware's to refuse with any code: the photos it keeps are then deleted per PIN as
      // before (those confirmed and not desired), and owing a full sync again would wipe and refill the panel forever.
      // Those deletes must be planned, though: the plans made while the clear was on its way took it for done and
      // planned none, so each item of the kind the device is taken to hold is due for the divergent pass now (a
      // failure, due at once; one already waiting out a backoff keeps it), which deletes by PIN those not desired
      // (an item whose delete is refused too stays failing: divergent, honestly) and settles the others.
      if (ref.kind === 'photo' || forGood) {
        await m.query(
          `UPDATE sync_item SET failures = greatest(failures, 1), next_try_at = CASE WHEN ${IN_BACKOFF} THEN next_try_at ELSE now() END
            WHERE device_id = $1 AND kind = $2 AND hash IS NOT NULL AND skipped IS NULL`,
          [deviceId, ref.kind],
        );
      } else {
        await m.query(
          `INSERT INTO ${OWED_INTO} VALUES ($1, 'full', now() + make_interval(secs => $2))
           ON CONFLICT (device_id, kind) DO UPDATE SET ${OWED_UPDATE}`,
          [deviceId, this.config.syncRetryBaseMs / 1000],
        );
      }
      // A user or rights table the firmware refuses to clear keeps what the clear was to take off (a spare board's
      // users of another site), which nothing the gateway confirmed shows: the panel is counted once the full sync's
      // writes are in, so rows beyond those it confirms are found, reported, and asked for and deleted by PIN where
      // the firmware takes that (SyncReconciler.verifiedCount, learnUnknownRows).
      if (isRefusal(rc) && CLEAR_COUNTED.has(ref.kind)) {
        await m.query(`INSERT INTO ${OWED_INTO} VALUES ($1, 'verify', now() + make_interval(secs => $2)) ON CONFLICT (device_id, kind) DO NOTHING`, [
          deviceId,
          this.config.syncRetryBaseMs / 1000,
        ]);
      }
      return;
    }
    // A delete that got no Return at all (its result lost behind later answered commands, or none after its last
    // delivery) may well have run: what it was to take off is in doubt (`?`), not still held. Kept as held, a person
    // deleted and added again with the same record was taken to be on the device as desired: nothing was sent, the
    // failure was settled (settledFailures), and the answers said synced while the panel or terminal lacked the user.
    const ran = !ref.put && outcome.reason === 'expired';
    await this.failItems(m, deviceId, outcome, ref, ref.kind, ran);
    // What such a delete takes with it on the device (`cascade`: a terminal's DATA DELETE USERINFO takes the PIN's
    // templates and photo) is in doubt as much. Kept as held, a person taken off a terminal's area (templates and
    // photo kept in the database) and put back was planned as holding them: the user went out again, the templates
    // and photo never, and the terminal was said synced without them.
    if (ran) for (const kind of ref.cascade ?? []) await this.failItems(m, deviceId, outcome, { ...ref, kind, cascade: undefined }, kind, ran, true);
  }

  /**
   * Records a failed command's items of `kind` as failing (hash, failures, backoff). A delete's items are those the
   * device is taken to hold (`heldOnly`: with a hash; else any row of the item).
   */
  private async failItems(m: EntityManager, deviceId: string, outcome: CommandOutcome, ref: ConfirmRef, kind: ItemKind, ran: boolean, heldOnly = false): Promise<void> {
    const rc = outcome.returnCode;
    // A failed delete adds nothing to the device: an item it does not hold (no row: a clear, a delete or a count of
    // an empty table took it off after this delete was planned) stays not held, not "in doubt" with nothing to settle it.
    const held = ref.put
      ? null
      : new Set(
          (
            (await m.query(`SELECT key FROM sync_item WHERE device_id = $1 AND kind = $2 AND key = ANY($3) ${heldOnly ? 'AND hash IS NOT NULL AND skipped IS NULL' : ''}`, [
              deviceId,
              kind,
              ref.del ?? [],
            ])) as Array<{ key: string }>
          ).map((r) => r.key),
        );
    const items = [...(ref.put ?? []).map(([k, h, plan]) => [k, plan ?? ref.plan, h]), ...(ref.del ?? []).filter((k) => !held || held.has(k)).map((k) => [k, ref.plan, null])];
    if (items.length === 0) return;
    // A put the device answered with a Return keeps the content it refused (error_hash): a change of the data sends
    // the item again at once, in the REST write's own plan (releaseSuperseded), not after the backoff of content
    // nobody wants any more: a full panel given room, a template corrected, a name shortened.
    const failures: Array<{ key: string; failures: number }> = await m.query(
      `INSERT INTO ${FAILED_INTO}
       SELECT $1, $2, x.k, $3, 1, $4, now(), x.plan, CASE WHEN $7 THEN NULL ELSE $8::bigint END, CASE WHEN $7 THEN NULL ELSE clock_timestamp() END,
              CASE WHEN $4::int IS NOT NULL THEN x.h END
         FROM unnest($6::varchar[], $5::varchar[], $11::text[]) AS x(k, plan, h)
       ON CONFLICT (device_id, kind, key) DO UPDATE SET
         hash = CASE WHEN $7 OR $10 OR EXCLUDED.key = ANY($9::varchar[]) THEN '${UNKNOWN_HASH}' ELSE COALESCE(sync_item.hash, '${UNKNOWN_HASH}') END,
         failures = sync_item.failures + 1, last_return = EXCLUDED.last_return, last_error = NULL, failed_at = now(), failed_plan = EXCLUDED.failed_plan,
         error_hash = CASE WHEN EXCLUDED.last_return IS NULL THEN sync_item.error_hash ELSE EXCLUDED.error_hash END,
         error_failures = CASE WHEN EXCLUDED.last_return IS NULL THEN sync_item.error_failures ELSE 0 END,
         failed_delete = CASE WHEN $7 THEN sync_item.failed_delete ELSE EXCLUDED.failed_delete END,
         failed_delete_at = CASE WHEN $7 THEN sync_item.failed_delete_at ELSE EXCLUDED.failed_delete_at END
       RETURNING key, failures`,
      [deviceId, kind, UNKNOWN_HASH, rc, items.map(([, plan]) => plan), items.map(([k]) => k), !!ref.put, outcome.commandId, ref.overtaken ?? [], ran, items.map(([, , h]) => h)],
    ).then((r: unknown) => (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as Array<{ key: string; failures: number }>);
    // A put's cards may be on the device now (its reply lost) besides those it held before (kept by the row trigger):
    // both count until the item is confirmed again (card-moves.ts). Whole entries are compared: card 123/0 is not 1123/0.
    const carding = (ref.put ?? []).filter(([, h]) => (kind === 'user' || kind === 'card') && itemCards(kind, h).length > 0);
    if (carding.length)
      await m.query(
        `UPDATE sync_item s SET prior_hashes = concat_ws('|', s.prior_hashes, x.h) FROM unnest($3::varchar[], $4::text[]) AS x(key, h)
          WHERE s.device_id = $1 AND s.kind = $2 AND s.key = x.key AND s.hash = '${UNKNOWN_HASH}' AND NOT (x.h = ANY(string_to_array(coalesce(s.prior_hashes, ''), '|')))`,
        [deviceId, kind, carding.map(([k]) => k), carding.map(([, h]) => h)],
      );
    // Backoff per item, from its failure count.
    await m.query(
      `UPDATE sync_item s SET next_try_at = now() + make_interval(secs => x.secs)
         FROM unnest($3::varchar[], $4::float8[]) AS x(key, secs) WHERE s.device_id = $1 AND s.kind = $2 AND s.key = x.key`,
      [deviceId, kind, failures.map((f) => f.key), failures.map((f) => backoffMs(f.failures, this.config.syncRetryBaseMs, this.config.syncRetryMaxMs) / 1000)],
    );
    const tooLarge = kind === 'photo' && rc !== null ? PHOTO_TOO_LARGE.get(rc) : undefined;
    if (tooLarge && ref.put?.length) await givePhotoUp(m, deviceId, ref.put, tooLarge);
  }
}

/**
 * Return -1001 to a photo's USERPIC or BIOPHOTO: "Limited capacity" (Attendance PUSH appendix), a photo too large for
 * the terminal (field sample rc-aiface-photo-1001); or -1006, "The data is too long" (the same appendix), firmware's
 * other word for it. The same photo is refused again at every retry, and the gateway holds no image library to make
 * it smaller.
 */
const CANNOT_SHRINK = 'the photo is too large for this device; the gateway cannot make it smaller: store a smaller photo';
export const PHOTO_TOO_LARGE_TEXT = `Return -1001: Limited capacity: ${CANNOT_SHRINK}`;
const PHOTO_TOO_LARGE: ReadonlyMap<number, string> = new Map([
  [-1001, PHOTO_TOO_LARGE_TEXT],
  [-1006, `Return -1006: The data is too long: ${CANNOT_SHRINK}`],
]);

/**
 * A photo too large for the device is given up on at once (GIVEN_UP): not sent again, shown failed with the reason,
 * until the person's photo changes (its hash: error_hash, releaseSuperseded), when the new one goes out at once.
 */
async function givePhotoUp(m: EntityManager, deviceId: string, put: NonNullable<SyncRef['put']>, reason: string): Promise<void> {
  await m.query(
    `UPDATE sync_item s SET error_hash = x.h, error_failures = CASE WHEN s.error_hash = x.h THEN s.error_failures + 1 ELSE 1 END, last_error = $4, next_try_at = ${GIVEN_UP}
       FROM unnest($2::varchar[], $3::text[]) AS x(k, h) WHERE s.device_id = $1 AND s.kind = 'photo' AND s.key = x.k AND s.failures > 0`,
    [deviceId, put.map(([k]) => k), put.map(([, h]) => h), reason],
  );
}

/**
 * Items of these kinds ($1 the device, $2 the kinds, `which` more conditions on $3… `params`) the device no longer
 * holds: a confirmed delete or clear took them off, or a count found their table empty. An item waiting out the
 * backoff of a failed command was left out of every plan made meanwhile (the planner holds it): it is off the
 * device, yet it is still to be planned when its backoff ends, or nothing would ever send it again. It stays as an
 * item the device does not hold (hash NULL) with its failures and retry time; the reconciler's divergent pass then
 * plans it from desired against confirmed (runDivergent). Every other item is gone; a skipped one keeps its note.
 */
export async function forgetHeld(m: EntityManager, deviceId: string, kinds: readonly ItemKind[], which: string, params: readonly unknown[]): Promise<void> {
  const all = [deviceId, kinds, ...params];
  // An item given up on (GIVEN_UP) has no backoff that ends: off the device, it is due now instead, and the divergent
  // pass drops it (the person left the device, the photo was deleted) or plans it again (a clear took it off while
  // it is still desired: its failure count stands, so the same content failing again is given up at once). Kept at
  // GIVEN_UP, nothing ever planned or dropped it: the device stayed listed under a person who had left it, with the
  // old error, and counted failing for good.
  await m.query(
    `UPDATE sync_item SET hash = NULL, failed_delete = NULL, failed_delete_at = NULL, next_try_at = CASE WHEN next_try_at = ${GIVEN_UP} THEN now() ELSE next_try_at END
      WHERE device_id = $1 AND kind = ANY($2) ${which} AND skipped IS NULL AND ${IN_BACKOFF}`,
    all,
  );
  await m.query(`DELETE FROM sync_item WHERE device_id = $1 AND kind = ANY($2) ${which} AND skipped IS NULL AND NOT (${IN_BACKOFF})`, all);
  await m.query(
    `UPDATE sync_item SET hash = NULL, failures = 0, next_try_at = NULL, failed_plan = NULL, failed_delete = NULL, failed_delete_at = NULL WHERE device_id = $1 AND kind = ANY($2) ${which} AND skipped IS NOT NULL`,
    all,
  );
}

/** Every item of `kind` the device is taken to hold is in doubt (`?`), but those `except` names. */
async function inDoubt(m: EntityManager, deviceId: string, kind: ItemKind, except: readonly string[]): Promise<void> {
  await m.query(
    `UPDATE sync_item SET hash = '${UNKNOWN_HASH}' WHERE device_id = $1 AND kind = $2 AND hash IS NOT NULL AND hash <> '${UNKNOWN_HASH}' AND skipped IS NULL AND key <> ALL($3::varchar[])`,
    [deviceId, kind, except],
  );
}

/** A sync command that finished before an outcome of an earlier one was recorded. */
interface LaterCommand {
  id: string;
  /** Its kind and the kinds its deletes cascade to. */
  kinds: ItemKind[];
  clear: boolean;
  /** It deleted its keys (else it put them). */
  del: boolean;
  keys: Set<string>;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The ref of an outcome without the items that later, already finished commands spoke for: the device ran this
 * command before them, so their outcome is the newer word on those items. null when nothing is left; a clear
 * overtaken by later commands of its kind keeps away from their items (`except`), and none is left when a later
 * clear of the kind finished.
 */
export function withoutSuperseded(ref: SyncRef, later: readonly LaterCommand[] | undefined, failed = false): ConfirmRef | null {
  if (!later?.length || !ref.kind || ref.verify) return ref;
  const kinds = [ref.kind, ...(ref.cascade ?? [])];
  const mine = later.filter((l) => l.kinds.some((k) => kinds.includes(k)));
  if (mine.length === 0) return ref;
  if (mine.some((l) => l.clear && l.kinds.includes(ref.kind!))) return null;
  const taken = new Set(mine.flatMap((l) => [...l.keys]));
  if (ref.clear) return { ...ref, except: [...taken] };
  const put = ref.put?.filter(([k]) => !taken.has(k));
  // A failed delete of rows a later put writes beside (ROWS_BESIDE) is not answered by that put: the rows it was
  // to remove are still there, next to the put's. Only a later delete speaks for them.
  const beside = failed && ROWS_BESIDE.has(ref.kind);
  const deleted = beside ? new Set(mine.filter((l) => l.del || l.clear).flatMap((l) => [...l.keys])) : taken;
  const del = ref.del?.filter((k) => !deleted.has(k));
  const overtaken = beside ? del?.filter((k) => taken.has(k)) : undefined;
  if (!put?.length && !del?.length) return null;
  return { ...ref, ...(ref.put ? { put } : {}), ...(ref.del ? { del } : {}), ...(overtaken?.length ? { overtaken } : {}) };
}

/**
 * A table's clear that the device ran takes off the rows a count found beyond those it confirmed (excess_rows,
 * SyncReconciler.verifiedCount), whichever of the table's refusals keeps them. The user and rights tables' clear is
 * keyed apart from their deletes by PIN (`DATA DELETE userauthorize *`, refusals.ts), and the rows were kept on the
 * by-PIN refusal when only that one was refused: the clear's success forgot no refusal of its own, the rows stayed
 * reported, and the refusal's probe (a full sync, its clear sent while the key is due, SyncReconciler.probeRefusals;
 * no count queued after it, the key not held back then) came again and again: a panel cleared and refilled at every
 * probe, reported divergent with rows it no longer held (fault-combos, seed 181267674, run 188).
 */
async function forgetExcessRows(m: EntityManager, deviceId: string, command: string): Promise<void> {
  const key = refusalKey(command);
  // Only a clear of the whole table (a template table is cleared one Type at a time: some rows stay).
  if (!key.endsWith(' *')) return;
  await m.query(`UPDATE device_refusal SET excess_rows = NULL WHERE device_id = $1 AND what = ANY($2::varchar[]) AND excess_rows IS NOT NULL`, [
    deviceId,
    [key, key.replace(/ \*$/, '')],
  ]);
}
