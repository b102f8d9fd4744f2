import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { AttApplyService, LEAVE_IMAGE_PREFIX } from './att-apply.service';
import { ApplyLeaveDto, ApplyPeriodDto, ApplySignDto, ApplyTimeLongDto, LeaveTypeDto, UploadLeaveImageDto } from './dto/attendance.dto';
import { ReadByPost } from '../common/read-forms';

/** 2.23 Apply for abnormal attendance. */
@ApiTags('Attendance')
@Controller()
export class AttApplyController {
  constructor(private readonly applies: AttApplyService) {}

  @Post('api/attApply/applySign')
  @HttpCode(200)
  @ApiOperation({ summary: '2.23.1 Apply for Re-clock-in' })
  @ApiOkResponse({ type: EnvelopeDto })
  async applySign(@CvInput() dto: ApplySignDto): Promise<Envelope<null>> {
    await this.applies.applySign(dto);
    return ok(null);
  }

  @Post('api/attApply/applyOvertime')
  @HttpCode(200)
  @ApiOperation({ summary: '2.23.2 Apply for overtime' })
  @ApiOkResponse({ type: EnvelopeDto })
  async applyOvertime(@CvInput() dto: ApplyPeriodDto): Promise<Envelope<null>> {
    await this.applies.applyOvertime(dto);
    return ok(null);
  }

  @Post('api/attApply/applyLeave')
  @HttpCode(200)
  @ApiOperation({ summary: '2.23.3 Ask for leave' })
  @ApiOkResponse({ type: EnvelopeDto })
  async applyLeave(@CvInput() dto: ApplyLeaveDto): Promise<Envelope<null>> {
    await this.applies.applyLeave(dto);
    return ok(null);
  }

  @Get('api/attApply/getLeaveTypeList')
  @ApiOperation({ summary: '2.23.4 Get leave type list' })
  @ApiOkResponse({ type: listEnvelopeOf(LeaveTypeDto) })
  async leaveTypes(): Promise<Envelope<LeaveTypeDto[]>> {
    return ok(await this.applies.leaveTypes());
  }

  @Post('api/attApply/uploadLeaveImage')
  @HttpCode(200)
  @ApiOperation({ summary: '2.23.5 Upload leave picture: answers the path the picture is served at' })
  @ApiOkResponse({ type: envelopeOf(String) })
  async uploadLeaveImage(@CvInput() dto: UploadLeaveImageDto): Promise<Envelope<string>> {
    return ok(await this.applies.uploadLeaveImage(dto.base64Image));
  }

  @Post('api/attApply/getApplyTimeLong')
  @ReadByPost()
  @HttpCode(200)
  @ApiOperation({ summary: '2.23.6 Calculate the total duration of leave: data is the duration in hours' })
  @ApiOkResponse({ type: envelopeOf(Number) })
  async timeLong(@CvInput() dto: ApplyTimeLongDto): Promise<Envelope<number>> {
    return ok(await this.applies.timeLong(dto));
  }

  /** The picture at the path uploadLeaveImage returned (outside /api, like CVSecurity's file resources). */
  @Get('fileresource/att/leave/image/:day/:file')
  @ApiExcludeEndpoint()
  async leaveImage(@Param('day') day: string, @Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer | string> {
    const img = await this.applies.leaveImage(`${LEAVE_IMAGE_PREFIX}${day}/${file}`);
    if (!img) {
      reply.code(404).header('Content-Type', 'text/plain;charset=UTF-8');
      return 'Not Found';
    }
    reply.header('Content-Type', img.contentType).header('Cache-Control', 'private, max-age=86400');
    return img.data;
  }
}
