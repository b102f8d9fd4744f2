import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import {
  HolidayCreateDto,
  HolidayResponseDto,
  HolidayUpdateDto,
  toHolidayResponse,
} from './dto/holiday.dto';
import { HolidayService } from './holiday.service';

@ApiTags('Gateway extensions')
@Controller('api/gateway/holidays')
export class HolidayController {
  constructor(private readonly holidays: HolidayService) {}

  @Get()
  @ApiOperation({ summary: 'Gateway extension: list holidays' })
  @ApiOkResponse({ type: listEnvelopeOf(HolidayResponseDto) })
  async list(): Promise<Envelope<HolidayResponseDto[]>> {
    return ok((await this.holidays.list()).map(toHolidayResponse));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Gateway extension: get a holiday' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: envelopeOf(HolidayResponseDto) })
  async get(@Param('id') id: string): Promise<Envelope<HolidayResponseDto>> {
    return ok(toHolidayResponse(await this.holidays.requireById(id)));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: create a holiday (every device gets the new holiday table)' })
  @ApiOkResponse({ type: envelopeOf(HolidayResponseDto) })
  async create(@Body() dto: HolidayCreateDto): Promise<Envelope<HolidayResponseDto>> {
    return ok(toHolidayResponse(await this.holidays.create(dto)));
  }

  @Put(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: update a holiday' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: envelopeOf(HolidayResponseDto) })
  async update(@Param('id') id: string, @Body() dto: HolidayUpdateDto): Promise<Envelope<HolidayResponseDto>> {
    return ok(toHolidayResponse(await this.holidays.update(id, dto)));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: delete a holiday' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('id') id: string): Promise<Envelope<null>> {
    await this.holidays.delete(id);
    return ok(null);
  }
}
