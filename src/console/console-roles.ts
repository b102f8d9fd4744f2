import { SetMetadata } from '@nestjs/common';

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
 * The door, floor or level an action names by id, as the audit line's detail `key` (`door: "Lobby-1"`): an
 * operator reading the log (or a panel's door opened at night) knows doors by name, not by a 32-hex id.
 */
export interface AuditNamed {
  key: string;
  table: 'door' | 'floor' | 'acc_level';
  id: (req: { params: Record<string, string> }) => string | undefined;
}
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
