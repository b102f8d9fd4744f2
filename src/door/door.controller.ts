import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, type ApiResponseOptions } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { checkPaging, pageIfAsked, v2Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { ActionAnswerService } from '../push/action-answer.service';
import { DoorControlService, queuedDetail, type QueuedDoorCommand } from './door-control.service';
import { DoorService } from './door.service';
import {
  AllDoorStateDto,
  DoorByIdDto,
  DoorByNameDto,
  DoorCommandEnvelopeDto,
  DoorIdDto,
  DoorListDto,
  DoorResponseDto,
  DoorStateByIdDto,
  DoorStateBySnDto,
  DoorStateResponseDto,
  RemoteOpenByIdDto,
  RemoteOpenByNameDto,
  toDoorResponse,
  toDoorStateResponse,
} from './dto/door.dto';

/** Header of the remote-control answers that says what happened to the command (queued, device offline). */
export const GATEWAY_DETAIL_HEADER = 'x-gateway-detail';

export const commandResponse: ApiResponseOptions = {
  type: DoorCommandEnvelopeDto,
  headers: {
    [GATEWAY_DETAIL_HEADER]: {
      description: 'what happened to the command, e.g. "device 0564140100195 confirmed the command (Return=0)". By default the call answers once queued (the manual\'s success; this header says "the command is queued for device …"); with DEVICE_ACTION_WAIT_MS set it waits up to that long for the device\'s Return: code 0 "success" once it returned >= 0; -1 naming the Return when it refused; code 0 with a message starting "not confirmed yet:" when it has not answered in time (the command stays queued; a queued action not fetched within DEVICE_ACTION_VALID_SECONDS is dropped). An offline device is refused with code -1 and nothing is queued',
      schema: { type: 'string' },
    },
  },
};

/**
 * The manual's public response for a write that is stored and queued (state the device is kept at, not an action):
 * whether the device was online to receive it travels in a header.
 */
export function queued(reply: FastifyReply, q: QueuedDoorCommand): Envelope<null> {
  reply.header(GATEWAY_DETAIL_HEADER, queuedDetail(q));
  return ok(null);
}

/**
 * The answer of a remote action once the device returned its result or DEVICE_ACTION_WAIT_MS passed
 * (ActionAnswerService): the manual's public response, `{"code":0,"message":"success","data":null}`, when the
 * device confirmed it; what happened travels in a header too.
 */
export async function answered(reply: FastifyReply, answers: ActionAnswerService, q: QueuedDoorCommand): Promise<Envelope<null>> {
  const a = await answers.answer(q);
  reply.header(GATEWAY_DETAIL_HEADER, a.detail);
  return a.envelope;
}

/** 2.11 Doors: reads, live state from rtstate, and remote control queued as CONTROL DEVICE commands. */
@ApiTags('Door')
@Controller()
export class DoorController {
  constructor(
    private readonly doors: DoorService,
    private readonly control: DoorControlService,
    private readonly answers: ActionAnswerService,
  ) {}

  @Get('api/door/allDoorState')
  @ApiOperation({ summary: '2.11.1 Get State of All Doors (pageNo/pageSize optional)' })
  @ApiOkResponse({ type: listEnvelopeOf(DoorStateResponseDto) })
  async allDoorState(@CvInput() dto: AllDoorStateDto): Promise<Envelope<DoorStateResponseDto[]>> {
    return ok((await this.doors.allStates(pageIfAsked(dto, UNCAPPED_PAGE_SIZE))).map((s) => toDoorStateResponse(s.door, s.state)));
  }

  @Get('api/door/doorStateById')
  @ApiOperation({ summary: '2.11.2 Get Door State by Door Id' })
  @ApiOkResponse({ type: envelopeOf(DoorStateResponseDto) })
  async doorStateById(@CvInput() dto: DoorStateByIdDto): Promise<Envelope<DoorStateResponseDto>> {
    const s = await this.doors.stateById(dto.doorId);
    return ok(toDoorStateResponse(s.door, s.state));
  }

  @Get('api/door/doorStateBySn')
  @ApiOperation({ summary: '2.11.3 Get Door State by Device SN (an array: one state per door of the device)' })
  @ApiOkResponse({ type: listEnvelopeOf(DoorStateResponseDto) })
  async doorStateBySn(@CvInput() dto: DoorStateBySnDto): Promise<Envelope<DoorStateResponseDto[]>> {
    const sn = dto.deviceSn || dto.sn;
    if (!sn) throw new CvError(CvCode.DeviceSnNull, "Device serial number can't be null");
    return ok((await this.doors.statesBySn(sn)).map((s) => toDoorStateResponse(s.door, s.state)));
  }

  // The v2 path is not in the manual; a real client reads one door there, beside v2/door/list (same answer).
  @Get(['api/door/get', 'api/v2/door/get'])
  @ApiOperation({ summary: '2.11.4 Get Door by Id (also served as v2/door/get, which clients call)' })
  @ApiOkResponse({ type: envelopeOf(DoorResponseDto) })
  async get(@CvInput() dto: DoorIdDto): Promise<Envelope<DoorResponseDto>> {
    return ok(toDoorResponse(await this.doors.requireById(dto.id)));
  }

  @Get('api/door/list')
  @ApiOperation({ summary: '2.11.5 Get Door List' })
  @ApiOkResponse({ type: listEnvelopeOf(DoorResponseDto) })
  async list(@CvInput() dto: DoorListDto): Promise<Envelope<DoorResponseDto[]>> {
    const { rows } = await this.doors.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE), dto);
    return ok(rows.map(toDoorResponse));
  }

  @Post(['api/door/remoteCloseById', 'api/door/remoteoffById', 'api/door/remoteOffById'])
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.11.6 Remote Close Door by Id (the manual prints remoteoffById; both are served)' })
  @ApiOkResponse(commandResponse)
  async remoteCloseById(@CvInput() dto: DoorByIdDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.control.remoteClose({ doorId: dto.doorId }));
  }

  @Post(['api/door/remoteCloseByName', 'api/door/remoteoffByName', 'api/door/remoteOffByName'])
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.11.7 Remote Close Door by Name (the manual prints remoteoffByName; both are served)' })
  @ApiOkResponse(commandResponse)
  async remoteCloseByName(@CvInput() dto: DoorByNameDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.control.remoteClose({ doorName: dto.doorName }));
  }

  @Post('api/door/remoteOpenById')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.11.8 Remote Open Door by Id' })
  @ApiOkResponse(commandResponse)
  async remoteOpenById(@CvInput() dto: RemoteOpenByIdDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.control.remoteOpen({ doorId: dto.doorId }, dto.interval));
  }

  @Post('api/door/remoteOpenByName')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.11.9 Remote Open Door by Name' })
  @ApiOkResponse(commandResponse)
  async remoteOpenByName(@CvInput() dto: RemoteOpenByNameDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.control.remoteOpen({ doorName: dto.doorName }, dto.interval));
  }

  @Get('api/v2/door/list')
  @ApiOperation({ summary: '2.11.10 Get Door List (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(DoorResponseDto) })
  async listV2(@CvInput() dto: DoorListDto): Promise<Envelope<V2Page<DoorResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.doors.list(page, dto);
    return ok(v2Page(rows.map(toDoorResponse), total, page));
  }
}
