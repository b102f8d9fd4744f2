import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import {
  TimeSegmentCreateDto,
  TimeSegmentResponseDto,
  TimeSegmentUpdateDto,
  toTimeSegmentResponse,
} from './dto/time-segment.dto';
import { TimeSegmentService } from './time-segment.service';

@ApiTags('Gateway extensions')
@Controller('api/gateway/timeSegments')
export class TimeSegmentController {
  constructor(private readonly segments: TimeSegmentService) {}

  @Get()
  @ApiOperation({ summary: 'Gateway extension: list time segments' })
  @ApiOkResponse({ type: listEnvelopeOf(TimeSegmentResponseDto) })
  async list(): Promise<Envelope<TimeSegmentResponseDto[]>> {
    return ok((await this.segments.list()).map(toTimeSegmentResponse));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Gateway extension: get a time segment' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: envelopeOf(TimeSegmentResponseDto) })
  async get(@Param('id') id: string): Promise<Envelope<TimeSegmentResponseDto>> {
    return ok(toTimeSegmentResponse(await this.segments.requireById(id)));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: create a time segment' })
  @ApiOkResponse({ type: envelopeOf(TimeSegmentResponseDto) })
  async create(@Body() dto: TimeSegmentCreateDto): Promise<Envelope<TimeSegmentResponseDto>> {
    return ok(toTimeSegmentResponse(await this.segments.create(dto)));
  }

  @Put(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: update a time segment (the devices using it get the new timezone record)' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: envelopeOf(TimeSegmentResponseDto) })
  async update(@Param('id') id: string, @Body() dto: TimeSegmentUpdateDto): Promise<Envelope<TimeSegmentResponseDto>> {
    return ok(toTimeSegmentResponse(await this.segments.update(id, dto)));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: delete a time segment (refused while a level, a pass rule or a door uses it)' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('id') id: string): Promise<Envelope<null>> {
    await this.segments.delete(id);
    return ok(null);
  }
}
