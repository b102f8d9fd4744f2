import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/config';

export function createRootLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'cvsecurity-gateway' },
    // Tokens and biometric payloads never reach a log line, whatever a caller passes in.
    redact: {
      paths: ['access_token', 'acc_token', 'token', 'req.headers["api-key"]', 'headers["api-key"]', '*.template', '*.personPhoto', '*.photo', '*.Tmp', '*.tmp'],
      censor: '[REDACTED]',
    },
  });
}

/** Nest's own messages (bootstrap, errors) through the same structured logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
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
