import { Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, UNCAPPED_PAGE_SIZE, v2Page, type V2Page } from '../common/paging';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DeviceSnDto } from '../device/dto/device.dto';
import { answered, commandResponse, GATEWAY_DETAIL_HEADER, queued } from '../door/door.controller';
import { ActionAnswerService } from '../push/action-answer.service';
import { ModuleListDto } from '../elevator/dto/elevator.dto';
import { ModuleDeviceService } from '../elevator/module-device.service';
import { CountersResetDto, GateCountersDto, PassRuleDto, PassRuleStateDto, PsgDeviceResponseDto, PsgDeviceV2ResponseDto, toPsgDevice, toPsgDeviceV2 } from './dto/passage.dto';
import { GateService } from './gate.service';
import { PsgPassRuleService } from './psg-pass-rule.service';

/** 2.30 Entrance-control devices (kind `psg`), and the gateway's counter extensions. */
@ApiTags('PsgDevice')
@Controller()
export class PsgDeviceController {
  constructor(
    private readonly devices: ModuleDeviceService,
    private readonly gates: GateService,
    private readonly passRules: PsgPassRuleService,
    private readonly answers: ActionAnswerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(['api/psgDevice/list', 'api/psgdDvice/list'])
  @ApiOperation({ summary: '2.30.1 Get entrance control device list (the title misspells it psgdDvice; both are served)' })
  @ApiOkResponse({ type: listEnvelopeOf(PsgDeviceResponseDto) })
  async list(@CvInput() dto: ModuleListDto): Promise<Envelope<PsgDeviceResponseDto[]>> {
    return ok((await this.devices.list('psg', checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE))).rows.map(toPsgDevice));
  }

  @Get(['api/psgDevice/getBySn', 'api/psgdDvice/getBySn'])
  @ApiOperation({ summary: '2.30.2 Get entrance control device info by SN' })
  @ApiOkResponse({ type: envelopeOf(PsgDeviceV2ResponseDto) })
  async getBySn(@CvInput() dto: DeviceSnDto): Promise<Envelope<PsgDeviceV2ResponseDto>> {
    return ok(toPsgDeviceV2(await this.devices.requireBySn('psg', dto.sn)));
  }

  @Get(['api/v2/psgDevice/list', 'api/v2/psgdDvice/list'])
  @ApiOperation({ summary: '2.30.3 Get entrance control device list (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PsgDeviceV2ResponseDto) })
  async listV2(@CvInput() dto: ModuleListDto): Promise<Envelope<V2Page<PsgDeviceV2ResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.devices.list('psg', page);
    return ok(v2Page(rows.map(toPsgDeviceV2), total, page));
  }

  @Get('api/gateway/psgDevice/:sn/counters')
  @ApiOperation({ summary: 'Gateway extension: the last irstate report of a channel controller (infrared state, in/out/alarm/run counters)' })
  @ApiParam({ name: 'sn', example: 'CKN4213360081' })
  @ApiOkResponse({ type: envelopeOf(GateCountersDto) })
  async counters(@Param('sn') sn: string): Promise<Envelope<GateCountersDto>> {
    const device = await this.devices.requireBySn('psg', sn.trim());
    const c = await this.gates.counters(device.sn);
    if (!c) throw new CvError(CvCode.NotFound, `Device ${device.sn} has not reported its counters yet`);
    return ok({ ...c, reportedAt: formatCvDateTime(c.reportedAt, this.config.timeZone)! });
  }

  @Post('api/gateway/psgDevice/:sn/resetCounters')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: reset counters on the controller (CONTROL DEVICE 10; counter in|out|alarm|all)' })
  @ApiParam({ name: 'sn', example: 'CKN4213360081' })
  @ApiOkResponse(commandResponse)
  async resetCounters(@Param('sn') sn: string, @CvInput() dto: CountersResetDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.gates.resetCounters(sn.trim(), dto.counter ?? 'all'));
  }

  @Post('api/gateway/psgDevice/:sn/passRule')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Gateway extension: passing mode of the controller during a time segment (DATA UPDATE gatepassrule)',
    description: 'Stored (one rule per controller and time segment; the same segment again replaces it) and sent; sent again after a full sync of the controller, and when the segment\'s periods change.',
  })
  @ApiParam({ name: 'sn', example: 'CKN4213360081' })
  @ApiOkResponse(commandResponse)
  async passRule(@Param('sn') sn: string, @CvInput() dto: PassRuleDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    const saved = await this.passRules.save(sn.trim(), dto.timeSegName, dto.passMode);
    if (saved.queued) return queued(reply, saved);
    reply.header(GATEWAY_DETAIL_HEADER, `the rule is stored; no command was queued for device ${saved.deviceSn}: its firmware refused the gatepassrule table (see its convergence)`);
    return ok(null);
  }

  @Get('api/gateway/psgDevice/:sn/passRules')
  @ApiOperation({ summary: 'Gateway extension: the pass rules stored for the controller, each with whether the controller confirmed it (Return code)' })
  @ApiParam({ name: 'sn', example: 'CKN4213360081' })
  @ApiOkResponse({ type: listEnvelopeOf(PassRuleStateDto) })
  async passRuleList(@Param('sn') sn: string): Promise<Envelope<PassRuleStateDto[]>> {
    const zone = this.config.timeZone;
    return ok((await this.passRules.list(sn.trim())).map((r) => ({ ...r, confirmedAt: formatCvDateTime(r.confirmedAt, zone) })));
  }
}
