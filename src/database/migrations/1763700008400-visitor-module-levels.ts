import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A visitor level may be an elevator level (floors) or an entrance-control level (gates) as well as an access level,
 * as CVSecurity's visitor levels group them: a checked-in visitor reaches the elevator and channel controllers of
 * their levels. vis_level and vis_registration_level named access levels only (a foreign key to acc_level); the key
 * goes, and a trigger on each of the three level tables deletes a deleted level's rows there, as the key's ON DELETE
 * CASCADE did for access levels.
 */
export class VisitorModuleLevels1763700008400 implements MigrationInterface {
  name = 'VisitorModuleLevels1763700008400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "vis_registration_level" DROP CONSTRAINT "fk_vis_registration_level_level"`);
    await q.query(`ALTER TABLE "vis_level" DROP CONSTRAINT "fk_vis_level_level"`);
    await q.query(`CREATE FUNCTION vis_level_gone() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM vis_registration_level WHERE level_id = OLD.id;
        DELETE FROM vis_level WHERE level_id = OLD.id;
        RETURN OLD;
      END $$`);
    for (const t of ['acc_level', 'ele_level', 'psg_level']) {
      await q.query(`CREATE TRIGGER trg_${t}_vis_level AFTER DELETE ON "${t}" FOR EACH ROW EXECUTE FUNCTION vis_level_gone()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['acc_level', 'ele_level', 'psg_level']) await q.query(`DROP TRIGGER trg_${t}_vis_level ON "${t}"`);
    await q.query(`DROP FUNCTION vis_level_gone()`);
    await q.query(`DELETE FROM vis_registration_level rl WHERE NOT EXISTS (SELECT 1 FROM acc_level l WHERE l.id = rl.level_id)`);
    await q.query(`DELETE FROM vis_level v WHERE NOT EXISTS (SELECT 1 FROM acc_level l WHERE l.id = v.level_id)`);
    await q.query(`ALTER TABLE "vis_level" ADD CONSTRAINT "fk_vis_level_level" FOREIGN KEY ("level_id") REFERENCES "acc_level"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "vis_registration_level" ADD CONSTRAINT "fk_vis_registration_level_level" FOREIGN KEY ("level_id") REFERENCES "acc_level"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }
}
