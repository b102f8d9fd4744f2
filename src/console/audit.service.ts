import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { insertOf } from '../database/columns';
import { CONSOLE_AUDIT } from './console-tables';
import type { ConsoleOperator } from './console-roles';

export type AuditOutcome = 'ok' | 'failed' | 'refused';

const APPEND = `INSERT INTO ${insertOf(CONSOLE_AUDIT, ['operator', 'role', 'ip', 'action', 'target', 'outcome', 'detail'])}`;

/** One audit entry: who (none for the command line), from where, did what to which thing, how it ended, with what. */
type AuditRecord = [
  who: Pick<ConsoleOperator, 'name' | 'role'> | { name: string; role: null } | undefined,
  ip: string | undefined,
  action: string,
  target: string | undefined,
  outcome: AuditOutcome,
  detail: Record<string, unknown> | null,
];

/** Appends one entry to the audit log (the console's, and the command line's, which has no Nest container). */
export async function appendAudit(ds: Pick<DataSource, 'query'>, ...[who, ip, action, target, outcome, detail]: AuditRecord): Promise<void> {
  await ds.query(APPEND, [who?.name?.slice(0, 64) ?? null, who?.role ?? null, ip ?? null, action, target?.slice(0, 255) ?? null, outcome, detail === null ? null : JSON.stringify(detail)]);
}

/** Fields never written into the audit log: secrets, and payloads too large to be worth keeping. */
const HIDDEN = new Set(['password', 'current', 'next', 'personPwd', 'personPhoto', 'token', 'code', 'photo', 'bioPhoto', 'content', 'picture', 'duressPassword', 'emergencyPassword']);

/** The request body as the audit log keeps it: secrets masked, long values cut. */
export function auditDetail(body: unknown): Record<string, unknown> | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (HIDDEN.has(k)) out[k] = v === undefined || v === '' ? v : '(hidden)';
    else if (typeof v === 'string') out[k] = v.length > 200 ? `${v.slice(0, 200)}…` : v;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
    else out[k] = JSON.stringify(v).slice(0, 200);
  }
  return out;
}

export interface AuditEntry {
  id: string;
  at: string | null;
  operator: string | null;
  role: string | null;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  detail: Record<string, unknown> | null;
}

/** The audit log: who did what to which thing, from where, and how it ended. Append-only. */
@Injectable()
export class ConsoleAuditService {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  record(...entry: AuditRecord): Promise<void> {
    return appendAudit(this.ds, ...entry);
  }

  async list(filter: { operator?: string; action?: string; target?: string }, offset: number, limit: number): Promise<{ rows: AuditEntry[]; total: number }> {
    const params: unknown[] = [];
    const parts: string[] = [];
    if (filter.operator) parts.push(`lower(operator) = lower($${params.push(filter.operator)})`);
    if (filter.action) parts.push(`action LIKE $${params.push(`${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    // An operator looks a line up by what it was done to as they know it: the target (a pin, an SN, an id) or the
    // names its detail carries (`door=Lobby-1`, a person's name, a level's), any of them, case aside.
    if (filter.target) {
      const like = `$${params.push(`%${filter.target.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`;
      parts.push(`(target ILIKE ${like} OR EXISTS (SELECT 1 FROM jsonb_each_text(CASE jsonb_typeof(detail) WHEN 'object' THEN detail ELSE '{}'::jsonb END) d WHERE d.value ILIKE ${like}))`);
    }
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM console_audit ${where}`, params);
    const rows: Array<Omit<AuditEntry, 'at'> & { at: Date }> = await this.ds.query(
      `SELECT id::text, at, operator, role, ip, action, target, outcome, detail FROM console_audit ${where}
        ORDER BY at DESC, id DESC OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, offset, limit],
    );
    return { total, rows: rows.map((r) => ({ ...r, at: formatCvDateTime(r.at, this.config.timeZone) })) };
  }
}
