import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { personNotExist } from '../common/cv-error';
import { intoOf, listOf } from '../database/columns';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { AttPerson } from './att-person.entity';
import type { EditAttPersonDto, EditInsPersonDto } from './dto/attendance.dto';
import { writeTransaction } from '../common/write-transaction';

/** An attendance person's settings: given ones replace, absent ones keep (or take the default on a new row). */
const UPSERT_ATT = `INSERT INTO ${intoOf(AttPerson, ['personId', 'isAttendance', 'perDevAuth', 'verifyMode'])} VALUES ($1, COALESCE($2, true), COALESCE($3, 0), $4)
  ON CONFLICT (${listOf(AttPerson, ['personId'])}) DO UPDATE SET
    is_attendance = COALESCE($2, att_person.is_attendance),
    per_dev_auth = COALESCE($3, att_person.per_dev_auth),
    verify_mode = CASE WHEN $5 THEN $4 ELSE att_person.verify_mode END,
    updated_at = now()`;

/** A FaceKiosk person's settings, likewise. */
const UPSERT_INS = `INSERT INTO ${intoOf(AttPerson, ['personId', 'insCategory', 'insPerDevAuth'])} VALUES ($1, COALESCE($2, 0), COALESCE($3, 0))
  ON CONFLICT (${listOf(AttPerson, ['personId'])}) DO UPDATE SET
    ins_category = COALESCE($2, att_person.ins_category),
    ins_per_dev_auth = COALESCE($3, att_person.ins_per_dev_auth),
    updated_at = now()`;

/**
 * Attendance settings of a person (2.24.5) and FaceKiosk settings (2.27.1), stored with the terminal commands
 * they imply: a new privilege (`Pri`) or verify mode re-sends the person's USERINFO to their terminals; a
 * blacklisted kiosk category takes them off the kiosks (and back on when lifted).
 */
@Injectable()
export class AttPersonService {
  constructor(
    private readonly ds: DataSource,
    private readonly sync: AttendanceSyncService,
  ) {}

  editAtt(dto: EditAttPersonDto): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const id = await requirePerson(m, dto.personPin);
      await m.query(
        UPSERT_ATT,
        [id, dto.isAttendance ?? null, dto.perDevAuth ?? null, dto.verifyMode ?? null, dto.verifyMode !== undefined],
      );
      await this.sync.syncPersons(m, [id]);
    });
  }

  editIns(dto: EditInsPersonDto): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const id = await requirePerson(m, dto.personPin);
      await m.query(
        UPSERT_INS,
        [id, dto.category ?? null, dto.perDevAuth ?? null],
      );
      await this.sync.syncPersons(m, [id]);
    });
  }
}

export async function requirePerson(m: EntityManager, pin: string): Promise<string> {
  // A resigned person (2.13.6) does not exist for the API, as person/get answers: no application or setting is stored.
  // Locked until the commit, as every writer of a person locks them: a delete or resignation committing meanwhile
  // makes this -22, rather than a row inserted for a person the database just dropped (a foreign key's -409).
  const [row]: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE pin = $1 AND status = 'active' FOR UPDATE`, [pin]);
  if (!row) throw personNotExist(pin);
  return row.id;
}
