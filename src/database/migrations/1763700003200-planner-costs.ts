import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's database is small next to memory and read from cache, so a random page costs about what a
 * sequential one does. With PostgreSQL's default (random_page_cost 4, a spinning disk's), the planner chose
 * hash joins over whole-table scans of sync_item and person for every write group, confirmation and lookup of
 * the devices a write touches, while those tables grew faster than the statistics caught up: in the
 * `person/add` bench, 706 scans read 5.9 million sync_item rows for 2,000 persons, and PostgreSQL spent
 * 4.0–5.6 ms of CPU per person on a fresh site where it now spends 2.3–3.5.
 *
 * Set for this database, so every new session of every gateway process (and of the operator's own tools)
 * plans with it. Only the database's owner (or a superuser) may set it: for anyone else this is a notice, not
 * a failed start, and the server's own setting stays in force. The embedded database is one session for the
 * process's life, so the setting is also applied to the current session.
 */
export const RANDOM_PAGE_COST = '1.1';

export class PlannerCosts1763700003200 implements MigrationInterface {
  name = 'PlannerCosts1763700003200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$
      BEGIN
        EXECUTE format('ALTER DATABASE %I SET random_page_cost = ${RANDOM_PAGE_COST}', current_database());
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'random_page_cost left as the server has it: only the owner of database % may set it', current_database();
      END $$`);
    await q.query(`SET random_page_cost = ${RANDOM_PAGE_COST}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DO $$
      BEGIN
        EXECUTE format('ALTER DATABASE %I RESET random_page_cost', current_database());
      EXCEPTION WHEN insufficient_privilege THEN
        NULL;
      END $$`);
    await q.query(`RESET random_page_cost`);
  }
}
