import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdMediaService } from './ad-media.service';

/**
 * The files at the `mediaPath` 2.6.3 returns. Outside /api and without a token: advertising screens download
 * them from the URL of SET ADSCREEN_OPTIONS and cannot send one.
 */
@ApiTags('Media')
@Controller('upload/adMedia')
export class AdMediaFileController {
  constructor(private readonly media: AdMediaService) {}

  @Get(':file')
  @ApiOperation({ summary: 'A media file as uploaded (the mediaPath of 2.6.3)' })
  @ApiParam({ name: 'file', example: '402856aa6c3bbde1016c3bc2329200ff.png' })
  async file(@Param('file') file: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const f = await this.media.file(file);
    if (!f) {
      await reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      return;
    }
    reply.header('ETag', f.etag).header('Cache-Control', 'no-cache');
    if (ifNoneMatch === f.etag) {
      await reply.code(304).send();
      return;
    }
    await reply.type(f.contentType).send(f.content);
  }
}
