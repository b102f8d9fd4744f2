import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { effectiveKindSql } from '../device/device-kind';
import type { Page } from '../common/paging';
import { DoorService } from '../door/door.service';
import { Reader } from './reader.entity';
import type { ReaderAddDto, ReaderUpdateDto } from './dto/reader.dto';
import { readSnapshot } from '../database/snapshot';

export class ReaderNotFound extends CvError {
  constructor(id: string) {
    super(CvCode.ReaderNotExist, `Did not exist this reader: ${id}`);
  }
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

  async list(page: Page): Promise<{ rows: Reader[]; total: number }> {
    const qb = this.visible();
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
    await this.refuseSecondReader(door.id, dto.readerState);
    const suffix = dto.readerState === 0 ? 'In' : 'Out';
    return this.readers.save(
      this.readers.create({
        doorId: door.id,
        inOut: dto.readerState,
        readerNo: dto.readerNo ?? door.doorNo * 2 - 1 + dto.readerState,
        name: dto.name ?? `${door.name}-${suffix}`,
      }),
    );
  }

  async update(dto: ReaderUpdateDto): Promise<Reader> {
    const reader = await this.requireById(dto.id);
    if (dto.readerState !== undefined && dto.readerState !== reader.inOut) {
      await this.refuseSecondReader(reader.doorId, dto.readerState);
      reader.inOut = dto.readerState;
    }
    if (dto.name !== undefined) reader.name = dto.name;
    if (dto.readerNo !== undefined) reader.readerNo = dto.readerNo;
    return this.readers.save(reader);
  }

  async delete(id: string): Promise<void> {
    const reader = await this.requireById(id);
    await this.readers.delete({ id: reader.id });
  }

  private async refuseSecondReader(doorId: string, inOut: number): Promise<void> {
    if (await this.readers.exists({ where: { doorId, inOut } })) {
      throw new CvError(CvCode.Conflict, `The door already has an ${inOut === 0 ? 'in' : 'out'} reader`);
    }
  }
}
