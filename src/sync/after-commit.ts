/**
 * Work to start once the caller's transaction has committed (never when it rolls back): a kick of the reconciler
 * for owed work the transaction recorded would otherwise run before that work is visible to other connections,
 * find nothing, and leave it to the next periodic pass.
 */
import type { DataSource, EntityManager, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

const hooked = new WeakSet<DataSource>();
const waiting = new WeakMap<QueryRunner, Array<() => void>>();

const depthOf = (qr: QueryRunner) => (qr as QueryRunner & { transactionDepth?: number }).transactionDepth ?? 0;
/** The outermost transaction ended (a savepoint's release or rollback leaves the transaction open). */
const ended = (qr: QueryRunner) => depthOf(qr) <= 0 || !qr.isTransactionActive;

function hook(ds: DataSource): void {
  if (hooked.has(ds)) return;
  hooked.add(ds);
  ds.subscribers.push({
    afterTransactionCommit: (e: TransactionCommitEvent) => {
      const fns = waiting.get(e.queryRunner);
      if (!fns || !ended(e.queryRunner)) return;
      waiting.delete(e.queryRunner);
      for (const fn of fns) fn();
    },
    afterTransactionRollback: (e: TransactionRollbackEvent) => {
      if (ended(e.queryRunner)) waiting.delete(e.queryRunner);
    },
  });
}

/** Runs `fn` after `m`'s transaction commits; at once (next tick) when `m` is not in a transaction. */
export function afterCommit(m: EntityManager, fn: () => void): void {
  const qr = m.queryRunner;
  if (!qr || !qr.isTransactionActive) {
    setImmediate(fn);
    return;
  }
  hook(m.connection);
  const fns = waiting.get(qr);
  if (fns) fns.push(fn);
  else waiting.set(qr, [fn]);
}
