import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { GATEWAY_EXTENSIONS_TAG } from '../swagger';
import { ActionAnswerService } from '../push/action-answer.service';
import { DoorControlService, type QueuedDoorCommand } from './door-control.service';
import { DoorAdminService } from './door-admin.service';
import { DoorCommandEnvelopeDto, NormalOpenPeriodDto } from './dto/door.dto';

/** The gateway's own endpoints say in the message what happened to the command (ActionAnswerService). */
async function answer(answers: ActionAnswerService, q: QueuedDoorCommand): Promise<Envelope<null>> {
  const a = await answers.answer(q);
  return a.envelope.message === 'success' ? ok(null, `success: ${a.detail}`) : a.envelope;
}

/**
 * Door actions CVSecurity offers in its UI (and the PUSH protocol has as CONTROL DEVICE) but the manual has
 * no API for. Each queues one command, like remote open/close.
 */
@ApiTags(GATEWAY_EXTENSIONS_TAG)
@Controller('api/gateway/doors/:doorId')
@ApiParam({ name: 'doorId', example: '402856aa6c3baabb016c3bb37365000a' })
export class DoorGatewayController {
  constructor(
    private readonly control: DoorControlService,
    private readonly answers: ActionAnswerService,
    private readonly admin: DoorAdminService,
  ) {}

  @Post('enable')
  @HttpCode(200)
  @ApiOperation({ summary: "Gateway: enable a door (CVSecurity's Door > Enable): it takes remote commands again and its panel is sent the members' rights on it again" })
  @ApiOkResponse({ type: DoorCommandEnvelopeDto })
  async enable(@Param('doorId') doorId: string): Promise<Envelope<null>> {
    return enabledAnswer(await this.admin.setEnabled(doorId, true), true);
  }

  @Post('disable')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Gateway: disable a door (CVSecurity's Door > Disable): remote commands to it are refused (-1) and its panel is told, in the same transaction, to withdraw it from every member's rights (a member left with no door on that panel is removed from it) until it is enabled again",
  })
  @ApiOkResponse({ type: DoorCommandEnvelopeDto })
  async disable(@Param('doorId') doorId: string): Promise<Envelope<null>> {
    return enabledAnswer(await this.admin.setEnabled(doorId, false), false);
  }

  @Post('cancelAlarm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: cancel the alarm of a door (CONTROL DEVICE 02)' })
  @ApiOkResponse({ type: DoorCommandEnvelopeDto })
  async cancelAlarm(@Param('doorId') doorId: string): Promise<Envelope<null>> {
    return answer(this.answers, await this.control.cancelAlarm({ doorId }));
  }

  @Post('normalOpen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: keep a door open until a remote close (CONTROL DEVICE 01 .. 01 FF)' })
  @ApiOkResponse({ type: DoorCommandEnvelopeDto })
  async normalOpen(@Param('doorId') doorId: string): Promise<Envelope<null>> {
    return answer(this.answers, await this.control.normalOpen({ doorId }));
  }

  @Post('normalOpenPeriod')
  @HttpCode(200)
  @ApiOperation({ summary: "Gateway: enable (enable=true) or disable the door's normal-open time period of the day (CONTROL DEVICE 04)" })
  @ApiOkResponse({ type: DoorCommandEnvelopeDto })
  async normalOpenPeriod(@Param('doorId') doorId: string, @CvInput() dto: NormalOpenPeriodDto): Promise<Envelope<null>> {
    return answer(this.answers, await this.control.normalOpenPeriod({ doorId }, dto.enable !== false));
  }

  @Post('lock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: lock a door down (CONTROL DEVICE 06 .. 01)' })
  @ApiOkResponse({ type: DoorCommandEnvelopeDto })
  async lock(@Param('doorId') doorId: string): Promise<Envelope<null>> {
    return answer(this.answers, await this.control.lockdown({ doorId }, true));
  }

  @Post('unlock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: end the lockdown of a door (CONTROL DEVICE 06 .. 00)' })
  @ApiOkResponse({ type: DoorCommandEnvelopeDto })
  async unlock(@Param('doorId') doorId: string): Promise<Envelope<null>> {
    return answer(this.answers, await this.control.lockdown({ doorId }, false));
  }
}

/** What an enable or disable did, in the message: the door was already so, or its panel is being told. */
function enabledAnswer(r: { door: string; deviceSn: string; changed: boolean }, enabled: boolean): Envelope<null> {
  const state = enabled ? 'enabled' : 'disabled';
  if (!r.changed) return ok(null, `success: door ${r.door} was already ${state}; nothing changed`);
  return ok(null, `success: door ${r.door} ${state}; its rights on device ${r.deviceSn} are ${enabled ? 'sent again' : 'withdrawn'}`);
}
