import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { checkPaging, v2Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { answered, commandResponse } from '../door/door.controller';
import { PointListDto } from '../door/dto/door.dto';
import { ActionAnswerService } from '../push/action-answer.service';
import { FloorIdDto, FloorOpenDto, FloorResponseDto, toFloorResponse } from './dto/elevator.dto';
import { FloorService } from './floor.service';

/** 2.12 Floors of elevator controllers: reads, and remote release/lock as `CONTROL DEVICE 11` commands. */
@ApiTags('Floor')
@Controller()
export class FloorController {
  constructor(
    private readonly floors: FloorService,
    private readonly answers: ActionAnswerService,
  ) {}

  @Get('api/floor/list')
  @ApiOperation({ summary: '2.12.1 Get Floor List' })
  @ApiOkResponse({ type: listEnvelopeOf(FloorResponseDto) })
  async list(@CvInput() dto: PointListDto): Promise<Envelope<FloorResponseDto[]>> {
    return ok((await this.floors.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE), { exact: dto })).rows.map(toFloorResponse));
  }

  @Post(['api/floor/remoteCloseById', 'api/floor/remoteoffById', 'api/floor/remoteOffById'])
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.12.2 Remote Close Floor by Id (the manual prints remoteoffById; both are served)' })
  @ApiOkResponse(commandResponse)
  async remoteClose(@CvInput() dto: FloorIdDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.floors.remoteClose(dto.floorId));
  }

  @Post('api/floor/remoteOpenById')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.12.3 Remote Open Floor by Id (interval 1-254 s)' })
  @ApiOkResponse(commandResponse)
  async remoteOpen(@CvInput() dto: FloorOpenDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.floors.remoteOpen(dto.floorId, dto.interval));
  }

  @Get('api/v2/floor/list')
  @ApiOperation({ summary: '2.12.4 Get Floor List (with total number); the manual prints the v1 URL' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(FloorResponseDto) })
  async listV2(@CvInput() dto: PointListDto): Promise<Envelope<V2Page<FloorResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.floors.list(page, { exact: dto });
    return ok(v2Page(rows.map(toFloorResponse), total, page));
  }
}
