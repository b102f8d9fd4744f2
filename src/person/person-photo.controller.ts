import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { photoMimeType } from './person-photo';

/**
 * A person's face photo at the `vislightPhotoPath` person/get and the person lists return. Outside /api and
 * without a token, like CVSecurity's own upload folder (and the event snapshots of 2.26): clients written for
 * CVSecurity fetch the path as a plain URL. Only an active person's photo is served.
 */
@ApiTags('Person')
@Controller('upload/pers/user/cropface')
export class PersonPhotoController {
  constructor(private readonly ds: DataSource) {}

  @Get(':pin/:file')
  @ApiOperation({ summary: "A person's face photo: the vislightPhotoPath of 2.13.3/2.13.4 (`<pin>/<pin>.jpg`)" })
  @ApiParam({ name: 'pin', example: '1' })
  @ApiParam({ name: 'file', example: '1.jpg' })
  @ApiProduces('image/jpeg', 'image/png', 'image/bmp')
  async photo(@Param('pin') pin: string, @Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const wanted = pin.length <= 64 && file === `${pin}.jpg`;
    const [row]: Array<{ photo: string | null }> = wanted ? await this.ds.query(`SELECT photo FROM person WHERE pin = $1 AND status = 'active'`, [pin]) : [];
    if (!row?.photo) {
      await reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      return;
    }
    const bytes = Buffer.from(row.photo, 'base64');
    await reply.type(photoMimeType(bytes)).header('Cache-Control', 'private, no-cache').send(bytes);
  }
}
