import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository, type FindOptionsOrder } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { isForeignKeyViolation, writeTransaction, type WriteCheck } from '../common/write-transaction';
import type { Page } from '../common/paging';
import { DEFAULT_DEPT_CODE, Department } from './department.entity';
import type { DepartmentAddDto, DepartmentListItemDto, DepartmentResponseDto } from './dto/department.dto';
import { readSnapshot } from '../database/snapshot';

/** Departments by their sortNo, as they are listed. */
export const DEPARTMENT_ORDER: FindOptionsOrder<Department> = { sortNo: 'ASC', code: 'ASC' };

@Injectable()
export class DepartmentService {
  constructor(@InjectRepository(Department) private readonly departments: Repository<Department>) {}

  findByCode(code: string): Promise<Department | null> {
    return this.departments.findOne({ where: { code } });
  }

  async requireByCode(code: string): Promise<Department> {
    const d = await this.findByCode(code);
    if (!d) throw new CvError(CvCode.DeptNotExist, `The department number does not exist: ${code}`);
    return d;
  }

  /**
   * The manual's add: an existing code means update. Department writes take one lock for their transaction: the
   * name check (-12) and the code's add-or-edit read before they write, and two calls at once (an integrator
   * syncing its tree in parallel) would otherwise both pass them and store one name twice, or race on one code.
   */
  upsert(dto: DepartmentAddDto, check?: WriteCheck): Promise<Department> {
    return this.underWritesLock((locked) => locked.upsertLocked(dto), check);
  }

  /**
   * `write` in one transaction holding the department-writes lock, on a service bound to that transaction. Run
   * again when PostgreSQL aborts it to break a deadlock: a delete's foreign key check waits on a person a
   * concurrent person write holds, while that write moves another person into the department (the race hunt).
   */
  private underWritesLock<T>(write: (locked: DepartmentService) => Promise<T>, check?: WriteCheck): Promise<T> {
    return writeTransaction(this.departments.manager.connection, async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('department-writes'))`);
      await check?.(m);
      return write(new DepartmentService(m.getRepository(Department)));
    });
  }

  private async upsertLocked(dto: DepartmentAddDto): Promise<Department> {
    const existing = await this.findByCode(dto.code);
    // An update that names no parent keeps the one it has (as every field a client leaves out is kept); an
    // empty parentCode makes it a top-level department.
    let parentId: string | null = dto.parentCode === undefined || dto.parentCode === null ? (existing?.parentId ?? null) : null;
    if (dto.parentCode) {
      const parent = await this.requireByCode(dto.parentCode);
      if (existing && (parent.id === existing.id || (await this.isDescendant(parent.id, existing.id)))) {
        throw new CvError(CvCode.DeptBadParent, 'Cannot be set as parent department');
      }
      parentId = parent.id;
    }
    const clash = await this.departments.findOne({ where: { name: dto.name, parentId: parentId ?? IsNull() } });
    if (clash && clash.id !== existing?.id) throw new CvError(CvCode.DeptNameExists, 'The department name has already existed');
    const sortNo = dto.sortNo !== undefined && Number.isInteger(Number(dto.sortNo)) ? Number(dto.sortNo) : undefined;
    if (existing) {
      existing.name = dto.name;
      existing.parentId = parentId;
      if (sortNo !== undefined) existing.sortNo = sortNo;
      return this.departments.save(existing);
    }
    return this.departments.save(this.departments.create({ code: dto.code, name: dto.name, parentId, ...(sortNo !== undefined ? { sortNo } : {}) }));
  }

  private async isDescendant(candidateId: string, ancestorId: string): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.departments.query(
      `WITH RECURSIVE sub AS (SELECT id FROM department WHERE parent_id = $1
         UNION SELECT d.id FROM department d JOIN sub ON d.parent_id = sub.id)
       SELECT id FROM sub WHERE id = $2`,
      [ancestorId, candidateId],
    );
    return rows.length > 0;
  }

  /**
   * The default department (DEFAULT_DEPT_CODE), one with sub-departments or one with persons is -15.
   * Under the department-writes lock, as adds and edits: two deletes of one code at once answer success once and
   * -13 (no such department) after, and a sub-department added meanwhile is seen. Persons in the department,
   * including one moved in meanwhile (person writes take no such lock), are the foreign key's to find: -15.
   * Persons who left (person/leave) do not hold it: CVSecurity moves a resigned person out of the personnel list,
   * and 2.13.10 reinstatement names the department again, so an HR system that offboarded a whole team can delete
   * its department. They are moved to the default department first (the person row keeps a department).
   */
  delete(code: string): Promise<void> {
    return this.underWritesLock(async (locked) => {
      const d = await locked.requireByCode(code);
      if (d.code === DEFAULT_DEPT_CODE) throw new CvError(CvCode.DeptCannotDelete, `Cannot delete department: ${DEFAULT_DEPT_CODE} is the default department, where persons added without deptCode go`);
      const children = await locked.departments.count({ where: { parentId: d.id } });
      if (children > 0) throw new CvError(CvCode.DeptCannotDelete, 'Cannot delete department: it has sub-departments');
      await locked.departments.manager.query(
        `UPDATE person p SET dept_id = dd.id FROM department dd WHERE dd.code = $1 AND p.dept_id = $2 AND p.status = 'left'`,
        [DEFAULT_DEPT_CODE, d.id],
      );
      try {
        await locked.departments.delete({ id: d.id });
      } catch (err) {
        if (!isForeignKeyViolation(err)) throw err;
        throw new CvError(CvCode.DeptCannotDelete, 'Cannot delete department: it has persons');
      }
    });
  }

  /** `codes`: only those departments (an empty list: all), the page and total of that selection. */
  async list(page: Page | undefined, codes: string[] = []): Promise<{ rows: Department[]; total: number }> {
    const [rows, total] = await readSnapshot(this.departments.manager.connection, (m) =>
      m.getRepository(Department).findAndCount({
        ...(codes.length ? { where: { code: In(codes) } } : {}),
        order: DEPARTMENT_ORDER,
        ...(page ? { skip: page.offset, take: page.pageSize } : {}),
      }),
    );
    return { rows, total };
  }

  /** Parent codes for a set of departments, in one query. */
  async toResponses(rows: Department[]): Promise<DepartmentResponseDto[]> {
    const parentIds = [...new Set(rows.map((r) => r.parentId).filter((p): p is string => !!p))];
    const parents = parentIds.length ? await this.departments.find({ where: { id: In(parentIds) } }) : [];
    const codeOf = new Map(parents.map((p) => [p.id, p.code]));
    return rows.map((r) => ({ name: r.name, code: r.code, parentCode: r.parentId ? (codeOf.get(r.parentId) ?? null) : null }));
  }

  /** getDepartmentList's items: the response with the sortNo the list is ordered by. */
  async toListItems(rows: Department[]): Promise<DepartmentListItemDto[]> {
    const responses = await this.toResponses(rows);
    return responses.map((d, i) => ({ name: d.name, code: d.code, sortNo: rows[i].sortNo, parentCode: d.parentCode }));
  }
}
