import { Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { checkPaging, v2Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { AccLevelService } from './acc-level.service';
import {
  LevelAddDoorDto,
  LevelAddDto,
  LevelIdDto,
  LevelListDto,
  LevelPersonDto,
  LevelResponseDto,
  LevelUpdateDto,
  toLevelResponse,
} from './dto/acc-level.dto';
import { CvCode } from '../common/cv-error';
import { PathParamAnswer, requirePathValue } from '../common/path-param-answer';

@ApiTags('AccLevel')
@Controller()
export class AccLevelController {
  constructor(private readonly levels: AccLevelService) {}

  @Post('api/accLevel/deleteLevel')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.1.1 Delete Person Level' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteLevel(@CvInput() dto: LevelPersonDto): Promise<Envelope<null>> {
    await this.levels.deletePersonLevels(dto);
    return ok(null);
  }

  @Get('api/accLevel/getById/:id')
  @PathParamAnswer(CvCode.LevelIdNull)
  @ApiOperation({ summary: '2.1.2 Get Level by Id' })
  @ApiParam({ name: 'id', example: '402856aa6c3bbde1016c3bc2329200ff' })
  @ApiOkResponse({ type: envelopeOf(LevelResponseDto) })
  async getById(@Param('id') id: string): Promise<Envelope<LevelResponseDto>> {
    return ok(toLevelResponse(await this.levels.requireById(id.trim())));
  }

  @Get('api/accLevel/getByName/:name')
  @ApiOperation({ summary: '2.1.3 Get Level by Name' })
  @ApiParam({ name: 'name', example: 'public level group' })
  @ApiOkResponse({ type: envelopeOf(LevelResponseDto) })
  async getByName(@Param('name') name: string): Promise<Envelope<LevelResponseDto>> {
    return ok(toLevelResponse(await this.levels.requireByName(name)));
  }

  @Get('api/accLevel/list')
  @ApiOperation({ summary: '2.1.4 Get Access Level List' })
  @ApiOkResponse({ type: listEnvelopeOf(LevelResponseDto) })
  async list(@CvInput() dto: LevelListDto): Promise<Envelope<LevelResponseDto[]>> {
    const { rows } = await this.levels.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE));
    return ok(rows.map(toLevelResponse));
  }

  @Post('api/accLevel/syncLevel')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.1.5 Sync Level Info to Device' })
  @ApiOkResponse({ type: EnvelopeDto })
  async syncLevel(@CvInput() dto: LevelIdDto): Promise<Envelope<null>> {
    await this.levels.syncLevel(dto.levelId);
    return ok(null);
  }

  @Post('api/accLevel/syncPerson')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.1.6 Sync Person Level' })
  @ApiOkResponse({ type: EnvelopeDto })
  async syncPerson(@CvInput() dto: LevelPersonDto): Promise<Envelope<null>> {
    await this.levels.grantPersonLevels(dto, true);
    return ok(null);
  }

  @Get('api/v2/accLevel/list')
  @ApiOperation({ summary: '2.1.7 Get Access Level List (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(LevelResponseDto, { size: { example: 1 } }) })
  async listV2(@CvInput() dto: LevelListDto): Promise<Envelope<V2Page<LevelResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.levels.list(page);
    return ok(v2Page(rows.map(toLevelResponse), total, page));
  }

  @Post('api/accLevel/addLevel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add or edit access levels by name ({"accApiLevelAddItems": [{name, areaName, timeSegName}]}): an existing name gets the area and time segment given' })
  @ApiOkResponse({ type: EnvelopeDto })
  async addLevel(@CvInput() dto: LevelAddDto): Promise<Envelope<null>> {
    await this.levels.addLevels(dto.accApiLevelAddItems);
    return ok(null);
  }

  @Post('api/accLevel/addLevelDoor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add doors to access levels ({"accApiLevelAddDoorItems": [{levelName, doorName}]}); members reach the new devices' })
  @ApiOkResponse({ type: EnvelopeDto })
  async addLevelDoor(@CvInput() dto: LevelAddDoorDto): Promise<Envelope<null>> {
    await this.levels.addLevelDoors(dto.accApiLevelAddDoorItems);
    return ok(null);
  }

  @Post('api/accLevel/addLevelPerson')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: 'Add access levels to a person (?levelIds=&pin=)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async addLevelPerson(@CvInput() dto: LevelPersonDto): Promise<Envelope<null>> {
    await this.levels.grantPersonLevels(dto, false);
    return ok(null);
  }

  @Put('api/accLevel/update/:id')
  @PathParamAnswer(CvCode.LevelIdNull)
  @HttpCode(200)
  @ApiOperation({ summary: 'Update an access level (name, areaName, timeSegName)' })
  @ApiParam({ name: 'id', example: '402856aa6c3bbde1016c3bc2329200ff' })
  @ApiOkResponse({ type: EnvelopeDto })
  async update(@Param('id') id: string, @CvInput() dto: LevelUpdateDto): Promise<Envelope<null>> {
    await this.levels.update(requirePathValue(id, CvCode.LevelIdNull), dto);
    return ok(null);
  }

  // Some clients cannot send PUT (HTML-form style libraries, proxies that pass GET and POST only) and post the
  // same update instead; the bioTemplate and person deletes take POST beside DELETE for the same reason.
  @Post('api/accLevel/update/:id')
  @PathParamAnswer(CvCode.LevelIdNull)
  @HttpCode(200)
  @ApiOperation({ summary: 'Update an access level (POST form of PUT update/{id})' })
  @ApiParam({ name: 'id', example: '402856aa6bff4b1a016bff5374800c0e' })
  @ApiOkResponse({ type: EnvelopeDto })
  async updateByPost(@Param('id') id: string, @CvInput() dto: LevelUpdateDto): Promise<Envelope<null>> {
    return this.update(id, dto);
  }

  @Get('api/v2/accLevel/getById/:id')
  @PathParamAnswer(CvCode.LevelIdNull)
  @ApiOperation({ summary: 'v2 Get Level by Id' })
  @ApiParam({ name: 'id', example: '402856aa6c3bbde1016c3bc2329200ff' })
  @ApiOkResponse({ type: envelopeOf(LevelResponseDto) })
  async getByIdV2(@Param('id') id: string): Promise<Envelope<LevelResponseDto>> {
    return this.getById(id);
  }

  @Get('api/v2/accLevel/getByName/:name')
  @ApiOperation({ summary: 'v2 Get Level by Name' })
  @ApiParam({ name: 'name', example: 'public level group' })
  @ApiOkResponse({ type: envelopeOf(LevelResponseDto) })
  async getByNameV2(@Param('name') name: string): Promise<Envelope<LevelResponseDto>> {
    return this.getByName(name);
  }
}
