import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, v2Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { PointListDto } from '../door/dto/door.dto';
import { ReaderService } from './reader.service';
import {
  ReaderAddDto,
  ReaderIdDto,
  ReaderResponseDto,
  ReaderUpdateDto,
  toReaderResponse,
} from './dto/reader.dto';

/**
 * 2.14 Access readers, plus the v2 reader endpoints real clients call (CVSecurity's own Swagger; the manual
 * lacks them): list, get, add, update, delete, all with the reader object of 2.14.
 */
@ApiTags('Reader')
@Controller()
export class ReaderController {
  constructor(private readonly readers: ReaderService) {}

  @Get('api/reader/accList')
  @ApiOperation({ summary: '2.14.1 Get Access Reader List' })
  @ApiOkResponse({ type: listEnvelopeOf(ReaderResponseDto) })
  async accList(@CvInput() dto: PointListDto): Promise<Envelope<ReaderResponseDto[]>> {
    const { rows } = await this.readers.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE), dto);
    return ok(rows.map(toReaderResponse));
  }

  @Get('api/reader/getAcc')
  @ApiOperation({ summary: '2.14.2 Get Access Reader by Id' })
  @ApiOkResponse({ type: envelopeOf(ReaderResponseDto) })
  async getAcc(@CvInput() dto: ReaderIdDto): Promise<Envelope<ReaderResponseDto>> {
    return ok(toReaderResponse(await this.readers.requireById(dto.id)));
  }

  @Get('api/v2/reader/list')
  @ApiOperation({ summary: 'Reader list with total number (v2; not in the manual)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(ReaderResponseDto, { total: { example: 2 } }) })
  async listV2(@CvInput() dto: PointListDto): Promise<Envelope<V2Page<ReaderResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.readers.list(page, dto);
    return ok(v2Page(rows.map(toReaderResponse), total, page));
  }

  @Get('api/v2/reader/get')
  @ApiOperation({ summary: 'Reader by id (v2; id in the query)' })
  @ApiOkResponse({ type: envelopeOf(ReaderResponseDto) })
  async getV2(@CvInput() dto: ReaderIdDto): Promise<Envelope<ReaderResponseDto>> {
    return ok(toReaderResponse(await this.readers.requireById(dto.id)));
  }

  @Get('api/v2/reader/get/:id')
  @ApiOperation({ summary: 'Reader by id (v2; id in the path)' })
  @ApiParam({ name: 'id', example: '402856aa6c3c5063016c3cb3a0360005' })
  @ApiOkResponse({ type: envelopeOf(ReaderResponseDto) })
  async getV2ByPath(@Param('id') id: string): Promise<Envelope<ReaderResponseDto>> {
    return ok(toReaderResponse(await this.readers.requireById(id.trim())));
  }

  @Post('api/v2/reader/add')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a reader to a door (v2; one in and one out reader per door)' })
  @ApiOkResponse({ type: envelopeOf(ReaderResponseDto) })
  async add(@CvInput() dto: ReaderAddDto): Promise<Envelope<ReaderResponseDto>> {
    return ok(toReaderResponse(await this.readers.add(dto)));
  }

  @Post('api/v2/reader/update')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a reader: name, readerNo, direction (v2)' })
  @ApiOkResponse({ type: envelopeOf(ReaderResponseDto) })
  async update(@CvInput() dto: ReaderUpdateDto): Promise<Envelope<ReaderResponseDto>> {
    return ok(toReaderResponse(await this.readers.update(dto)));
  }

  @Put('api/v2/reader/update')
  @ApiOperation({ summary: 'Update a reader (v2, PUT form)' })
  @ApiOkResponse({ type: envelopeOf(ReaderResponseDto) })
  async updatePut(@CvInput() dto: ReaderUpdateDto): Promise<Envelope<ReaderResponseDto>> {
    return this.update(dto);
  }

  @Post('api/v2/reader/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a reader by id (v2)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@CvInput() dto: ReaderIdDto): Promise<Envelope<null>> {
    await this.readers.delete(dto.id);
    return ok(null);
  }

  @Delete('api/v2/reader/delete')
  @ApiOperation({ summary: 'Delete a reader by id (v2, DELETE form)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByDelete(@CvInput() dto: ReaderIdDto): Promise<Envelope<null>> {
    return this.delete(dto);
  }
}
