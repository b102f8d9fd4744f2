import type { DataSource, EntityManager } from 'typeorm';

/** SQLSTATE of a transaction PostgreSQL aborted to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';
/** SQLSTATE of a unique index refusing a row (a concurrent writer inserted the same key first). */
export const UNIQUE_VIOLATION = '23505';
/**
 * SQLSTATEs of a foreign key refusing a write (a row still referenced, or one that references nothing): 23503,
 * and 23001 (restrict_violation), which PostgreSQL 17 and later (the embedded database among them) report for a
 * key declared ON DELETE RESTRICT.
 */
const FOREIGN_KEY_VIOLATIONS: ReadonlySet<unknown> = new Set(['23503', '23001']);
/**
 * A check run first in a write's transaction, before anything is read for the write: throwing refuses it (the
 * console's edit forms refuse a save over a change made since they were read, console/form-version.ts).
 */
export type WriteCheck = (m: EntityManager) => Promise<void>;

/**
 * Write transactions PostgreSQL aborted as a deadlock and run again, in this process since it started
 * (cvgw_write_deadlock_retries_total). Writers take their locks in one order (lockPersonPins: pins, cards, person
 * rows), so this stays near 0; a rising count names a new writer taking them out of order.
 */
let deadlocksRetried = 0;
export const writeDeadlockRetries = (): number => deadlocksRetried;

/** Runs of one write before its deadlock is answered as an error. */
const ATTEMPTS = 5;

/** True for PostgreSQL's deadlock error, raw from pg or wrapped by TypeORM (QueryFailedError). */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return e?.code === DEADLOCK_DETECTED || e?.driverError?.code === DEADLOCK_DETECTED;
}

/** True for a foreign key violation, raw from pg or wrapped by TypeORM. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return FOREIGN_KEY_VIOLATIONS.has((e?.driverError ?? e)?.code);
}

/** True for a unique violation (of the named constraint, when one is named), raw from pg or wrapped by TypeORM. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } } | null;
  const d = e?.driverError ?? e;
  return d?.code === UNIQUE_VIOLATION && (constraint === undefined || d?.constraint === constraint);
}

/**
 * A write transaction, run again from the start when PostgreSQL aborts it to break a deadlock, or when a unique
 * index refused a row. Writers that queue device commands take the devices' order locks (command-queue.service.ts,
 * rule (f)) in lock-key order within one call, but a transaction may plan several times (attendance terminals,
 * then access panels; one level, then another), and two such transactions can meet in opposite orders.
 * PostgreSQL detects the cycle and aborts one; nothing of it was committed, so running it again is the same
 * write, and the client never sees the deadlock. A unique violation in a write that checks first (a level name,
 * a template slot, a visitor's certificate, a new pin) means a concurrent writer inserted the same key between
 * the check and the insert: run again, the write sees that row and answers what it would one call later (the
 * manual's "already exists" code, or an add-or-edit's edit) instead of a bare -409. A write that does not check
 * meets the same violation each time and answers it. `fn` must keep its effects inside the transaction (what
 * it queues, the after-commit work signals): all of them are rolled back with it.
 */
export async function writeTransaction<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(fn);
    } catch (error) {
      if (!(isDeadlock(error) || isUniqueViolation(error)) || attempt >= ATTEMPTS) throw error;
      if (isDeadlock(error)) deadlocksRetried++;
      // The survivor is committing: a short, jittered pause keeps the two from meeting again at once.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}
