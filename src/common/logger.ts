import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config';
import { currentRequestId } from './request-context';

/**
 * The process's structured logger: one JSON object per line. A line written while a request is served
 * carries its `reqId` (the `x-request-id` of the answer), wherever in the code it is written.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'cvsecurity-gateway' },
    mixin() {
      const reqId = currentRequestId();
      return reqId ? { reqId } : {};
    },
    // Tokens and biometric payloads never reach a log line, whatever a caller passes in.
    redact: {
      paths: ['access_token', 'acc_token', 'token', 'req.headers["api-key"]', 'headers["api-key"]', 'req.headers.authorization', 'headers.authorization', 'req.headers.access_token', 'headers.access_token', '*.template', '*.personPhoto', '*.photo', '*.Tmp', '*.tmp'],
      censor: '[REDACTED]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Nest's own messages (bootstrap, errors) through the same structured logger. */
/**
 * Nest's start-up chatter: one line per module, controller and route (about 470 at start). Kept at debug level, so
 * an operator's first screen shows the lines that matter (listening, migrations, warnings).
 */
const STARTUP_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    if (context !== undefined && STARTUP_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
