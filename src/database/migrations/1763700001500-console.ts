import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator console: operator accounts, their sessions, and the audit log of what they did.
 * Read and written with plain SQL by src/console/ (no entities: nothing outside the console touches them).
 */
export class Console1763700001500 implements MigrationInterface {
  name = 'Console1763700001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "console_operator" (
      "id" character(32) NOT NULL,
      "name" character varying(64) NOT NULL,
      "role" character varying(16) NOT NULL,
      "password_hash" character varying(255) NOT NULL,
      "totp_secret" character varying(64),
      "totp_last_step" bigint,
      "disabled" boolean NOT NULL DEFAULT false,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "password_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_console_operator" PRIMARY KEY ("id"),
      CONSTRAINT "ck_console_operator_role" CHECK ("role" IN ('admin', 'operator', 'viewer'))
    )`);
    await q.query(`CREATE UNIQUE INDEX "uq_console_operator_name" ON "console_operator" (lower("name"))`);
    // The session id itself is never stored: only its SHA-256, so a database read does not hand out sessions.
    // totp_pending: a second-factor secret offered to this session and not confirmed yet (any process may confirm).
    await q.query(`CREATE TABLE "console_session" (
      "id_hash" character(64) NOT NULL,
      "operator_id" character(32) NOT NULL,
      "csrf_token" character(43) NOT NULL,
      "ip" character varying(64),
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "totp_pending" character varying(64),
      CONSTRAINT "pk_console_session" PRIMARY KEY ("id_hash"),
      CONSTRAINT "fk_console_session_operator" FOREIGN KEY ("operator_id") REFERENCES "console_operator"("id") ON DELETE CASCADE
    )`);
    await q.query(`CREATE INDEX "ix_console_session_operator" ON "console_session" ("operator_id")`);
    await q.query(`CREATE TABLE "console_audit" (
      "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "operator" character varying(64),
      "role" character varying(16),
      "ip" character varying(64),
      "action" character varying(64) NOT NULL,
      "target" character varying(255),
      "outcome" character varying(16) NOT NULL,
      "detail" jsonb,
      CONSTRAINT "pk_console_audit" PRIMARY KEY ("id")
    )`);
    await q.query(`CREATE INDEX "ix_console_audit_at" ON "console_audit" ("at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "console_audit"`);
    await q.query(`DROP TABLE "console_session"`);
    await q.query(`DROP TABLE "console_operator"`);
  }
}
