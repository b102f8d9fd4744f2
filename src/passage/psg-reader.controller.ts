import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, UNCAPPED_PAGE_SIZE, v2Page, type V2Page } from '../common/paging';
import { PointListDto } from '../door/dto/door.dto';
import { PsgReaderResponseDto, ReaderIdDto } from './dto/passage.dto';
import { PsgReaderService } from './psg-reader.service';

/** 2.33 Entrance-control readers: the in and out reader of each gate. */
@ApiTags('PsgReader')
@Controller()
export class PsgReaderController {
  constructor(private readonly readers: PsgReaderService) {}

  @Get('api/psgReader/list')
  @ApiOperation({ summary: '2.33.1 Get Entrance Control Gate Reader Info List' })
  @ApiOkResponse({ type: listEnvelopeOf(PsgReaderResponseDto) })
  async list(@CvInput() dto: PointListDto): Promise<Envelope<PsgReaderResponseDto[]>> {
    return ok((await this.readers.list(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE), dto)).rows);
  }

  @Get('api/v2/psgReader/list')
  @ApiOperation({ summary: '2.33.2 Get Entrance Control Gate Reader Info List (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PsgReaderResponseDto) })
  async listV2(@CvInput() dto: PointListDto): Promise<Envelope<V2Page<PsgReaderResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.readers.list(page, dto);
    return ok(v2Page(rows, total, page));
  }

  @Get('api/psgReader/getById')
  @ApiOperation({ summary: '2.33.3 Get Entrance Control Gate Reader Info by Reader Id' })
  @ApiOkResponse({ type: envelopeOf(PsgReaderResponseDto) })
  async get(@CvInput() dto: ReaderIdDto): Promise<Envelope<PsgReaderResponseDto>> {
    return ok(await this.readers.requireById(dto.id));
  }
}
