import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rest of CVSecurity's door edit the panel keeps as options (Security PUSH 9.5.1, Appendix 10): the passage mode
 * time zone (Door<n>KeepOpenTimeZone; `keep_open_set` with a null segment: none, 0), the door active time zone
 * (Door<n>ValidTZ; null: the seeded 24-Hour Accessible, TimezoneId 1, as the factory leaves it), lock at door closing
 * (Door<n>CloseAndLock) and the duress and emergency passwords (Door<n>ForcePassWord, Door<n>SupperPassWord; '' a
 * password cleared, null never set). A segment a door uses cannot be deleted (refused by name first, RESTRICT after).
 */
export class DoorTimeZonesPasswords1765400002000 implements MigrationInterface {
  name = 'DoorTimeZonesPasswords1765400002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "door" ADD "keep_open_segment_id" character(32)`);
    await q.query(`ALTER TABLE "door" ADD "keep_open_set" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "door" ADD "valid_segment_id" character(32)`);
    await q.query(`ALTER TABLE "door" ADD "close_and_lock" boolean`);
    await q.query(`ALTER TABLE "door" ADD "duress_password" character varying(6)`);
    await q.query(`ALTER TABLE "door" ADD "emergency_password" character varying(8)`);
    await q.query(`CREATE INDEX "ix_door_keep_open_segment" ON "door" ("keep_open_segment_id")`);
    await q.query(`CREATE INDEX "ix_door_valid_segment" ON "door" ("valid_segment_id")`);
    await q.query(
      `ALTER TABLE "door" ADD CONSTRAINT "fk_door_keep_open_segment" FOREIGN KEY ("keep_open_segment_id") REFERENCES "time_segment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`ALTER TABLE "door" ADD CONSTRAINT "fk_door_valid_segment" FOREIGN KEY ("valid_segment_id") REFERENCES "time_segment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "door" DROP CONSTRAINT "fk_door_valid_segment"`);
    await q.query(`ALTER TABLE "door" DROP CONSTRAINT "fk_door_keep_open_segment"`);
    await q.query(`DROP INDEX "ix_door_valid_segment"`);
    await q.query(`DROP INDEX "ix_door_keep_open_segment"`);
    for (const c of ['emergency_password', 'duress_password', 'close_and_lock', 'valid_segment_id', 'keep_open_set', 'keep_open_segment_id']) await q.query(`ALTER TABLE "door" DROP COLUMN "${c}"`);
  }
}
