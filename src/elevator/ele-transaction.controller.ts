import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import type { V2Page } from '../common/paging';
import { DeviceTransactionListDto } from '../transaction/dto/transaction-query.dto';
import { TransactionV1ItemDto } from '../transaction/dto/transaction-response.dto';
import { TransactionService } from '../transaction/transaction.service';
import { ModuleTransactionService, moduleTransactionPageDocs } from './module-transaction.service';

/** 2.19 Elevator events (rtlog of elevator controllers), newest first; the event point is the floor. */
@ApiTags('EleTransaction')
@Controller()
export class EleTransactionController {
  constructor(
    private readonly events: ModuleTransactionService,
    private readonly transactions: TransactionService,
  ) {}

  private filter(dto: DeviceTransactionListDto) {
    return {
      ...(dto.personPin ? { pin: dto.personPin } : {}),
      ...(dto.deviceSn ? { deviceSn: dto.deviceSn } : {}),
      ...this.transactions.timeRange({ start: dto.startDate, end: dto.endDate, startName: 'startDate', endName: 'endDate' }),
    };
  }

  @Get('api/eleTransaction/list')
  @ApiOperation({ summary: '2.19.1 Get Elevator Transaction' })
  @ApiOkResponse({ type: listEnvelopeOf(TransactionV1ItemDto) })
  async list(@CvInput() dto: DeviceTransactionListDto): Promise<Envelope<TransactionV1ItemDto[]>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    return ok(await this.events.listEle(this.filter(dto), page));
  }

  @Get('api/v2/eleTransaction/list')
  @ApiOperation({ summary: '2.19.2 Get Elevator Transaction (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(TransactionV1ItemDto, moduleTransactionPageDocs) })
  async listV2(@CvInput() dto: DeviceTransactionListDto): Promise<Envelope<V2Page<TransactionV1ItemDto>>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    return ok(await this.events.listEleV2(this.filter(dto), page));
  }
}
