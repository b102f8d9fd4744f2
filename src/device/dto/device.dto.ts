import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { OptionalPagingDto, PagingDto } from '../../common/paging';
import { ToBoolean, ToInteger, ToTrimmedString } from '../../common/transforms';
import type { Device } from '../device.entity';
import { DEVICE_KINDS, type DeviceKind } from '../device-kind';

export class DeviceListDto extends PagingDto {}

export class DeviceSnDto {
  @ApiProperty({ example: '5662012052868', description: 'device serial number' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DeviceSnNull } })
  @IsNotEmpty({ context: { code: CvCode.DeviceSnNull } })
  @MaxLength(64)
  sn!: string;
}

/** The model name: the registration's ~DeviceName (e.g. inBIO460, SpeedFace-V5L), else its DeviceType. */
export function deviceModel(d: Device): string | null {
  return d.deviceName ?? d.deviceType ?? null;
}

/** "1" enabled (admitted), "0" disabled: the administrative state, not online/offline. */
export function deviceState(d: Device): string {
  return d.admission === 'admitted' ? '1' : '0';
}

export class DeviceResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: '0564140100195' }) sn!: string;
  @ApiProperty({ example: '192.168.218.104', description: 'device name (alias), by default its IP address' }) name!: string;
  @ApiProperty({ example: 'inBIO160', nullable: true, type: String, description: 'device model' }) type!: string | null;
  @ApiProperty({ example: '1', description: '"1" enabled, "0" disabled' }) state!: string;
  @ApiProperty({ example: 'acc', description: 'owning module; always "acc" here' }) module!: string;
}

/** v1 device object (2.9.1, 2.9.2). */
export function toDeviceResponse(d: Device): DeviceResponseDto {
  return { id: d.id, sn: d.sn, name: d.alias, type: deviceModel(d), state: deviceState(d), module: 'acc' };
}

export class DeviceV2ResponseDto {
  @ApiProperty({ example: '8a888e238478c3a6018478e40ee40a64' }) id!: string;
  @ApiProperty({ example: 'CJI4200960003' }) sn!: string;
  @ApiProperty({ example: '10.8.14.142' }) name!: string;
  @ApiProperty({ example: 'SpeedFace-V5L', nullable: true, type: String }) type!: string | null;
  @ApiProperty({ example: '1', description: '"1" enabled, "0" disabled (v2 names it status)' }) status!: string;
  @ApiProperty({ example: 'acc' }) module!: string;
}

/** v2 device object (2.9.3): the manual's example names the state "status". */
export function toDeviceV2Response(d: Device): DeviceV2ResponseDto {
  return { id: d.id, sn: d.sn, name: d.alias, type: deviceModel(d), status: deviceState(d), module: 'acc' };
}

// ---- Gateway extensions ----

export class DeviceGatewayListDto extends OptionalPagingDto {
  @ApiPropertyOptional({ enum: ['pending', 'admitted', 'disabled'], description: 'only devices in this admission state' })
  @IsOptional()
  @IsIn(['pending', 'admitted', 'disabled'])
  admission?: 'pending' | 'admitted' | 'disabled';

  @ApiPropertyOptional({ enum: DEVICE_KINDS, description: 'only devices of this (effective) kind' })
  @IsOptional()
  @IsIn(DEVICE_KINDS)
  kind?: DeviceKind;
}

export class DeviceKindDto {
  @ApiProperty({
    enum: DEVICE_KINDS,
    nullable: true,
    example: 'att',
    description: 'acc access panel, att attendance terminal, facekiosk FaceKiosk, ele elevator controller, psg channel controller; null clears the override',
  })
  @IsIn([...DEVICE_KINDS, null])
  kind!: DeviceKind | null;
}

export class DeviceAddDto {
  @ApiProperty({ example: '0564140100195', description: "the device's serial number (SN), as it will send it: 1-64 printable characters, no spaces" })
  @ToTrimmedString()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,64}$/, { message: 'sn: 1-64 printable characters without spaces, as the device sends it' })
  sn!: string;

  @ApiPropertyOptional({ example: 'Main entrance', description: 'device name (alias); its doors are named <alias>-<n> when it registers. Default: the SN, then its IP address once it registers' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  alias?: string;
}

export class DeviceRenameDto {
  @ApiProperty({ example: 'Main entrance', description: 'new device name (alias)' })
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  alias!: string;

  @ApiPropertyOptional({
    example: true,
    description: "also rename doors, readers and an elevator controller's floors still named after the old alias (<alias>-<n>, <alias>-<n>-In/-Out); default false",
  })
  @IsOptional()
  @ToBoolean()
  renameDoors?: boolean;
}

export class DeviceMoveDto {
  @ApiProperty({ example: '2', description: 'code of the target area, or its id (32 hex)' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.AreaIdNull } })
  @IsNotEmpty({ context: { code: CvCode.AreaIdNull } })
  @MaxLength(100)
  areaCode!: string;
}

export class DeviceDoorSummaryDto {
  @ApiProperty({ example: '402856aa6c083827016c08582f8f0012' }) id!: string;
  @ApiProperty({ example: 1 }) doorNo!: number;
  @ApiProperty({ example: '192.168.214.15-1' }) name!: string;
}

export class DeviceCapacityDto {
  @ApiProperty({ example: 30000, nullable: true, type: Number, description: '~MaxUserCount: users (cards) the device can hold; null when it never said' }) maxUserCount!: number | null;
  @ApiProperty({ example: 100000, nullable: true, type: Number, description: '~MaxAttLogCount: records it can hold' }) maxAttLogCount!: number | null;
  @ApiProperty({ example: 3000, nullable: true, type: Number, description: '~MaxFingerCount: fingerprints it can hold' }) maxFingerCount!: number | null;
  @ApiProperty({ example: 1500, nullable: true, type: Number, description: '~MaxFaceCount: faces it can hold' }) maxFaceCount!: number | null;
  @ApiProperty({ example: 3000, nullable: true, type: Number, description: '~MaxUserPhotoCount: user photos it can hold' }) maxUserPhotoCount!: number | null;
  @ApiProperty({ example: 2, nullable: true, type: Number, description: 'UserCount: users it said it holds, in its latest parameters or INFO result; an attendance terminal\'s latest poll INFO (its second value) wins' }) userCount!: number | null;
  @ApiProperty({ example: 4, nullable: true, type: Number, description: 'TransactionCount: records it said it holds' }) transactionCount!: number | null;
  @ApiProperty({ example: 1, nullable: true, type: Number, description: 'FPCount: fingerprints it said it holds' }) fingerCount!: number | null;
  @ApiProperty({ example: 1, nullable: true, type: Number, description: 'FaceCount: faces it said it holds' }) faceCount!: number | null;
}

export class DeviceDetailDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: '0564140100195' }) sn!: string;
  @ApiProperty({ example: '192.168.218.104' }) alias!: string;
  @ApiProperty({ example: 'admitted', enum: ['pending', 'admitted', 'disabled'] }) admission!: string;
  @ApiProperty({ example: 'acc', enum: DEVICE_KINDS, description: 'effective kind: the override when set, else the detected kind' }) kind!: DeviceKind;
  @ApiProperty({ example: 'acc', enum: DEVICE_KINDS, description: 'the kind detected from what the device says' }) detectedKind!: DeviceKind;
  @ApiProperty({ example: null, enum: DEVICE_KINDS, nullable: true, type: String, description: "an operator's override (gateway extension)" })
  kindOverride!: DeviceKind | null;
  @ApiProperty({ example: true, description: 'not silent for longer than the online window, max(3 × RequestDelay, 30 s), and a tenth (33 s by default): a terminal idle-polling every 30 to 31 s is online throughout' }) online!: boolean;
  @ApiProperty({ example: '2026-11-21 08:00:00', nullable: true, type: String, description: 'last contact, yyyy-MM-dd HH:mm:ss' }) lastSeen!: string | null;
  @ApiProperty({ example: '1', nullable: true, type: String }) areaCode!: string | null;
  @ApiProperty({ example: 'Area Name', nullable: true, type: String }) areaName!: string | null;
  @ApiProperty({ example: 'inBIO460', nullable: true, type: String }) type!: string | null;
  @ApiProperty({ example: '192.168.218.104', nullable: true, type: String }) ipAddress!: string | null;
  @ApiProperty({ example: 'AC Ver 5.7.8.3033', nullable: true, type: String }) firmVer!: string | null;
  @ApiProperty({ example: 'Ver 3.1.2S-20240809', nullable: true, type: String }) pushVersion!: string | null;
  @ApiProperty({ example: 4 }) lockCount!: number;
  @ApiProperty({ example: 8 }) readerCount!: number;
  @ApiProperty({ example: 'Europe/Berlin' }) timeZone!: string;
  @ApiProperty({ type: [DeviceDoorSummaryDto] }) doors!: DeviceDoorSummaryDto[];
  @ApiProperty({ example: '192.168.218.104', nullable: true, type: String, description: 'the address the device talks to the gateway from' })
  lastAddress!: string | null;
  @ApiProperty({
    type: () => DeviceSnConflictDto,
    nullable: true,
    description: 'a second device claimed this SN from another address while the device was online (DEVICE_SN_CONFLICT); approve the device again to make that address its own',
  })
  snConflict!: DeviceSnConflictDto | null;
  @ApiProperty({
    type: () => [DeviceRefusalDto],
    description:
      'tables and commands this firmware refused for good (Return -1002, -1004, -629 or -708), by key: `DATA <VERB> <table>` or the command name; each is probed again with backoff (`probeAt`), and a later success with the same key removes the entry',
  })
  refusedCapabilities!: DeviceRefusalDto[];
  @ApiProperty({
    type: () => DeviceCapacityDto,
    description: 'what the device says it can hold and holds, from its registration (4.4) and its latest parameters (4.6, GET OPTIONS); the sync status of the device says when more users are to be held than it can',
  })
  capacity!: DeviceCapacityDto;
}

export class DeviceRefusalDto {
  @ApiProperty({ example: 'DATA UPDATE biodata Type=9', description: '`DATA <VERB> <table>` as sent (a template update with its type: `DATA UPDATE biodata Type=9`), or the command name (`CONTROL DEVICE`, `SET OPTIONS`)' }) what!: string;
  @ApiProperty({ example: -1004, description: "the device's Return" }) returnCode!: number;
  @ApiProperty({ example: 'The data and equipment configuration are inconsistent', nullable: true, type: String, description: 'its meaning in the manuals (Appendix 1)' })
  returnMeaning!: string | null;
  @ApiProperty({ example: 2, description: 'commands refused with this key' }) refusals!: number;
  @ApiProperty({ example: 'DATA UPDATE biodata Pin=1\tNo=0\tIndex=0…', description: 'the head of the latest refused command' }) command!: string;
  @ApiProperty({ example: '2026-11-21 08:00:00', nullable: true, type: String }) firstAt!: string | null;
  @ApiProperty({ example: '2026-11-21 08:05:00', nullable: true, type: String }) lastAt!: string | null;
  @ApiProperty({
    example: '2026-11-21T08:06:00.000Z',
    format: 'date-time',
    description:
      'when the key is tried again (ISO time): a refusal for good is probed again with backoff, SYNC_REFUSAL_PROBE_MS doubling per refusal up to SYNC_REFUSAL_PROBE_MAX_MS; a success removes the entry',
  })
  probeAt!: string;
  @ApiProperty({
    example: null,
    nullable: true,
    type: Number,
    description:
      'a refused clear (`DATA DELETE user *`, `DATA DELETE userauthorize *`, or the delete by PIN `DATA DELETE user` that leaves the clear out): rows the latest count found on the device beyond those it confirmed, records the database does not give it and no full sync can take off (the device is divergent while set; null once a count matches)',
  })
  excessRows!: number | null;
}

export class DeviceSnConflictDto {
  @ApiProperty({ example: '192.168.218.77', description: 'the other address' }) address!: string;
  @ApiProperty({ example: '2026-11-21 08:00:00', nullable: true, type: String, description: 'last time it was refused (or allowed)' }) at!: string | null;
}

export class DeviceSyncResultDto {
  @ApiProperty({ example: '0564140100195' }) sn!: string;
  @ApiProperty({ example: 'success: a full sync is queued', description: 'what was queued' }) result!: string;
}


/** What ENROLL_BIO may enrol (9.6.2 TYPE, Appendix 18): finger, NIR face, finger vein, palm, visible-light face. */
export const ENROLL_BIO_TYPES = [1, 2, 7, 8, 9] as const;

/** Panel-wide commands an operator sends an access, elevator or channel controller (Security PUSH 9.4, 9.5). */
export const DEVICE_CONTROL_ACTIONS = ['reboot', 'syncTime', 'cancelAlarm', 'getOptions', 'enroll'] as const;
export type DeviceControlAction = (typeof DEVICE_CONTROL_ACTIONS)[number];

export class DeviceControlDto {
  @ApiProperty({
    example: 'syncTime',
    enum: DEVICE_CONTROL_ACTIONS,
    description:
      'reboot: `CONTROL DEVICE 03000000`; syncTime: `SET OPTIONS DateTime=<now, in the device zone>` (9.5.1); cancelAlarm: the alarms of every door, `CONTROL DEVICE 02000000`; getOptions: `GET OPTIONS <names>` (9.5.2), whose answer is read at GET /api/gateway/devices/{sn}/options; enroll: `ENROLL_BIO` (9.6.2), the person enrols at the panel, whose upload is stored as their template and sent to their other devices',
  })
  @IsIn(DEVICE_CONTROL_ACTIONS as unknown as string[], { context: { code: CvCode.InvalidParameter } })
  action!: DeviceControlAction;

  @ApiPropertyOptional({
    example: 'FirmVer,LockCount,~DeviceName',
    description: 'getOptions: the option names, comma-separated (default: the identity and capacity options of 9.5.2\'s first example and the function switches FingerFunOn, FaceFunOn, FvFunOn, PvFunOn of its second)',
  })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.InvalidParameter } })
  @MaxLength(2000)
  options?: string;

  @ApiPropertyOptional({ example: '1', description: 'enroll: the person\'s pin' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.PinEmpty } })
  @MaxLength(64)
  pin?: string;

  @ApiPropertyOptional({ example: 1, enum: ENROLL_BIO_TYPES, description: 'enroll: what to enrol (Appendix 18): 1 fingerprint (default), 2 near-infrared face, 7 finger vein, 8 palm, 9 visible-light face' })
  @IsOptional()
  @ToInteger()
  @IsIn(ENROLL_BIO_TYPES as unknown as number[], { context: { code: CvCode.InvalidParameter } })
  bioType?: number;

  @ApiPropertyOptional({ example: 6, description: 'enroll: the finger 0-9 (a palm: 0 left, 1 right; a face: 0); default 0' })
  @IsOptional()
  @ToInteger()
  @IsInt({ context: { code: CvCode.InvalidParameter } })
  @Min(0, { context: { code: CvCode.InvalidParameter } })
  @Max(9, { context: { code: CvCode.InvalidParameter } })
  templateNo?: number;
}

export class DeviceControlResultDto {
  @ApiProperty({ example: '0564140100195' }) deviceSn!: string;
  @ApiProperty({ example: 'CONTROL DEVICE 03000000', description: 'the command as queued; a syncTime (SET OPTIONS DateTime=) is written again with the current time each time it is handed to the device, so the commands queue shows the value that went out' }) command!: string;
  @ApiProperty({ example: '812', nullable: true, type: String, description: 'queue id: GET /api/gateway/devices/{sn}/commands shows the Return the device answered' })
  commandId!: string | null;
  @ApiProperty({ example: 60, nullable: true, type: Number, description: 'seconds the action waits for its device before it is dropped (DEVICE_ACTION_VALID_SECONDS); null: a query, kept until delivered' })
  validSeconds!: number | null;
  @ApiPropertyOptional({
    enum: ['done', 'pending', 'sent'],
    description: 'pending at once by default; with DEVICE_ACTION_WAIT_MS set, an action (reboot, syncTime, cancelAlarm) waits up to that long for the device: done, it returned >= 0 (returnCode); sent, delivered and not answered yet; pending, not fetched yet (a refusal answers -1). getOptions and enroll answer pending at once',
  })
  state?: 'done' | 'pending' | 'sent';
  @ApiPropertyOptional({ example: 0, nullable: true, type: Number, description: "the device's Return once done" })
  returnCode?: number | null;
}

export class DeviceOptionDto {
  @ApiProperty({ example: 'FirmVer' }) name!: string;
  @ApiProperty({ example: 'AC Ver 4.7.8.3033 Aug 14 2023' }) value!: string;
  @ApiProperty({ example: '2026-11-21 08:00:00', nullable: true, type: String, description: 'when the device reported it (a GET OPTIONS answer or its options upload)' })
  reportedAt!: string | null;
}

export const TRANSACTION_QUERY_RECORDS = ['new', 'all', 'period'] as const;
export type TransactionQueryRecords = (typeof TRANSACTION_QUERY_RECORDS)[number];
const PERIOD_TIME = 'period: yyyy-MM-dd HH:mm:ss in the gateway\'s time zone (a bare date ends with its day); sent in the panel\'s own wall clock';

/** CVSecurity's Device > Get transactions: which access records the panel is asked for. */
export class DeviceGetTransactionsDto {
  @ApiProperty({
    example: 'new',
    enum: TRANSACTION_QUERY_RECORDS,
    description:
      'new: the records the panel has not uploaded (`DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord`); all: every record it keeps (`filter=*`); period: those of startTime-endTime, both included (`filter=starttime=<HT>endtime=`, 9.1.4)',
  })
  @IsIn(TRANSACTION_QUERY_RECORDS as unknown as string[], { context: { code: CvCode.InvalidParameter } })
  records!: TransactionQueryRecords;

  @ApiPropertyOptional({ example: '2026-03-01 00:00:00', description: PERIOD_TIME })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.TimeFormat } })
  @MaxLength(40)
  startTime?: string;

  @ApiPropertyOptional({ example: '2026-03-01 23:59:59', description: PERIOD_TIME })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.TimeFormat } })
  @MaxLength(40)
  endTime?: string;
}

export class DeviceQueuedCommandDto {
  @ApiProperty({ example: '0564140100195' }) deviceSn!: string;
  @ApiProperty({ example: 'DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord', description: 'the command as queued' }) command!: string;
  @ApiProperty({ example: '812', nullable: true, type: String, description: 'queue id: GET /api/gateway/devices/{sn}/commands shows the Return the panel answered (the number of records it sent, or its refusal)' })
  commandId!: string | null;
}
