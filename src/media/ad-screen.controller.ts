import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { envelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { GATEWAY_EXTENSIONS_TAG } from '../swagger';
import { AdScreenPushDto, AdScreenQueuedDto } from './dto/ad-media.dto';
import { AdMediaService, checkMediaName } from './ad-media.service';

/** Gateway extension: the manual's media library has no API to put a file on a screen; the PUSH protocol has one. */
@ApiTags(GATEWAY_EXTENSIONS_TAG)
@Controller('api/gateway/adMedia')
export class AdScreenController {
  constructor(private readonly media: AdMediaService) {}

  @Post('showOnScreen')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Gateway: show a media item on a channel controller's advertising screen (queues SET ADSCREEN_OPTIONS with the file's URL: PUBLIC_URL, else the address this request was sent to)",
  })
  @ApiOkResponse({ type: envelopeOf(AdScreenQueuedDto) })
  async show(@Req() req: FastifyRequest, @CvInput() dto: AdScreenPushDto): Promise<Envelope<AdScreenQueuedDto>> {
    const sn = dto.deviceSn || dto.sn;
    if (!sn) throw new CvError(CvCode.DeviceSnNull, "Device serial number can't be null");
    const base = `${req.protocol}://${req.host}`;
    const opts = { inOut: (dto.inOut ?? 0) as 0 | 1, area: dto.area ?? 1, range: dto.range, playInterval: dto.playInterval ?? 10 };
    return ok(await this.media.pushToScreen(sn, checkMediaName(dto.mediaName), opts, base));
  }
}
