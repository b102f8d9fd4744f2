import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { toVisLevelResponse, VisLevelIdsDto, VisLevelListDto, VisLevelResponseDto } from './dto/visitor.dto';
import { VisLevelService } from './vis-level.service';

@ApiTags('Visitor')
@Controller()
export class VisLevelController {
  constructor(private readonly levels: VisLevelService) {}

  @Get('api/visLevel/list')
  @ApiOperation({ summary: '2.16.1 Get Visitor Level List' })
  @ApiOkResponse({ type: listEnvelopeOf(VisLevelResponseDto) })
  async list(@CvInput() dto: VisLevelListDto): Promise<Envelope<VisLevelResponseDto[]>> {
    const rows = await this.levels.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE));
    return ok(rows.map(toVisLevelResponse));
  }
}

/** Gateway extensions: which access levels visitors may be given. */
@ApiTags('Gateway extensions')
@Controller()
export class VisLevelGatewayController {
  constructor(private readonly levels: VisLevelService) {}

  @Post('api/gateway/visLevel/add')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: offer levels (access, elevator or entrance-control) to visitors (levelIds, comma separated)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@CvInput() dto: VisLevelIdsDto): Promise<Envelope<null>> {
    await this.levels.add(dto.levelIds);
    return ok(null);
  }

  @Post('api/gateway/visLevel/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: withdraw levels (access, elevator or entrance-control) from visitors (levelIds, comma separated)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@CvInput() dto: VisLevelIdsDto): Promise<Envelope<null>> {
    await this.levels.remove(dto.levelIds);
    return ok(null);
  }
}
