import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/cv-error';
import { ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, v2Page, type V2Page } from '../common/paging';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CommandQueueService, commandViewIn } from './command-queue.service';
import { DeviceCommandDto, DeviceCommandsQueryDto } from './dto/device-commands.dto';

/** Gateway extension (not in CVSecurity): a device's command queue, for operators. */
@ApiTags('Gateway extensions')
@Controller('api/gateway/devices')
export class DeviceCommandsController {
  constructor(
    private readonly queue: CommandQueueService,
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':sn/commands')
  @ApiOperation({ summary: "A device's command queue: pending, sent, done and failed commands with the device's Return codes (newest first)" })
  @ApiParam({ name: 'sn', example: 'CJDE193560303' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(DeviceCommandDto, { size: { example: 50 } }) })
  async list(@Param('sn') sn: string, @CvInput() dto: DeviceCommandsQueryDto): Promise<Envelope<V2Page<DeviceCommandDto>>> {
    const page = checkPaging(dto.pageNo ?? 1, dto.pageSize ?? 50);
    const [device] = await this.ds.query(`SELECT 1 FROM device WHERE sn = $1`, [sn]);
    if (!device) throw new NotFoundError(`Device ${sn}`);
    const { rows, total } = await this.queue.list(sn, dto.state, page.offset, page.pageSize);
    const data: DeviceCommandDto[] = rows.map((r) => commandViewIn(r, this.config.timeZone));
    return ok(v2Page(data, total, page));
  }
}
