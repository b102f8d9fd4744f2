import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { TransactionService } from '../transaction/transaction.service';
import { ParkPictureDto, ParkRecordInItemDto, ParkRecordListDto, ParkRecordOutItemDto } from './dto/park.dto';
import { ParkRecordService } from './park-record.service';

/** 2.20: parking entries and exits (newest first). The v2 paths answer a plain array too, as the manual prints. */
@ApiTags('Park')
@Controller()
export class ParkTransactionController {
  constructor(
    private readonly records: ParkRecordService,
    private readonly transactions: TransactionService,
  ) {}

  @Get('api/parkTransaction/getParkRecordPicture')
  @ApiOperation({ summary: '2.20.1 The picture of an entry (recordType 1) or exit (2) record, base64' })
  @ApiOkResponse({ type: envelopeOf(String as never) })
  async picture(@CvInput() dto: ParkPictureDto): Promise<Envelope<string>> {
    return ok(await this.records.picture(dto.recordId, dto.recordType));
  }

  @Get(['api/v2/parkTransaction/listParkRecordin', 'api/parkTransaction/listParkRecordin'])
  @ApiOperation({ summary: '2.20.2 Parking entries (data is a plain array, also under /api/v2)' })
  @ApiOkResponse({ type: listEnvelopeOf(ParkRecordInItemDto) })
  async listIn(@CvInput() dto: ParkRecordListDto): Promise<Envelope<ParkRecordInItemDto[]>> {
    return ok(await this.records.list(1, this.filter(dto), this.transactions.page(dto.pageNo, dto.pageSize)));
  }

  @Get(['api/v2/parkTransaction/listParkRecordout', 'api/parkTransaction/listParkRecordout'])
  @ApiOperation({ summary: '2.20.3 Parking exits (data is a plain array, also under /api/v2)' })
  @ApiOkResponse({ type: listEnvelopeOf(ParkRecordOutItemDto) })
  async listOut(@CvInput() dto: ParkRecordListDto): Promise<Envelope<ParkRecordOutItemDto[]>> {
    return ok(await this.records.list(2, this.filter(dto), this.transactions.page(dto.pageNo, dto.pageSize)));
  }

  private filter(dto: ParkRecordListDto) {
    const range = this.transactions.timeRange({ start: dto.startDate, end: dto.endDate, startName: 'startDate', endName: 'endDate' });
    return { ...range, ...(dto.carNumber ? { carNumber: dto.carNumber } : {}) };
  }
}
