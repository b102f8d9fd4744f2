import { Body, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { ConsoleAuditService } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { ConsoleController } from './console-http';
import { consolePage, queryText } from './console-paging';
import { Audit, namedBy, RequireRole } from './console-roles';
import { OperatorService } from './operator.service';
import { ConsoleSessionService } from './session.service';

/** Operators and roles (administrators only), and the audit log (administrators and operators). */
@ConsoleController('operators')
export class ConsoleOperatorsController {
  constructor(
    private readonly operators: OperatorService,
    private readonly sessions: ConsoleSessionService,
  ) {}

  @Get()
  @RequireRole('admin')
  async list() {
    return ok(await this.operators.list());
  }

  @Post()
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('operator.create', (r) => r.body?.name)
  async create(@Body() body: Record<string, unknown> | undefined) {
    return ok(await this.operators.create(body?.name, body?.role, body?.password));
  }

  @Put(':id')
  @RequireRole('admin')
  @Audit('operator.update', (r) => r.params.id, namedBy('operator', 'console_operator'))
  async update(@Req() req: ConsoleRequest, @Param('id') id: string, @Body() body: Record<string, unknown> | undefined) {
    if (id === req.console!.operator.id && (body?.disabled === true || (body?.role !== undefined && body.role !== 'admin'))) {
      throw new CvError(CvCode.Conflict, 'You cannot demote or disable yourself; ask another administrator');
    }
    const updated = await this.operators.update(id, { role: body?.role, disabled: body?.disabled });
    if (typeof body?.password === 'string' && body.password !== '') {
      await this.operators.setPassword(id, body.password);
      await this.sessions.endOtherSessions(id, undefined);
    }
    return ok(updated);
  }

  @Delete(':id')
  @RequireRole('admin')
  @Audit('operator.delete', (r) => r.params.id, namedBy('operator', 'console_operator'))
  async delete(@Req() req: ConsoleRequest, @Param('id') id: string) {
    if (id === req.console!.operator.id) throw new CvError(CvCode.Conflict, 'You cannot delete yourself');
    return ok(await this.operators.delete(id));
  }
}

@ConsoleController('audit')
export class ConsoleAuditController {
  constructor(private readonly audit: ConsoleAuditService) {}

  @Get()
  @RequireRole('operator')
  async list(@Query() q: Record<string, unknown>) {
    const page = consolePage(q);
    const { rows, total } = await this.audit.list({ operator: queryText(q.operator, 64), action: queryText(q.action, 64), target: queryText(q.target) }, page.offset, page.size);
    return ok({ total, page: page.page, size: page.size, rows });
  }
}
