import { Body, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ok } from '../common/envelope';
import { CvCode, CvError } from '../common/cv-error';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { OmitType } from '@nestjs/swagger';
import { PersonLeaveDto, PersonWriteDto } from '../person/dto/person-input.dto';
import { PersonQueryService } from '../person/person-query.service';
import { PersonService } from '../person/person.service';
import { DeviceStatusService } from '../push/device-status.service';
import { offlineHolders } from './offline-holders';
import { SyncStatusService } from '../sync/sync-status.service';
import { ConsoleController } from './console-http';
import { cardValue, cardValueSql } from '../card/card-value';
import { consolePage, likePattern, queryText } from './console-paging';
import { Audit } from './console-roles';

/** person/leave's leaveDate and leaveType; the pin is the path's. */
class ConsolePersonLeaveDto extends OmitType(PersonLeaveDto, ['pin'] as const) {}

/** Persons: server-side search and paging (holds at 100,000 persons: one indexed scan per page), add/edit, delete, where each person is held. */
@ConsoleController('persons')
export class ConsolePersonsController {
  constructor(
    private readonly ds: DataSource,
    private readonly persons: PersonService,
    private readonly query: PersonQueryService,
    private readonly syncStatus: SyncStatusService,
    private readonly deviceStatus: DeviceStatusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list(@Query() q: Record<string, unknown>) {
    const page = consolePage(q);
    const text = queryText(q.q);
    const params: unknown[] = [];
    // Active persons, or (status=left) the resigned ones: kept with their pin and levels for a reinstatement.
    const left = q.status === 'left';
    const parts = [left ? `p.status = 'left'` : `p.status = 'active'`];
    if (text) {
      const prefix = `$${params.push(likePattern(text, 'prefix'))}`;
      const anywhere = `$${params.push(likePattern(text, 'anywhere'))}`;
      // A card is also found by the number it stands for, main or secondary: the panel's events and the reader
      // give 998877 for the card stored as 00998877 (one card to the gateway, card-value.ts).
      const value = cardValue(text);
      const byCard = value ? ` OR p.id IN (SELECT c.person_id FROM card c WHERE ${cardValueSql('c.card_no')} = $${params.push(value)})` : '';
      // The list shows "first last": what an operator copies from it, or types as a name is said (last name
      // first too), must find the person, not only one of the two fields alone.
      const fullName = /\s/.test(text)
        ? ` OR concat_ws(' ', p.name, p.last_name) ILIKE ${anywhere} OR concat_ws(' ', p.last_name, p.name) ILIKE ${anywhere}`
        : '';
      parts.push(`(p.pin LIKE ${prefix} OR p.name ILIKE ${anywhere} OR p.last_name ILIKE ${anywhere}${fullName} OR p.card_no LIKE ${prefix}${byCard})`);
    }
    const dept = queryText(q.deptCode);
    if (dept) parts.push(`p.dept_id = (SELECT id FROM department WHERE code = $${params.push(dept)})`);
    const where = `WHERE ${parts.join(' AND ')}`;
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM person p ${where}`, params);
    // The page's ids first (an index walk over pin), then the joins and level counts for those rows only:
    // computed in the outer query, they are not paid for the rows OFFSET skips.
    const rows: Array<{ pin: string; name: string | null; last_name: string | null; dept_code: string; dept_name: string; card_no: string | null; acc_start_time: Date | null; acc_end_time: Date | null; is_disabled: boolean; leave_date: string | null; levels: number; level_names: string[] }> =
      await this.ds.query(
        `WITH page AS (SELECT p.id, p.pin FROM person p ${where} ORDER BY p.pin OFFSET $${params.length + 1} LIMIT $${params.length + 2})
         SELECT p.pin, p.name, p.last_name, d.code AS dept_code, d.name AS dept_name, p.card_no, p.acc_start_time, p.acc_end_time, p.is_disabled, to_char(p.leave_date, 'YYYY-MM-DD') AS leave_date,
                (SELECT count(*)::int FROM acc_level_person lp WHERE lp.person_id = p.id) AS levels,
                -- The levels by name, as an operator gives them (a count says nothing of which doors).
                ARRAY(SELECT l.name FROM acc_level_person lp JOIN acc_level l ON l.id = lp.level_id WHERE lp.person_id = p.id ORDER BY l.name) AS level_names
           FROM page JOIN person p ON p.id = page.id JOIN department d ON d.id = p.dept_id
          ORDER BY page.pin`,
        [...params, page.offset, page.size],
      );
    const tz = this.config.timeZone;
    return ok({
      total,
      page: page.page,
      size: page.size,
      rows: rows.map((r) => ({
        pin: r.pin,
        name: r.name,
        lastName: r.last_name,
        deptCode: r.dept_code,
        deptName: r.dept_name,
        cardNo: r.card_no,
        accStartTime: formatCvDateTime(r.acc_start_time, tz),
        accEndTime: formatCvDateTime(r.acc_end_time, tz),
        isDisabled: r.is_disabled,
        ...(left ? { leaveDate: r.leave_date } : {}),
        levels: r.levels,
        levelNames: r.level_names,
      })),
    });
  }

  /**
   * The person as the REST API shows them (a resigned one too, with `left`), plus the panels the planner placed
   * them on and whether those hold them yet (the sync status of /api/gateway/persons/{pin}/devices).
   */
  @Get(':pin')
  async get(@Param('pin') pin: string) {
    const [{ person, left }, devices] = await Promise.all([this.query.fullWithLeave(pin), this.syncStatus.ofPerson(pin)]);
    // Whether each panel is online: commands waiting for an offline panel are not "on their way" until it polls again.
    const online = await Promise.all(devices.map((d) => this.deviceStatus.isOnlineNow(d.deviceSn)));
    return ok({ person, left, devices: devices.map((d, i) => ({ ...d, online: online[i] })) });
  }

  /**
   * Add or edit (the REST API's person/add rules and validation: department, cards, photo, levels, validity).
   * The "New person" form sends `?new=1`: a pin that is already someone's (in service or resigned) is refused
   * -409 and nothing changes, where person/add would edit that person (an operator typing a taken pin must not
   * overwrite them and take their levels away). An open person's form sends `?edit=1`: one deleted meanwhile
   * (by this operator from the list, or by another) is refused -22, where person/add would create them again.
   */
  @Post()
  @HttpCode(200)
  @Audit('person.save', (r) => r.body?.pin)
  async save(@Body() dto: PersonWriteDto, @Query('new') isNew?: string, @Query('edit') isEdit?: string) {
    const [taken]: Array<{ left: boolean }> = await this.ds.query(`SELECT p.status <> 'active' AS left FROM person p WHERE p.pin = $1`, [dto.pin?.trim() ?? '']);
    if ((isNew === '1' || isNew === 'true') && taken) {
      throw new CvError(CvCode.Conflict, `A person with pin ${dto.pin.trim()} already exists${taken.left ? ' (resigned: reinstate them instead)' : ': open them to edit'}; nothing was saved`);
    }
    if ((isEdit === '1' || isEdit === 'true') && !taken) throw new CvError(CvCode.PersonNotExist, `The person does not exist: ${dto.pin.trim()} (deleted meanwhile); nothing was saved`);
    await this.persons.upsert(dto, 'add');
    return ok(null);
  }

  /**
   * The REST API's person/leave (2.13.6): the person stays, resigned, with their levels, and leaves every device.
   * The answer names the offline panels that still hold them (offline-holders.ts); delete answers the same.
   */
  @Post(':pin/leave')
  @HttpCode(200)
  @Audit('person.leave', (r) => r.params.pin)
  async leave(@Param('pin') pin: string, @Body() dto: ConsolePersonLeaveDto) {
    await this.persons.leave({ ...dto, pin: pin.trim() });
    return ok({ offlineHolders: await offlineHolders(this.ds, this.deviceStatus, [pin.trim()]) });
  }

  /** The REST API's person/reinstated (2.13.10), changing nothing else: the person is back, with the levels they had. */
  @Post(':pin/reinstate')
  @HttpCode(200)
  @Audit('person.reinstate', (r) => r.params.pin)
  async reinstate(@Param('pin') pin: string) {
    await this.persons.upsert({ pin: pin.trim() }, 'reinstated');
    return ok(null);
  }

  @Delete(':pin')
  @Audit('person.delete', (r) => r.params.pin)
  async delete(@Param('pin') pin: string) {
    await this.persons.delete([pin.trim()]);
    return ok({ offlineHolders: await offlineHolders(this.ds, this.deviceStatus, [pin.trim()]) });
  }
}
