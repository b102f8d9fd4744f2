import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { AreaService } from './area.service';
import { AreaListDto, AreaResponseDto, toAreaResponse } from './dto/area.dto';
import { CvCode } from '../common/cv-error';
import { PathParamAnswer, requirePathValue } from '../common/path-param-answer';

/** 2.7 Areas. The manual prints the paths under attAreaPerson; the titles' `/api/area/...` are served too. */
@ApiTags('Area')
@Controller()
export class AreaController {
  constructor(private readonly areas: AreaService) {}

  @Get(['api/attAreaPerson/area/get/:code', 'api/area/get/:code'])
  @PathParamAnswer(CvCode.AreaIdNull)
  @ApiOperation({ summary: '2.7.1 Get Area by Code' })
  @ApiParam({ name: 'code', example: '1', description: 'area code, or the area id (32 hex) that area/list answers' })
  @ApiOkResponse({ type: envelopeOf(AreaResponseDto) })
  async get(@Param('code') code: string): Promise<Envelope<AreaResponseDto>> {
    return ok(toAreaResponse(await this.areas.requireByCode(requirePathValue(code, CvCode.AreaIdNull))));
  }

  @Get(['api/attAreaPerson/area/list', 'api/area/list'])
  @ApiOperation({ summary: '2.7.2 Get Area List' })
  @ApiOkResponse({ type: listEnvelopeOf(AreaResponseDto) })
  async list(@CvInput() dto: AreaListDto): Promise<Envelope<AreaResponseDto[]>> {
    const { rows } = await this.areas.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE));
    return ok(rows.map(toAreaResponse));
  }
}
