import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ClientForms } from '../../common/client-forms';
import { CvCode } from '../../common/cv-error';
import { OptionalPagingDto, PagingDto } from '../../common/paging';
import { MAX_TIME_CHARS } from '../../common/limits';
import { ToTrimmedString } from '../../common/transforms';
import type { Door } from '../door.entity';
import type { DoorStateTexts } from '../door-state';

const toStringOrUndefined = ({ value }: { value: unknown }) => (value === undefined || value === null ? undefined : String(value).trim());

/**
 * The lists of doors, floors, gates and readers (2.11.5 / 2.11.10, 2.12.1 / 2.12.4, 2.31.5 / 2.31.6, 2.33.1 / 2.33.2,
 * 2.14.1 and v2/reader/list) print only the paging; clients also narrow them by name or by device (deviceSn, devSn or
 * sn), as CVSecurity's own lists are narrowed. Ignored, such a call got every point with success, as if filtered.
 * Each is an exact match; one that matches nothing lists none. The service side is common/point-filter.ts.
 */
export class PointListDto extends PagingDto {
  @ApiPropertyOptional({ example: '192.168.214.15-1', description: 'name of the door, floor, gate or reader (exact)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: '0564140100195', description: 'serial number of its device (also accepted as devSn or sn)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  deviceSn?: string;
}

export class DoorListDto extends PointListDto {}

export class DoorIdDto {
  @ApiProperty({ example: '402856aa6c083827016c08582f8f0012', description: 'door id' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DoorIdNull } })
  @IsNotEmpty({ context: { code: CvCode.DoorIdNull } })
  @MaxLength(64)
  id!: string;
}

/** doorId from the query (as printed), the body, or a trailing path segment (`remoteOpenById/{doorId}`). */
@ClientForms({ path: ['doorId'] })
export class DoorByIdDto {
  @ApiProperty({ example: '402856aa6c3baabb016c3bb37365000a', description: 'door id' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DoorIdNull } })
  @IsNotEmpty({ context: { code: CvCode.DoorIdNull } })
  @MaxLength(64)
  doorId!: string;
}

@ClientForms({ path: ['doorName'] })
export class DoorByNameDto {
  @ApiProperty({ example: '192.168.214.15-1', description: 'door name' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DoorNameNull } })
  @IsNotEmpty({ context: { code: CvCode.DoorNameNull } })
  @MaxLength(100)
  doorName!: string;
}

export class RemoteOpenByIdDto extends DoorByIdDto {
  @ApiProperty({ example: 5, description: 'seconds the lock stays open, 1-254' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(16, { context: { code: CvCode.DoorOpenDuration } })
  interval?: string;
}

export class RemoteOpenByNameDto extends DoorByNameDto {
  @ApiProperty({ example: 5, description: 'seconds the lock stays open, 1-254' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(16, { context: { code: CvCode.DoorOpenDuration } })
  interval?: string;
}

/** `timestamp` (ms since the epoch) is required by the manual and only paces polling; a missing one is accepted. */
export class DoorStateQueryDto {
  @ApiPropertyOptional({ example: 1494467276539, description: 'current time in ms since the epoch (not interpreted)' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(MAX_TIME_CHARS)
  timestamp?: string;
}

/**
 * 2.11.1 takes only the timestamp; pageNo and pageSize are optional (not in the manual): integrations page
 * through it as through every other list, reading pages until one comes back short, and answering all the doors
 * to every page would never end that loop once a site has a page's worth of doors.
 */
export class AllDoorStateDto extends IntersectionType(DoorStateQueryDto, OptionalPagingDto) {}

/** 2.11.2, titled `door/doorState ById`: doorId in the query, or as a path segment like 2.11.3's `doorStateBy{Sn}`. */
@ClientForms({ path: ['doorId'] })
export class DoorStateByIdDto extends DoorStateQueryDto {
  @ApiProperty({ example: '402856aa6c083827016c08582f8f0012', description: 'door id' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DoorIdNull } })
  @IsNotEmpty({ context: { code: CvCode.DoorIdNull } })
  @MaxLength(64)
  doorId!: string;
}

/** deviceSn as the URL prints it; `sn` as the parameter table ("Sn: device sn") and the title name it. -48 without both. */
export class DoorStateBySnDto extends DoorStateQueryDto {
  @ApiProperty({ example: '0564140100195', description: 'device serial number (also accepted as sn)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DeviceSnNull } })
  @MaxLength(64)
  deviceSn?: string;

  @ApiPropertyOptional({ example: '0564140100195', description: 'deviceSn, as the parameter table names it' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DeviceSnNull } })
  @MaxLength(64)
  sn?: string;
}

export class DoorResponseDto {
  @ApiProperty({ example: '402856aa6c083827016c08582f8f0012' }) id!: string;
  @ApiProperty({ example: '192.168.214.15-1' }) name!: string;
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc211e5005a' }) deviceId!: string;
}

/** The one door → CVSecurity response mapper (2.11.4, 2.11.5, 2.11.10). */
export function toDoorResponse(d: Door): DoorResponseDto {
  return { id: d.id, name: d.name, deviceId: d.deviceId };
}

export class DoorStateResponseDto extends DoorResponseDto {
  @ApiProperty({ example: '1', description: 'device connection: "0" offline, "1" online, "2" disabled' }) connect!: string;
  @ApiProperty({ example: 'no sensor', description: 'unknown | no sensor | off | open' }) sensor!: string;
  @ApiProperty({ example: 'none', description: 'none | alarm | timeout | be opened accidentally | tampering | duress ... | unknown' }) alarm!: string;
  @ApiProperty({ example: 'off', description: 'off | open | unknown' }) relay!: string;
}

export function toDoorStateResponse(d: Door, s: DoorStateTexts): DoorStateResponseDto {
  return { id: d.id, name: d.name, deviceId: d.deviceId, connect: s.connect, sensor: s.sensor, alarm: s.alarm, relay: s.relay };
}

export class DoorCommandEnvelopeDto {
  @ApiProperty({ example: 0 }) code!: number;
  @ApiProperty({
    example: 'success',
    description: '"success" on the manual\'s endpoints (the X-Gateway-Detail header says whether the device is offline); the gateway extensions say it in the message',
  })
  message!: string;
  @ApiProperty({ nullable: true, example: null, type: Object }) data!: null;
}

// ---- Gateway extensions: door actions the manual has no API for ----

export class NormalOpenPeriodDto {
  @ApiProperty({ example: true, description: 'true enables, false disables the normal-open time period of the day' })
  @IsOptional()
  @Transform(({ value }) => (value === true || value === 'true' || value === '1' || value === 1 ? true : value === false || value === 'false' || value === '0' || value === 0 ? false : value))
  enable?: boolean;
}
