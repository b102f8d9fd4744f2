import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../common/exception.filter';
import type { RetMsg } from './dto/door-transaction.dto';

export function retOk<T>(data: T, extra: Partial<RetMsg<T>> = {}, msg = 'operation succeed'): RetMsg<T> {
  return { ret: 'ok', msg, data, i18nArgs: null, ...extra, success: true };
}

/**
 * 2.18.10-2.18.12 answer failures as ZKBio's result message, `{"ret":"fail","msg":...,"data":null,"i18nArgs":null}`,
 * not as the {code, message} envelope: the one error path (sendError) answers so for these routes
 * (common/ret-msg-routes.ts), here for what their handlers raise and globally for what Fastify refuses first.
 */
@Catch()
export class RetMsgExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Error');

  catch(err: unknown, host: ArgumentsHost): void {
    sendError(err, host.switchToHttp().getRequest<FastifyRequest>(), host.switchToHttp().getResponse<FastifyReply>(), this.logger);
  }
}
