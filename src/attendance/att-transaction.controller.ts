import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { v2Page, type Page, type V2Page } from '../common/paging';
import { TransactionService } from '../transaction/transaction.service';
import { AttTransactionService, type AttTransactionFilter } from './att-transaction.service';
import { AttTransactionItemDto, AttTransactionListDto } from './dto/attendance.dto';

/** 2.21 Attendance transactions. */
@ApiTags('Attendance')
@Controller()
export class AttTransactionController {
  constructor(
    private readonly punches: AttTransactionService,
    private readonly transactions: TransactionService,
  ) {}

  /** The page and filter of either form, checked in the manual's order (paging -9x, then times -100/-101). */
  private query(dto: AttTransactionListDto): { page: Page; filter: AttTransactionFilter } {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    const range = this.transactions.timeRange({ start: dto.startDate, end: dto.endDate, startName: 'startDate', endName: 'endDate' });
    return { page, filter: { ...range, ...(dto.personPin ? { pin: dto.personPin } : {}), ...(dto.deviceSn ? { deviceSn: dto.deviceSn } : {}) } };
  }

  @Get('api/transaction/listAttTransaction')
  @ApiOperation({ summary: '2.21.1 Get Att Transaction: terminal punches and attendance-point events, newest first (personPin, startDate, endDate filters)' })
  @ApiOkResponse({ type: listEnvelopeOf(AttTransactionItemDto) })
  async list(@CvInput() dto: AttTransactionListDto): Promise<Envelope<AttTransactionItemDto[]>> {
    const { page, filter } = this.query(dto);
    return ok(await this.punches.list(filter, page));
  }

  /**
   * Not in the manual: payroll integrations page through it as the other "with total number" lists (reading
   * `data.data` until `data.lastPage`), so it answers 2.21.1's items in the v2 page object of 2.18.4.
   */
  @Get('api/v2/transaction/listAttTransaction')
  @ApiOperation({ summary: 'Get Att Transaction with total number (v2 form real clients call): the 2.21.1 items in the v2 page object' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(AttTransactionItemDto) })
  async listV2(@CvInput() dto: AttTransactionListDto): Promise<Envelope<V2Page<AttTransactionItemDto>>> {
    const { page, filter } = this.query(dto);
    const { rows, total } = await this.punches.listAndCount(filter, page);
    return ok(v2Page(rows, total, page));
  }
}
