import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';

@ApiTags('Gateway extensions')
@Controller('health')
export class HealthController {
  constructor(private readonly ds: DataSource) {}

  /** For load balancers and readiness scripts: 200 only when the database answers. */
  @Get()
  @HttpCode(200)
  @ApiOkResponse({ description: 'The database answers', schema: { example: { status: 'ok', database: 'up' } } })
  async health(): Promise<{ status: string; database: string }> {
    try {
      await this.ds.query('SELECT 1');
    } catch {
      throw new CvError(CvCode.Unavailable, 'database unavailable', 503);
    }
    return { status: 'ok', database: 'up' };
  }
}
