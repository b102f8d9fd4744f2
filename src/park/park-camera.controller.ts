import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { envelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { GATEWAY_EXTENSIONS_TAG } from '../swagger';
import { ParkCameraAnswerDto, ParkCameraEventDto } from './dto/park.dto';
import { ParkRecordService } from './park-record.service';

/**
 * Gateway extension: the manuals describe no plate-camera protocol, so a small adapter next to each camera
 * posts what it read here and opens the barrier on `allowed`. Each post becomes a parking record (2.20).
 */
@ApiTags(GATEWAY_EXTENSIONS_TAG)
@Controller('api/gateway/parking')
export class ParkCameraController {
  constructor(private readonly records: ParkRecordService) {}

  @Post('cameraEvent')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: a plate camera read a car at an entry or exit; answers whether to let it through (black list refused; white list in force passes; other cars per PARKING_UNLISTED on entry, always on exit)' })
  @ApiOkResponse({ type: envelopeOf(ParkCameraAnswerDto) })
  async cameraEvent(@CvInput() dto: ParkCameraEventDto): Promise<Envelope<ParkCameraAnswerDto>> {
    return ok(await this.records.cameraEvent(dto));
  }
}
