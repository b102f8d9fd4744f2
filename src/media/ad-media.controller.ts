import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { MULTIPART_UPLOAD } from '../common/multipart-body';
import { CvCode, CvError } from '../common/cv-error';
import { EnvelopeDto, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { AdMediaItemDto, AdMediaNameDto } from './dto/ad-media.dto';
import { AdMediaService, checkMediaName } from './ad-media.service';

type MultipartRequest = FastifyRequest & {
  isMultipart?: () => boolean;
  parts: () => AsyncIterableIterator<
    | { type: 'file'; fieldname: string; filename: string; mimetype: string; toBuffer(): Promise<Buffer> }
    | { type: 'field'; fieldname: string; value: unknown }
  >;
};

const FILE_FIELDS = new Set(['file', 'files', 'media', 'mediafile']);
const NAME_FIELDS = new Set(['medianame', 'name']);

/** 2.6: the advertising media library. The manual prints these URLs with `&access_token=` (read as `?`). */
@ApiTags('Media')
@Controller('api/adMedia')
export class AdMediaController {
  constructor(private readonly media: AdMediaService) {}

  @Post('add')
  @HttpCode(200)
  @RouteConfig(MULTIPART_UPLOAD)
  @ApiOperation({ summary: '2.6.1 Add or update media by name (multipart/form-data: file, mediaName); pictures jpg/jpeg/png/gif/bmp, videos mp4/avi/mkv/mov/wmv/flv/3gp/mpg/webm/rmvb' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file', 'mediaName'], properties: { file: { type: 'string', format: 'binary' }, mediaName: { type: 'string', example: '111' } } } })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@Req() req: MultipartRequest, @Query('mediaName') queryName?: string): Promise<Envelope<null>> {
    if (!req.isMultipart?.()) throw new CvError(CvCode.InvalidParameter, 'adMedia/add takes a multipart/form-data body with the fields file and mediaName');
    let name = typeof queryName === 'string' ? queryName : undefined;
    let file: { fileName?: string; mimeType?: string; content: Buffer } | undefined;
    try {
      for await (const part of req.parts()) {
        const field = part.fieldname.toLowerCase();
        if (part.type === 'file') {
          const content = await part.toBuffer();
          if (FILE_FIELDS.has(field) || !file) file = { fileName: part.filename, mimeType: part.mimetype, content };
        } else if (NAME_FIELDS.has(field) && typeof part.value === 'string') name = part.value;
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw new CvError(CvCode.PayloadTooLarge, 'The file is larger than the gateway accepts (MEDIA_MAX_BYTES)', 413);
      throw new CvError(CvCode.InvalidParameter, `The multipart body could not be read: ${(e as Error).message}`);
    }
    if (!file) throw new CvError(CvCode.InvalidParameter, 'file is required');
    await this.media.save(checkMediaName(name), file);
    return ok(null);
  }

  @Delete('delete/:name')
  @ApiOperation({ summary: '2.6.2 Delete media by name (-70 when there is none)' })
  @ApiParam({ name: 'name', example: '111' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('name') name: string): Promise<Envelope<null>> {
    await this.media.deleteByName(checkMediaName(name));
    return ok(null);
  }

  @Post('delete/:name')
  @HttpCode(200)
  @ApiOperation({ summary: '2.6.2 Delete media by name (POST form: the manual heads it "Post Request URL")' })
  @ApiParam({ name: 'name', example: '111' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByPost(@Param('name') name: string): Promise<Envelope<null>> {
    return this.delete(name);
  }

  /**
   * 2.6.2 and 2.6.3 with the name in the query or a body (`get?mediaName=111`, `get?name=111`): a client that
   * names the media as it uploaded it, `mediaName`, was answered "name is required" and deleted nothing.
   */
  @Delete('delete')
  @ApiOperation({ summary: '2.6.2 Delete media by name (the name in the query or body: mediaName or name)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByInput(@CvInput() dto: AdMediaNameDto): Promise<Envelope<null>> {
    return this.delete(dto.mediaName ?? '');
  }

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({ summary: '2.6.2 Delete media by name (POST form; the name in the query or body: mediaName or name)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByInputPost(@CvInput() dto: AdMediaNameDto): Promise<Envelope<null>> {
    return this.delete(dto.mediaName ?? '');
  }

  @Get('get')
  @ApiOperation({ summary: '2.6.3 Get media by name (the name in the query: mediaName or name)' })
  @ApiOkResponse({ type: listEnvelopeOf(AdMediaItemDto) })
  async getByInput(@CvInput() dto: AdMediaNameDto): Promise<Envelope<AdMediaItemDto[]>> {
    return this.get(dto.mediaName ?? '');
  }

  @Get('get/:name')
  @ApiOperation({ summary: '2.6.3 Get media by name (data is a one-item array, as the manual prints it; -70 when there is none)' })
  @ApiParam({ name: 'name', example: '111' })
  @ApiOkResponse({ type: listEnvelopeOf(AdMediaItemDto) })
  async get(@Param('name') name: string): Promise<Envelope<AdMediaItemDto[]>> {
    return ok([await this.media.getByName(checkMediaName(name))]);
  }
}
