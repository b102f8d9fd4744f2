import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { Person } from '../person/person.entity';
import { lockPersonPins } from '../person/pin-value';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { Card } from './card.entity';
import { lockCardValues } from './card-value';
import { addSecondaryCard, MAIN_CARD, setMainCard } from './card-writes';
import { toCardResponse, type CardResponseDto, type CardSetDto } from './dto/card.dto';
import { writeTransaction } from '../common/write-transaction';

@Injectable()
export class CardService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
    private readonly attendance: AttendanceSyncService,
  ) {}

  /**
   * 2.4.2: a main card replaces the person's main card; a secondary card is added. The devices follow: access
   * panels, and the attendance terminals and kiosks of the person's areas (their USERINFO carries the main card).
   */
  set(dto: CardSetDto): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      // The person's pin, then the card, then the person row: the one lock order of person writes (lockPersonPins).
      // A REST add of this person with this card took them so while this took the row first: they deadlocked.
      await lockPersonPins(m, [dto.pin]);
      await lockCardValues(m, [dto.cardNo]);
      // Locked (FOR UPDATE), as person writes lock it: two card writes for one person take turns, so the second
      // replaces the first's main card instead of adding a second one beside it.
      const person = await m.getRepository(Person).findOne({ where: { pin: dto.pin, status: 'active' }, lock: { mode: 'pessimistic_write' } });
      if (!person) throw personNotExist(dto.pin);
      if ((dto.cardType ?? '0') === String(MAIN_CARD)) await setMainCard(m, person, dto.cardNo);
      else await addSecondaryCard(m, person, dto.cardNo);
      await this.attendance.syncPersons(m, [person.id]);
      await this.planner.syncPerson(m, person.id);
      // The same card set for two persons at once: the loser's insert meets uq_card_no; run again, it sees the
      // card taken and answers -23, as a later call does (or success, when both calls were for one person).
    });
  }

  /** 2.4.1: the main card first, then secondary cards. */
  async ofPin(pin: string): Promise<CardResponseDto[]> {
    if (!pin) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
    const person = await this.ds.getRepository(Person).findOne({ where: { pin, status: 'active' } });
    if (!person) throw personNotExist(pin);
    const cards = await this.ds.getRepository(Card).find({ where: { personId: person.id }, order: { cardType: 'ASC', createdAt: 'ASC', cardNo: 'ASC' } });
    return cards.map((c) => toCardResponse(person.pin, c));
  }
}
