import { Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { cardValue } from '../card/card-value';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { toV2Item, type TransactionV2ItemDto } from '../transaction/dto/transaction-response.dto';
import { TransactionRepository, type TransactionFilter, type TransactionListRow } from '../transaction/transaction.repository';
import { TransactionService } from '../transaction/transaction.service';
import type { ConsoleRequest } from './console-cookie';
import { ConsoleController } from './console-http';
import { consolePage, queryText } from './console-paging';
import { ConsoleAuditService } from './audit.service';
import { personEventColumns, streamCsv, type CsvColumns } from './console-csv';

const CSV_COLUMNS: CsvColumns<TransactionV2ItemDto> = [
  ...personEventColumns<TransactionV2ItemDto>(),
  ['doorName', (t) => t.doorName],
  ['readerName', (t) => t.readerName],
  ['eventNo', (t) => t.eventNo],
  ['eventName', (t) => t.eventName],
  ['verifyModeName', (t) => t.verifyModeName],
  ['areaName', (t) => t.areaName],
];

/** Transactions: filters by time, person (pin or name), card, device, door and event; paging; CSV export streamed in batches. */
@ConsoleController('transactions')
export class ConsoleTransactionsController {
  constructor(
    private readonly transactions: TransactionService,
    private readonly repo: TransactionRepository,
    private readonly audit: ConsoleAuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private filterOf(q: Record<string, unknown>): TransactionFilter {
    const filter: TransactionFilter = { ...this.transactions.timeRange({ start: queryText(q.from), end: queryText(q.to), startName: 'from', endName: 'to' }) };
    const pin = queryText(q.pin, 64);
    if (pin) filter.pin = pin;
    const name = queryText(q.name, 64);
    if (name) filter.personName = name;
    const card = queryText(q.cardNo, 64);
    if (card) filter.cardValue = cardValue(card);
    const sn = queryText(q.sn, 64);
    if (sn) filter.deviceSn = sn;
    const doorId = queryText(q.doorId, 32);
    if (doorId) filter.doorId = doorId;
    const eventNo = queryText(q.eventNo, 6);
    if (eventNo !== undefined) {
      if (!/^-?\d+$/.test(eventNo)) throw new CvError(CvCode.InvalidParameter, 'eventNo must be an event code (a number)');
      filter.eventNo = Number(eventNo);
    }
    // CVSecurity's alarm report: 0 normal, 1 warning (access refused and other exceptions), 2 alarm (forced door, tamper, duress).
    const level = queryText(q.eventLevel, 10);
    if (level !== undefined) {
      if (!/^[012]$/.test(level)) throw new CvError(CvCode.InvalidParameter, 'eventLevel must be 0 (normal), 1 (warning) or 2 (alarm)');
      filter.eventLevel = Number(level);
    }
    return filter;
  }

  @Get()
  async list(@Query() q: Record<string, unknown>) {
    const p = consolePage(q);
    // A capture photo is tens of kilobytes: the list says which events have one, and the page fetches a photo when
    // the operator opens it (GET transactions/{id}/photo), as CVSecurity's event list opens its photo icon.
    const { total, rows } = await this.transactions.listV2Marked(this.filterOf(q), { pageNo: p.page, pageSize: p.size, offset: p.offset });
    return ok({ total, page: p.page, size: p.size, rows });
  }

  /** One event's capture photo (its ATTPHOTO snapshot or IPC linkage photo), base64; -404 for an event without one. */
  @Get(':id/photo')
  async photo(@Param('id') id: string) {
    const t = await this.transactions.getById(id);
    if (!t.capturePhotoBase64) throw new CvError(CvCode.NotFound, `The event ${id} (${t.eventTime}) has no capture photo`);
    return ok(t.capturePhotoBase64);
  }

  /**
   * The whole filtered list as CSV, newest first; `X-Total-Count` announces the rows so the console can show
   * progress. Each batch reads on from the last row sent (event time, id): events arriving during the export
   * shift nothing, so no row repeats, and every event the list showed is in the file, one whose panel's clock
   * runs ahead of the server's too (a cut at the server's "now" left those out).
   */
  @Get('csv')
  async csv(@Query() q: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    const filter = this.filterOf(q);
    const total = await this.repo.count(filter);
    await this.audit.record(req.console!.operator, req.ip, 'transaction.export', undefined, 'ok', { ...q, rows: total });
    const tz = this.config.timeZone;
    let last: TransactionListRow | undefined;
    await streamCsv(req, reply, {
      fileName: 'transactions.csv',
      columns: CSV_COLUMNS,
      total,
      batch: async (_offset, limit) => {
        const rows = await this.repo.findPage(last ? { ...filter, after: { eventTime: last.event_time, id: String(last.id) } } : filter, 0, limit);
        last = rows.at(-1) ?? last;
        return rows.map((r) => toV2Item(r, tz));
      },
    });
  }
}
