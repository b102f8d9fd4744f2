import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { LevelIdDto, LevelPersonDto } from '../accLevel/dto/acc-level.dto';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { checkPaging, UNCAPPED_PAGE_SIZE, v2Page, type V2Page } from '../common/paging';
import { ModuleListDto, ModuleLevelResponseDto, ModuleLevelSaveDto, toModuleLevel } from '../elevator/dto/elevator.dto';
import { ModuleLevelService } from '../elevator/module-level.service';
import { CvCode } from '../common/cv-error';
import { PathParamAnswer } from '../common/path-param-answer';

/**
 * 2.32 Entrance-control levels: gates plus a time segment, granted to persons and sent to the channel
 * controllers as `userauthorize` (the gate numbers as door bits: a channel controller is an access panel
 * whose doors are gates).
 */
@ApiTags('PsgLevel')
@Controller()
export class PsgLevelController {
  constructor(private readonly levels: ModuleLevelService) {}

  @Post('api/psgLevel/deleteLevel')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.32.1 Delete Person Level' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteLevel(@CvInput() dto: LevelPersonDto): Promise<Envelope<null>> {
    await this.levels.deletePersonLevels('psg', dto.pin, dto.levelIds);
    return ok(null);
  }

  @Get(['api/psgLevel/getById/:id', 'api/v2/psgLevel/getById/:id'])
  @PathParamAnswer(CvCode.LevelIdNull)
  @ApiOperation({ summary: '2.32.2 Get Gate Control Level by Id' })
  @ApiParam({ name: 'id', example: '402856aa6c3bbde1016c3bc2329200ff' })
  @ApiOkResponse({ type: envelopeOf(ModuleLevelResponseDto) })
  async getById(@Param('id') id: string): Promise<Envelope<ModuleLevelResponseDto>> {
    return ok(toModuleLevel(await this.levels.requireById('psg', id.trim())));
  }

  @Get(['api/psgLevel/getByName/:name', 'api/v2/psgLevel/getByName/:name'])
  @ApiOperation({ summary: '2.32.3 Get Entrance Access Level by Name' })
  @ApiParam({ name: 'name', example: 'public level group' })
  @ApiOkResponse({ type: envelopeOf(ModuleLevelResponseDto) })
  async getByName(@Param('name') name: string): Promise<Envelope<ModuleLevelResponseDto>> {
    return ok(toModuleLevel(await this.levels.requireByName('psg', name)));
  }

  @Get('api/psgLevel/list')
  @ApiOperation({ summary: '2.32.4 Get Entrance Control Access Level' })
  @ApiOkResponse({ type: listEnvelopeOf(ModuleLevelResponseDto) })
  async list(@CvInput() dto: ModuleListDto): Promise<Envelope<ModuleLevelResponseDto[]>> {
    return ok((await this.levels.list('psg', checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE))).rows.map(toModuleLevel));
  }

  @Post('api/psgLevel/syncLevel')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.32.5 Sync Level Info to Device' })
  @ApiOkResponse({ type: EnvelopeDto })
  async syncLevel(@CvInput() dto: LevelIdDto): Promise<Envelope<null>> {
    await this.levels.syncLevel('psg', dto.levelId);
    return ok(null);
  }

  @Post('api/psgLevel/syncPerson')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.32.6 Sync Person Level (adds the levels to the person and sends them)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async syncPerson(@CvInput() dto: LevelPersonDto): Promise<Envelope<null>> {
    await this.levels.grantPersonLevels('psg', dto.pin, dto.levelIds, true);
    return ok(null);
  }

  @Get('api/v2/psgLevel/list')
  @ApiOperation({ summary: '2.32.7 Get Entrance Control Access Level (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(ModuleLevelResponseDto, { size: { example: 1 } }) })
  async listV2(@CvInput() dto: ModuleListDto): Promise<Envelope<V2Page<ModuleLevelResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.levels.list('psg', page);
    return ok(v2Page(rows.map(toModuleLevel), total, page));
  }

  @Post('api/gateway/psgLevel/save')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: create or update an entrance-control level by name (time segment, gate ids)' })
  @ApiOkResponse({ type: envelopeOf(ModuleLevelResponseDto) })
  async save(@CvInput() dto: ModuleLevelSaveDto): Promise<Envelope<ModuleLevelResponseDto>> {
    return ok(toModuleLevel(await this.levels.save('psg', dto)));
  }
}
