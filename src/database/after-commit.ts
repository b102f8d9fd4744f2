/**
 * Work to start once the caller's transaction has committed, never when it rolls back: the devices' "work
 * waiting" flags (WorkSignalService), a kick of the reconciler for owed work the transaction recorded (run
 * before the commit, the kicked pass would not see that work and would leave it to the next periodic pass).
 *
 * Savepoints count: work registered inside a savepoint that is rolled back is dropped with it; inside one that
 * is released it belongs to the enclosing level, and runs when the outermost transaction commits.
 */
import type { DataSource, EntityManager, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

const hooked = new WeakSet<DataSource>();
/** Per open transaction, the work registered at each savepoint depth (1 = the outermost transaction). */
const waiting = new WeakMap<QueryRunner, Array<Array<() => void> | undefined>>();

const depthOf = (qr: QueryRunner) => (qr as QueryRunner & { transactionDepth?: number }).transactionDepth ?? 0;
/** The outermost transaction ended (a savepoint's release or rollback leaves the transaction open). */
const ended = (qr: QueryRunner) => depthOf(qr) <= 0 || !qr.isTransactionActive;

function hook(ds: DataSource): void {
  if (hooked.has(ds)) return;
  hooked.add(ds);
  ds.subscribers.push({
    afterTransactionCommit: (e: TransactionCommitEvent) => {
      const levels = waiting.get(e.queryRunner);
      if (!levels) return;
      if (ended(e.queryRunner)) {
        waiting.delete(e.queryRunner);
        for (const level of levels) for (const fn of level ?? []) fn();
        return;
      }
      // A savepoint was released (the depth is the enclosing level's now): its work moves there.
      const depth = depthOf(e.queryRunner);
      const inner = levels.splice(depth + 1);
      (levels[depth] ??= []).push(...inner.flatMap((l) => l ?? []));
    },
    afterTransactionRollback: (e: TransactionRollbackEvent) => {
      const levels = waiting.get(e.queryRunner);
      if (!levels) return;
      if (ended(e.queryRunner)) waiting.delete(e.queryRunner);
      else levels.splice(depthOf(e.queryRunner) + 1);
    },
  });
}

/** Runs `fn` after `m`'s transaction commits; at once when `m` is not in a transaction. */
export function afterCommit(m: EntityManager, fn: () => void): void {
  const qr = m.queryRunner;
  if (!qr || !qr.isTransactionActive) {
    fn();
    return;
  }
  hook(m.connection);
  const depth = Math.max(1, depthOf(qr));
  let levels = waiting.get(qr);
  if (!levels) waiting.set(qr, (levels = []));
  (levels[depth] ??= []).push(fn);
}
