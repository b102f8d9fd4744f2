import { Inject, Injectable } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import { checkPaging, pagingOrDefault, v2Page, type Page, type V2Page } from '../common/paging';
import { formatCvDateTime, rangeEndAfter, requireCvTime, type CvTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { toDoorDetail, toDoorItem, type DoorTransactionDetailItemDto, type DoorTransactionFilterDto, type DoorTransactionItemDto } from './dto/door-transaction.dto';
import {
  nameText,
  toV1Item,
  toV2Item,
  transactionIdFromApi,
  transactionIdToApi,
  type FirstInLastOutItemDto,
  type TransactionV1ItemDto,
  type TransactionV2ItemDto,
} from './dto/transaction-response.dto';
import { TransactionRepository, type FirstInLastOutRow, type TransactionFilter, type TransactionRow } from './transaction.repository';

export class TransactionNotFound extends CvError {
  constructor(id: string) {
    super(CvCode.NotFound, `The transaction does not exist: ${id}`);
  }
}

const LEVELS: Record<string, number> = { normal: 0, '0': 0, warning: 1, warn: 1, abnormal: 1, error: 1, '1': 1, alarm: 2, '2': 2 };

export interface TimeRangeInput {
  start?: string;
  end?: string;
  startName: string;
  endName: string;
}

@Injectable()
export class TransactionService {
  constructor(
    private readonly repo: TransactionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * startDate/endDate (or startTime/endTime) as a half-open range. The manual gives no format: every client
   * form of common/time.ts is accepted (-100 otherwise); an end time covers its whole
   * second, a bare end date its whole day; start after end is -101.
   */
  timeRange(r: TimeRangeInput): { from?: Date; to?: Date } {
    const tz = this.config.timeZone;
    const parse = (text: string | null | undefined, name: string): CvTime | undefined =>
      text === undefined || text === null || text === '' ? undefined : requireCvTime(text, tz, name);
    const from = parse(r.start, r.startName)?.at;
    const end = parse(r.end, r.endName);
    if (from && end && from.getTime() > end.at.getTime()) throw new CvError(CvCode.StartAfterEnd, 'Start time cannot be greater than end time');
    return { from, to: end && rangeEndAfter(end, tz) };
  }

  page(pageNo: unknown, pageSize: unknown): Page {
    return checkPaging(pageNo, pageSize, 1000);
  }

  async listV1(filter: TransactionFilter, page: Page, withAccZone = true): Promise<TransactionV1ItemDto[]> {
    const rows = await this.repo.findPage(filter, page.offset, page.pageSize);
    return rows.map((r) => toV1Item(r, this.config.timeZone, withAccZone));
  }

  async listV2(filter: TransactionFilter, page: Page): Promise<V2Page<TransactionV2ItemDto>> {
    const { rows, total } = await this.repo.findPageAndCount(filter, page.offset, page.pageSize);
    const photos = await this.repo.capturePhotos(rows);
    return v2Page(
      rows.map((r) => toV2Item(r, this.config.timeZone, photos.get(r.id))),
      total,
      page,
    );
  }

  /** listV2's page with `hasPhoto` in place of each photo (the console's list: a photo is fetched when opened). */
  async listV2Marked(filter: TransactionFilter, page: Page): Promise<{ total: number; rows: Array<Omit<TransactionV2ItemDto, 'capturePhotoBase64'> & { hasPhoto: boolean }> }> {
    const { rows, total } = await this.repo.findPageAndCount(filter, page.offset, page.pageSize);
    const withPhoto = await this.repo.withCapturePhoto(rows);
    return {
      total,
      rows: rows.map((r) => {
        const { capturePhotoBase64: _none, ...item } = toV2Item(r, this.config.timeZone, undefined);
        return { ...item, hasPhoto: withPhoto.has(r.id) };
      }),
    };
  }

  async getById(id: string): Promise<TransactionV2ItemDto> {
    const row = await this.requireRow(id);
    return toV2Item(row, this.config.timeZone, (await this.repo.capturePhotos([row])).get(row.id));
  }

  private async requireRow(id: string | undefined): Promise<TransactionRow> {
    const dbId = transactionIdFromApi(id);
    const row = dbId ? await this.repo.findById(dbId) : undefined;
    if (!row) throw new TransactionNotFound(id ?? '');
    return row;
  }

  async firstInLastOut(pin: string, range: { from?: Date; to?: Date; deviceSn?: string }, page: Page): Promise<{ rows: FirstInLastOutItemDto[]; total: number }> {
    const { rows, total } = await this.repo.findFirstInLastOut(pin, this.config.timeZone, range, page.offset, page.pageSize);
    return { rows: rows.map((r) => this.toFirstInLastOut(pin, r)), total };
  }

  private toFirstInLastOut(pin: string, r: FirstInLastOutRow): FirstInLastOutItemDto {
    const tz = this.config.timeZone;
    const hasOut = r.n > 1;
    return {
      id: transactionIdToApi(r.first_id),
      pin,
      name: nameText(r.name),
      lastName: nameText(r.last_name),
      readerNameIn: r.reader_in,
      firstInTime: formatCvDateTime(r.first_time, tz),
      readerNameOut: hasOut ? r.reader_out : null,
      lastOutTime: hasOut ? formatCvDateTime(r.last_time, tz) : null,
      deptCode: nameText(r.dept_code),
      deptName: nameText(r.dept_name),
    };
  }

  /**
   * 2.18.10 / 2.18.11 filters; `content` wins over flat fields. Their paging is the one the manual leaves optional
   * (no "required" on page/pageSize, unlike 2.18.1-2.18.9): absent, it is page 1 of 10, as 2.18.10's example answers.
   */
  doorFilter(f: DoorTransactionFilterDto): { filter: TransactionFilter; page: Page } {
    const page = pagingOrDefault(f.pageNo || f.page, f.pageSize, 1000);
    const filter: TransactionFilter = { ...this.timeRange({ start: f.startTime, end: f.endTime, startName: 'startTime', endName: 'endTime' }) };
    const devSn = f.devSn || f.devsn;
    if (devSn) filter.deviceSn = devSn;
    if (f.personPin) filter.pin = f.personPin;
    if (f.filter) filter.fuzzy = f.filter;
    // null is not set (Java clients send their unset fields so), as absent and "" are.
    if (f.eventNo !== undefined && f.eventNo !== null && f.eventNo !== '') {
      if (!/^-?\d+$/.test(f.eventNo)) throw new CvError(CvCode.InvalidParameter, 'eventNo must be an event code');
      filter.eventNo = Number(f.eventNo);
    }
    if (f.type !== undefined && f.type !== null && f.type !== '') {
      const level = LEVELS[f.type.toLowerCase()];
      if (level === undefined) throw new CvError(CvCode.InvalidParameter, 'type must be normal, warning or alarm');
      filter.eventLevel = level;
    }
    return { filter, page };
  }

  async doorTransactions(f: DoorTransactionFilterDto): Promise<{ rows: DoorTransactionItemDto[]; total: number; page: Page }> {
    const { filter, page } = this.doorFilter(f);
    const { rows, total } = await this.repo.findPageAndCount(filter, page.offset, page.pageSize);
    return { rows: rows.map((r) => toDoorItem(r, this.config.timeZone)), total, page };
  }

  async doorTransactionsV2(f: DoorTransactionFilterDto): Promise<V2Page<TransactionV2ItemDto>> {
    const { filter, page } = this.doorFilter(f);
    return this.listV2(filter, page);
  }

  async doorTransactionDetail(id: string | undefined): Promise<DoorTransactionDetailItemDto> {
    if (!id) throw new CvError(CvCode.InvalidParameter, 'id is required');
    return toDoorDetail(await this.requireRow(id), this.config.timeZone);
  }
}
