import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { TransactionService } from '../transaction/transaction.service';
import { AttTransactionService } from './att-transaction.service';
import { AttTransactionItemDto, AttTransactionListDto } from './dto/attendance.dto';

/** 2.21 Attendance transactions. */
@ApiTags('Attendance')
@Controller()
export class AttTransactionController {
  constructor(
    private readonly punches: AttTransactionService,
    private readonly transactions: TransactionService,
  ) {}

  @Get('api/transaction/listAttTransaction')
  @ApiOperation({ summary: '2.21.1 Get Att Transaction: terminal punches and attendance-point events, newest first (personPin, startDate, endDate filters)' })
  @ApiOkResponse({ type: listEnvelopeOf(AttTransactionItemDto) })
  async list(@CvInput() dto: AttTransactionListDto): Promise<Envelope<AttTransactionItemDto[]>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    const range = this.transactions.timeRange({ start: dto.startDate, end: dto.endDate, startName: 'startDate', endName: 'endDate' });
    return ok(await this.punches.list({ ...range, ...(dto.personPin ? { pin: dto.personPin } : {}) }, page));
  }
}
