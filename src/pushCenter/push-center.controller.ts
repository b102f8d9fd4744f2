import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import type { V2Page } from '../common/paging';
import {
  PushDeliveryListDto,
  PushDeliveryResponseDto,
  PushTargetCreateDto,
  PushTargetResponseDto,
  PushTargetUpdateDto,
} from './dto/push-center.dto';
import { PushCenterService } from './push-center.service';

/**
 * Gateway extension: CVSecurity's "Push Center". Each access event is POSTed to every enabled target as
 * `{"module":"acc","dataType":"text","moduleName":"Access","content":"<event JSON>","pushType":"7","pushTypeName":"Event Log"}`,
 * in order per device, at least once, retried with exponential backoff.
 */
@ApiTags('Gateway extensions')
@Controller('api/gateway/pushTargets')
export class PushCenterController {
  constructor(private readonly pushCenter: PushCenterService) {}

  @Get()
  @ApiOperation({ summary: 'Push Center: list targets with their delivery state' })
  @ApiOkResponse({ type: listEnvelopeOf(PushTargetResponseDto) })
  async list(): Promise<Envelope<PushTargetResponseDto[]>> {
    return ok(await this.pushCenter.list());
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Push Center: add a target (events stored from now on are pushed to it)' })
  @ApiOkResponse({ type: envelopeOf(PushTargetResponseDto) })
  async create(@CvInput() dto: PushTargetCreateDto): Promise<Envelope<PushTargetResponseDto>> {
    return ok(await this.pushCenter.create(dto));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Push Center: one target with its delivery state' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: envelopeOf(PushTargetResponseDto) })
  async get(@Param('id') id: string): Promise<Envelope<PushTargetResponseDto>> {
    return ok(await this.pushCenter.get(id));
  }

  @Put(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Push Center: change a target (url, secret, name, enabled)' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: envelopeOf(PushTargetResponseDto) })
  async update(@Param('id') id: string, @CvInput() dto: PushTargetUpdateDto): Promise<Envelope<PushTargetResponseDto>> {
    return ok(await this.pushCenter.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Push Center: remove a target and its undelivered events' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('id') id: string): Promise<Envelope<null>> {
    await this.pushCenter.delete(id);
    return ok(null);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Push Center: deliveries of a target, newest first (state pending or delivered)' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PushDeliveryResponseDto, { size: { example: 100 } }) })
  async deliveries(@Param('id') id: string, @CvInput() dto: PushDeliveryListDto): Promise<Envelope<V2Page<PushDeliveryResponseDto>>> {
    return ok(await this.pushCenter.deliveries(id, dto));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Push Center: retry the waiting deliveries of a target now' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: envelopeOf(PushTargetResponseDto) })
  async retry(@Param('id') id: string): Promise<Envelope<PushTargetResponseDto>> {
    return ok(await this.pushCenter.retryNow(id));
  }
}
