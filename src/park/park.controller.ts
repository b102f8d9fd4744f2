import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, ok, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { ParkAuthorizeDto, ParkAuthorizeEditDto, ParkDeleteDto } from './dto/park.dto';
import { ParkAuthorizeService } from './park-authorize.service';

/** 2.3: the parking white and black lists (inputs in the query string as printed, or a JSON body). */
@ApiTags('Park')
@Controller('api/parkAuthorize')
export class ParkController {
  constructor(private readonly lists: ParkAuthorizeService) {}

  @Post('addBlackWhite')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.3.1 Put a plate on the white (type 0, with fromTime and toTime) or black (type 1) list; an entry already there is replaced' })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@CvInput() dto: ParkAuthorizeDto): Promise<Envelope<null>> {
    await this.lists.add(dto);
    return ok(null);
  }

  @Post('delBlackWhite')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.3.2 Take a plate off its list (-223 when it is on none)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@CvInput() dto: ParkDeleteDto): Promise<Envelope<null>> {
    await this.lists.delete(dto);
    return ok(null);
  }

  @Post('editBlackWhite')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.3.3 Change the entry of oldCarNumber (plate, list type, dates); -223 when it is on no list, -220 when the new plate has its own entry' })
  @ApiOkResponse({ type: EnvelopeDto })
  async edit(@CvInput() dto: ParkAuthorizeEditDto): Promise<Envelope<null>> {
    await this.lists.edit(dto);
    return ok(null);
  }
}
