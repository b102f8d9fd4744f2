import { Body, Get, Param, Put, Query } from '@nestjs/common';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { requireSomeChange } from '../common/update-fields';
import { anywhere, consolePage } from './console-paging';
import { ConsoleController } from './console-http';
import { Audit, namedBy } from './console-roles';
import { PanelRulesService, type PanelRulesEdit } from './panel-rules.service';

/**
 * CVSecurity's Access > Advanced Functions: Interlock and Anti-Passback, set per access panel. The list shows each
 * panel's rules, whether the panel holds them, and the values its doors allow; the edit (operator, audited) sets them.
 */
@ConsoleController('advanced-functions')
export class ConsoleAdvancedFunctionsController {
  constructor(private readonly rules: PanelRulesService) {}

  /** One page of the access panels (50 unless `size` says), narrowed by `q` (the panel's name or SN, anywhere). */
  @Get()
  async list(@Query() q: Record<string, unknown>) {
    const p = consolePage(q);
    const { rows, total } = await this.rules.page(anywhere(q.q), p.offset, p.size);
    return ok({ rows, total, page: p.page, size: p.size });
  }

  /**
   * A panel's interlock (Appendix 9) and anti-passback (Appendix 8): each a whole number its door count allows, 0 to
   * clear; a field not sent is kept. Sent to the panel (SET OPTIONS) in the same transaction, held once it confirms.
   */
  @Put(':sn')
  @Audit('device.advanced', (r) => `${r.params.sn} interlock=${r.body?.interlock ?? '-'} antiPassback=${r.body?.antiPassback ?? '-'}`, namedBy('device', 'device', 'sn'))
  async update(@Param('sn') sn: string, @Body() body: { interlock?: unknown; antiPassback?: unknown } | undefined) {
    const edit: PanelRulesEdit = { interlock: ruleValue('interlock', body?.interlock), antiPassback: ruleValue('antiPassback', body?.antiPassback) };
    requireSomeChange('advanced functions', { ...edit });
    return ok(await this.rules.update(sn, edit));
  }
}

function ruleValue(field: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw new CvError(CvCode.InvalidParameter, `${field} must be a whole number, a value of the manual's table (0 clears it)`);
  return v;
}
