import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ClientForms } from '../../common/client-forms';
import { CvCode } from '../../common/cv-error';
import type { Device } from '../../device/device.entity';
import { deviceModel, deviceState } from '../../device/dto/device.dto';
import type { Door } from '../../door/door.entity';
import type { GateStateTexts } from '../gate-state';

const toStringOrUndefined = ({ value }: { value: unknown }) => (value === undefined || value === null ? undefined : String(value).trim());

/** gateType of a channel controller: its `PassWayType` parameter when 0-3, else "0" (unknown). */
export function gateTypeOf(d: Device): string {
  const reg = d.registration ?? {};
  const raw = Object.entries(reg).find(([k]) => k.replace(/^~/, '').toLowerCase() === 'passwaytype')?.[1];
  return raw !== undefined && /^[0-3]$/.test(String(raw).trim()) ? String(raw).trim() : '0';
}

export class PsgDeviceResponseDto {
  @ApiProperty({ example: '8a888e8f820060eb018200e487a50a67' }) id!: string;
  @ApiProperty({ example: '0564140100195' }) sn!: string;
  @ApiProperty({ example: '192.168.218.104' }) name!: string;
  @ApiProperty({ example: 'PGIC10', nullable: true, type: String }) type!: string | null;
  @ApiProperty({ example: '1' }) state!: string;
  @ApiProperty({ example: 'psg' }) module!: string;
  @ApiProperty({ example: '0', description: '"0" unknown, "1" tripod turnstile, "2" flap barrier, "3" swing barrier' }) gateType!: string;
}

export class PsgDeviceV2ResponseDto {
  @ApiProperty({ example: '8a888e238488391e018488703e4b0012' }) id!: string;
  @ApiProperty({ example: 'CKN3214660034' }) sn!: string;
  @ApiProperty({ example: '10.8.14.249' }) name!: string;
  @ApiProperty({ example: 'InBio-PGates', nullable: true, type: String }) type!: string | null;
  @ApiProperty({ example: '1' }) status!: string;
  @ApiProperty({ example: 'psg' }) module!: string;
  @ApiProperty({ example: '0' }) gateType!: string;
}

export function toPsgDevice(d: Device): PsgDeviceResponseDto {
  return { id: d.id, sn: d.sn, name: d.alias, type: deviceModel(d), state: deviceState(d), module: 'psg', gateType: gateTypeOf(d) };
}

export function toPsgDeviceV2(d: Device): PsgDeviceV2ResponseDto {
  return { id: d.id, sn: d.sn, name: d.alias, type: deviceModel(d), status: deviceState(d), module: 'psg', gateType: gateTypeOf(d) };
}

/** gateId from the query (as printed), the body, or a trailing path segment (`remoteOpenById/{gateId}`), as the door calls take doorId. */
@ClientForms({ path: ['gateId'] })
export class GateIdDto {
  @ApiProperty({ example: '8a888e8f820060eb018200e488650abb' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(64)
  gateId?: string;
}

/** 2.31.4 names the parameter `id`; `gateId` is accepted too. */
@ClientForms({ path: ['id'] })
export class GateGetDto extends GateIdDto {
  @ApiProperty({ example: '8a888e8f820060eb018200e488650abb' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(64)
  id?: string;
}

export class GateBySnDto {
  @ApiProperty({ example: 'CKN4213360081' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(64, { context: { code: CvCode.DeviceSnNull } })
  deviceSn?: string;

  @ApiPropertyOptional({ example: 'CKN4213360081', description: 'accepted for deviceSn' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(64, { context: { code: CvCode.DeviceSnNull } })
  sn?: string;
}

export class GateOpenByIdDto extends GateIdDto {
  @ApiProperty({ example: 1, description: '1 open for entry, 2 open for exit' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(16, { context: { code: -266 } })
  openType?: string;
}

@ClientForms({ path: ['gateName'] })
export class GateOpenByNameDto {
  @ApiProperty({ example: '10.8.14.234-1' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(100)
  gateName?: string;

  @ApiProperty({ example: 1, description: '1 open for entry, 2 open for exit' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(16, { context: { code: -266 } })
  openType?: string;
}

export class GateResponseDto {
  @ApiProperty({ example: '8a888e8f820060eb018200e488650abb' }) id!: string;
  @ApiProperty({ example: '10.8.14.234-1' }) name!: string;
  @ApiProperty({ example: '8a888e8f820060eb018200e487a50a67' }) deviceId!: string;
}

export function toGate(g: Door): GateResponseDto {
  return { id: g.id, name: g.name, deviceId: g.deviceId };
}

export class GateStateResponseDto extends GateResponseDto {
  @ApiProperty({ example: '1', description: '"0" offline, "1" online, "2" disabled' }) connect!: string;
  @ApiProperty({ example: '1', description: 'follows connect: "0" offline, "1" online, "2" disabled (the controller or the gate); "3" lockdown is not reported' }) gateState!: string;
  @ApiProperty({ example: '0', description: '"0" none, "1" opened accidentally, "2" tampering, "3" duress password, "4" duress fingerprint, "7" gate error, "None" unknown' }) alarm!: string;
  @ApiProperty({ example: '0', description: '"0" off, "2" entry open, "None" unknown' }) relay!: string;
}

export function toGateState(g: Door, s: GateStateTexts): GateStateResponseDto {
  return { ...toGate(g), ...s };
}

export class ReaderIdDto {
  @ApiProperty({ example: '402856aa6c3c5063016c3cb3a0360005' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(64, { context: { code: CvCode.ReaderNotExist } })
  id?: string;
}

export class PsgReaderResponseDto {
  @ApiProperty({ example: '8a888e8f820060eb018200e488660abc' }) id!: string;
  @ApiProperty({ example: '8a888e8f820060eb018200e488650abb' }) gateId!: string;
  @ApiProperty({ example: '10.8.14.234-1-In' }) name!: string;
  @ApiProperty({ example: 1 }) readerNo!: number;
  @ApiProperty({ example: 0, description: '0 in, 1 out' }) readerState!: number;
}

export class CountersResetDto {
  @ApiPropertyOptional({ enum: ['in', 'out', 'alarm', 'all'], description: 'which counter (default all)' })
  @IsOptional()
  @IsIn(['in', 'out', 'alarm', 'all'])
  counter?: 'in' | 'out' | 'alarm' | 'all';
}

export class GateCountersDto {
  @ApiProperty({ example: 1 }) irstate!: number;
  @ApiProperty({ example: 2, nullable: true, type: Number }) irsenseCount!: number | null;
  @ApiProperty({ example: 2, nullable: true, type: Number }) inCount!: number | null;
  @ApiProperty({ example: 2, nullable: true, type: Number }) outCount!: number | null;
  @ApiProperty({ example: 1, nullable: true, type: Number }) alarmCount!: number | null;
  @ApiProperty({ example: 1, nullable: true, type: Number }) runCount!: number | null;
  @ApiProperty({ example: '2026-11-22 13:00:00' }) reportedAt!: string;
}

/** A stored pass rule and what the controller confirmed of it (gateway extension). */
export class PassRuleStateDto {
  @ApiProperty({ example: '24-Hour Accessible' }) timeSegName!: string;
  @ApiProperty({ example: 1, description: 'PasswayTimeZoneId on the controller: the time segment\'s TimezoneId' }) timezoneId!: number;
  @ApiProperty({ example: 0 }) passMode!: number;
  @ApiProperty({
    example: true,
    description:
      'the controller answered Return=0 to the rule as stored now (same periods and passing mode), no command about it is on its way (a full sync clearing the table included), ' +
      'and what it confirmed is not in doubt (it registered again or was found changed: a factory reset wipes its rules, a count or a full sync is owed or on its way)',
  })
  confirmed!: boolean;
  @ApiProperty({ example: '2026-11-22 13:00:00', nullable: true, type: String, description: 'when it confirmed the rule, while `confirmed` only' }) confirmedAt!: string | null;
  @ApiProperty({ example: 0, description: 'refused or unanswered attempts since the last confirmation (retried with backoff)' }) failures!: number;
  @ApiProperty({ example: null, nullable: true, type: Number, description: 'the controller\'s last Return code for the rule' }) lastReturn!: number | null;
}

export class PassRuleDto {
  @ApiProperty({ example: '24-Hour Accessible', description: 'time segment whose weekday periods the rule covers' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  timeSegName!: string;

  @ApiProperty({ example: 0, description: 'passing mode for those periods (0-255; the manual does not define the values)' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(255)
  passMode!: number;
}
