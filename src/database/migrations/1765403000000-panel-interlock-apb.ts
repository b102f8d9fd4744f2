import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CVSecurity's Access > Advanced Functions, Interlock and Anti-Passback, set per access panel: the panel keeps each as
 * one option (Security PUSH 9.5.1 `SET OPTIONS InterLock=<Appendix 9 value>`, `AntiPassback=<Appendix 8 value>`,
 * Appendix 12). Null: never set, the panel keeps its own and is sent nothing; 0 is a rule cleared (None / No APB),
 * sent as such. The sync planner owns the commands (the `advanced` device item).
 */
export class PanelInterlockApb1765403000000 implements MigrationInterface {
  name = 'PanelInterlockApb1765403000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" ADD "interlock" integer`);
    await q.query(`ALTER TABLE "device" ADD "anti_passback" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" DROP COLUMN "anti_passback"`);
    await q.query(`ALTER TABLE "device" DROP COLUMN "interlock"`);
  }
}
