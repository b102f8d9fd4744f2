import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CvCode, CvError } from '../common/cv-error';
import { envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { v2Page, type V2Page } from '../common/paging';
import { ApiClientId } from './api-client-id.decorator';
import {
  deviceOf,
  DeviceTransactionListDto,
  personOf,
  PersonTransactionPageDto,
  TransactionListDto,
  TransactionMonitorDto,
  TransactionPageDto,
  TransactionPersonPageDto,
  TransactionV3DeviceDto,
  TransactionV3PersonDto,
} from './dto/transaction-query.dto';
import {
  FirstInLastOutItemDto,
  TransactionMonitorItemDto,
  TransactionV1ItemDto,
  TransactionV2ItemDto,
  transactionV2PageDocs,
} from './dto/transaction-response.dto';
import { TransactionMonitorService } from './transaction-monitor.service';
import { ClientGone, type ClientGoneCheck } from './client-gone.decorator';
import { TransactionService } from './transaction.service';

const dates = (dto: TransactionPageDto) => ({ start: dto.startDate, end: dto.endDate, startName: 'startDate', endName: 'endDate' });

/** 2.18.1-2.18.9 and 2.18.13, plus the v2/v3 forms real clients call (field notes, REST item 6). Newest first. */
@ApiTags('Transaction')
@Controller()
export class TransactionController {
  constructor(
    private readonly transactions: TransactionService,
    private readonly monitor: TransactionMonitorService,
  ) {}

  @Get('api/transaction/device/:deviceSn')
  @ApiOperation({ summary: '2.18.1 Get access transactions by device SN' })
  @ApiParam({ name: 'deviceSn', example: '5662012052868' })
  @ApiOkResponse({ type: listEnvelopeOf(TransactionV1ItemDto) })
  async byDevice(@Param('deviceSn') deviceSn: string, @CvInput() dto: TransactionListDto): Promise<Envelope<TransactionV1ItemDto[]>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    return ok(await this.transactions.listV1({ deviceSn: requireSn(deviceSn), ...personOf(dto), ...this.transactions.timeRange(dates(dto)) }, page, false));
  }

  @Get('api/v2/transaction/device/:deviceSn')
  @ApiOperation({ summary: '2.18.2 Get access transactions by device SN (with total number)' })
  @ApiParam({ name: 'deviceSn', example: '5662012052868' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(TransactionV2ItemDto, transactionV2PageDocs) })
  async byDeviceV2(@Param('deviceSn') deviceSn: string, @CvInput() dto: TransactionListDto): Promise<Envelope<V2Page<TransactionV2ItemDto>>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    return ok(await this.transactions.listV2({ deviceSn: requireSn(deviceSn), ...personOf(dto), ...this.transactions.timeRange(dates(dto)) }, page));
  }

  @Get('api/v3/transaction/device')
  @ApiOperation({ summary: 'Get access transactions by device SN (v3 form: deviceSn in the query; answers like 2.18.2)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(TransactionV2ItemDto, transactionV2PageDocs) })
  async byDeviceV3(@CvInput() dto: TransactionV3DeviceDto): Promise<Envelope<V2Page<TransactionV2ItemDto>>> {
    return this.byDeviceV2(requireSn(dto.deviceSn || dto.sn || dto.devSn), dto);
  }

  @Get('api/transaction/list')
  @ApiOperation({ summary: '2.18.3 Get access transaction list' })
  @ApiOkResponse({ type: listEnvelopeOf(TransactionV1ItemDto) })
  async list(@CvInput() dto: DeviceTransactionListDto): Promise<Envelope<TransactionV1ItemDto[]>> {
    return ok(await this.transactions.listV1(this.listFilter(dto), this.transactions.page(dto.pageNo, dto.pageSize)));
  }

  @Get('api/v2/transaction/list')
  @ApiOperation({ summary: '2.18.4 Get access transaction list (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(TransactionV2ItemDto, transactionV2PageDocs) })
  async listV2(@CvInput() dto: DeviceTransactionListDto): Promise<Envelope<V2Page<TransactionV2ItemDto>>> {
    return ok(await this.transactions.listV2(this.listFilter(dto), this.transactions.page(dto.pageNo, dto.pageSize)));
  }

  /** 2.18.3/2.18.4's filters: the window, the person and the device, each when given. */
  private listFilter(dto: DeviceTransactionListDto) {
    return { ...this.transactions.timeRange(dates(dto)), ...(dto.personPin ? { pin: dto.personPin } : {}), ...(dto.deviceSn ? { deviceSn: dto.deviceSn } : {}) };
  }

  @Get('api/transaction/monitor')
  @ApiOperation({ summary: '2.18.5 Get real-time monitoring events (each event once per API client and timestamp)' })
  @ApiOkResponse({ type: listEnvelopeOf(TransactionMonitorItemDto) })
  async monitorEvents(@ApiClientId() clientId: string, @ClientGone() gone: ClientGoneCheck, @CvInput() dto: TransactionMonitorDto): Promise<Envelope<TransactionMonitorItemDto[]>> {
    return ok(await this.monitor.poll(clientId, TransactionMonitorService.parseTimestamp(dto.timestamp), gone));
  }

  @Get('api/transaction/person/:pin')
  @ApiOperation({ summary: '2.18.6 Get access transactions by pin' })
  @ApiParam({ name: 'pin', example: '57' })
  @ApiOkResponse({ type: listEnvelopeOf(TransactionV1ItemDto) })
  async byPerson(@Param('pin') pin: string, @CvInput() dto: PersonTransactionPageDto): Promise<Envelope<TransactionV1ItemDto[]>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    return ok(await this.transactions.listV1({ pin: requirePin(pin), ...deviceOf(dto), ...this.transactions.timeRange(dates(dto)) }, page));
  }

  @Get('api/v2/transaction/person/:pin')
  @ApiOperation({ summary: '2.18.7 Get access transactions by pin (with total number)' })
  @ApiParam({ name: 'pin', example: '57' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(TransactionV2ItemDto, transactionV2PageDocs) })
  async byPersonV2(@Param('pin') pin: string, @CvInput() dto: TransactionPersonPageDto): Promise<Envelope<V2Page<TransactionV2ItemDto>>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    return ok(await this.transactions.listV2({ pin: requirePin(pin || dto.personPin), ...deviceOf(dto), ...this.transactions.timeRange(dates(dto)) }, page));
  }

  @Get('api/v3/transaction/person')
  @ApiOperation({ summary: 'Get access transactions by pin (v3 form: pin in the query; answers like 2.18.7)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(TransactionV2ItemDto, transactionV2PageDocs) })
  async byPersonV3(@CvInput() dto: TransactionV3PersonDto): Promise<Envelope<V2Page<TransactionV2ItemDto>>> {
    return this.byPersonV2(requirePin(dto.pin || dto.personPin), dto);
  }

  @Get('api/transaction/firstInAndLastOut/:pin')
  @ApiOperation({ summary: '2.18.8 Get first-in / last-out records by pin (one per day, newest first)' })
  @ApiParam({ name: 'pin', example: '57' })
  @ApiOkResponse({ type: listEnvelopeOf(FirstInLastOutItemDto) })
  async firstInAndLastOut(@Param('pin') pin: string, @CvInput() dto: PersonTransactionPageDto): Promise<Envelope<FirstInLastOutItemDto[]>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    return ok((await this.transactions.firstInLastOut(requirePin(pin), { ...deviceOf(dto), ...this.transactions.timeRange(dates(dto)) }, page)).rows);
  }

  @Get('api/v2/transaction/firstInAndLastOut/:pin')
  @ApiOperation({ summary: '2.18.9 Get first-in / last-out records by pin (with total number)' })
  @ApiParam({ name: 'pin', example: '57' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(FirstInLastOutItemDto) })
  async firstInAndLastOutV2(@Param('pin') pin: string, @CvInput() dto: PersonTransactionPageDto): Promise<Envelope<V2Page<FirstInLastOutItemDto>>> {
    const page = this.transactions.page(dto.pageNo, dto.pageSize);
    const { rows, total } = await this.transactions.firstInLastOut(requirePin(pin), { ...deviceOf(dto), ...this.transactions.timeRange(dates(dto)) }, page);
    return ok(v2Page(rows, total, page));
  }

  @Get('api/v3/transaction/firstInAndLastOut')
  @ApiOperation({ summary: 'Get first-in / last-out records by pin (v3 form: pin in the query; answers like 2.18.9)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(FirstInLastOutItemDto) })
  async firstInAndLastOutV3(@CvInput() dto: TransactionV3PersonDto): Promise<Envelope<V2Page<FirstInLastOutItemDto>>> {
    return this.firstInAndLastOutV2(requirePin(dto.pin || dto.personPin), dto);
  }

  @Get('api/transaction/getById/:id')
  @ApiOperation({ summary: '2.18.13 Get access transaction by event id' })
  @ApiParam({ name: 'id', example: '8a888e8f83f376e50183f4019fb70bcf' })
  @ApiOkResponse({ type: envelopeOf(TransactionV2ItemDto) })
  async getById(@Param('id') id: string): Promise<Envelope<TransactionV2ItemDto>> {
    return ok(await this.transactions.getById(id));
  }

  @Get('api/v2/transaction/getById/:id')
  @ApiOperation({ summary: 'Get access transaction by event id (v2 twin of 2.18.13)' })
  @ApiParam({ name: 'id', example: '8a888e8f83f376e50183f4019fb70bcf' })
  @ApiOkResponse({ type: envelopeOf(TransactionV2ItemDto) })
  async getByIdV2(@Param('id') id: string): Promise<Envelope<TransactionV2ItemDto>> {
    return this.getById(id);
  }
}

/** A blank SN (`/api/transaction/device/%20`) is the manual's -48, as a missing one is (route-forms.ts), not an empty list. */
function requireSn(sn: string | undefined): string {
  const s = (sn ?? '').trim();
  if (!s) throw new CvError(CvCode.DeviceSnNull, "Device serial number can't be null");
  return s;
}

function requirePin(pin: string | undefined): string {
  const p = (pin ?? '').trim();
  if (!p) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
  return p;
}
