import { All, Controller, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { requestPath } from '../common/request-context';
import { unsupportedModuleOf, unsupportedRoutePaths } from './unsupported-modules';

/**
 * One answer for every path of the modules the gateway does not serve: code -501 and data null, with HTTP
 * 200 like every other business failure (the manual reports failures in the body). The token is still
 * checked first by the global guard, as for any /api call.
 */
@ApiExcludeController()
@Controller()
export class UnsupportedController {
  @All(unsupportedRoutePaths())
  notImplemented(@Req() req: FastifyRequest): never {
    const m = unsupportedModuleOf(requestPath(req));
    const what = m ? `${m.module} (${m.what} is not supported; this gateway serves access control only)` : requestPath(req);
    throw new CvError(CvCode.NotImplemented, `Not implemented by this gateway: ${what}`);
  }
}
