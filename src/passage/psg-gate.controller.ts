import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { checkPaging, UNCAPPED_PAGE_SIZE, OptionalPagingDto, pageIfAsked, v2Page, type V2Page } from '../common/paging';
import { answered, commandResponse } from '../door/door.controller';
import { ActionAnswerService } from '../push/action-answer.service';
import { PointListDto } from '../door/dto/door.dto';
import { GateBySnDto, GateGetDto, GateOpenByIdDto, GateOpenByNameDto, GateResponseDto, GateStateResponseDto, toGate, toGateState } from './dto/passage.dto';
import { GateService } from './gate.service';
import type { Door } from '../door/door.entity';

/** 2.31 Entrance-control gates: reads, state from what the controller reported, remote opening by direction. */
@ApiTags('PsgGate')
@Controller()
export class PsgGateController {
  constructor(
    private readonly gates: GateService,
    private readonly answers: ActionAnswerService,
  ) {}

  @Get('api/psgGate/allGateState')
  @ApiOperation({ summary: '2.31.1 Get the State of All gates (pageNo/pageSize optional, as for door/allDoorState)' })
  @ApiOkResponse({ type: listEnvelopeOf(GateStateResponseDto) })
  async all(@CvInput() dto: OptionalPagingDto): Promise<Envelope<GateStateResponseDto[]>> {
    return ok(await this.stateAnswers((await this.gates.list(pageIfAsked(dto, UNCAPPED_PAGE_SIZE))).rows));
  }

  @Get('api/psgGate/gateStateById')
  @ApiOperation({ summary: '2.31.2 Get Entrance Control Gate State by Gate Id (gateId, or id as 2.31.4 names it; an array, as the manual example)' })
  @ApiOkResponse({ type: listEnvelopeOf(GateStateResponseDto) })
  async byId(@CvInput() dto: GateGetDto): Promise<Envelope<GateStateResponseDto[]>> {
    const g = await this.gates.requireById(dto.gateId || dto.id);
    return ok(await this.stateAnswers([g]));
  }

  @Get('api/psgGate/gateStateBySn')
  @ApiOperation({ summary: '2.31.3 Get Entrance Control Gate State by the SN of Device' })
  @ApiOkResponse({ type: listEnvelopeOf(GateStateResponseDto) })
  async bySn(@CvInput() dto: GateBySnDto): Promise<Envelope<GateStateResponseDto[]>> {
    return ok(await this.stateAnswers(await this.gates.bySn(dto.deviceSn || dto.sn)));
  }

  private async stateAnswers(gates: Door[]): Promise<GateStateResponseDto[]> {
    const states = await this.gates.statesOf(gates);
    return gates.map((g, i) => toGateState(g, states[i]));
  }

  @Get('api/psgGate/getById')
  @ApiOperation({ summary: '2.31.4 Get Entrance Control Gate Info by gate Id (id, or gateId)' })
  @ApiOkResponse({ type: envelopeOf(GateResponseDto) })
  async get(@CvInput() dto: GateGetDto): Promise<Envelope<GateResponseDto>> {
    return ok(toGate(await this.gates.requireById(dto.id || dto.gateId)));
  }

  @Get('api/psgGate/list')
  @ApiOperation({ summary: '2.31.5 Get Entrance Control Gate List' })
  @ApiOkResponse({ type: listEnvelopeOf(GateResponseDto) })
  async list(@CvInput() dto: PointListDto): Promise<Envelope<GateResponseDto[]>> {
    return ok((await this.gates.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE), dto)).rows.map(toGate));
  }

  @Get('api/v2/psgGate/list')
  @ApiOperation({ summary: '2.31.6 Get Entrance Control Gate List (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(GateResponseDto) })
  async listV2(@CvInput() dto: PointListDto): Promise<Envelope<V2Page<GateResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.gates.list(page, dto);
    return ok(v2Page(rows.map(toGate), total, page));
  }

  @Post('api/psgGate/remoteOpenById')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.31.7 Remote Open by Gate Id (openType 1 entry: lock output; 2 exit: auxiliary output)' })
  @ApiOkResponse(commandResponse)
  async openById(@CvInput() dto: GateOpenByIdDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    const gate = await this.gates.requireById(dto.gateId);
    return answered(reply, this.answers, await this.gates.remoteOpen(gate, dto.openType));
  }

  @Post('api/psgGate/remoteOpenByName')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.31.8 Remote Open by Gate Name (openType 1 entry, 2 exit)' })
  @ApiOkResponse(commandResponse)
  async openByName(@CvInput() dto: GateOpenByNameDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    const gate = await this.gates.requireByName(dto.gateName);
    return answered(reply, this.answers, await this.gates.remoteOpen(gate, dto.openType));
  }
}
