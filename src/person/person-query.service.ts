import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { levelIdsOf } from '../accLevel/acc-level-membership';
import { secondaryCardsOf } from '../card/card-writes';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { refuseQrCode } from '../common/qr-code';
import { checkPaging, splitList, v2Page, type Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { readSnapshot } from '../database/snapshot';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Department } from '../department/department.entity';
import type { PersonListDto } from './dto/person-input.dto';
import {
  toPersonFull,
  toPersonListItem,
  type PersonExtras,
  type PersonFullDto,
  type PersonListItemDto,
} from './dto/person-response.dto';
import { Person } from './person.entity';

/** Person reads. Resigned persons are not listed and not found, as in CVSecurity's personnel list. */
@Injectable()
export class PersonQueryService {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** An active person; `withLeft`: a resigned one too (the console shows them to reinstate them). */
  async requireByPin(pin: string | undefined, { withLeft = false }: { withLeft?: boolean } = {}, m: EntityManager = this.ds.manager): Promise<Person> {
    if (!pin) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
    const p = await m.getRepository(Person).findOne({ where: withLeft ? { pin } : { pin, status: 'active' } });
    if (!p) throw personNotExist(pin);
    return p;
  }

  /** 2.13.3: the short view of the manual plus what the same person's getPersonList item carries. */
  async brief(pin: string): Promise<PersonListItemDto> {
    return readSnapshot(this.ds, async (m) => {
      const p = await this.requireByPin(pin, {}, m);
      const [x] = await this.extras(m, [p]);
      return toPersonListItem(p, x);
    });
  }

  async full(pin: string | undefined): Promise<PersonFullDto> {
    return readSnapshot(this.ds, async (m) => this.fullOf(m, await this.requireByPin(pin, {}, m)));
  }

  /** The person (resigned or not) as `full` shows them, with their resignation: the console's person detail. */
  async fullWithLeave(pin: string): Promise<{ person: PersonFullDto; left: { leaveDate: string | null; leaveType: string | null } | null }> {
    return readSnapshot(this.ds, (m) => this.fullWithLeaveIn(m, pin));
  }

  /** fullWithLeave as read in `m`: a snapshot the caller reads more in (the console's detail, with the person's panels). */
  async fullWithLeaveIn(m: EntityManager, pin: string): Promise<{ person: PersonFullDto; left: { leaveDate: string | null; leaveType: string | null } | null }> {
    const p = await this.requireByPin(pin, { withLeft: true }, m);
    return { person: await this.fullOf(m, p), left: p.status === 'active' ? null : { leaveDate: p.leaveDate, leaveType: p.leaveType } };
  }

  /** The person's `personVersion` as read in `m` (a write's transaction, the person locked). */
  async versionOf(m: EntityManager, p: Person): Promise<string> {
    return personVersion(await this.fullOf(m, p));
  }

  private async fullOf(m: EntityManager, p: Person): Promise<PersonFullDto> {
    const [x] = await this.extras(m, [p]);
    return toPersonFull(p, x, this.config.timeZone);
  }

  async list(dto: PersonListDto): Promise<PersonListItemDto[]> {
    const { rows, extras } = await this.page(dto);
    return rows.map((p, i) => toPersonListItem(p, extras[i]));
  }

  async listV2(dto: PersonListDto): Promise<V2Page<PersonFullDto>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, extras, total } = await this.page(dto);
    return v2Page(
      rows.map((p, i) => toPersonFull(p, extras[i], this.config.timeZone)),
      total,
      page,
    );
  }

  /**
   * pins AND deptCodes when both are given; neither = every active person. Ordered by pin. The page, its total and
   * each person's department, levels and cards are read in one snapshot, so they agree while integrators write.
   */
  private page(dto: PersonListDto) {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    return readSnapshot(this.ds, (m) => this.pageIn(m, dto, page));
  }

  private async pageIn(m: EntityManager, dto: PersonListDto, page: Page) {
    const qb = m.getRepository(Person).createQueryBuilder('p').where(`p.status = 'active'`);
    const pins = splitList(dto.pins);
    const codes = splitList(dto.deptCodes);
    if (pins.length) qb.andWhere('p.pin IN (:...pins)', { pins });
    if (codes.length) qb.andWhere('p.dept_id IN (SELECT d.id FROM department d WHERE d.code IN (:...codes))', { codes });
    const [rows, total] = await qb.orderBy('p.pin', 'ASC').skip(page.offset).take(page.pageSize).getManyAndCount();
    return { rows, total, extras: await this.extras(m, rows) };
  }

  private async extras(m: EntityManager, rows: Person[]): Promise<PersonExtras[]> {
    const ids = rows.map((r) => r.id);
    const deptIds = [...new Set(rows.map((r) => r.deptId))];
    const depts = deptIds.length ? await m.getRepository(Department).find({ where: { id: In(deptIds) } }) : [];
    const deptOf = new Map(depts.map((d) => [d.id, d]));
    const levels = await levelIdsOf(m, ids);
    const cards = await secondaryCardsOf(m, ids);
    return rows.map((r) => ({
      deptCode: deptOf.get(r.deptId)?.code ?? '',
      deptName: deptOf.get(r.deptId)?.name ?? '',
      levelIds: levels.get(r.id) ?? [],
      supplyCards: cards.get(r.id) ?? [],
    }));
  }

  /** 2.13.5 and its v2 form: -501, after the pin is checked (qr-code.ts says why). */
  async qrCode(pin: string | undefined): Promise<never> {
    await this.requireByPin(pin);
    return refuseQrCode();
  }
}

/**
 * A digest of everything `full` shows of a person (fields, department, cards, levels, validity, photo, keypad
 * password): the console's form sends back the one it was opened with, and a save over any change made since is refused.
 */
export function personVersion(full: PersonFullDto): string {
  return createHash('sha1').update(JSON.stringify(full)).digest('hex');
}
