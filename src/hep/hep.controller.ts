import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { ApiClientId } from '../transaction/api-client-id.decorator';
import { DeviceTransactionListDto, TransactionMonitorDto } from '../transaction/dto/transaction-query.dto';
import { TransactionMonitorService } from '../transaction/transaction-monitor.service';
import { ClientGone, type ClientGoneCheck } from '../transaction/client-gone.decorator';
import { TransactionService } from '../transaction/transaction.service';
import { HepItemDto, HepMonitorItemDto } from './dto/hep-response.dto';
import { HepService } from './hep.service';

/** 2.26: temperature and mask events (the query parameters are those of 2.18.3 and 2.18.5). */
@ApiTags('Hep')
@Controller()
export class HepController {
  constructor(
    private readonly hep: HepService,
    private readonly transactions: TransactionService,
  ) {}

  @Get('api/hep/transaction/list')
  @ApiOperation({ summary: '2.26.1 Get temperature and mask events (newest first; status against HEP_FEVER_THRESHOLD)' })
  @ApiOkResponse({ type: listEnvelopeOf(HepItemDto) })
  async list(@CvInput() dto: DeviceTransactionListDto): Promise<Envelope<HepItemDto[]>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    const range = this.transactions.timeRange({ start: dto.startDate, end: dto.endDate, startName: 'startDate', endName: 'endDate' });
    return ok(await this.hep.list({ ...range, ...(dto.personPin ? { pin: dto.personPin } : {}), ...(dto.deviceSn ? { deviceSn: dto.deviceSn } : {}) }, page));
  }

  @Get('api/hep/transaction/monitor')
  @ApiOperation({ summary: '2.26.2 Get real-time temperature and mask events (each event once per API client and timestamp)' })
  @ApiOkResponse({ type: listEnvelopeOf(HepMonitorItemDto) })
  async monitor(@ApiClientId() clientId: string, @ClientGone() gone: ClientGoneCheck, @CvInput() dto: TransactionMonitorDto): Promise<Envelope<HepMonitorItemDto[]>> {
    return ok(await this.hep.poll(clientId, TransactionMonitorService.parseTimestamp(dto.timestamp), gone));
  }
}
