import { Body, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { CvCode, CvError, NotFoundError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { formatCvDateTime } from '../common/time';
import { ApiClientService } from '../apiClient/api-client.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PushDeliveryListDto, PushTargetCreateDto } from '../pushCenter/dto/push-center.dto';
import { PushCenterService } from '../pushCenter/push-center.service';
import { ConsoleController } from './console-http';
import { Audit, namedBy, RequireRole } from './console-roles';

const CLIENT_NAME = /^[\w .@-]{1,100}$/;

/** Settings an administrator manages: API clients (a new token is shown once) and Push Center targets with their delivery state. */
@ConsoleController('settings')
export class ConsoleSettingsController {
  constructor(
    private readonly clients: ApiClientService,
    private readonly pushCenter: PushCenterService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('api-clients')
  @RequireRole('admin')
  async apiClients() {
    const tz = this.config.timeZone;
    return ok((await this.clients.list()).map((c) => ({ id: c.id, name: c.name, enabled: c.enabled, createdAt: formatCvDateTime(c.createdAt, tz), lastUsedAt: formatCvDateTime(c.lastUsedAt, tz) })));
  }

  /** The token is in this answer only: the gateway keeps its SHA-256, never the token. */
  @Post('api-clients')
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('apiClient.create', (r) => r.body?.name)
  async createApiClient(@Body() body: { name?: unknown } | undefined) {
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    if (!CLIENT_NAME.test(name)) throw new CvError(CvCode.InvalidParameter, 'name must be 1 to 100 letters, digits, spaces or . _ @ -');
    const created = await this.clients.create(name);
    if (!created) throw new CvError(CvCode.Conflict, `An enabled API client is already named ${name}: revoke it first to issue it a new token`);
    return ok({ id: created.client.id, name: created.client.name, token: created.token });
  }

  @Post('api-clients/:name/revoke')
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('apiClient.revoke', (r) => r.params.name)
  async revokeApiClient(@Param('name') name: string) {
    if (!(await this.clients.revoke(name))) throw new NotFoundError(`The API client ${name}`);
    return ok(null);
  }

  @Get('push-targets')
  @RequireRole('admin')
  async pushTargets() {
    return ok(await this.pushCenter.list());
  }

  @Post('push-targets')
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('pushTarget.create', (r) => r.body?.name)
  async createPushTarget(@Body() dto: PushTargetCreateDto) {
    return ok(await this.pushCenter.create(dto));
  }

  @Put('push-targets/:id/enabled')
  @RequireRole('admin')
  @Audit('pushTarget.enable', (r) => `${r.params.id} ${r.body?.enabled}`, namedBy('pushTarget', 'push_target'))
  async enablePushTarget(@Param('id') id: string, @Body() body: { enabled?: unknown } | undefined) {
    return ok(await this.pushCenter.update(id, { enabled: body?.enabled === true }));
  }

  @Post('push-targets/:id/retry')
  @HttpCode(200)
  @RequireRole('admin')
  @Audit('pushTarget.retry', (r) => r.params.id, namedBy('pushTarget', 'push_target'))
  async retryPushTarget(@Param('id') id: string) {
    return ok(await this.pushCenter.retryNow(id));
  }

  @Delete('push-targets/:id')
  @RequireRole('admin')
  @Audit('pushTarget.delete', (r) => r.params.id, namedBy('pushTarget', 'push_target'))
  async deletePushTarget(@Param('id') id: string) {
    await this.pushCenter.delete(id);
    return ok(null);
  }

  @Get('push-targets/:id/deliveries')
  @RequireRole('admin')
  async deliveries(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    const state = q.state === 'pending' || q.state === 'delivered' ? q.state : undefined;
    return ok(await this.pushCenter.deliveries(id, Object.assign(new PushDeliveryListDto(), { state, pageNo: '1', pageSize: '50' })));
  }
}
