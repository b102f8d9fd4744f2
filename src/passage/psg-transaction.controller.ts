import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CvCode, CvError } from '../common/cv-error';
import { listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import type { V2Page } from '../common/paging';
import { moduleTransactionPageDocs, ModuleTransactionService, PsgMonitorItemDto, PsgTransactionItemDto, type ModuleTransactionFilter } from '../elevator/module-transaction.service';
import { ApiClientId } from '../transaction/api-client-id.decorator';
import { deviceOf, DeviceTransactionListDto, personOf, PersonTransactionPageDto, TransactionListDto, TransactionMonitorDto, TransactionPageDto } from '../transaction/dto/transaction-query.dto';
import { TransactionMonitorService } from '../transaction/transaction-monitor.service';
import { ClientGone, type ClientGoneCheck } from '../transaction/client-gone.decorator';
import { TransactionService } from '../transaction/transaction.service';

/** 2.34 Entrance-control events (rtlog of channel controllers, cancel-alarm records included), newest first. */
@ApiTags('PsgTransaction')
@Controller()
export class PsgTransactionController {
  constructor(
    private readonly events: ModuleTransactionService,
    private readonly transactions: TransactionService,
  ) {}

  private range(dto: TransactionPageDto) {
    return this.transactions.timeRange({ start: dto.startDate, end: dto.endDate, startName: 'startDate', endName: 'endDate' });
  }

  private pin(pin: string): string {
    const p = (pin ?? '').trim();
    if (!p) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
    return p;
  }

  /** 2.34.2/2.34.6's filters: the person and the device, each when given. */
  private listFilter(dto: DeviceTransactionListDto): ModuleTransactionFilter {
    return { ...(dto.personPin ? { pin: dto.personPin } : {}), ...(dto.deviceSn ? { deviceSn: dto.deviceSn } : {}) };
  }

  private async v1(dto: TransactionPageDto, f: ModuleTransactionFilter): Promise<Envelope<PsgTransactionItemDto[]>> {
    return ok(await this.events.listPsg({ ...f, ...this.range(dto) }, this.transactions.page(dto.pageNo, dto.pageSize)));
  }

  private async v2(dto: TransactionPageDto, f: ModuleTransactionFilter): Promise<Envelope<V2Page<PsgTransactionItemDto>>> {
    return ok(await this.events.listPsgV2({ ...f, ...this.range(dto) }, this.transactions.page(dto.pageNo, dto.pageSize)));
  }

  @Get('api/psgTransaction/device/:deviceSn')
  @ApiOperation({ summary: '2.34.1 Get Entrance Control Transaction by Device Sn' })
  @ApiParam({ name: 'deviceSn', example: 'CKN4213360081' })
  @ApiOkResponse({ type: listEnvelopeOf(PsgTransactionItemDto) })
  byDevice(@Param('deviceSn') deviceSn: string, @CvInput() dto: TransactionListDto): Promise<Envelope<PsgTransactionItemDto[]>> {
    return this.v1(dto, { deviceSn: deviceSn.trim(), ...personOf(dto) });
  }

  @Get('api/psgTransaction/list')
  @ApiOperation({ summary: '2.34.2 Get Entrance Control Gate Transaction List' })
  @ApiOkResponse({ type: listEnvelopeOf(PsgTransactionItemDto) })
  list(@CvInput() dto: DeviceTransactionListDto): Promise<Envelope<PsgTransactionItemDto[]>> {
    return this.v1(dto, this.listFilter(dto));
  }

  @Get('api/psgTransaction/monitor')
  @ApiOperation({ summary: '2.34.3 Get Entrance Control Device Real-Time Monitoring (each event once per API client and timestamp)' })
  @ApiOkResponse({ type: listEnvelopeOf(PsgMonitorItemDto) })
  async monitor(@ApiClientId() clientId: string, @ClientGone() gone: ClientGoneCheck, @CvInput() dto: TransactionMonitorDto): Promise<Envelope<PsgMonitorItemDto[]>> {
    return ok(await this.events.monitor(clientId, 'psg', TransactionMonitorService.parseTimestamp(dto.timestamp), gone));
  }

  @Get('api/psgTransaction/person/:pin')
  @ApiOperation({ summary: '2.34.4 Get Personnel Entrance Control Access Transaction by Pin' })
  @ApiParam({ name: 'pin', example: '57' })
  @ApiOkResponse({ type: listEnvelopeOf(PsgTransactionItemDto) })
  byPerson(@Param('pin') pin: string, @CvInput() dto: PersonTransactionPageDto): Promise<Envelope<PsgTransactionItemDto[]>> {
    return this.v1(dto, { pin: this.pin(pin), ...deviceOf(dto) });
  }

  @Get('api/v2/psgTransaction/device/:deviceSn')
  @ApiOperation({ summary: '2.34.5 Get Entrance Control Transaction by Device Sn (with total number)' })
  @ApiParam({ name: 'deviceSn', example: 'CKN4213360081' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PsgTransactionItemDto, moduleTransactionPageDocs) })
  byDeviceV2(@Param('deviceSn') deviceSn: string, @CvInput() dto: TransactionListDto): Promise<Envelope<V2Page<PsgTransactionItemDto>>> {
    return this.v2(dto, { deviceSn: deviceSn.trim(), ...personOf(dto) });
  }

  @Get('api/v2/psgTransaction/list')
  @ApiOperation({ summary: '2.34.6 Get Entrance Control Gate Transaction List (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PsgTransactionItemDto, moduleTransactionPageDocs) })
  listV2(@CvInput() dto: DeviceTransactionListDto): Promise<Envelope<V2Page<PsgTransactionItemDto>>> {
    return this.v2(dto, this.listFilter(dto));
  }

  @Get('api/v2/psgTransaction/person/:pin')
  @ApiOperation({ summary: '2.34.7 Get Personnel Entrance Control Access Transaction by Pin (with total number)' })
  @ApiParam({ name: 'pin', example: '57' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PsgTransactionItemDto, moduleTransactionPageDocs) })
  byPersonV2(@Param('pin') pin: string, @CvInput() dto: PersonTransactionPageDto): Promise<Envelope<V2Page<PsgTransactionItemDto>>> {
    return this.v2(dto, { pin: this.pin(pin), ...deviceOf(dto) });
  }

  // The v3 forms: integrators' catalogues of a later manual (1.2) list them beside the v2 ones, as the access
  // side's v3 forms (field notes REST 6) sit beside 2.18's; they answer as 2.34.5 and 2.34.7. The query forms
  // (`?deviceSn=`, `?pin=`) reach them through the path-or-query rule (route-forms.ts).

  @Get('api/v3/psgTransaction/device/:deviceSn')
  @ApiOperation({ summary: 'Get Entrance Control Transaction by Device Sn (v3 form; answers like 2.34.5)' })
  @ApiParam({ name: 'deviceSn', example: 'CKN4213360081' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PsgTransactionItemDto, moduleTransactionPageDocs) })
  byDeviceV3(@Param('deviceSn') deviceSn: string, @CvInput() dto: TransactionListDto): Promise<Envelope<V2Page<PsgTransactionItemDto>>> {
    return this.byDeviceV2(deviceSn, dto);
  }

  @Get('api/v3/psgTransaction/person/:pin')
  @ApiOperation({ summary: 'Get Personnel Entrance Control Access Transaction by Pin (v3 form; answers like 2.34.7)' })
  @ApiParam({ name: 'pin', example: '57' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PsgTransactionItemDto, moduleTransactionPageDocs) })
  byPersonV3(@Param('pin') pin: string, @CvInput() dto: PersonTransactionPageDto): Promise<Envelope<V2Page<PsgTransactionItemDto>>> {
    return this.byPersonV2(pin, dto);
  }
}
