import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CommandQueueService } from '../push/command-queue.service';
import { BIO_TYPE } from '../push/protocol';
import { devicesHoldingPin, templateCommands, templateDeleteCommands, type StoredTemplate, type TemplateSlot } from '../sync/bio-sync';
import { checkTemplateInput, checkTemplateNo } from './bio-template-input';
import { BioTemplate } from './bioTemplate.entity';
import { toBioTemplateResponse, type BioTemplateAddDto, type BioTemplateResponseDto } from './dto/bioTemplate.dto';

/**
 * 2.25: a person's templates. Every write stores the rows and queues the device commands it implies (to the
 * devices the planner has put the person on, in each device's dialect) in one transaction.
 */
@Injectable()
export class BioTemplateService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async add(dto: BioTemplateAddDto): Promise<void> {
    const t = checkTemplateInput(dto);
    await this.ds.transaction(async (m) => {
      const personId = await this.requirePersonId(m, t.pin);
      const repo = m.getRepository(BioTemplate);
      const clash = await repo.findOne({ where: { personId, bioType: t.bioType, templateNo: t.templateNo, templateNoIndex: t.templateNoIndex } });
      if (clash) throw new CvError(CvCode.FingerprintExists, 'The personnel fingerprint already existed!');
      await repo.insert({ personId, bioType: t.bioType, templateNo: t.templateNo, templateNoIndex: t.templateNoIndex, validType: t.validType, majorVer: t.majorVer, minorVer: t.minorVer, format: 0, template: t.template, sourceSn: null });
      await this.sendTemplates(m, t.pin, [{ ...t, format: 0 }]);
    });
  }

  /** 2.25.2: one finger (every index of it). -34 when that finger has no template. */
  async deleteFinger(pin: string, rawTemplateNo: string | undefined): Promise<void> {
    const templateNo = checkTemplateNo(rawTemplateNo);
    await this.ds.transaction(async (m) => {
      const personId = await this.requirePersonId(m, pin);
      const res = await m.getRepository(BioTemplate).delete({ personId, bioType: BIO_TYPE.fingerprint, templateNo });
      if (!res.affected) throw new CvError(CvCode.TemplateNoNotExist, 'templateNo not existed!');
      await this.sendDeletes(m, pin, [{ bioType: BIO_TYPE.fingerprint, templateNo }], false);
    });
  }

  /** 2.25.3: every template of the person, on every device that holds the person. */
  async deleteAll(pin: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const personId = await this.requirePersonId(m, pin);
      const rows: Array<{ bio_type: number; template_no: number }> = await m.query(
        `SELECT DISTINCT bio_type, template_no FROM bio_template WHERE person_id = $1 ORDER BY bio_type, template_no`,
        [personId],
      );
      await m.getRepository(BioTemplate).delete({ personId });
      const slots = rows.map((r) => ({ bioType: Number(r.bio_type), templateNo: Number(r.template_no) }));
      await this.sendDeletes(m, pin, slots, true);
    });
  }

  /** 2.25.4: the person's fingerprint templates. */
  async listFingerprints(pin: string): Promise<BioTemplateResponseDto[]> {
    const personId = await this.requirePersonId(this.ds.manager, pin);
    const rows = await this.ds.getRepository(BioTemplate).find({
      where: { personId, bioType: BIO_TYPE.fingerprint },
      order: { templateNo: 'ASC', templateNoIndex: 'ASC' },
    });
    return rows.map((r) => toBioTemplateResponse(r, pin));
  }

  private async requirePersonId(m: EntityManager, pin: string): Promise<string> {
    if (!pin || !pin.trim()) throw new CvError(CvCode.PinEmpty, 'Pin number cannot be empty');
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE pin = $1`, [pin.trim()]);
    if (rows.length === 0) throw new CvError(CvCode.PersonNotExist, 'The person does not exist');
    return rows[0].id;
  }

  private async sendTemplates(m: EntityManager, pin: string, templates: StoredTemplate[]): Promise<void> {
    const devices = await devicesHoldingPin(m, pin, this.config.timeZone);
    const batches = devices.map((d) => ({ deviceSn: d.sn, commands: templateCommands(d, templates) })).filter((b) => b.commands.length > 0);
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }

  private async sendDeletes(m: EntityManager, pin: string, slots: TemplateSlot[], all: boolean): Promise<void> {
    const devices = await devicesHoldingPin(m, pin, this.config.timeZone);
    const batches = devices.map((d) => ({ deviceSn: d.sn, commands: templateDeleteCommands(d, pin, slots, all) })).filter((b) => b.commands.length > 0);
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }
}
