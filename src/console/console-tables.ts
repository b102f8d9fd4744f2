import { rawTable } from '../database/columns';

/** The console's tables (operators, their sessions, the audit trail), written with SQL only; created by migration 1763700001500. */
export const CONSOLE_OPERATOR = rawTable('console_operator', {
  id: ['id', 'character(32)'],
  name: ['name', 'character varying(64)'],
  role: ['role', 'character varying(16)'],
  passwordHash: ['password_hash', 'character varying(255)'],
  totpSecret: ['totp_secret', 'character varying(64)'],
  totpLastStep: ['totp_last_step', 'bigint'],
  disabled: ['disabled', 'boolean'],
  createdAt: ['created_at', 'timestamp with time zone'],
  passwordChangedAt: ['password_changed_at', 'timestamp with time zone'],
});

export const CONSOLE_SESSION = rawTable('console_session', {
  idHash: ['id_hash', 'character(64)'],
  operatorId: ['operator_id', 'character(32)'],
  csrfToken: ['csrf_token', 'character(43)'],
  ip: ['ip', 'character varying(64)'],
  createdAt: ['created_at', 'timestamp with time zone'],
  lastSeenAt: ['last_seen_at', 'timestamp with time zone'],
  totpPending: ['totp_pending', 'character varying(64)'],
});

export const CONSOLE_AUDIT = rawTable('console_audit', {
  id: ['id', 'bigint'],
  at: ['at', 'timestamp with time zone'],
  operator: ['operator', 'character varying(64)'],
  role: ['role', 'character varying(16)'],
  ip: ['ip', 'character varying(64)'],
  action: ['action', 'character varying(64)'],
  target: ['target', 'character varying(255)'],
  outcome: ['outcome', 'character varying(16)'],
  detail: ['detail', 'jsonb'],
});
