import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';

/** How long /health waits for the database's answer before it answers 503. */
export const HEALTH_TIMEOUT_MS = 3000;

@ApiTags('Gateway extensions')
@Controller('health')
export class HealthController {
  constructor(private readonly ds: DataSource) {}

  /**
   * For load balancers and readiness scripts: 200 only when the database answers, within HEALTH_TIMEOUT_MS. A
   * server that does not answer at all (a network cut, a hung or failing-over host) would otherwise hold the check
   * until the query timeout (60 s), longer than any balancer waits.
   */
  @Get()
  @HttpCode(200)
  @ApiOkResponse({ description: 'The database answers', schema: { example: { status: 'ok', database: 'up' } } })
  async health(): Promise<{ status: string; database: string }> {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.ds.query('SELECT 1'), silent]);
    } catch {
      throw new CvError(CvCode.Unavailable, 'database unavailable', 503);
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok', database: 'up' };
  }
}
