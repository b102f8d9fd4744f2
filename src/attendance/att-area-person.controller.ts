import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AreaService } from '../area/area.service';
import { EnvelopeDto, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { pageIfAsked, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { AttAreaPersonService } from './att-area-person.service';
import { AreaPersonDto, InsAreaListDto, InsAreaResponseDto } from './dto/attendance.dto';

/** 2.8 attendance-area persons and 2.28 FaceKiosk-area persons. */
@ApiTags('Attendance')
@Controller()
export class AttAreaPersonController {
  constructor(
    private readonly members: AttAreaPersonService,
    private readonly areas: AreaService,
  ) {}

  @Delete('api/attAreaPerson/delete')
  @ApiOperation({ summary: '2.8.1 Delete Area Person: the persons leave the area and its attendance terminals' })
  @ApiOkResponse({ type: EnvelopeDto })
  async attDelete(@CvInput() dto: AreaPersonDto): Promise<Envelope<null>> {
    await this.members.delete('att', dto.code, dto.pins);
    return ok(null);
  }

  @Post('api/attAreaPerson/delete')
  @HttpCode(200)
  @ApiOperation({ summary: '2.8.1 Delete Area Person (POST form: the manual heads it "Post Request URL")' })
  @ApiOkResponse({ type: EnvelopeDto })
  async attDeleteByPost(@CvInput() dto: AreaPersonDto): Promise<Envelope<null>> {
    return this.attDelete(dto);
  }

  @Post('api/attAreaPerson/set')
  @HttpCode(200)
  @ApiOperation({ summary: '2.8.2 Set Area Person: the persons join the area; its attendance terminals get them (users, templates, photo)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async attSet(@CvInput() dto: AreaPersonDto): Promise<Envelope<null>> {
    await this.members.set('att', dto.code, dto.pins);
    return ok(null);
  }

  @Post('api/insAreaPerson/delAreaPerson')
  @HttpCode(200)
  @ApiOperation({ summary: '2.28.1 Delete FaceKiosk Area Personnel' })
  @ApiOkResponse({ type: EnvelopeDto })
  async insDelete(@CvInput() dto: AreaPersonDto): Promise<Envelope<null>> {
    await this.members.delete('ins', dto.code, dto.pins);
    return ok(null);
  }

  @Post('api/insAreaPerson/setAreaPerson')
  @HttpCode(200)
  @ApiOperation({ summary: '2.28.2 Add FaceKiosk Area Personnel' })
  @ApiOkResponse({ type: EnvelopeDto })
  async insSet(@CvInput() dto: AreaPersonDto): Promise<Envelope<null>> {
    await this.members.set('ins', dto.code, dto.pins);
    return ok(null);
  }

  @Get('api/insAreaPerson/getAreaList')
  @ApiOperation({ summary: '2.28.3 Get the list of areas (pageNo/pageSize optional)' })
  @ApiOkResponse({ type: listEnvelopeOf(InsAreaResponseDto) })
  async insAreas(@CvInput() dto: InsAreaListDto): Promise<Envelope<InsAreaResponseDto[]>> {
    const page = pageIfAsked(dto, UNCAPPED_PAGE_SIZE);
    const { rows } = await this.areas.list(page);
    return ok(rows.map((a) => ({ id: a.id, code: a.code, name: a.name })));
  }
}
