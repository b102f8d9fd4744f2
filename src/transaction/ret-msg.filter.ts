import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from '../common/exception.filter';
import type { RetMsg } from './dto/door-transaction.dto';

export function retOk<T>(data: T, extra: Partial<RetMsg<T>> = {}, msg = 'operation succeed'): RetMsg<T> {
  return { ret: 'ok', msg, data, i18nArgs: null, ...extra, success: true };
}

/**
 * 2.18.10-2.18.12 answer failures as ZKBio's result message, `{"ret":"fail","msg":...,"data":null,"i18nArgs":null}`,
 * not as the {code, message} envelope.
 */
@Catch()
export class RetMsgExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Error');

  catch(err: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let mapped = mapError(err);
    if (!mapped) {
      this.logger.error(`request ${req.id} failed: ${(err as Error)?.stack ?? String(err)}`);
      mapped = { status: HttpStatus.INTERNAL_SERVER_ERROR, code: -1, message: `Program error (request id ${req.id})` };
    }
    if (reply.sent) return;
    const body: RetMsg<null> = { ret: 'fail', msg: mapped.message, data: null, i18nArgs: null };
    reply.status(mapped.status).type('application/json; charset=utf-8').send(body);
  }
}
