import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { checkPaging, v2Page, type V2Page } from '../common/paging';
import { APP_CONFIG, type AppConfig } from '../config/config';
import {
  toPushDeliveryResponse,
  toPushTargetResponse,
  type PushDeliveryListDto,
  type PushDeliveryResponseDto,
  type PushTargetCreateDto,
  type PushTargetResponseDto,
  type PushTargetUpdateDto,
} from './dto/push-center.dto';
import { PushDeliveryWorker } from './push-delivery.worker';
import { PushOutboxRepository } from './push-outbox.repository';
import { PushTarget } from './push-target.entity';
import { requireSomeChange } from '../common/update-fields';

export class PushTargetNotFound extends CvError {
  constructor(id: string) {
    super(CvCode.NotFound, `The push target does not exist: ${id}`);
  }
}

/** Push Center targets (gateway extension): CRUD and delivery state. Events enqueue themselves (trigger). */
@Injectable()
export class PushCenterService {
  constructor(
    @InjectRepository(PushTarget) private readonly targets: Repository<PushTarget>,
    private readonly outbox: PushOutboxRepository,
    private readonly worker: PushDeliveryWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async requireTarget(id: string): Promise<PushTarget> {
    const t = /^[0-9a-f]{32}$/.test(id) ? await this.targets.findOne({ where: { id } }) : null;
    if (!t) throw new PushTargetNotFound(id);
    return t;
  }

  private async respond(list: PushTarget[]): Promise<PushTargetResponseDto[]> {
    const stats = await this.outbox.statsByTarget(list.map((t) => t.id));
    return list.map((t) => toPushTargetResponse(t, stats.get(t.id), this.config.timeZone));
  }

  private async nameTaken(name: string, exceptId?: string): Promise<void> {
    const clash = await this.targets.findOne({ where: { name } });
    if (clash && clash.id !== exceptId) throw new CvError(CvCode.Conflict, `A push target named "${name}" already exists`);
  }

  async list(): Promise<PushTargetResponseDto[]> {
    return this.respond(await this.targets.find({ order: { createdAt: 'ASC' } }));
  }

  async get(id: string): Promise<PushTargetResponseDto> {
    return (await this.respond([await this.requireTarget(id)]))[0];
  }

  /** Events stored from now on are queued for the new target; earlier ones are not replayed. */
  async create(dto: PushTargetCreateDto): Promise<PushTargetResponseDto> {
    await this.nameTaken(dto.name);
    const saved = await this.targets.save(this.targets.create({ name: dto.name, url: dto.url, secret: dto.secret || null, enabled: dto.enabled ?? true }));
    this.worker.targetsChanged();
    return this.get(saved.id);
  }

  async update(id: string, dto: PushTargetUpdateDto): Promise<PushTargetResponseDto> {
    const t = await this.requireTarget(id);
    requireSomeChange('Push Center target', { name: dto.name, url: dto.url, secret: dto.secret, enabled: dto.enabled });
    if (dto.name !== undefined) {
      await this.nameTaken(dto.name, id);
      t.name = dto.name;
    }
    if (dto.url !== undefined) t.url = dto.url;
    if (dto.secret !== undefined) t.secret = dto.secret || null;
    if (dto.enabled !== undefined) t.enabled = dto.enabled;
    await this.targets.save(t);
    this.worker.targetsChanged();
    return this.get(id);
  }

  /** Removes the target and its undelivered events. */
  async delete(id: string): Promise<void> {
    await this.targets.delete({ id: (await this.requireTarget(id)).id });
    this.worker.targetsChanged();
  }

  async deliveries(id: string, dto: PushDeliveryListDto): Promise<V2Page<PushDeliveryResponseDto>> {
    await this.requireTarget(id);
    const page = dto.pageNo === undefined && dto.pageSize === undefined ? checkPaging(1, 100) : checkPaging(dto.pageNo, dto.pageSize);
    const { rows, total } = await this.outbox.findByTarget(id, dto.state, page.offset, page.pageSize);
    return v2Page(
      rows.map((r) => toPushDeliveryResponse(r, this.config.timeZone)),
      total,
      page,
    );
  }

  /** Makes every waiting event of the target due now, and runs a delivery pass. */
  async retryNow(id: string): Promise<PushTargetResponseDto> {
    await this.requireTarget(id);
    await this.outbox.retryNow(id);
    this.worker.soon();
    return this.get(id);
  }
}
