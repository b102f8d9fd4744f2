import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A person's self-service password (v2/person/getPersonList and v2/person/get `selfPwd`), kept as CVSecurity returns
 * it: the MD5 hex of the password. Every person starts with CVSecurity's default, 123456
 * (e10adc3949ba59abbe56e057f20f883e, the manual's example), those stored before this column among them.
 */
export class PersonSelfPwd1764900002000 implements MigrationInterface {
  name = 'PersonSelfPwd1764900002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "person" ADD "self_pwd" character varying(32) NOT NULL DEFAULT 'e10adc3949ba59abbe56e057f20f883e'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "person" DROP COLUMN "self_pwd"`);
  }
}
