import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { DeviceConvergenceDto, PersonDeviceSyncDto } from './dto/sync-status.dto';
import { SyncStatusService } from './sync-status.service';

@ApiTags('Gateway extensions')
@Controller()
export class SyncStatusController {
  constructor(private readonly status: SyncStatusService) {}

  @Get('api/gateway/persons/:pin/devices')
  @ApiOperation({ summary: 'Gateway extension: which devices hold a person (confirmed by the device) and which do not yet' })
  @ApiParam({ name: 'pin', example: '1234' })
  @ApiOkResponse({ type: listEnvelopeOf(PersonDeviceSyncDto) })
  async devicesOfPerson(@Param('pin') pin: string): Promise<Envelope<PersonDeviceSyncDto[]>> {
    return ok(await this.status.ofPerson(pin));
  }

  @Get('api/gateway/persons/:pin/sync')
  @ApiOperation({ summary: 'Gateway extension: sync status of a person on each device (same as /devices)' })
  @ApiParam({ name: 'pin', example: '1234' })
  @ApiOkResponse({ type: listEnvelopeOf(PersonDeviceSyncDto) })
  async ofPerson(@Param('pin') pin: string): Promise<Envelope<PersonDeviceSyncDto[]>> {
    return ok(await this.status.ofPerson(pin));
  }

  @Get('api/gateway/devices/:sn/convergence')
  @ApiOperation({ summary: 'Gateway extension: what a device should hold against what it confirmed; failing, refused, skipped and owed work' })
  @ApiParam({ name: 'sn', example: 'CJDE193560303' })
  @ApiOkResponse({ type: envelopeOf(DeviceConvergenceDto) })
  async ofDevice(@Param('sn') sn: string): Promise<Envelope<DeviceConvergenceDto>> {
    return ok(await this.status.ofDevice(sn));
  }
}
