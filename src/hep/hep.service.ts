import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Page } from '../common/paging';
import { TransactionMonitorService } from '../transaction/transaction-monitor.service';
import { NEVER_GONE, type ClientGoneCheck } from '../transaction/client-gone.decorator';
import { toHepItem, toHepMonitorItem, type HepItemDto, type HepMonitorItemDto } from './dto/hep-response.dto';
import { HepRepository, type HepFilter } from './hep.repository';

/** The monitor keeps a hep cursor per API client apart from its access-event cursor (2.18.5). */
const HEP_CURSOR_PREFIX = 'hep:';

/** 2.26: temperature and mask events, read from the access events the devices upload. */
@Injectable()
export class HepService {
  constructor(
    private readonly repo: HepRepository,
    private readonly monitor: TransactionMonitorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(filter: HepFilter, page: Page): Promise<HepItemDto[]> {
    const rows = await this.repo.findPage(filter, this.config.timeZone, page.offset, page.pageSize);
    return rows.map((r) => toHepItem(r, this.config.timeZone, this.config.hepFeverThreshold));
  }

  /** 2.26.2: the feed of 2.18.5 with its own cursor, keeping only temperature/mask events. */
  poll(clientId: string, timestamp: number, gone: ClientGoneCheck = NEVER_GONE): Promise<HepMonitorItemDto[]> {
    return this.monitor.pollFeed(`${HEP_CURSOR_PREFIX}${clientId}`, timestamp, async (m, rows) => {
      const hep = await this.repo.findHepAmong(m, rows.map((r) => r.id), this.config.timeZone);
      return hep.map((r) => toHepMonitorItem(r, this.config.timeZone, this.config.hepFeverThreshold));
    }, gone);
  }

  /** The snapshot bytes, or undefined when the device sent none under that name. */
  async snapshot(sn: string, fileName: string): Promise<Buffer | undefined> {
    const b64 = await this.repo.findSnapshot(sn, fileName);
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64');
  }
}
