import { applyDecorators, Controller, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AuditInterceptor } from './audit.interceptor';
import { ConsoleGuard } from './console.guard';

/**
 * A console API controller under /console/api/<path>: session guard (roles, CSRF), audit interceptor, and
 * no Swagger entry (the console API serves the console's own pages; integrators use /api with a token).
 */
export function ConsoleController(path: string) {
  return applyDecorators(Controller(`console/api/${path}`), ApiExcludeController(), UseGuards(ConsoleGuard), UseInterceptors(AuditInterceptor));
}
