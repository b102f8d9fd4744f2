import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { LevelIdDto, LevelPersonDto } from '../accLevel/dto/acc-level.dto';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { checkPaging, v2Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { ModuleListDto, ModuleLevelResponseDto, ModuleLevelSaveDto, toModuleLevel } from './dto/elevator.dto';
import { ModuleLevelService } from './module-level.service';
import { CvCode } from '../common/cv-error';
import { PathParamAnswer } from '../common/path-param-answer';

/**
 * 2.2 Elevator levels: floors plus a time segment, granted to persons and sent to the elevator controllers as
 * `usereleauthorize`. The manual prints /api/v2/accLevel/list for 2.2.7; that path keeps serving access
 * levels (2.1.7), and the elevator list is served at /api/v2/eleLevel/list, the path of 2.2.7's title.
 */
@ApiTags('EleLevel')
@Controller()
export class EleLevelController {
  constructor(private readonly levels: ModuleLevelService) {}

  @Post('api/eleLevel/deleteLevel')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.2.1 Delete person elevator levels' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteLevel(@CvInput() dto: LevelPersonDto): Promise<Envelope<null>> {
    await this.levels.deletePersonLevels('ele', dto.pin, dto.levelIds);
    return ok(null);
  }

  @Get(['api/eleLevel/getById/:id', 'api/v2/eleLevel/getById/:id'])
  @PathParamAnswer(CvCode.LevelIdNull)
  @ApiOperation({ summary: '2.2.2 Get Ele Level by Id' })
  @ApiParam({ name: 'id', example: '402856aa6c3bbde1016c3bc2329200ff' })
  @ApiOkResponse({ type: envelopeOf(ModuleLevelResponseDto) })
  async getById(@Param('id') id: string): Promise<Envelope<ModuleLevelResponseDto>> {
    return ok(toModuleLevel(await this.levels.requireById('ele', id.trim())));
  }

  @Get(['api/eleLevel/getByName/:name', 'api/v2/eleLevel/getByName/:name'])
  @ApiOperation({ summary: '2.2.3 Get Ele Level by Name' })
  @ApiParam({ name: 'name', example: 'public level group' })
  @ApiOkResponse({ type: envelopeOf(ModuleLevelResponseDto) })
  async getByName(@Param('name') name: string): Promise<Envelope<ModuleLevelResponseDto>> {
    return ok(toModuleLevel(await this.levels.requireByName('ele', name)));
  }

  @Get('api/eleLevel/list')
  @ApiOperation({ summary: '2.2.4 Get Ele Level Group List' })
  @ApiOkResponse({ type: listEnvelopeOf(ModuleLevelResponseDto) })
  async list(@CvInput() dto: ModuleListDto): Promise<Envelope<ModuleLevelResponseDto[]>> {
    return ok((await this.levels.list('ele', checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE))).rows.map(toModuleLevel));
  }

  @Post('api/eleLevel/syncLevel')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.2.5 Sync Ele Level Group Info to Device' })
  @ApiOkResponse({ type: EnvelopeDto })
  async syncLevel(@CvInput() dto: LevelIdDto): Promise<Envelope<null>> {
    await this.levels.syncLevel('ele', dto.levelId);
    return ok(null);
  }

  @Post('api/eleLevel/syncPerson')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.2.6 Sync Person Ele Level (adds the levels to the person and sends them)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async syncPerson(@CvInput() dto: LevelPersonDto): Promise<Envelope<null>> {
    await this.levels.grantPersonLevels('ele', dto.pin, dto.levelIds, true);
    return ok(null);
  }

  @Get('api/v2/eleLevel/list')
  @ApiOperation({ summary: '2.2.7 Get elevator level list (with total number); the manual prints /api/v2/accLevel/list, which stays the access level list' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(ModuleLevelResponseDto, { size: { example: 1 } }) })
  async listV2(@CvInput() dto: ModuleListDto): Promise<Envelope<V2Page<ModuleLevelResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.levels.list('ele', page);
    return ok(v2Page(rows.map(toModuleLevel), total, page));
  }

  @Post('api/gateway/eleLevel/save')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: create or update an elevator level by name (time segment, floor ids)' })
  @ApiOkResponse({ type: envelopeOf(ModuleLevelResponseDto) })
  async save(@CvInput() dto: ModuleLevelSaveDto): Promise<Envelope<ModuleLevelResponseDto>> {
    return ok(toModuleLevel(await this.levels.save('ele', dto)));
  }
}
