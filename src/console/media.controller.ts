import { Body, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { AdMediaService, checkMediaName } from '../media/ad-media.service';
import { ConsoleController } from './console-http';
import { Audit } from './console-roles';

/** The console's JSON bodies are capped by the server's body limit; base64 adds a third. */
const MAX_BYTES = 7 * 1024 * 1024;

/** The media library (2.6): list, upload (add or replace by name), delete. */
@ConsoleController('media')
export class ConsoleMediaController {
  constructor(private readonly media: AdMediaService) {}

  @Get()
  async list() {
    return ok(await this.media.list());
  }

  /** `content` is the file in base64; the format is checked from its bytes, as 2.6.1 does. */
  @Post()
  @HttpCode(200)
  @Audit('media.save', (r) => r.body?.mediaName)
  async upload(@Body() body: { mediaName?: unknown; fileName?: unknown; mimeType?: unknown; content?: unknown } | undefined) {
    const name = checkMediaName(typeof body?.mediaName === 'string' ? body.mediaName : undefined);
    const b64 = typeof body?.content === 'string' ? body.content : '';
    if (!b64 || !/^[A-Za-z0-9+/=]+$/.test(b64)) throw new CvError(CvCode.InvalidParameter, 'content must be the file in base64');
    const content = Buffer.from(b64, 'base64');
    if (content.length > MAX_BYTES) throw new CvError(CvCode.PayloadTooLarge, `The console uploads files up to ${MAX_BYTES / 1024 / 1024} MB; use /api/adMedia/add for larger ones`, 413);
    const str = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? v : undefined);
    return ok(await this.media.save(name, { fileName: str(body?.fileName), mimeType: str(body?.mimeType), content }));
  }

  @Delete(':name')
  @Audit('media.delete', (r) => r.params.name)
  async delete(@Param('name') name: string) {
    await this.media.deleteByName(name);
    return ok(null);
  }
}
