import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, Repository, SelectQueryBuilder, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { effectiveKindSql } from '../device/device-kind';
import type { Page } from '../common/paging';
import { DoorService } from '../door/door.service';
import { Reader } from './reader.entity';
import type { ReaderAddDto, ReaderUpdateDto } from './dto/reader.dto';
import { readSnapshot } from '../database/snapshot';
import { wherePoint, type PointFilter } from '../common/point-filter';
import { requireSomeChange } from '../common/update-fields';

export class ReaderNotFound extends CvError {
  constructor(id: string) {
    super(CvCode.ReaderNotExist, `Did not exist this reader: ${id}`);
  }
}

/** The door locked until the commit: two writes of its readers check and save one after the other. */
async function lockDoor(m: EntityManager, doorId: string): Promise<void> {
  await m.query(`SELECT id FROM door WHERE id = $1 FOR UPDATE`, [doorId]);
}

/** Readers of the doors of added devices (2.14), and their administration (v2 add/update/delete). */
@Injectable()
export class ReaderService {
  constructor(
    @InjectRepository(Reader) private readonly readers: Repository<Reader>,
    private readonly doors: DoorService,
  ) {}

  private visible(): SelectQueryBuilder<Reader> {
    return this.readers
      .createQueryBuilder('reader')
      .innerJoin('reader.door', 'door')
      .innerJoin('door.device', 'device')
      .where(`device.admission <> 'pending' AND ${effectiveKindSql('device')} = 'acc'`)
      .orderBy('device.createdAt', 'ASC')
      .addOrderBy('device.sn', 'ASC')
      .addOrderBy('door.doorNo', 'ASC')
      .addOrderBy('reader.inOut', 'ASC');
  }

  /** 2.14.1 and v2/reader/list: narrowed to a reader name and a device SN when given (exact). */
  async list(page: Page, only: PointFilter = {}): Promise<{ rows: Reader[]; total: number }> {
    const qb = wherePoint(this.visible(), { name: 'reader.name', sn: 'device.sn' }, only);
    const [rows, total] = await readSnapshot(this.readers.manager.connection, async (m) => [
      await qb.clone().setQueryRunner(m.queryRunner!).offset(page.offset).limit(page.pageSize).getMany(),
      await qb.clone().setQueryRunner(m.queryRunner!).getCount(),
    ] as const);
    return { rows, total };
  }

  async requireById(id: string): Promise<Reader> {
    const r = await this.visible().andWhere('reader.id = :id', { id }).getOne();
    if (!r) throw new ReaderNotFound(id);
    return r;
  }

  async add(dto: ReaderAddDto): Promise<Reader> {
    const door = await this.doors.requireById(dto.doorId);
    return this.readers.manager.transaction(async (m) => {
      await lockDoor(m, door.id);
      await this.refuseSecondReader(m, door.id, dto.readerState);
      const suffix = dto.readerState === 0 ? 'In' : 'Out';
      const reader = m.getRepository(Reader).create({
        doorId: door.id,
        inOut: dto.readerState,
        readerNo: dto.readerNo ?? door.doorNo * 2 - 1 + dto.readerState,
        name: dto.name ?? `${door.name}-${suffix}`,
      });
      await this.refuseSharedNumber(m, reader);
      return m.getRepository(Reader).save(reader);
    });
  }

  /** A reader's name, number or direction; an update giving none of them is -400, not a success that changed nothing. */
  async update(dto: ReaderUpdateDto): Promise<Reader> {
    const found = await this.requireById(dto.id);
    requireSomeChange('reader', { name: dto.name, readerNo: dto.readerNo, readerState: dto.readerState });
    return this.readers.manager.transaction(async (m) => {
      await lockDoor(m, found.doorId);
      const reader = await m.getRepository(Reader).findOne({ where: { id: found.id } });
      if (!reader) throw new ReaderNotFound(dto.id);
      if (dto.readerState !== undefined && dto.readerState !== reader.inOut) {
        await this.refuseSecondReader(m, reader.doorId, dto.readerState);
        reader.inOut = dto.readerState;
      }
      if (dto.name !== undefined) reader.name = dto.name;
      if (dto.readerNo !== undefined) reader.readerNo = dto.readerNo;
      await this.refuseSharedNumber(m, reader);
      return m.getRepository(Reader).save(reader);
    });
  }

  async delete(id: string): Promise<void> {
    const reader = await this.requireById(id);
    await this.readers.delete({ id: reader.id });
  }

  private async refuseSecondReader(m: EntityManager, doorId: string, inOut: number): Promise<void> {
    if (await m.getRepository(Reader).exists({ where: { doorId, inOut } })) {
      throw new CvError(CvCode.Conflict, `The door already has an ${inOut === 0 ? 'in' : 'out'} reader`);
    }
  }

  /**
   * Two readers of one door with one number: an event or a report naming that number could not tell them apart, and
   * both were stored and answered 0. Refused, naming the reader that has the number.
   */
  private async refuseSharedNumber(m: EntityManager, reader: Reader): Promise<void> {
    const other = await m.getRepository(Reader).findOne({
      where: { doorId: reader.doorId, readerNo: reader.readerNo, ...(reader.id ? { id: Not(reader.id) } : {}) },
    });
    if (other) throw new CvError(CvCode.Conflict, `readerNo ${reader.readerNo} is already the number of reader ${other.name} (${other.id}) of this door`);
  }
}
