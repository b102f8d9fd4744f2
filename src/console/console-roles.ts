import { SetMetadata } from '@nestjs/common';
import { splitList } from '../common/paging';

/** Administrator ⊃ operator ⊃ viewer. A viewer reads; an operator runs the site; an administrator also manages access to the gateway itself. */
export type ConsoleRole = 'admin' | 'operator' | 'viewer';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['admin', 'operator', 'viewer'];
const RANK: Record<ConsoleRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAtLeast(role: ConsoleRole, needed: ConsoleRole): boolean {
  return RANK[role] >= RANK[needed];
}

export const ROLE_KEY = 'console:role';
/** The least role a console route needs. Without it: viewer for GET, operator for anything that changes state. */
export const RequireRole = (role: ConsoleRole) => SetMetadata(ROLE_KEY, role);

export const AUDIT_KEY = 'console:audit';
export interface AuditSpec {
  action: string;
  /** What the action was done to, read from the request (a pin, an SN, a door id...). */
  target?: (req: { params: Record<string, string>; body: any; query: any }) => string | undefined;
  /** A row the target names by its id only: its name, read before the action runs (a delete's too), goes into the detail. */
  named?: AuditNamed;
}
/**
 * Where the audit log finds a row an action names by its id, code or SN, and the column that names it: an operator
 * reading the log (or a panel's door opened at night) knows doors, levels, time segments, operators, devices and
 * persons by name, not by a 32-hex id or a pin. The table is always one of these, never the request's.
 */
export const AUDIT_NAMED_TABLES = {
  door: { by: 'id', name: 'name' },
  floor: { by: 'id', name: 'name' },
  acc_level: { by: 'id', name: 'name' },
  ele_level: { by: 'id', name: 'name' },
  psg_level: { by: 'id', name: 'name' },
  time_segment: { by: 'id', name: 'name' },
  holiday: { by: 'id', name: 'name' },
  push_target: { by: 'id', name: 'name' },
  console_operator: { by: 'id', name: 'name' },
  department: { by: 'code', name: 'name' },
  area: { by: 'code', name: 'name' },
  device: { by: 'sn', name: 'alias' },
  person: { by: 'pin', name: `concat_ws(' ', name, NULLIF(last_name, ''))` },
} as const satisfies Record<string, { by: 'id' | 'code' | 'sn' | 'pin'; name: string }>;
export type AuditNamedTable = keyof typeof AUDIT_NAMED_TABLES;

/**
 * The rows an action names, as the audit line's detail `key` (`door: "Lobby-1"`, several joined by ", "), read before
 * the action runs (a delete's name is the one it had), or after it when none was there before (the row it made).
 * Several tables when the ids may be any of them (a visitor level is an access, elevator or entrance-control level).
 */
export interface AuditNamed {
  key: string;
  table: AuditNamedTable | readonly AuditNamedTable[];
  id: (req: { params: Record<string, string>; body: any }) => string | string[] | undefined;
}
/** The row named by the route parameter `param` (its id, code, SN or pin, as the table is keyed). */
export const namedBy = (key: string, table: AuditNamedTable, param = 'id'): AuditNamed => ({ key, table, id: (r) => r.params[param] });
/** The rows named in the body's `field`: one key, or several (an array or a comma-separated list). */
export const namedInBody = (key: string, table: AuditNamed['table'], field: string): AuditNamed => ({ key, table, id: (r) => splitList(r.body?.[field]) });
/** Every state-changing console route names its action; the audit interceptor records it, refused, failed or done. */
export const Audit = (action: string, target?: AuditSpec['target'], named?: AuditNamed) => SetMetadata(AUDIT_KEY, { action, target, named } satisfies AuditSpec);

/** The signed-in operator, attached to the request by the console guard. */
export interface ConsoleOperator {
  id: string;
  name: string;
  role: ConsoleRole;
  totpEnabled: boolean;
}

export interface ConsoleSessionInfo {
  operator: ConsoleOperator;
  csrfToken: string;
}
