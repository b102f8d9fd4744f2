import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, type EntityManager, type FindOptionsOrder } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { isForeignKeyViolation, writeTransaction, type WriteCheck } from '../common/write-transaction';
import type { Page } from '../common/paging';
import { Area } from './area.entity';
import type { AreaCreateDto, AreaDetailDto, AreaUpdateDto } from './dto/area.dto';
import { readSnapshot } from '../database/snapshot';
import { requireSomeChange } from '../common/update-fields';

export class AreaNotFound extends CvError {
  constructor(code: string) {
    super(CvCode.AreaNotExist, `Area didn't exist: ${code}`);
  }
}

/** A value that can be an area's id (32 hex digits, as every CVSecurity id). */
export const isAreaId = (ref: string): boolean => /^[0-9a-fA-F]{32}$/.test(ref);

/**
 * The area a client names by its code or by its id (AreaService.findByRef says why), key-share locked when `lock`
 * is given (a write that stores a reference to it). The code wins.
 */
export async function findAreaByRef(areas: Repository<Area>, ref: string, lock?: { mode: 'for_key_share' }): Promise<Area | null> {
  return (await areas.findOne({ where: { code: ref }, lock })) ?? (isAreaId(ref) ? await areas.findOne({ where: { id: ref.toLowerCase() }, lock }) : null);
}

/**
 * The area a level is stored in: the one named (by name, code or id; -area error when none is), or the default area
 * (code 1) when none is named. Key-share locked, as a person write reads its department: an area deleted meanwhile
 * reads as none (its -area error), never a level stored into an area gone (a bare -409 from the foreign key); a
 * delete under way waits. Access levels (accLevel/add, update) and elevator and entrance-control levels (the console's
 * level forms) read it so alike.
 */
export async function levelAreaIdFor(m: EntityManager, areaName: string | undefined): Promise<string | null> {
  const areas = m.getRepository(Area);
  const lock = { mode: 'for_key_share' } as const;
  const a = areaName ? ((await areas.findOne({ where: { name: areaName }, lock })) ?? (await findAreaByRef(areas, areaName, lock))) : await areas.findOne({ where: { code: '1' }, lock });
  if (areaName && !a) throw new CvError(CvCode.AreaNotExist, `Area didn't exist: ${areaName}`);
  return a?.id ?? null;
}

/** Areas in the order they were created, as they are listed. */
export const AREA_ORDER: FindOptionsOrder<Area> = { createdAt: 'ASC', code: 'ASC' };

@Injectable()
export class AreaService {
  constructor(@InjectRepository(Area) private readonly areas: Repository<Area>) {}

  findByCode(code: string): Promise<Area | null> {
    return this.areas.findOne({ where: { code } });
  }

  /**
   * The area a client names by its code or by its id. 2.7.1's example prints an area's `id` and `code` the other
   * way round (`"id": 1`, `"code": "402856aa…"`), and the gateway answers an area's id as the 32-hex string every
   * CVSecurity id is: a client that kept the id it was given (or the manual's hex "code") sends that where the
   * manual takes the area code, and was answered -80. The code wins: an area whose code looks like an id is found
   * by it first. A number (the manual's `"id": 1`) is a code: the default area's code and id are "1" in CVSecurity.
   */
  async findByRef(ref: string): Promise<Area | null> {
    return findAreaByRef(this.areas, ref);
  }

  async requireByCode(code: string): Promise<Area> {
    const a = await this.findByRef(code);
    if (!a) throw new AreaNotFound(code);
    return a;
  }

  async list(page: Page | undefined): Promise<{ rows: Area[]; total: number }> {
    const [rows, total] = await readSnapshot(this.areas.manager.connection, (m) =>
      m.getRepository(Area).findAndCount({
        order: AREA_ORDER,
        ...(page ? { skip: page.offset, take: page.pageSize } : {}),
      }),
    );
    return { rows, total };
  }

  /**
   * Area writes take one lock for their transaction, as department writes do: the code and name checks and the
   * parent's cycle check read before they write, and two calls at once would otherwise both pass them. Run again on
   * a deadlock, or when a writer outside the lock inserted the same code first (it then answers that it exists).
   */
  private underWritesLock<T>(write: (locked: AreaService) => Promise<T>, check?: WriteCheck): Promise<T> {
    return writeTransaction(this.areas.manager.connection, async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('area-writes'))`);
      await check?.(m);
      return write(new AreaService(m.getRepository(Area)));
    });
  }

  create(dto: AreaCreateDto): Promise<Area> {
    return this.underWritesLock((locked) => locked.createLocked(dto));
  }

  update(code: string, dto: AreaUpdateDto, check?: WriteCheck): Promise<Area> {
    requireSomeChange('area', { name: dto.name, parentCode: dto.parentCode, remark: dto.remark });
    return this.underWritesLock((locked) => locked.updateLocked(code, dto), check);
  }

  private async createLocked(dto: AreaCreateDto): Promise<Area> {
    if (await this.findByCode(dto.code)) throw new CvError(CvCode.Conflict, `The area code already exists: ${dto.code}`);
    await this.refuseTakenName(dto.name);
    const parentId = dto.parentCode ? (await this.requireByCode(dto.parentCode)).id : null;
    return this.areas.save(this.areas.create({ code: dto.code, name: dto.name, parentId, remark: dto.remark ?? null }));
  }

  private async updateLocked(code: string, dto: AreaUpdateDto): Promise<Area> {
    const area = await this.requireByCode(code);
    if (dto.name !== undefined && dto.name !== area.name) {
      await this.refuseTakenName(dto.name, area.id);
      area.name = dto.name;
    }
    if (dto.remark !== undefined) area.remark = dto.remark === '' ? null : dto.remark;
    if (dto.parentCode !== undefined) {
      if (dto.parentCode === '' || dto.parentCode === null) area.parentId = null;
      else {
        const parent = await this.requireByCode(dto.parentCode);
        if (parent.id === area.id || (await this.isDescendant(parent.id, area.id))) {
          throw new CvError(CvCode.InvalidParameter, 'An area cannot be its own parent or the parent of its ancestor');
        }
        area.parentId = parent.id;
      }
    }
    return this.areas.save(area);
  }

  /**
   * accLevel/addLevel and update name a level's area by `areaName`: of two areas of one name a level was given
   * either one under a success answer. A name another area has is refused, as a code is.
   */
  private async refuseTakenName(name: string, self?: string): Promise<void> {
    const other = await this.areas.findOne({ where: { name } });
    if (other && other.id !== self) throw new CvError(CvCode.Conflict, `The area name already exists: ${name} (area ${other.code})`);
  }

  /**
   * Refuses while devices, child areas or attendance/FaceKiosk persons (2.8, 2.28) still belong to the area: the
   * persons are who a terminal put in the area will hold, and deleting the area dropped them under a success answer.
   * The area row is locked first, so an attAreaPerson/set at the same time either commits before the count (and is
   * counted) or finds the area gone (att-area-person.service.ts locks it FOR SHARE). A device moved in meanwhile
   * (device moves take no area lock), or a level of the area, is the foreign key's to find.
   */
  delete(code: string): Promise<void> {
    return this.underWritesLock(async (locked) => {
      const area = await locked.requireByCode(code);
      await locked.areas.query(`SELECT 1 FROM area WHERE id = $1 FOR UPDATE`, [area.id]);
      if ((await locked.areas.count({ where: { parentId: area.id } })) > 0) {
        throw new CvError(CvCode.Conflict, 'The area has child areas; move or delete them first');
      }
      const counts = await locked.deviceCounts([area.id]);
      if ((counts.get(area.id) ?? 0) > 0) throw new CvError(CvCode.Conflict, 'The area still has devices; move them to another area first');
      await locked.refuseMembers(area.id);
      try {
        await locked.areas.delete({ id: area.id });
      } catch (err) {
        if (!isForeignKeyViolation(err)) throw err;
        throw new CvError(CvCode.Conflict, 'The area still has devices or access levels; move them to another area first');
      }
    });
  }

  /**
   * -409 while persons are members of the area for attendance terminals (att) or FaceKiosks (ins). Persons who left
   * (2.13.6) count, as attAreaPerson/delete removes them; rows of a deleted person do not (person/delete leaves them,
   * and no call could remove them).
   */
  private async refuseMembers(areaId: string): Promise<void> {
    const [n]: Array<{ att: number; ins: number }> = await this.areas.query(
      `SELECT count(*) FILTER (WHERE ap.module = 'att')::int AS att, count(*) FILTER (WHERE ap.module = 'ins')::int AS ins
         FROM att_area_person ap JOIN person p ON p.id = ap.person_id WHERE ap.area_id = $1`,
      [areaId],
    );
    if (n.att + n.ins > 0) {
      throw new CvError(
        CvCode.Conflict,
        `The area still has persons (attendance: ${n.att}, FaceKiosk: ${n.ins}); remove them (attAreaPerson/delete, insAreaPerson/delAreaPerson) first`,
      );
    }
  }

  async toDetails(rows: Area[]): Promise<AreaDetailDto[]> {
    const parentIds = [...new Set(rows.map((r) => r.parentId).filter((p): p is string => !!p))];
    const parents = parentIds.length ? await this.areas.find({ where: { id: In(parentIds) } }) : [];
    const codeOf = new Map(parents.map((p) => [p.id, p.code]));
    const counts = await this.deviceCounts(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      parentCode: r.parentId ? (codeOf.get(r.parentId) ?? null) : null,
      remark: r.remark,
      deviceCount: counts.get(r.id) ?? 0,
    }));
  }

  private async deviceCounts(areaIds: string[]): Promise<Map<string, number>> {
    if (areaIds.length === 0) return new Map();
    const rows: Array<{ area_id: string; n: number }> = await this.areas.query(
      'SELECT area_id, count(*)::int AS n FROM device WHERE area_id = ANY($1) GROUP BY area_id',
      [areaIds],
    );
    return new Map(rows.map((r) => [r.area_id, r.n]));
  }

  private async isDescendant(candidateId: string, ancestorId: string): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.areas.query(
      `WITH RECURSIVE sub AS (SELECT id FROM area WHERE parent_id = $1
         UNION SELECT a.id FROM area a JOIN sub ON a.parent_id = sub.id)
       SELECT id FROM sub WHERE id = $2`,
      [ancestorId, candidateId],
    );
    return rows.length > 0;
  }
}
