import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HepService } from './hep.service';

/**
 * The event snapshots at the `photoPath` 2.26 returns. Outside /api and without a token, like CVSecurity's own
 * upload folder: clients written for CVSecurity fetch photoPath as a plain URL.
 */
@ApiTags('Hep')
@Controller('upload/event/photo')
export class EventPhotoController {
  constructor(private readonly hep: HepService) {}

  @Get(':sn/:file')
  @ApiOperation({ summary: 'An event snapshot (ATTPHOTO) as uploaded by the device: the photoPath of 2.26' })
  @ApiParam({ name: 'sn', example: 'CKJF201260077' })
  @ApiParam({ name: 'file', example: '20200703165716-1.jpg' })
  @ApiProduces('image/jpeg')
  async photo(@Param('sn') sn: string, @Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const bytes = sn.length <= 64 && file.length <= 64 ? await this.hep.snapshot(sn, file) : undefined;
    if (!bytes) {
      await reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      return;
    }
    await reply.type(/\.png$/i.test(file) ? 'image/png' : 'image/jpeg').header('Cache-Control', 'private, max-age=86400').send(bytes);
  }
}
