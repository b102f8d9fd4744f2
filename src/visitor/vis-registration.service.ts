import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { cardValue, cardValueSql, lockCardValues } from '../card/card-value';
import { CvCode, CvError } from '../common/cv-error';
import { splitList } from '../common/paging';
import { refuseQrCode } from '../common/qr-code';
import { formatCvDateTime } from '../common/time';
import { writeTransaction } from '../common/write-transaction';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { VisitorCertDto, VisRegistrationAddDto, VisRegistrationViewDto } from './dto/visitor.dto';
import { VisRegistration, VisRegistrationLevel } from './vis-registration.entity';
import { VisLevelService } from './vis-level.service';
import { requireHost } from './vis-reservation.service';
import { VisCode } from './visitor-codes';
import { VisitorDevicesService } from './visitor-devices.service';
import { checkCertType, checkVisitor, requireVisitDate, requireVisitEnd, requireVisitorCount, requireWindow, visitorColumns } from './visitor-input';
import { lockPinValues, pinValue, pinValueSql } from '../person/pin-value';

/** Visitor numbers start here (8xxxxxxx, as the manual's 2.17.3 example). */
export const FIRST_VISITOR_PIN = 80000001;

/** 2.17: check-in makes the visitor a temporary user on the devices; check-out and expiry remove them. */
@Injectable()
export class VisRegistrationService {
  private readonly log = new Logger(VisRegistrationService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly levels: VisLevelService,
    private readonly devices: VisitorDevicesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 2.17.1 check-in; answers the visit's registration id (whose levels the planner's visitor rights read). */
  async add(dto: VisRegistrationAddDto): Promise<string> {
    // Two check-ins of one document at once (a client retrying a slow call): the loser's insert meets the open
    // visit's unique index; run again, it sees the visit and answers -255 as a second check-in in turn does.
    // One visitor number handed to two documents at once is resolved the same way (the run again takes another).
    return writeTransaction(this.ds, async (m) => {
      // The host first, as the manual lists persPersonPin first (-240, -253): before the visitor's and the times' codes.
      const hostPersonId = await requireHost(m, dto.persPersonPin);
      const visitor = checkVisitor(dto, [dto.visEmpName, dto.visitEmpName], [dto.cardNo]);
      const { certType, certNum } = visitor;
      const visitorCount = requireVisitorCount(dto.visitorCount);
      const startTime = requireVisitDate(dto.startTime, this.config.timeZone, 'startTime');
      const endTime = requireVisitEnd(dto.endTime, this.config.timeZone, 'endTime');
      requireWindow(startTime, endTime);
      if (endTime.getTime() <= Date.now()) throw new CvError(VisCode.DateInvalid, 'Please fill in the correct date: the visit has already ended');
      const levelIds = splitList(dto.visLevels);
      const cardNo = dto.cardNo ? dto.cardNo : null;
      const [registered] = await m.query(`SELECT 1 FROM vis_registration WHERE cert_type = $1 AND cert_num = $2 AND state = 'in'`, [certType, certNum]);
      if (registered) throw new CvError(VisCode.AlreadyRegistered, 'Registration has been completed. Please do not register again');
      // A card in use is refused before a visitor number is drawn (a refused check-in takes none). The card is
      // checked again under its lock once the visitor's pin is (under its number's lock): the one lock order of
      // person writes (lockPersonPins), so a person/add of that number with this card waits instead of deadlocking.
      if (cardNo) await this.requireFreeCard(m, cardNo, false);
      await this.levels.requireVisLevels(m, levelIds);
      const visitorPin = await this.visitorPin(m, certType, certNum);
      if (cardNo) await this.requireFreeCard(m, cardNo, true);
      const reg = m.getRepository(VisRegistration).create({
        visitorPin,
        ...visitorColumns(dto, visitor, hostPersonId),
        visitorCount,
        cardNo,
        startTime,
        endTime,
        state: 'in',
        endedAt: null,
        reservationId: null,
      });
      const [reservation]: Array<{ id: string }> = await m.query(
        `SELECT id FROM vis_reservation WHERE cert_type = $1 AND cert_num = $2 AND state = 'reserved' AND visit_date < $4 AND visit_end_date > $3
          ORDER BY visit_date LIMIT 1 FOR UPDATE`,
        [certType, certNum, startTime, endTime],
      );
      if (reservation) reg.reservationId = reservation.id;
      await m.getRepository(VisRegistration).insert(reg);
      if (reservation) await m.query(`UPDATE vis_reservation SET state = 'registered', registration_id = $2, updated_at = now() WHERE id = $1`, [reservation.id, reg.id]);
      if (levelIds.length) await m.getRepository(VisRegistrationLevel).insert(levelIds.map((levelId) => ({ registrationId: reg.id, levelId })));
      await this.devices.grant(m, reg.id);
      return reg.id;
    });
  }

  /** 2.17.2: -256 when the document has no open visit (-257 when it was never registered). Answers the visitor's pin on the panels. */
  async exit(dto: VisitorCertDto): Promise<string> {
    const certType = checkCertType(dto.certType);
    return this.ds.transaction(async (m) => {
      const [open]: Array<{ id: string; visitor_pin: string }> = await m.query(
        `SELECT id, visitor_pin FROM vis_registration WHERE cert_type = $1 AND cert_num = $2 AND state = 'in' FOR UPDATE`,
        [certType, dto.certNum],
      );
      if (!open) {
        const [ever] = await m.query(`SELECT 1 FROM vis_registration WHERE cert_type = $1 AND cert_num = $2 LIMIT 1`, [certType, dto.certNum]);
        if (!ever) throw new CvError(VisCode.VisitorNotExist, "Visitor information doesn't exist");
        throw new CvError(VisCode.NotRegistered, 'Visitor unregistered, cannot be sign-out');
      }
      await m.query(`UPDATE vis_registration SET state = 'out', ended_at = now(), updated_at = now() WHERE id = $1`, [open.id]);
      await this.devices.revoke(m, open.id, open.visitor_pin);
      return open.visitor_pin;
    });
  }

  /**
   * Visits whose window has ended, taken off the devices. Claimed with SKIP LOCKED so that several gateway
   * processes sweeping at once never handle one visit twice. Returns how many expired.
   */
  async expireDue(limit = 200): Promise<number> {
    return this.ds.transaction(async (m) => {
      const due: Array<{ id: string; visitor_pin: string }> = await m.query(
        `WITH claimed AS (
           UPDATE vis_registration r SET state = 'expired', ended_at = now(), updated_at = now()
            WHERE r.id IN (SELECT id FROM vis_registration WHERE state = 'in' AND end_time <= now() ORDER BY end_time, id LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING r.id, r.visitor_pin)
         SELECT id, visitor_pin FROM claimed ORDER BY visitor_pin`,
        [limit],
      );
      await this.devices.revokeMany(m, due.map((r) => r.visitor_pin));
      if (due.length) this.log.log(`${due.length} visit(s) expired and removed from the devices`);
      return due.length;
    });
  }

  /** 2.17.3: -257 for no checked-in visitor, else -501 (qr-code.ts says why). */
  async qrCode(pin: string | undefined): Promise<never> {
    if (!pin) throw new CvError(VisCode.VisitorNotExist, "Visitor information doesn't exist");
    const [reg]: Array<{ id: string; visitor_pin: string }> = await this.ds.query(
      `SELECT id, visitor_pin FROM vis_registration WHERE visitor_pin = $1 AND state = 'in'`,
      [pin],
    );
    if (!reg) throw new CvError(VisCode.VisitorNotExist, "Visitor information doesn't exist");
    return refuseQrCode();
  }

  /** Gateway extension: the latest visit of a document. */
  async view(dto: VisitorCertDto): Promise<VisRegistrationViewDto> {
    const reg = await this.ds.getRepository(VisRegistration).findOne({ where: { certType: dto.certType, certNum: dto.certNum }, order: { createdAt: 'DESC' } });
    if (!reg) throw new CvError(VisCode.VisitorNotExist, "Visitor information doesn't exist");
    const levels: Array<{ level_id: string }> = await this.ds.query(`SELECT level_id FROM vis_registration_level WHERE registration_id = $1 ORDER BY level_id`, [reg.id]);
    const tz = this.config.timeZone;
    return {
      pin: reg.visitorPin,
      visEmpName: reg.visitorName,
      certType: reg.certType,
      certNum: reg.certNum,
      persPersonPin: reg.hostPin,
      startTime: formatCvDateTime(reg.startTime, tz)!,
      endTime: formatCvDateTime(reg.endTime, tz)!,
      state: reg.state,
      cardNo: reg.cardNo,
      endedAt: formatCvDateTime(reg.endedAt, tz),
      visLevels: levels.map((l) => l.level_id),
    };
  }

  /**
   * -23 when a person or another checked-in visitor holds the card (by its number: leading zeros do not count); with
   * `lock`, read under the card's write lock (a concurrent writer of it has committed by then).
   */
  private async requireFreeCard(m: EntityManager, cardNo: string, lock: boolean): Promise<void> {
    if (lock) await lockCardValues(m, [cardNo]);
    const [used] = await m.query(
      `SELECT 1 FROM card WHERE ${cardValueSql('card_no')} = $1
       UNION ALL SELECT 1 FROM vis_registration WHERE ${cardValueSql('card_no')} = $1 AND state = 'in'
       LIMIT 1`,
      [cardValue(cardNo)],
    );
    if (used) throw new CvError(CvCode.CardUsed, 'The card number has been used');
  }

  /** The visitor's earlier number when the document visited before, else the next free 8xxxxxxx. */
  private async visitorPin(m: EntityManager, certType: string, certNum: string): Promise<string> {
    const [prev]: Array<{ visitor_pin: string }> = await m.query(
      `SELECT visitor_pin FROM vis_registration r WHERE cert_type = $1 AND cert_num = $2
          AND NOT EXISTS (SELECT 1 FROM vis_registration o WHERE o.visitor_pin = r.visitor_pin AND o.state = 'in')
        ORDER BY created_at DESC LIMIT 1`,
      [certType, certNum],
    );
    if (prev && !(await this.pinTaken(m, prev.visitor_pin, true))) return prev.visitor_pin;
    for (;;) {
      const [{ pin }]: Array<{ pin: string }> = await m.query(`SELECT nextval('vis_visitor_pin_seq')::text AS pin`);
      if (!(await this.pinTaken(m, pin, false))) return pin;
    }
  }

  /**
   * Whether a person holds this visitor pin, as written or by its number ("080000001": a panel keeping numeric PINs
   * holds both as one user), or (`reused` false) any registration does. Read under the number's write lock, the one
   * person writes take (lockPinValues): a person/add of 080000001 under way meanwhile waits, then is refused -29 for
   * the checked-in visitor, instead of both taking the number.
   */
  private async pinTaken(m: EntityManager, pin: string, reused: boolean): Promise<boolean> {
    const value = pinValue(pin);
    if (value !== null) await lockPinValues(m, [value]);
    const [taken] = await m.query(
      `SELECT 1 FROM person WHERE pin = $1 OR ($1 ~ '^[0-9]+$' AND pin ~ '^[0-9]+$' AND ${pinValueSql('pin')} = ${pinValueSql('$1')})
       ${reused ? '' : 'UNION ALL SELECT 1 FROM vis_registration WHERE visitor_pin = $1'} LIMIT 1`,
      [pin],
    );
    return !!taken;
  }
}
