import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { effectiveKindSql } from '../device/device-kind';
import type { Page } from '../common/paging';
import { DeviceStatusService } from '../push/device-status.service';
import { Door } from './door.entity';
import { doorStateTexts, type DeviceConnection, type DoorStateTexts } from './door-state';
import { readSnapshot } from '../database/snapshot';
import { wherePoint, type PointFilter } from '../common/point-filter';

export class DoorNotFound extends CvError {
  constructor(what: string) {
    super(CvCode.DoorNotExist, `Door doesn't exist: ${what}`);
  }
}

/** A door with the state texts of 2.11.1-2.11.3. */
export interface DoorWithState {
  door: Door;
  state: DoorStateTexts;
}

/** LIKE patterns (likePattern) a door list is narrowed by; absent: not narrowed. */
export interface DoorListFilter {
  name?: string;
  device?: string;
}

/**
 * Door reads. CVSecurity shows the doors of devices that were added; doors of devices still waiting for
 * admission ('pending') are left out until the device is approved.
 */
@Injectable()
export class DoorService {
  constructor(
    @InjectRepository(Door) private readonly doors: Repository<Door>,
    private readonly status: DeviceStatusService,
  ) {}

  private visible(withDevice = false): SelectQueryBuilder<Door> {
    const qb = this.doors.createQueryBuilder('door');
    (withDevice ? qb.innerJoinAndSelect('door.device', 'device') : qb.innerJoin('door.device', 'device')).where(`device.admission <> 'pending' AND ${effectiveKindSql('device')} = 'acc'`);
    return qb.orderBy('device.createdAt', 'ASC').addOrderBy('device.sn', 'ASC').addOrderBy('door.doorNo', 'ASC');
  }

  /** 2.11.5 / 2.11.10: a page of the doors, narrowed to a door name and a device SN when given (exact). */
  list(page: Page, only: PointFilter = {}): Promise<{ rows: Door[]; total: number }> {
    return this.pageOf(wherePoint(this.visible(), { name: 'door.name', sn: 'device.sn' }, only), page);
  }

  /** A page of the doors `qb` selects and their count, read in one snapshot (the count is of the same doors). */
  private async pageOf(qb: SelectQueryBuilder<Door>, page: Page): Promise<{ rows: Door[]; total: number }> {
    const [rows, total] = await readSnapshot(this.doors.manager.connection, async (m) => [
      await qb.clone().setQueryRunner(m.queryRunner!).offset(page.offset).limit(page.pageSize).getMany(),
      await qb.clone().setQueryRunner(m.queryRunner!).getCount(),
    ] as const);
    return { rows, total };
  }

  findVisibleById(id: string): Promise<Door | null> {
    return this.visible(true).andWhere('door.id = :id', { id }).getOne();
  }

  findVisibleByName(name: string): Promise<Door | null> {
    return this.visible(true).andWhere('door.name = :name', { name }).getOne();
  }

  async requireById(id: string): Promise<Door> {
    const d = await this.findVisibleById(id);
    if (!d) throw new DoorNotFound(id);
    return d;
  }

  async requireByName(name: string): Promise<Door> {
    const d = await this.findVisibleByName(name);
    if (!d) throw new DoorNotFound(name);
    return d;
  }

  /** The device's connection as door states report it ("connect"). */
  connectionOf(door: Door): DeviceConnection {
    const device = door.device;
    if (!device || device.admission === 'disabled') return 'disabled';
    return this.status.isOnline(device) ? 'online' : 'offline';
  }

  withState(door: Door): DoorWithState {
    return { door, state: doorStateTexts(door, this.connectionOf(door)) };
  }

  /** Every door's state, or one page of them when a page is asked for (2.11.1's optional paging). */
  async allStates(page?: Page): Promise<DoorWithState[]> {
    const qb = this.visible(true);
    if (page) qb.offset(page.offset).limit(page.pageSize);
    return (await qb.getMany()).map((d) => this.withState(d));
  }

  /**
   * One page of the doors' states, filtered as CVSecurity's door list filters them: by door name and by device (its
   * name or SN), both matching anywhere, case-insensitively. For the console's Doors page of a site with hundreds.
   */
  async pageStates(filter: DoorListFilter, page: Page): Promise<{ rows: DoorWithState[]; total: number }> {
    const qb = this.visible(true);
    if (filter.name) qb.andWhere(`door.name ILIKE :name`, { name: filter.name });
    if (filter.device) qb.andWhere(`(device.alias ILIKE :device OR device.sn ILIKE :device)`, { device: filter.device });
    const { rows, total } = await this.pageOf(qb, page);
    return { rows: rows.map((d) => this.withState(d)), total };
  }

  async stateById(doorId: string): Promise<DoorWithState> {
    return this.withState(await this.requireById(doorId));
  }

  /** The states of every door of one device (an array: a device has 1, 2 or 4 doors). */
  async statesBySn(sn: string): Promise<DoorWithState[]> {
    const rows = await this.visible(true).andWhere('device.sn = :sn', { sn }).getMany();
    if (rows.length === 0) {
      const known = await this.doors.query(`SELECT 1 FROM device WHERE sn = $1 AND admission <> 'pending'`, [sn]);
      if (known.length === 0) throw new CvError(CvCode.NotFound, `Device does not exist: ${sn}`);
    }
    return rows.map((d) => this.withState(d));
  }
}
