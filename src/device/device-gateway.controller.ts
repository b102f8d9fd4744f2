import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { pageIfAsked, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { GATEWAY_EXTENSIONS_TAG } from '../swagger';
import { DeviceAdminService } from './device-admin.service';
import { ActionAnswerService } from '../push/action-answer.service';
import { DeviceControlService } from './device-control.service';
import { DeviceKindService } from './device-kind.service';
import { DeviceService } from './device.service';
import {
  DeviceControlDto,
  DeviceControlResultDto,
  DeviceDetailDto,
  DeviceGetTransactionsDto,
  DeviceQueuedCommandDto,
  DeviceOptionDto,
  DeviceGatewayListDto,
  DeviceKindDto,
  DeviceMoveDto,
  DeviceAddDto,
  DeviceRenameDto,
  DeviceSyncResultDto,
} from './dto/device.dto';

/** What CVSecurity does to devices in its UI: admission, rename, area, delete, full resync. Devices by SN. */
@ApiTags(GATEWAY_EXTENSIONS_TAG)
@Controller('api/gateway/devices')
export class DeviceGatewayController {
  constructor(
    private readonly devices: DeviceService,
    private readonly admin: DeviceAdminService,
    private readonly kinds: DeviceKindService,
    private readonly control: DeviceControlService,
    private readonly answers: ActionAnswerService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Gateway: list devices, pending ones included, with online state and last contact' })
  @ApiOkResponse({ type: listEnvelopeOf(DeviceDetailDto) })
  async list(@CvInput() dto: DeviceGatewayListDto): Promise<Envelope<DeviceDetailDto[]>> {
    const page = pageIfAsked(dto, UNCAPPED_PAGE_SIZE);
    return ok(await this.devices.toDetails(await this.devices.listAll(dto.admission, page, dto.kind)));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: "Gateway: add a device by its SN before it has contacted the gateway (CVSecurity's Device > New)",
    description: 'The device is admitted: when it first calls it registers and receives what it should hold, with no approval to wait for. An SN already known is refused (-409): approve a pending one instead.',
  })
  @ApiOkResponse({ type: envelopeOf(DeviceDetailDto) })
  async add(@CvInput() dto: DeviceAddDto): Promise<Envelope<DeviceDetailDto>> {
    const [d] = await this.devices.toDetails([await this.admin.add(dto.sn, dto.alias)]);
    return ok(d);
  }

  @Get(':sn')
  @ApiOperation({ summary: 'Gateway: one device, with online state, last contact, area and doors' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceDetailDto) })
  async get(@Param('sn') sn: string): Promise<Envelope<DeviceDetailDto>> {
    const [d] = await this.devices.toDetails([await this.devices.requireBySn(sn)]);
    return ok(d);
  }

  @Post(':sn/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: admit a pending (or disabled) device; its next poll is served' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceDetailDto) })
  async approve(@Param('sn') sn: string): Promise<Envelope<DeviceDetailDto>> {
    const [d] = await this.devices.toDetails([await this.admin.approve(sn)]);
    return ok(d);
  }

  @Post(':sn/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: disable a device; it is answered like a pending one and receives no commands' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceDetailDto) })
  async disable(@Param('sn') sn: string): Promise<Envelope<DeviceDetailDto>> {
    const [d] = await this.devices.toDetails([await this.admin.disable(sn)]);
    return ok(d);
  }

  @Put(':sn/alias')
  @ApiOperation({ summary: 'Gateway: rename a device (its alias, the "name" of the device endpoints)' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceDetailDto) })
  async rename(@Param('sn') sn: string, @CvInput() dto: DeviceRenameDto): Promise<Envelope<DeviceDetailDto>> {
    const [d] = await this.devices.toDetails([await this.devices.rename(sn, dto.alias, dto.renameDoors === true)]);
    return ok(d);
  }

  @Put(':sn/area')
  @ApiOperation({ summary: 'Gateway: move a device to another area' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceDetailDto) })
  async move(@Param('sn') sn: string, @CvInput() dto: DeviceMoveDto): Promise<Envelope<DeviceDetailDto>> {
    const [d] = await this.devices.toDetails([await this.devices.moveToArea(sn, dto.areaCode)]);
    return ok(d);
  }

  @Post(':sn/kind')
  @HttpCode(200)
  @ApiOperation({
    summary: "Gateway: override the device's kind (access panel, attendance terminal, FaceKiosk, elevator or channel controller)",
    description: 'The kind decides which module lists and serves the device. `{"kind": null}` returns to the detected kind.',
  })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceDetailDto) })
  async setKind(@Param('sn') sn: string, @CvInput() dto: DeviceKindDto): Promise<Envelope<DeviceDetailDto>> {
    await this.devices.requireBySn(sn);
    await this.kinds.setOverride(sn, dto.kind);
    const [d] = await this.devices.toDetails([await this.devices.requireBySn(sn)]);
    return ok(d);
  }

  @Delete(':sn')
  @ApiOperation({ summary: 'Gateway: delete a device with its doors and readers; its queued commands are dropped' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('sn') sn: string): Promise<Envelope<null>> {
    await this.devices.delete(sn);
    return ok(null);
  }

  @Post(':sn/sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: sync all data to this device (a full, batched resync through the sync planner)' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceSyncResultDto) })
  async sync(@Param('sn') sn: string): Promise<Envelope<DeviceSyncResultDto>> {
    return ok(await this.admin.syncAll(sn));
  }

  @Post(':sn/control')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Gateway: reboot a panel, set its clock, cancel the alarms of all its doors, or ask for its options (GET OPTIONS)',
    description:
      'Queues one command for an admitted access panel, elevator or channel controller. Reboot, syncTime and cancelAlarm go to an online device only (-1 when it is offline, nothing queued), are dropped if not fetched within DEVICE_ACTION_VALID_SECONDS, and are answered once queued (state pending) by default, or, with DEVICE_ACTION_WAIT_MS set, once the device returned its result or that time passed: "success: device … confirmed the command (Return=0)" with state done, -1 naming the Return when it refused, or "not confirmed yet: …" with state pending or sent. getOptions and enroll answer once queued. The device\'s Return is also on GET .../commands (the commandId); the values GET OPTIONS brings back are at GET .../options.',
  })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceControlResultDto) })
  async sendControl(@Param('sn') sn: string, @CvInput() dto: DeviceControlDto): Promise<Envelope<DeviceControlResultDto>> {
    const r = await this.control.control(sn, dto);
    const queued = r.validSeconds ? `success: the command is queued for device ${r.deviceSn}; dropped if not fetched within ${r.validSeconds} s` : `success: the command is queued for device ${r.deviceSn}`;
    // A query is kept until delivered, and an enrolment lasts while the person enrols: neither is waited for.
    if (dto.action === 'getOptions' || dto.action === 'enroll') return ok({ ...r, state: 'pending', returnCode: null }, queued);
    const a = await this.answers.answer(r);
    const message = a.envelope.message !== 'success' ? a.envelope.message : a.state === 'done' ? `success: ${a.detail}` : queued;
    return { code: a.envelope.code, message, data: { ...r, state: a.state, returnCode: a.returnCode } };
  }

  @Post(':sn/transactions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Gateway: ask a panel for the access records it keeps (Get transactions: DATA QUERY tablename=transaction); what comes back is stored once',
    description:
      'records=new asks for the records the panel has not uploaded, all for every record it keeps, period for those of startTime-endTime (gateway wall clocks, both included; sent in the panel\'s own). For an admitted access panel, elevator or channel controller that is online: -404 for an unknown SN, -409 for a pending or disabled device or an attendance terminal (its punches: /api/gateway/attendance/terminals/{sn}/recover), -1 when it is offline (nothing queued), -100/-101 for a malformed period or one that starts after it ends, -400 for another records value or times with new/all. Answered once queued; the panel posts the records on /iclock/querydata (in packets) and each becomes the access event it records, served by /api/transaction/list (an event already received as rtlog, or a packet sent again, is stored once). Its Return, the number of records it sent, is on GET .../commands (the commandId).',
  })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: envelopeOf(DeviceQueuedCommandDto) })
  async getTransactions(@Param('sn') sn: string, @CvInput() dto: DeviceGetTransactionsDto): Promise<Envelope<DeviceQueuedCommandDto>> {
    const r = await this.control.getTransactions(sn, dto);
    return ok(r, `success: the command is queued for device ${r.deviceSn}`);
  }

  @Get(':sn/options')
  @ApiOperation({ summary: 'Gateway: the options the device reported (its GET OPTIONS answers and options uploads), the latest value of each' })
  @ApiParam({ name: 'sn', example: '0564140100195' })
  @ApiOkResponse({ type: listEnvelopeOf(DeviceOptionDto) })
  async options(@Param('sn') sn: string): Promise<Envelope<DeviceOptionDto[]>> {
    return ok(await this.control.options(sn));
  }
}
