import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import type { Page } from '../common/paging';
import { effectiveKindSql, type DeviceKind } from '../device/device-kind';
import { Device } from '../device/device.entity';
import { readSnapshot } from '../database/snapshot';

/**
 * Elevator controllers (2.10) and channel controllers (2.30): the added devices (admitted or disabled) whose
 * effective kind is the module's, in the order they were added.
 */
@Injectable()
export class ModuleDeviceService {
  constructor(private readonly ds: DataSource) {}

  private query(kind: DeviceKind) {
    return this.ds
      .getRepository(Device)
      .createQueryBuilder('d')
      .where(`d.admission <> 'pending' AND ${effectiveKindSql('d')} = :kind`, { kind })
      .orderBy('d.createdAt', 'ASC')
      .addOrderBy('d.sn', 'ASC');
  }

  async list(kind: DeviceKind, page: Page): Promise<{ rows: Device[]; total: number }> {
    const [rows, total] = await readSnapshot(this.ds, (m) => this.query(kind).setQueryRunner(m.queryRunner!).skip(page.offset).take(page.pageSize).getManyAndCount());
    return { rows, total };
  }

  /** -200 without an SN; -404 when no added device of the kind has it. */
  async requireBySn(kind: DeviceKind, sn: string | undefined): Promise<Device> {
    if (!sn) throw new CvError(CvCode.SnRequired, 'SN is required');
    const d = await this.query(kind).andWhere('d.sn = :sn', { sn }).getOne();
    if (!d) throw new CvError(CvCode.NotFound, `Device does not exist: ${sn}`);
    return d;
  }
}
