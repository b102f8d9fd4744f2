import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { pageIfAsked } from '../common/paging';
import { inclusiveEnd, requireCvDateTime, requireCvTime } from '../common/time';
import { DeviceService } from '../device/device.service';
import type { Device } from '../device/device.entity';
import { GATEWAY_EXTENSIONS_TAG } from '../swagger';
import { AttApplyService } from './att-apply.service';
import { AttPoint } from './att-point.entity';
import { insertOf } from '../database/columns';
import { AttendanceHooks } from './attendance-hooks';
import {
  ApplyItemDto,
  ApplyListDto,
  AttPersonSettingsDto,
  AttPointDto,
  AttRecoverDto,
  TerminalCommandDto,
  TerminalOperlogDto,
  TerminalPhotoDto,
  TerminalRecordListDto,
  TerminalUploadDto,
} from './dto/attendance.dto';
import { listOperlogs, listPhotos, listUploads, type TerminalRecordFilter } from './att-terminal-records';
import { TerminalCommandService } from './terminal-command.service';

const MARK_POINT = `INSERT INTO ${insertOf(AttPoint, ['doorId'])} ON CONFLICT DO NOTHING`;

import { Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { keepsStringPins } from '../person/pin-value';

/** Attendance operations CVSecurity does in its UI. */
@ApiTags(GATEWAY_EXTENSIONS_TAG)
@Controller('api/gateway/attendance')
export class AttGatewayController {
  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly applies: AttApplyService,
    private readonly hooks: AttendanceHooks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly terminalCommands: TerminalCommandService,
  ) {}

  /** An admitted attendance terminal or FaceKiosk (-200 otherwise). */
  private requireTerminal(sn: string): Promise<Device> {
    return this.terminalCommands.requireTerminal(sn);
  }

  @Get('points')
  @ApiOperation({ summary: 'Gateway: doors whose access events count as attendance punches (listAttTransaction)' })
  @ApiOkResponse({ type: listEnvelopeOf(AttPointDto) })
  async points(): Promise<Envelope<AttPointDto[]>> {
    const rows: Array<{ door_id: string }> = await this.ds.query(`SELECT door_id FROM att_point ORDER BY created_at, door_id`);
    return ok(rows.map((r) => ({ doorId: r.door_id })));
  }

  @Post('points')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: mark a door as an attendance point' })
  @ApiOkResponse({ type: EnvelopeDto })
  async addPoint(@CvInput() dto: AttPointDto): Promise<Envelope<null>> {
    const [door] = await this.ds.query(`SELECT id FROM door WHERE id = $1`, [dto.doorId]);
    if (!door) throw new CvError(CvCode.DoorNotExist, `Door doesn't exist: ${dto.doorId}`);
    await this.ds.query(MARK_POINT, [dto.doorId]);
    return ok(null);
  }

  @Delete('points/:doorId')
  @ApiOperation({ summary: 'Gateway: unmark an attendance point' })
  @ApiParam({ name: 'doorId' })
  @ApiOkResponse({ type: EnvelopeDto })
  async removePoint(@Param('doorId') doorId: string): Promise<Envelope<null>> {
    // A door that is no point is unmarked already (success, as deleteLevel of a level the person lacks); an id
    // that names no door was answered success too, as if a point had been removed: -47, the manual's text, as addPoint and the door calls answer it.
    const [{ removed, door }] = await this.ds.query(
      `WITH gone AS (DELETE FROM att_point WHERE door_id = $1 RETURNING 1)
       SELECT (SELECT count(*)::int FROM gone) AS removed, EXISTS (SELECT 1 FROM door WHERE id = $1) AS door`,
      [doorId],
    );
    if (removed === 0 && !door) throw new CvError(CvCode.DoorNotExist, `Door doesn't exist: ${doorId}`);
    return ok(null);
  }

  @Post('terminals/:sn/recover')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: ask a terminal for its punches of a period again (DATA QUERY ATTLOG); what comes back is stored once' })
  @ApiParam({ name: 'sn', example: 'CEXB193160012' })
  @ApiOkResponse({ type: envelopeOf(String) })
  async recover(@Param('sn') sn: string, @CvInput() dto: AttRecoverDto): Promise<Envelope<string>> {
    return ok((await this.terminalCommands.recover(sn, dto)).command);
  }

  @Post('terminals/:sn/sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: send a terminal or kiosk everything it should hold again' })
  @ApiParam({ name: 'sn', example: 'CEXB193160012' })
  @ApiOkResponse({ type: EnvelopeDto })
  async fullSync(@Param('sn') sn: string): Promise<Envelope<null>> {
    const d = await this.requireTerminal(sn);
    await this.hooks.fullSync(d.id);
    return ok(null);
  }

  @Post('terminals/:sn/command')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: queue a terminal command (INFO, CHECK, LOG, REBOOT, AC_UNLOCK, AC_UNALARM, CLEAR …, RELOAD OPTIONS, remote enrolment, DATA QUERY USERINFO); answers the command text, its result comes on the device command queue. REBOOT, AC_UNLOCK and AC_UNALARM are remote actions: refused for an offline terminal (-1, nothing queued) and dropped if not fetched within DEVICE_ACTION_VALID_SECONDS' })
  @ApiParam({ name: 'sn', example: 'CEXB193160012' })
  @ApiOkResponse({ type: envelopeOf(String) })
  async command(@Param('sn') sn: string, @CvInput() dto: TerminalCommandDto): Promise<Envelope<string>> {
    return ok((await this.terminalCommands.send(sn, dto.action, dto.pin, dto.fingerId)).command);
  }

  /** The filter of a terminal's record list; the terminal need not be admitted still (what it uploaded stays). */
  private async recordFilter(sn: string, dto: TerminalRecordListDto): Promise<TerminalRecordFilter> {
    const d = await this.devices.findBySn(sn.trim());
    if (!d || !['att', 'facekiosk'].includes(d.kindOverride ?? d.kind)) throw new CvError(CvCode.SnRequired, `No attendance terminal or kiosk: ${sn}`);
    const from = dto.startTime ? requireCvDateTime(dto.startTime, this.config.timeZone, 'startTime') : undefined;
    // A bare end date includes its day (the bound is inclusive), as recover and the transaction lists read it.
    const to = dto.endTime ? inclusiveEnd(requireCvTime(dto.endTime, this.config.timeZone, 'endTime'), this.config.timeZone) : undefined;
    if (from && to && from.getTime() > to.getTime()) throw new CvError(CvCode.StartAfterEnd, 'Start time cannot be greater than end time');
    return { sn: d.sn, from, to, pin: dto.pin || undefined, numericPins: !keepsStringPins(d.capabilities), table: dto.table || undefined, page: pageIfAsked(dto) };
  }

  @Get('terminals/:sn/operlogs')
  @ApiOperation({ summary: 'Gateway: the operation records (OPERLOG OPLOG lines) a terminal uploaded, newest first; startTime/endTime, paging' })
  @ApiParam({ name: 'sn', example: 'CEXB193160012' })
  @ApiOkResponse({ type: listEnvelopeOf(TerminalOperlogDto) })
  async operlogs(@Param('sn') sn: string, @CvInput() dto: TerminalRecordListDto): Promise<Envelope<TerminalOperlogDto[]>> {
    return ok(await listOperlogs(this.ds, await this.recordFilter(sn, dto), this.config.timeZone));
  }

  @Get('terminals/:sn/photos')
  @ApiOperation({ summary: 'Gateway: the attendance photos (ATTPHOTO) a terminal uploaded, newest first, base64; pin, startTime/endTime, paging' })
  @ApiParam({ name: 'sn', example: 'CEXB193160012' })
  @ApiOkResponse({ type: listEnvelopeOf(TerminalPhotoDto) })
  async photos(@Param('sn') sn: string, @CvInput() dto: TerminalRecordListDto): Promise<Envelope<TerminalPhotoDto[]>> {
    return ok(await listPhotos(this.ds, await this.recordFilter(sn, dto), this.config.timeZone));
  }

  @Get('terminals/:sn/uploads')
  @ApiOperation({
    summary: 'Gateway: the records a terminal sent that are kept as they came (IDCARD, ERRORLOG, OPERLOG.BIOPHOTO, ATTLOG.idcard, refused lines <table>.rejected, ...), newest first; table, pin, startTime/endTime (received), paging',
  })
  @ApiParam({ name: 'sn', example: 'CEXB193160012' })
  @ApiOkResponse({ type: listEnvelopeOf(TerminalUploadDto) })
  async uploads(@Param('sn') sn: string, @CvInput() dto: TerminalRecordListDto): Promise<Envelope<TerminalUploadDto[]>> {
    return ok(await listUploads(this.ds, await this.recordFilter(sn, dto), this.config.timeZone));
  }

  @Get('persons/:pin')
  @ApiOperation({
    summary:
      "Gateway: a person's attendance settings (editAttPerson's, with defaults for a person never edited) and what the terminals reported for them: terminalDisabled (an odd Pri: the user disabled at a terminal), terminalGrp, terminalTz; -22 for an unknown pin",
  })
  @ApiParam({ name: 'pin' })
  @ApiOkResponse({ type: envelopeOf(AttPersonSettingsDto) })
  async person(@Param('pin') pin: string): Promise<Envelope<AttPersonSettingsDto>> {
    const [r]: Array<{ pin: string; is_attendance: boolean | null; per_dev_auth: number | null; verify_mode: number | null; terminal_disabled: boolean | null; terminal_grp: number | null; terminal_tz: string | null }> =
      await this.ds.query(
        `SELECT p.pin, ap.is_attendance, ap.per_dev_auth, ap.verify_mode, ap.terminal_disabled, ap.terminal_grp, ap.terminal_tz
           FROM person p LEFT JOIN att_person ap ON ap.person_id = p.id WHERE p.pin = $1`,
        [pin.trim()],
      );
    if (!r) throw personNotExist(pin);
    return ok({
      personPin: r.pin,
      isAttendance: r.is_attendance ?? true,
      perDevAuth: r.per_dev_auth ?? 0,
      verifyMode: r.verify_mode,
      terminalDisabled: r.terminal_disabled ?? false,
      terminalGrp: r.terminal_grp,
      terminalTz: r.terminal_tz,
    });
  }

  @Get('applications')
  @ApiOperation({ summary: 'Gateway: attendance applications (attApply), newest first; filter by personPin and kind' })
  @ApiOkResponse({ type: listEnvelopeOf(ApplyItemDto) })
  async applications(@CvInput() dto: ApplyListDto): Promise<Envelope<ApplyItemDto[]>> {
    const page = pageIfAsked(dto);
    return ok(await this.applies.list(dto, page));
  }
}
