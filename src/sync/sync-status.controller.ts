import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { PersonDeviceSyncDto } from './dto/sync-status.dto';
import { SyncStatusService } from './sync-status.service';

@ApiTags('Gateway extensions')
@Controller()
export class SyncStatusController {
  constructor(private readonly status: SyncStatusService) {}

  @Get('api/gateway/persons/:pin/sync')
  @ApiOperation({ summary: 'Gateway extension: sync status of a person on each device' })
  @ApiParam({ name: 'pin', example: '1234' })
  @ApiOkResponse({ type: listEnvelopeOf(PersonDeviceSyncDto) })
  async ofPerson(@Param('pin') pin: string): Promise<Envelope<PersonDeviceSyncDto[]>> {
    return ok(await this.status.ofPerson(pin));
  }
}
