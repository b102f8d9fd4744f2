import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { And, DataSource, LessThan, MoreThanOrEqual, type EntityManager } from 'typeorm';
import { CvError } from '../common/cv-error';
import { writeTransaction } from '../common/write-transaction';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { VisReservationAddDto, VisReservationDelDto } from './dto/visitor.dto';
import { VisReservation } from './vis-reservation.entity';
import { VisCode } from './visitor-codes';
import { checkCertType, checkVisitor, requireVisitDate, requireVisitDay, requireVisitEnd, requireWindow, visitorColumns } from './visitor-input';

/** 2.15: reservations are stored only; a registration (2.17.1) of the same document consumes the matching one. */
@Injectable()
export class VisReservationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async add(dto: VisReservationAddDto): Promise<void> {
    // The same reservation sent twice at once: the loser's insert meets uq_vis_reservation_cert_date; run again,
    // it finds the reservation and answers -244 as a second call in turn does.
    await writeTransaction(this.ds, async (m) => {
      // The host first, as the manual lists persPersonPin first (-240 empty, -253 unknown): a reservation for
      // nobody cannot be mended by fixing its dates, so a client is told that before -247 or -252.
      const hostPersonId = await requireHost(m, dto.persPersonPin);
      const visitor = checkVisitor(dto, [dto.visitEmpName, dto.visEmpName]);
      const { certType, certNum } = visitor;
      const visitDate = requireVisitDate(dto.visitDate, this.config.timeZone, 'visitDate');
      const visitEndDate = requireVisitEnd(dto.visitEndDate, this.config.timeZone, 'visitEndDate');
      requireWindow(visitDate, visitEndDate);
      // A reservation whose visit has already ended could never be used by a check-in: the manual's -252 "Please fill
      // in the correct date", not a success for a record that does nothing. One that began and has not ended yet is
      // taken: a visitor expected later today is reserved from the morning.
      if (visitEndDate.getTime() <= Date.now()) throw new CvError(VisCode.DateInvalid, 'Please fill in the correct date: the visit ends before now');
      const [visiting] = await m.query(`SELECT 1 FROM vis_registration WHERE cert_type = $1 AND cert_num = $2 AND state = 'in'`, [certType, certNum]);
      if (visiting) throw new CvError(VisCode.NoReservationDuringVisit, 'No need to make a reservation during the visit');
      const [overlap] = await m.query(
        `SELECT 1 FROM vis_reservation WHERE cert_type = $1 AND cert_num = $2 AND state = 'reserved' AND visit_date < $4 AND visit_end_date > $3`,
        [certType, certNum, visitDate, visitEndDate],
      );
      if (overlap) throw new CvError(VisCode.AlreadyReserved, 'You have made a reservation');
      // One reservation per document and start time, whatever became of it (uq_vis_reservation_cert_date): one
      // a check-in already used is still that reservation, -244 rather than the index's bare conflict.
      const [same] = await m.query(`SELECT 1 FROM vis_reservation WHERE cert_type = $1 AND cert_num = $2 AND visit_date = $3`, [certType, certNum, visitDate]);
      if (same) throw new CvError(VisCode.AlreadyReserved, 'You have made a reservation: this document has a reservation starting at that time');
      const repo = m.getRepository(VisReservation);
      await repo.insert(repo.create({
        ...visitorColumns(dto, visitor, hostPersonId),
        visitDate,
        visitEndDate,
        state: 'reserved',
        registrationId: null,
      }));
    });
  }

  /**
   * 2.15.2: the reservation of (certType, certNum, visitDate); with a bare date, those starting that day (add
   * refuses overlapping ones, so a day can hold several); -248 when there is none.
   */
  async delete(dto: VisReservationDelDto): Promise<void> {
    const certType = checkCertType(dto.certType);
    const day = requireVisitDay(dto.visitDate, this.config.timeZone, 'visitDate');
    const visitDate = 'at' in day ? day.at : And(MoreThanOrEqual(day.from), LessThan(day.to));
    const res = await this.ds.getRepository(VisReservation).delete({ certType, certNum: dto.certNum, visitDate, state: 'reserved' });
    if (!res.affected) throw new CvError(VisCode.NoReservation, 'No eligible visitor reservation information');
  }
}

/**
 * The host employee (persPersonPin): -240 empty, -253 unknown. Key-share locked: a host deleted meanwhile reads as
 * none (-253), never a visit stored for a person gone (a bare -409 from the foreign key); a delete under way waits.
 */
export async function requireHost(m: EntityManager, pin: string): Promise<string> {
  if (!pin) throw new CvError(VisCode.HostPinEmpty, 'Host(visitor) pin cannot be empty');
  const rows: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE pin = $1 AND status = 'active' FOR KEY SHARE`, [pin]);
  if (rows.length === 0) throw new CvError(VisCode.HostNotExist, 'The employee does not exist');
  return rows[0].id;
}
