import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError, NotFoundError } from '../common/cv-error';
import { newId } from '../common/ids';
import { isUniqueViolation } from '../common/write-transaction';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { insertOf } from '../database/columns';
import { CONSOLE_ROLES, type ConsoleOperator, type ConsoleRole } from './console-roles';
import { CONSOLE_OPERATOR } from './console-tables';
import { hashPassword, passwordProblem } from './password';

export interface OperatorView extends ConsoleOperator {
  disabled: boolean;
  createdAt: Date;
}

export interface OperatorRow {
  id: string;
  name: string;
  role: ConsoleRole;
  password_hash: string;
  totp_secret: string | null;
  disabled: boolean;
  created_at: Date;
}

const NAME = /^[\w.@-]{1,64}$/;
const CREATE = `INSERT INTO ${insertOf(CONSOLE_OPERATOR, ['id', 'name', 'role', 'passwordHash'])} RETURNING *`;

export function toOperator(r: OperatorRow): OperatorView {
  return { id: r.id, name: r.name, role: r.role, totpEnabled: !!r.totp_secret, disabled: r.disabled, createdAt: r.created_at };
}

export function checkRole(role: unknown): ConsoleRole {
  if (!CONSOLE_ROLES.includes(role as ConsoleRole)) throw new CvError(CvCode.InvalidParameter, `role must be one of ${CONSOLE_ROLES.join(', ')}`);
  return role as ConsoleRole;
}

function checkPassword(password: unknown): string {
  const problem = passwordProblem(password as string);
  if (problem) throw new CvError(CvCode.InvalidParameter, problem);
  return password as string;
}

/** Operator accounts: created by an administrator, the command line, or CONSOLE_ADMIN_PASSWORD on first start. */
@Injectable()
export class OperatorService {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'console'>,
  ) {}

  /** scrypt's cost for new hashes (CONSOLE_PASSWORD_COST); the decoy checked for unknown names has the same. */
  get passwordCost(): number {
    return this.config.console.passwordCost;
  }

  async count(): Promise<number> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM console_operator`);
    return n;
  }

  async findByName(name: string): Promise<OperatorRow | undefined> {
    const rows: OperatorRow[] = await this.ds.query(`SELECT * FROM console_operator WHERE lower(name) = lower($1)`, [name]);
    return rows[0];
  }

  async requireById(id: string): Promise<OperatorRow> {
    const rows: OperatorRow[] = await this.ds.query(`SELECT * FROM console_operator WHERE id = $1`, [id]);
    if (!rows[0]) throw new NotFoundError('The operator');
    return rows[0];
  }

  async list(): Promise<OperatorView[]> {
    const rows: OperatorRow[] = await this.ds.query(`SELECT * FROM console_operator ORDER BY lower(name)`);
    return rows.map(toOperator);
  }

  async create(name: unknown, role: unknown, password: unknown): Promise<OperatorView> {
    if (typeof name !== 'string' || !NAME.test(name)) throw new CvError(CvCode.InvalidParameter, 'name must be 1 to 64 letters, digits or . _ @ -');
    const r = checkRole(role);
    const hash = await hashPassword(checkPassword(password), this.passwordCost);
    const taken = () => new CvError(CvCode.Conflict, `An operator named ${name} exists already`);
    if (await this.findByName(name)) throw taken();
    try {
      const [row]: OperatorRow[] = await this.ds.query(CREATE, [newId(), name, r, hash]);
      return toOperator(row);
    } catch (err) {
      // Another writer (a second gateway process creating "admin" at start, two administrators at once) inserted
      // the name between the look-up and this insert: the same answer as when the look-up finds it.
      if (isUniqueViolation(err, 'uq_console_operator_name')) throw taken();
      throw err;
    }
  }

  /** Role and disabled flag; the last enabled administrator cannot be demoted or disabled (nobody could manage operators any more). */
  async update(id: string, change: { role?: unknown; disabled?: unknown }): Promise<OperatorView> {
    const current = await this.requireById(id);
    const role = change.role === undefined ? current.role : checkRole(change.role);
    const disabled = change.disabled === undefined ? current.disabled : change.disabled === true;
    if (current.role === 'admin' && !current.disabled && (role !== 'admin' || disabled)) await this.keepOneAdmin(id);
    const [row]: OperatorRow[] = await this.ds.query(`UPDATE console_operator SET role = $2, disabled = $3 WHERE id = $1 RETURNING *`, [id, role, disabled]);
    // A disabled or demoted operator's sessions end now, not at their expiry.
    if (disabled || role !== current.role) await this.ds.query(`DELETE FROM console_session WHERE operator_id = $1`, [id]);
    return toOperator(row);
  }

  async setPassword(id: string, password: unknown): Promise<void> {
    const hash = await hashPassword(checkPassword(password), this.passwordCost);
    await this.requireById(id);
    await this.ds.query(`UPDATE console_operator SET password_hash = $2, password_changed_at = now() WHERE id = $1`, [id, hash]);
  }

  async setTotpSecret(id: string, secret: string | null): Promise<void> {
    await this.ds.query(`UPDATE console_operator SET totp_secret = $2, totp_last_step = NULL WHERE id = $1`, [id, secret]);
  }

  /** Records a used TOTP step; false when it (or a later one) was used already: a replayed code. */
  async useTotpStep(id: string, step: number): Promise<boolean> {
    const rows = await this.ds.query(
      `UPDATE console_operator SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
      [id, step],
    );
    return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
  }

  async delete(id: string): Promise<OperatorView> {
    const current = await this.requireById(id);
    if (current.role === 'admin' && !current.disabled) await this.keepOneAdmin(id);
    await this.ds.query(`DELETE FROM console_operator WHERE id = $1`, [id]);
    return toOperator(current);
  }

  private async keepOneAdmin(exceptId: string): Promise<void> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM console_operator WHERE role = 'admin' AND NOT disabled AND id <> $1`, [exceptId]);
    if (n === 0) throw new CvError(CvCode.Conflict, 'This is the last enabled administrator; create another one first');
  }
}
