import { Base64Input } from '../../common/base64-text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ListInput } from '../../common/client-forms';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { MAX_PHOTO_CHARS } from '../../common/limits';
import { IsCvPin } from '../../common/pin.decorator';
import { OptionalPagingDto, PagingDto } from '../../common/paging';
import { ToBoolean, ToInteger, ToTrimmedString } from '../../common/transforms';
import { DeviceTransactionListDto } from '../../transaction/dto/transaction-query.dto';

// ---- 2.21 listAttTransaction ----

export class AttTransactionListDto extends DeviceTransactionListDto {}

export class AttTransactionItemDto {
  @ApiProperty({ example: '402856aa6c3c5063016c3cb5a88f001b', description: 'record id (32 hex)' }) id!: string;
  @ApiProperty({ example: '2017-08-04 15:59:12', description: 'punch time, server time zone' }) eventTime!: string;
  @ApiProperty({ example: '1452' }) pin!: string;
  @ApiProperty({ example: 'Ann' }) name!: string;
  @ApiProperty({ example: 'Lee' }) lastName!: string;
  @ApiProperty({ example: 'General' }) deptName!: string;
  @ApiProperty({ example: 'areaname' }) areaName!: string;
  @ApiProperty({ example: '' }) cardNo!: string;
  @ApiProperty({ example: '5662012052868' }) devSn!: string;
  @ApiProperty({ example: 'Fingerprint' }) verifyModeName!: string;
  @ApiProperty({ example: 'Check-In', description: 'attendance state of a terminal punch, or the access event name at an attendance point' }) eventName!: string;
  @ApiProperty({ example: '192.168.214.15', description: 'terminal name, or the door of an attendance point' }) eventPointName!: string;
  @ApiProperty({ example: '', description: 'reader of an attendance point; empty for terminal punches' }) readerName!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) accZone!: string | null;
  @ApiProperty({ example: '192.168.214.15' }) devName!: string;
  @ApiProperty({ example: 11734, nullable: true, type: Number, description: 'device record index when the device reports one' }) logId!: number | null;
}

// ---- 2.22 / 2.29 devices ----

export class AttDeviceSnDto {
  @ApiProperty({ example: 'CEXB193160012', description: 'device serial number' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DeviceSnNull } })
  @IsNotEmpty({ context: { code: CvCode.DeviceSnNull } })
  @MaxLength(64)
  sn!: string;
}

export class AttDeviceListDto extends PagingDto {}

export class AttDeviceResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc210d90016' }) id!: string;
  @ApiProperty({ example: 'CEXB193160012' }) sn!: string;
  @ApiProperty({ example: 'CEXB193160012' }) name!: string;
  @ApiProperty({ example: 'ZK-S1007', description: 'model the terminal reported (~DeviceName of its options); empty until it has' }) type!: string;
  @ApiProperty({ example: '1', description: '"1" enabled, "0" disabled' }) status!: string;
  @ApiProperty({ example: 'att', description: '"att" (attendance) or "ins" (FaceKiosk)' }) module!: string;
}

// ---- 2.8 / 2.28 area persons ----

/** `pins` as a comma-separated string (2.8.1, 2.28) or an array (2.8.2): both are accepted everywhere. */
export class AreaPersonDto {
  @ApiProperty({ example: '1', description: 'area code (a number is accepted too), or the area id (32 hex)' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.AreaIdNull } })
  @IsNotEmpty({ context: { code: CvCode.AreaIdNull } })
  @MaxLength(100)
  code!: string;

  @ApiProperty({ example: ['5'], description: 'pins: an array, or one comma-separated string; at most 500', oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] })
  @ListInput('array')
  @IsString({ each: true, context: { code: CvCode.PinsNull } })
  @IsNotEmpty({ context: { code: CvCode.PinsNull } })
  @ArrayMaxSize(500, { context: { code: CvCode.PinsTooLong } })
  @MaxLength(64, { each: true })
  pins!: string[];
}

export class InsAreaListDto extends OptionalPagingDto {}

export class InsAreaResponseDto {
  @ApiProperty({ example: '402855b27d4b9eb4017d4ba051690002' }) id!: string;
  @ApiProperty({ example: '1' }) code!: string;
  @ApiProperty({ example: 'Area name' }) name!: string;
}

// ---- 2.24.5 / 2.27.1 person settings ----

export class EditAttPersonDto {
  @ApiProperty({ example: '1', description: 'person pin (a number is accepted)' })
  @IsCvPin()
  personPin!: string;

  @ApiPropertyOptional({ example: true, description: 'counted for attendance' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ context: { code: CvCode.InvalidParameter } })
  isAttendance?: boolean;

  @ApiPropertyOptional({ example: 0, description: 'device privilege: 0 ordinary, 2 registrar, 6 administrator, 14 super administrator' })
  @IsOptional()
  @ToInteger()
  @IsIn([0, 2, 6, 14], { context: { code: CvCode.InvalidParameter } })
  perDevAuth?: number;

  @ApiPropertyOptional({ example: 0, description: 'verify mode 0-29 (0 automatic recognition, 1 fingerprint only, 15 face, ...)' })
  @IsOptional()
  @ToInteger()
  @IsInt({ context: { code: CvCode.InvalidParameter } })
  @Min(0, { context: { code: CvCode.InvalidParameter } })
  @Max(29, { context: { code: CvCode.InvalidParameter } })
  verifyMode?: number;
}

export class EditInsPersonDto {
  @ApiProperty({ example: '1' })
  @IsCvPin()
  personPin!: string;

  @ApiPropertyOptional({ example: 0, description: 'category: 0 ordinary, 1 VIP, 2 blacklist (blocked on the kiosks)' })
  @IsOptional()
  @ToInteger()
  @IsIn([0, 1, 2], { context: { code: CvCode.InvalidParameter } })
  category?: number;

  @ApiPropertyOptional({ example: 0, description: 'device privilege: 0 ordinary, 14 super administrator' })
  @IsOptional()
  @ToInteger()
  @IsIn([0, 14], { context: { code: CvCode.InvalidParameter } })
  perDevAuth?: number;
}

// ---- 2.23 attApply ----

const DT = 'yyyy-MM-dd HH:mm:ss, server time zone';

export class ApplySignDto {
  @ApiProperty({ example: '1' }) @IsCvPin() personPin!: string;
  @ApiProperty({ example: '2021-11-19 18:00:00', description: DT })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.TimeFormat } })
  @IsNotEmpty({ context: { code: CvCode.TimeFormat } })
  @MaxLength(40, { context: { code: CvCode.TimeFormat } })
  signDatetime!: string;
  @ApiPropertyOptional({ example: 'api' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(255) remark?: string;
}

export class ApplyPeriodDto {
  @ApiProperty({ example: '1' }) @IsCvPin() personPin!: string;
  @ApiProperty({ example: '2021-11-19 13:00:00', description: DT })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.TimeFormat } })
  @IsNotEmpty({ context: { code: CvCode.TimeFormat } })
  @MaxLength(40, { context: { code: CvCode.TimeFormat } })
  startDatetime!: string;
  @ApiProperty({ example: '2021-11-19 18:00:00', description: DT })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.TimeFormat } })
  @IsNotEmpty({ context: { code: CvCode.TimeFormat } })
  @MaxLength(40, { context: { code: CvCode.TimeFormat } })
  endDatetime!: string;
  @ApiPropertyOptional({ example: 'api' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(255) remark?: string;
}

export class ApplyLeaveDto extends ApplyPeriodDto {
  @ApiProperty({ example: 'L1', description: 'leave type number (getLeaveTypeList)' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.InvalidParameter } })
  @IsNotEmpty({ context: { code: CvCode.InvalidParameter } })
  @MaxLength(32)
  leaveTypeNo!: string;
  @ApiPropertyOptional({ example: '/fileresource/att/leave/image/2021-12-03/1638503394663.jpg', description: 'path returned by uploadLeaveImage' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(255)
  leaveImagePath?: string;
}

/**
 * getApplyTimeLong (2.23.6) takes the applyLeave body, with the leave type as required as there: the manual marks
 * only leaveImagePath optional. Without it the gateway answered a duration for a leave of no type.
 */
export class ApplyTimeLongDto extends ApplyLeaveDto {}

export class UploadLeaveImageDto {
  @ApiProperty({ example: '/9j/4AAQSkZJRgABAQ...', description: 'picture, base64 (a data: URL prefix is accepted)' })
  @Base64Input()
  @IsString({ context: { code: CvCode.InvalidPhoto } })
  @IsNotEmpty({ context: { code: CvCode.InvalidPhoto } })
  @MaxLength(MAX_PHOTO_CHARS, { context: { code: CvCode.PayloadTooLarge } })
  base64Image!: string;
}

export class LeaveTypeDto {
  @ApiProperty({ example: 'L1' }) leaveTypeNo!: string;
  @ApiProperty({ example: 'personal leave' }) leaveTypeName!: string;
}

export class ApplyListDto extends OptionalPagingDto {
  @ApiPropertyOptional({ example: '1' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64) personPin?: string;
  @ApiPropertyOptional({ example: 'leave', enum: ['sign', 'overtime', 'leave'] }) @IsOptional() @IsIn(['sign', 'overtime', 'leave']) kind?: string;
}

export class ApplyItemDto {
  @ApiProperty({ example: '402855b27d4b9eb4017d4ba051690002' }) id!: string;
  @ApiProperty({ example: 'leave', enum: ['sign', 'overtime', 'leave'] }) kind!: string;
  @ApiProperty({ example: '1' }) personPin!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) signDatetime!: string | null;
  @ApiProperty({ example: '2021-11-19 13:00:00', nullable: true, type: String }) startDatetime!: string | null;
  @ApiProperty({ example: '2021-11-19 18:00:00', nullable: true, type: String }) endDatetime!: string | null;
  @ApiProperty({ example: 'L1', nullable: true, type: String }) leaveTypeNo!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) leaveImagePath!: string | null;
  @ApiProperty({ example: 'api', nullable: true, type: String }) remark!: string | null;
  @ApiProperty({ example: '2021-11-19 12:00:00' }) createTime!: string;
}

// ---- gateway extensions ----

/**
 * A person's attendance settings as the gateway holds them: what editAttPerson (2.24.5) wrote, and what the
 * terminals last reported for the person on their USER line (Grp, TZ, the disabled bit of Pri), which the manual's
 * endpoints do not print.
 */
export class AttPersonSettingsDto {
  @ApiProperty({ example: '1' }) personPin!: string;
  @ApiProperty({ example: true, description: 'counted for attendance (editAttPerson isAttendance)' }) isAttendance!: boolean;
  @ApiProperty({ example: 0, description: 'device privilege: 0 ordinary, 2 registrar, 6 administrator, 14 super administrator' }) perDevAuth!: number;
  @ApiProperty({ example: null, nullable: true, type: Number, description: "verify mode 0-29; null: the terminal group's" }) verifyMode!: number | null;
  @ApiProperty({ example: false, description: "disabled at an attendance terminal (an odd Pri on the terminal's USER line); sent back to the terminals as it is" })
  terminalDisabled!: boolean;
  @ApiProperty({ example: null, nullable: true, type: Number, description: 'terminal group (Grp) a terminal last reported; null: never, group 1' }) terminalGrp!: number | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'time periods (TZ, 16 digits) a terminal last reported; null: never' })
  terminalTz!: string | null;
}

export class AttPointDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff', description: 'door id' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DoorIdNull } })
  @IsNotEmpty({ context: { code: CvCode.DoorIdNull } })
  @MaxLength(32)
  doorId!: string;
}

export class AttRecoverDto {
  @ApiProperty({ example: '2026-03-01 00:00:00', description: DT })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.TimeFormat } })
  @IsNotEmpty({ context: { code: CvCode.TimeFormat } })
  @MaxLength(40)
  startTime!: string;
  @ApiProperty({ example: '2026-03-01 23:59:59', description: DT })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.TimeFormat } })
  @IsNotEmpty({ context: { code: CvCode.TimeFormat } })
  @MaxLength(40)
  endTime!: string;
}

export const TERMINAL_ACTIONS = ['info', 'check', 'log', 'reboot', 'unlock', 'unalarm', 'clearLog', 'clearPhoto', 'clearData', 'clearBiodata', 'reloadOptions', 'enrollFingerprint', 'enrollCard', 'enrollFace', 'queryUser'] as const;
export type TerminalAction = (typeof TERMINAL_ACTIONS)[number];

export class TerminalCommandDto {
  @ApiProperty({ example: 'enrollFingerprint', enum: TERMINAL_ACTIONS, description: 'what the terminal should do (attendance manual 12.2-12.7)' })
  @IsIn(TERMINAL_ACTIONS as unknown as string[], { context: { code: CvCode.InvalidParameter } })
  action!: TerminalAction;

  @ApiPropertyOptional({ example: '1', description: 'person pin (enrolment, queryUser)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  pin?: string;

  @ApiPropertyOptional({ example: 6, description: 'finger 0-9 (enrollFingerprint)' })
  @IsOptional()
  @ToInteger()
  @IsInt({ context: { code: CvCode.InvalidParameter } })
  @Min(0, { context: { code: CvCode.InvalidParameter } })
  @Max(9, { context: { code: CvCode.InvalidParameter } })
  fingerId?: number;
}

export class TerminalRecordListDto extends OptionalPagingDto {
  @ApiPropertyOptional({ example: '2026-04-01 00:00:00', description: 'from this time (server time zone), inclusive' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(40)
  startTime?: string;

  @ApiPropertyOptional({ example: '2026-04-30 23:59:59', description: 'up to this time (server time zone), inclusive' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(40)
  endTime?: string;

  @ApiPropertyOptional({ example: '1', description: 'photos and uploads: of this PIN only' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  pin?: string;

  @ApiPropertyOptional({ example: 'IDCARD', description: 'uploads: of this table only (IDCARD, ERRORLOG, OPERLOG.BIOPHOTO, ATTLOG.idcard, ATTLOG.rejected, ...)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  table?: string;
}

export class TerminalOperlogDto {
  @ApiProperty({ example: '17' }) id!: string;
  @ApiProperty({ example: 'CEXB193160012' }) devSn!: string;
  @ApiProperty({ example: 6, description: 'OpType (attendance manual 11.4, Appendix 4)' }) opType!: number;
  @ApiProperty({ example: '0', description: 'OpWho: the administrator who did it (0 = none)' }) opWho!: string;
  @ApiProperty({ example: '2026-04-01 08:00:00', description: 'OpTime, server time zone' }) opTime!: string;
  @ApiProperty({ example: ['1', '0', '0'], type: [String], description: 'Value1, Value2, Value3 and Reserved, as uploaded' }) operands!: string[];
}

export class TerminalPhotoDto {
  @ApiProperty({ example: '5' }) id!: string;
  @ApiProperty({ example: 'CEXB193160012' }) devSn!: string;
  @ApiProperty({ example: '20260401080000-1.jpg' }) fileName!: string;
  @ApiProperty({ example: '1', nullable: true, type: String }) pin!: string | null;
  @ApiProperty({ example: '2026-04-01 08:00:00', nullable: true, type: String, description: 'from the file name, server time zone' }) photoTime!: string | null;
  @ApiProperty({ example: 9512, description: 'bytes' }) size!: number;
  @ApiProperty({ example: '/9j/4AAQSkZJRgABAQ==', description: 'the photo, base64' }) photoBase64!: string;
}

export class TerminalUploadDto {
  @ApiProperty({ example: '12' }) id!: string;
  @ApiProperty({ example: 'CEXB193160012' }) devSn!: string;
  @ApiProperty({ example: 'IDCARD', description: 'the table, or <table>.rejected for a refused line' }) table!: string;
  @ApiProperty({ example: '1', nullable: true, type: String }) pin!: string | null;
  @ApiProperty({ example: { PIN: '1', IDNum: '110101199003077777' }, type: 'object', additionalProperties: { type: 'string' }, description: 'the record as kept: its fields, or {"line": …}' })
  record!: Record<string, string>;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'the DATA QUERY command a query result answers' }) cmdId!: string | null;
  @ApiProperty({ example: '2026-04-01 08:00:00', description: 'when it was received, server time zone' }) receivedAt!: string;
}
