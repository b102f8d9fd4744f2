import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { pageIfAsked, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { GATEWAY_EXTENSIONS_TAG } from '../swagger';
import { AreaService } from './area.service';
import { AreaCreateDto, AreaDetailDto, AreaGatewayListDto, AreaUpdateDto } from './dto/area.dto';

/** Area CRUD, which CVSecurity does in its UI and its API lacks. Areas are addressed by code. */
@ApiTags(GATEWAY_EXTENSIONS_TAG)
@Controller('api/gateway/areas')
export class AreaGatewayController {
  constructor(private readonly areas: AreaService) {}

  @Get()
  @ApiOperation({ summary: 'Gateway: list areas (pageNo/pageSize optional)' })
  @ApiOkResponse({ type: listEnvelopeOf(AreaDetailDto) })
  async list(@CvInput() dto: AreaGatewayListDto): Promise<Envelope<AreaDetailDto[]>> {
    const page = pageIfAsked(dto, UNCAPPED_PAGE_SIZE);
    return ok(await this.areas.toDetails((await this.areas.list(page)).rows));
  }

  @Get(':code')
  @ApiOperation({ summary: 'Gateway: get an area by code' })
  @ApiParam({ name: 'code', example: '1' })
  @ApiOkResponse({ type: envelopeOf(AreaDetailDto) })
  async get(@Param('code') code: string): Promise<Envelope<AreaDetailDto>> {
    const [area] = await this.areas.toDetails([await this.areas.requireByCode(code)]);
    return ok(area);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: create an area' })
  @ApiOkResponse({ type: envelopeOf(AreaDetailDto) })
  async create(@CvInput() dto: AreaCreateDto): Promise<Envelope<AreaDetailDto>> {
    const [area] = await this.areas.toDetails([await this.areas.create(dto)]);
    return ok(area);
  }

  @Put(':code')
  @ApiOperation({ summary: 'Gateway: update an area (name, parent, remark)' })
  @ApiParam({ name: 'code', example: '2' })
  @ApiOkResponse({ type: envelopeOf(AreaDetailDto) })
  async update(@Param('code') code: string, @CvInput() dto: AreaUpdateDto): Promise<Envelope<AreaDetailDto>> {
    const [area] = await this.areas.toDetails([await this.areas.update(code, dto)]);
    return ok(area);
  }

  @Delete(':code')
  @ApiOperation({ summary: 'Gateway: delete an area without devices, child areas or attendance/FaceKiosk persons (-409 otherwise)' })
  @ApiParam({ name: 'code', example: '2' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('code') code: string): Promise<Envelope<null>> {
    await this.areas.delete(code);
    return ok(null);
  }
}
