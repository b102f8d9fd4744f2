import { Body, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { formatCvDateTime } from '../common/time';
import { readSnapshot } from '../database/snapshot';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DeviceStatusService } from '../push/device-status.service';
import { offlineDevices, offlineHolders } from './offline-holders';
import { personSyncSummary, type PersonSyncSummary } from '../sync/person-sync-summary';
import { SyncStatusService } from '../sync/sync-status.service';
import { loadVisitorRights } from '../sync/visitor-sync';
import { VisitorCertDto, VisRegistrationAddDto, VisReservationAddDto, VisReservationDelDto } from '../visitor/dto/visitor.dto';
import { VisLevelService } from '../visitor/vis-level.service';
import { VisRegistrationService } from '../visitor/vis-registration.service';
import { VisReservationService } from '../visitor/vis-reservation.service';
import { VisCode } from '../visitor/visitor-codes';
import { ConsoleController } from './console-http';
import { consolePage, likePattern, queryText } from './console-paging';
import { Audit, namedInBody } from './console-roles';

/** A visitor level is an access, elevator or entrance-control level: the audit line names it from whichever it is. */
const VISITOR_LEVELS = namedInBody('level', ['acc_level', 'ele_level', 'psg_level'], 'levelIds');
const cert = (r: { body: { certType?: string; certNum?: string } }) => `${r.body?.certType ?? ''}:${r.body?.certNum ?? ''}`;

/** A person's name as the console shows it: "first last". */
const fullNameSql = (alias: string) => `concat_ws(' ', ${alias}.name, NULLIF(${alias}.last_name, ''))`;

/** A visit's sync state: a person's (personSyncSummary), or `removed` once the panels confirmed letting an ended visit's visitor go. */
type VisitSync = Omit<PersonSyncSummary, 'state'> & { state: PersonSyncSummary['state'] | 'removed' };

/** Visitors: reservations (add, cancel), check-in (registration) and check-out, with the REST API's own rules. */
@ConsoleController('visitors')
export class ConsoleVisitorsController {
  constructor(
    private readonly ds: DataSource,
    private readonly reservations: VisReservationService,
    private readonly registrations: VisRegistrationService,
    private readonly visLevels: VisLevelService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deviceStatus: DeviceStatusService,
    private readonly syncStatus: SyncStatusService,
  ) {}

  /** Visits (newest first; `state=in` for the visitors on site) and open reservations. */
  @Get()
  async list(@Query() q: Record<string, unknown>) {
    const page = consolePage(q, 20);
    const tz = this.config.timeZone;
    const params: unknown[] = [];
    const parts: string[] = [];
    const state = queryText(q.state, 8);
    if (state) parts.push(`state = $${params.push(state)}`);
    const text = queryText(q.q);
    if (text) parts.push(`(visitor_name ILIKE $${params.push(likePattern(text, 'anywhere'))} OR cert_num LIKE $${params.push(likePattern(text, 'prefix'))})`);
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    // One snapshot for the visits and their panels' states: read apart, a check-out committing in between paired a
    // visit still on site with its removal pending (or an ended one with panels that still held the visitor).
    const { total, visits, reserved, sync } = await readSnapshot(this.ds, async (m) => {
      const [{ total }] = await m.query(`SELECT count(*)::int AS total FROM vis_registration ${where}`, params);
      // The host by name as well as pin: the person a receptionist calls is known by name.
      const hostName = `(SELECT ${fullNameSql('h')} FROM person h WHERE h.pin = host_pin) AS host_name`;
      const visits: Array<Record<string, any>> = await m.query(
        `SELECT visitor_pin, visitor_name, cert_type, cert_num, host_pin, ${hostName}, company, visit_reason, card_no, start_time, end_time, state, ended_at
           FROM vis_registration ${where} ORDER BY start_time DESC, id OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
        [...params, page.offset, page.size],
      );
      const reserved: Array<Record<string, any>> = await m.query(
        `SELECT visitor_name, cert_type, cert_num, host_pin, ${hostName}, company, visit_reason, visit_date, visit_end_date
           FROM vis_reservation WHERE state = 'reserved' ORDER BY visit_date LIMIT 200`,
      );
      return { total: total as number, visits, reserved, sync: await this.visitSync(m, visits) };
    });
    return ok({
      total,
      page: page.page,
      size: page.size,
      visits: visits.map((v) => ({
        visitorPin: v.visitor_pin,
        name: v.visitor_name,
        certType: v.cert_type,
        certNum: v.cert_num,
        hostPin: v.host_pin,
        hostName: v.host_name,
        company: v.company,
        reason: v.visit_reason,
        cardNo: v.card_no,
        startTime: formatCvDateTime(v.start_time, tz),
        endTime: formatCvDateTime(v.end_time, tz),
        state: v.state,
        endedAt: formatCvDateTime(v.ended_at, tz),
        sync: sync.get(v) ?? null,
      })),
      reservations: reserved.map((r) => ({
        name: r.visitor_name,
        certType: r.cert_type,
        certNum: r.cert_num,
        hostPin: r.host_pin,
        hostName: r.host_name,
        company: r.company,
        reason: r.visit_reason,
        visitDate: formatCvDateTime(r.visit_date, tz),
        visitEndDate: formatCvDateTime(r.visit_end_date, tz),
      })),
    });
  }

  /**
   * Each visit's sync state, from the answer GET /api/gateway/persons/{pin}/devices gives for the visitor's pin (a
   * checked-in visitor is a temporary user on the panels of their levels): for a visit on site, whether those panels
   * confirmed holding them (personSyncSummary, as the Persons list); for a visit that ended (checked out, expired),
   * `removed` once no panel holds them nor has a command about them on its way, else pending (removal not confirmed)
   * or refused. A visit that ended for a visitor checked in again since (a returning visitor keeps their pin) has none:
   * the visit on site speaks for the pin.
   */
  private async visitSync(m: EntityManager, visits: Array<Record<string, any>>): Promise<Map<Record<string, any>, VisitSync>> {
    const pins = [...new Set(visits.map((v) => v.visitor_pin as string))];
    if (pins.length === 0) return new Map();
    const onSite = new Set(
      ((await m.query(`SELECT DISTINCT visitor_pin FROM vis_registration WHERE state = 'in' AND visitor_pin = ANY($1)`, [pins])) as Array<{ visitor_pin: string }>).map((r) => r.visitor_pin),
    );
    const devices = await this.syncStatus.ofPersonsIn(m, pins);
    const out = new Map<Record<string, any>, VisitSync>();
    for (const v of visits) {
      const ended = v.state !== 'in';
      if (ended && onSite.has(v.visitor_pin)) continue;
      const summary = personSyncSummary(devices.get(v.visitor_pin) ?? []);
      out.set(v, ended && summary.state === 'none' ? { ...summary, state: 'removed' } : summary);
    }
    return out;
  }

  @Post('reservations')
  @HttpCode(200)
  @Audit('visitor.reserve', cert)
  async reserve(@Body() dto: VisReservationAddDto) {
    dto.persPersonPin = await this.hostPin(dto.persPersonPin);
    await this.reservations.add(dto);
    return ok(null);
  }

  @Post('reservations/cancel')
  @HttpCode(200)
  @Audit('visitor.reservation.cancel', cert)
  async cancel(@Body() dto: VisReservationDelDto) {
    await this.reservations.delete(dto);
    return ok(null);
  }

  /** The levels a visitor may be given at check-in (2.16.1's list: every access level until the set is narrowed). */
  @Get('levels')
  async levels() {
    return ok(await this.visLevels.list({ pageNo: 1, pageSize: 1000, offset: 0 }));
  }

  /**
   * CVSecurity's Visitor > Visitor Levels: every access, elevator and entrance-control level, and whether it is offered
   * at check-in. Until an operator offers one, every level is (`narrowed` false): the REST API's own rule.
   */
  @Get('level-choices')
  async levelChoices() {
    const rows: Array<{ id: string; name: string; kind: string; offered: boolean }> = await this.ds.query(
      `SELECT l.id, l.name, l.kind, EXISTS (SELECT 1 FROM vis_level v WHERE v.level_id = l.id) AS offered
         FROM (SELECT id, name, 'access' AS kind FROM acc_level UNION ALL SELECT id, name, 'elevator' FROM ele_level UNION ALL SELECT id, name, 'entrance' FROM psg_level) l
        ORDER BY l.name, l.id`,
    );
    const narrowed = rows.some((r) => r.offered);
    return ok({ narrowed, levels: rows.map((r) => ({ ...r, offered: !narrowed || r.offered })) });
  }

  /** Offers levels to visitors (the first one narrows the set from every level to those offered). -24 for a level that does not exist. */
  @Post('levels/offer')
  @HttpCode(200)
  @Audit('visitor.level.offer', (r) => String(r.body?.levelIds ?? ''), VISITOR_LEVELS)
  async offerLevels(@Body() body: { levelIds?: unknown } | undefined) {
    await this.visLevels.add(body?.levelIds);
    return this.levelChoices();
  }

  /** Withdraws levels from visitors (visits checked in keep them); withdrawing the last one offers every level again. */
  @Post('levels/withdraw')
  @HttpCode(200)
  @Audit('visitor.level.withdraw', (r) => String(r.body?.levelIds ?? ''), VISITOR_LEVELS)
  async withdrawLevels(@Body() body: { levelIds?: unknown } | undefined) {
    await this.visLevels.remove(body?.levelIds);
    return this.levelChoices();
  }

  @Post('checkin')
  @HttpCode(200)
  @Audit('visitor.checkin', cert)
  async checkin(@Body() dto: VisRegistrationAddDto) {
    dto.persPersonPin = await this.hostPin(dto.persPersonPin);
    const id = await this.registrations.add(dto);
    // The panels of the visitor levels that are offline now get the card only when they poll again: the page names them.
    const rights = await loadVisitorRights(this.ds.manager, { registrationIds: [id] });
    return ok({ offlineReceivers: await offlineDevices(this.ds, this.deviceStatus, [...(rights.get(id)?.keys() ?? [])]) });
  }

  /**
   * The host field as the operator filled it: a pin, or the host's name ("Maria Santos", either order, any
   * case; or "Maria" or "Santos" alone when one person in service is so named) when no active person has it as pin. The REST API keeps the manual's pin; at a reception desk the
   * visitor names the person they came to see. A name that several persons share is refused with their pins.
   */
  private async hostPin(given: string): Promise<string> {
    // Missing or empty: the services answer the manual's -240.
    const text = typeof given === 'string' ? given.trim() : '';
    if (!text) return given;
    const byPin: unknown[] = await this.ds.query(`SELECT 1 FROM person WHERE pin = $1 AND status = 'active'`, [text]);
    if (byPin.length) return text;
    const named = await this.hostsNamed(text, `lower(${fullNameSql('p')}) = lower($1) OR lower(concat_ws(' ', NULLIF(p.last_name, ''), p.name)) = lower($1)`);
    // A receptionist types the name the host goes by, often only "Ada" or "Lovelace": one person of that first or
    // last name is the host, as one of that full name is. A full name matched first, so "Ada Lovelace" is never
    // taken as ambiguous because another Ada works there.
    const byPart = named.length ? named : await this.hostsNamed(text, `lower(p.name) = lower($1) OR lower(p.last_name) = lower($1)`);
    if (byPart.length === 1) return byPart[0].pin;
    if (byPart.length > 1) {
      const pins = byPart.slice(0, 10).map((n) => n.pin).join(', ');
      throw new CvError(VisCode.HostNotExist, `The employee does not exist: several persons are named ${text} (pins ${pins}${byPart.length > 10 ? ', …' : ''}); give the host's pin`);
    }
    // The manual's bare "The employee does not exist" read as if the form had lost the host: it says what was looked for.
    throw new CvError(VisCode.HostNotExist, `The employee does not exist: no person in service has the pin or name ${text}`);
  }

  /** Up to 11 active persons matching `where` (on `p`, the text as $1), in pin order: 11 says "more than 10". */
  private hostsNamed(text: string, where: string): Promise<Array<{ pin: string }>> {
    return this.ds.query(`SELECT p.pin FROM person p WHERE p.status = 'active' AND (${where}) ORDER BY p.pin LIMIT 11`, [text.replace(/\s+/g, ' ')]);
  }

  @Post('checkout')
  @HttpCode(200)
  @Audit('visitor.checkout', cert)
  async checkout(@Body() dto: VisitorCertDto) {
    const pin = await this.registrations.exit(dto);
    // The panels offline now that still hold the visitor's card: it opens their doors until they poll again.
    return ok({ offlineHolders: await offlineHolders(this.ds, this.deviceStatus, [pin]) });
  }
}
