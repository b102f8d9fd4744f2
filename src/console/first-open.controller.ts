import { Body, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { FirstOpenService, type FirstOpenEdit } from '../firstOpen/first-open.service';
import { ConsoleController } from './console-http';
import { Audit, namedInBody } from './console-roles';

type FirstOpenBody = { doorId?: unknown; timeSegmentId?: unknown; pins?: unknown };

const queuedDetail = (queued: number) => (queued > 0 ? `${queued} command(s) queued for the door's panel` : 'nothing to send: the panel holds it already or has it on its way');

/**
 * CVSecurity's Access > Advanced Functions > First-Person Normally Open: rules per door (a time segment and its
 * persons), listed, added, edited and deleted; each write plans the door's `firstcard` rows on its panel in its
 * transaction (FirstOpenService). Operator role for the writes, audited.
 */
@ConsoleController('first-open')
export class ConsoleFirstOpenController {
  constructor(private readonly rules: FirstOpenService) {}

  @Get()
  async list(@Query('doorId') doorId?: string) {
    return ok(await this.rules.list(typeof doorId === 'string' && doorId !== '' ? doorId : undefined));
  }

  @Post()
  @HttpCode(200)
  @Audit('firstOpen.add', (r) => `${r.body?.doorId ?? ''} ${r.body?.timeSegmentId ?? ''}`.trim(), namedInBody('door', 'door', 'doorId'))
  async add(@Body() body: FirstOpenBody | undefined) {
    const edit = firstOpenEdit(body);
    if (!edit.doorId) throw new CvError(CvCode.InvalidParameter, 'doorId: choose a door');
    if (!edit.timeSegmentId) throw new CvError(CvCode.InvalidParameter, 'timeSegmentId: choose a time segment');
    const saved = await this.rules.add({ ...edit, doorId: edit.doorId, timeSegmentId: edit.timeSegmentId });
    return ok(saved, queuedDetail(saved.queued));
  }

  @Put(':id')
  @Audit('firstOpen.update', (r) => `${r.params.id} ${r.body?.timeSegmentId ?? ''}`.trim(), namedInBody('door', 'door', 'doorId'))
  async update(@Param('id') id: string, @Body() body: FirstOpenBody | undefined) {
    const edit = firstOpenEdit(body);
    if (edit.doorId === undefined && edit.timeSegmentId === undefined && edit.pins === undefined) throw new CvError(CvCode.InvalidParameter, 'The rule update gives nothing to change: send doorId, timeSegmentId or pins');
    const saved = await this.rules.update(id, edit);
    return ok(saved, queuedDetail(saved.queued));
  }

  @Delete(':id')
  @Audit('firstOpen.delete', (r) => r.params.id)
  async remove(@Param('id') id: string) {
    const saved = await this.rules.delete(id);
    return ok(saved, queuedDetail(saved.queued));
  }
}

/** The body's fields, each undefined when not sent: ids as strings, pins a list of strings (or one comma list). */
function firstOpenEdit(body: FirstOpenBody | undefined): FirstOpenEdit {
  const id = (v: unknown, what: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw new CvError(CvCode.InvalidParameter, `${what}: give an id`);
    return v.trim();
  };
  let pins: string[] | undefined;
  if (body?.pins !== undefined) {
    const list = typeof body.pins === 'string' ? body.pins.split(',') : body.pins;
    if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) throw new CvError(CvCode.InvalidParameter, 'pins: a list of person pins');
    pins = (list as string[]).map((p) => p.trim()).filter((p) => p !== '');
  }
  return { doorId: id(body?.doorId, 'doorId'), timeSegmentId: id(body?.timeSegmentId, 'timeSegmentId'), pins };
}
