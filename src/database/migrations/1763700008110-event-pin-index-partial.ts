import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ix_acc_transaction_pin_time` holds only events with a pin.
 *
 * An event without a person (door opened or closed, exit button, alarms: pin 0 or empty, stored as NULL) is
 * never looked up by pin, yet each one paid a btree insertion into the pin index: about 11,000 of PostgreSQL's
 * 186,000 instructions per such event at the bench's batches (callgrind, docs/performance-log.md, stop 44). Every
 * reader filters with `pin = $n`, which implies `pin IS NOT NULL` (the operator is strict), so each still uses the
 * index, generic plans included. The new index is built before the old one goes, so the pin filter always has one.
 */
export class EventPinIndexPartial1763700008110 implements MigrationInterface {
  name = 'EventPinIndexPartial1763700008110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_acc_transaction_pin_time_partial" ON "acc_transaction" ("pin", "event_time") WHERE "pin" IS NOT NULL`);
    await q.query(`DROP INDEX "ix_acc_transaction_pin_time"`);
    await q.query(`ALTER INDEX "ix_acc_transaction_pin_time_partial" RENAME TO "ix_acc_transaction_pin_time"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_acc_transaction_pin_time_full" ON "acc_transaction" ("pin", "event_time")`);
    await q.query(`DROP INDEX "ix_acc_transaction_pin_time"`);
    await q.query(`ALTER INDEX "ix_acc_transaction_pin_time_full" RENAME TO "ix_acc_transaction_pin_time"`);
  }
}
