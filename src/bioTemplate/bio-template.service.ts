import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { BIO_TYPE } from '../push/protocol';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { checkBioType, checkTemplateInput, checkTemplateNo } from './bio-template-input';
import { BioTemplate } from './bio-template.entity';
import { toBioTemplateResponse, type BioTemplateAddDto, type BioTemplateResponseDto } from './dto/bio-template.dto';
import { writeTransaction } from '../common/write-transaction';

/**
 * 2.25: a person's templates. Every write stores the rows and has the planners bring the person's devices (access
 * panels, and the attendance terminals and kiosks of the person's areas) to the new template set, in each device's
 * dialect, in one transaction.
 */
@Injectable()
export class BioTemplateService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
    private readonly attendance: AttendanceSyncService,
  ) {}

  /** The person's devices follow: attendance terminals and kiosks, then access panels. */
  private async devicesFollow(m: EntityManager, pins: string[]): Promise<void> {
    await this.attendance.syncPersonPins(m, pins);
    await this.planner.syncPins(m, pins);
  }

  async add(dto: BioTemplateAddDto): Promise<void> {
    const t = checkTemplateInput(dto);
    await writeTransaction(this.ds, async (m) => {
      const personId = await this.requirePersonId(m, t.pin);
      const repo = m.getRepository(BioTemplate);
      const clash = await repo.findOne({ where: { personId, bioType: t.bioType, templateNo: t.templateNo, templateNoIndex: t.templateNoIndex } });
      if (clash) throw new CvError(CvCode.FingerprintExists, 'The personnel fingerprint already existed!');
      await repo.insert({ personId, bioType: t.bioType, templateNo: t.templateNo, templateNoIndex: t.templateNoIndex, validType: t.validType, majorVer: t.majorVer, minorVer: t.minorVer, format: 0, template: t.template, sourceSn: null });
      await this.devicesFollow(m, [t.pin]);
    });
  }

  /** 2.25.2: one finger (every index of it). -34 when that finger has no template. */
  async deleteFinger(pin: string, rawTemplateNo: string | undefined): Promise<void> {
    const templateNo = checkTemplateNo(rawTemplateNo);
    await writeTransaction(this.ds, async (m) => {
      const personId = await this.requirePersonId(m, pin);
      const res = await m.getRepository(BioTemplate).delete({ personId, bioType: BIO_TYPE.fingerprint, templateNo });
      if (!res.affected) throw new CvError(CvCode.TemplateNoNotExist, 'templateNo not existed!');
      await this.devicesFollow(m, [pin]);
    });
  }

  /**
   * 2.25.3: every template of the person (of one bioType when given), on every device that holds the person. A
   * person with none already has what was asked: success (the manual's answer; a retried delete whose answer was
   * lost must not read as a failure).
   */
  async deleteAll(pin: string, rawBioType?: string): Promise<void> {
    const bioType = checkBioType(rawBioType);
    await writeTransaction(this.ds, async (m) => {
      const personId = await this.requirePersonId(m, pin);
      await m.getRepository(BioTemplate).delete(bioType === undefined ? { personId } : { personId, bioType });
      await this.devicesFollow(m, [pin]);
    });
  }

  /**
   * A delete by pin that may name a finger: with templateNo, that finger (2.25.2); without one (absent or ""),
   * every template of the person, or of bioType (2.25.3), as later releases' `bioTemplate/delete/{pin}` does.
   */
  deleteByPin(pin: string, templateNo: string | undefined, bioType: string | undefined): Promise<void> {
    return templateNo === undefined || templateNo === '' ? this.deleteAll(pin, bioType) : this.deleteFinger(pin, templateNo);
  }

  /** 2.25.4: the person's fingerprint templates. */
  async listFingerprints(pin: string): Promise<BioTemplateResponseDto[]> {
    const personId = await this.requirePersonId(this.ds.manager, pin, false);
    const rows = await this.ds.getRepository(BioTemplate).find({
      where: { personId, bioType: BIO_TYPE.fingerprint },
      order: { templateNo: 'ASC', templateNoIndex: 'ASC' },
    });
    return rows.map((r) => toBioTemplateResponse(r, pin));
  }

  private async requirePersonId(m: EntityManager, pin: string, forWrite = true): Promise<string> {
    if (!pin || !pin.trim()) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
    // A resigned person (2.13.6) does not exist for the API, as person/get answers: no template is read or written.
    // A write locks the person until its commit, as every writer of a person does: a delete or resignation
    // committing meanwhile makes this -22, rather than a template inserted for a person the database just dropped
    // (the foreign key's bare -409).
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE pin = $1 AND status = 'active'${forWrite ? ' FOR UPDATE' : ''}`, [pin.trim()]);
    if (rows.length === 0) throw personNotExist(pin.trim());
    return rows[0].id;
  }
}
