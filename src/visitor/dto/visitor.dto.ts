import { DeviceSafe } from '../../common/device-safe.decorator';
import { ListInput } from '../../common/client-forms';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { VisCode } from '../visitor-codes';
import { PagingDto } from '../../common/paging';
import { MaxInputLength } from '../../common/bounded';
import { MAX_LIST_CHARS, MAX_PIN_CHARS, MAX_TIME_CHARS } from '../../common/limits';
import { IsCardNo } from '../../common/card.decorator';
import { ToTrimmedString } from '../../common/transforms';

/** A date too long to be one, or no text at all (an object, an array), is a date format error (-249), as a malformed one is. */
const NOT_A_DATE = { context: { code: VisCode.DateFormat } };

/** The refusal of a level id list that is neither one string nor an array of strings (an object, objects in the array). */
const LEVEL_IDS_TEXT = (field: string) => `${field} must be level ids: one comma-separated string or an array of strings`;

/** A visit date-time field: optional here (the service answers -247 when empty), text, of a date's length. */
const VisitTime = () => applyDecorators(IsOptional(), ToTrimmedString(), IsString(NOT_A_DATE), MaxInputLength(MAX_TIME_CHARS, NOT_A_DATE));

const CERT_TYPES = '2 national ID card, 3 passport, 4 driver licence, 5 work permit, 6 real-name card, 7 driving licence, 8 others';

/** certType + certNum: how the manual identifies a visitor (-241/-242 when empty; -250 invalid type is the service's). */
export class VisitorCertDto {
  @ApiProperty({ example: '3', description: `document type: ${CERT_TYPES}` })
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.CertTypeEmpty } })
  @IsNotEmpty({ context: { code: VisCode.CertTypeEmpty } })
  @MaxLength(16)
  certType!: string;

  @ApiProperty({ example: '4512', description: 'document number' })
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.CertNumEmpty } })
  @IsNotEmpty({ context: { code: VisCode.CertNumEmpty } })
  @MaxLength(64)
  certNum!: string;
}

/** Fields shared by a reservation (2.15.1) and a registration (2.17.1). */
export class VisitorBaseDto {
  @ApiProperty({ example: '5', description: 'pin of the employee visited (the host); -240 empty, -253 unknown' })
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.HostPinEmpty } })
  @IsNotEmpty({ context: { code: VisCode.HostPinEmpty } })
  @MaxLength(64)
  persPersonPin!: string;

  @ApiProperty({ example: '3', description: `document type: ${CERT_TYPES} (-241 empty, -250 invalid)` })
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.CertTypeEmpty } })
  @IsNotEmpty({ context: { code: VisCode.CertTypeEmpty } })
  @MaxLength(16)
  certType!: string;

  @ApiProperty({ example: '4512', description: 'document number (-242 empty, -251 malformed national ID)' })
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.CertNumEmpty } })
  @IsNotEmpty({ context: { code: VisCode.CertNumEmpty } })
  @MaxLength(64)
  certNum!: string;

  @ApiPropertyOptional({ example: '13015648651', description: 'visitor phone' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(32)
  visitEmpPhone?: string;

  @ApiPropertyOptional({ example: 'ZKTeco', description: 'visitor company' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(100)
  company?: string;

  @ApiProperty({ example: 'visit', description: 'reason of the visit (-246 empty)' })
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.ReasonEmpty } })
  @IsNotEmpty({ context: { code: VisCode.ReasonEmpty } })
  @MaxLength(255)
  visitReason!: string;
}

export class VisReservationAddDto extends VisitorBaseDto {
  @ApiProperty({ example: 'Mary', description: 'the visitor\'s name (-243 empty); the manual calls it "interviewee name"' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.NameEmpty } })
  @MaxLength(100)
  @DeviceSafe()
  visitEmpName?: string;

  @ApiPropertyOptional({ example: 'Mary', description: 'accepted instead of visitEmpName' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.NameEmpty } })
  @MaxLength(100)
  @DeviceSafe()
  visEmpName?: string;

  @ApiProperty({ example: '2018-08-31 14:40:00', description: 'planned start yyyy-MM-dd HH:mm:ss (-247 empty, -249 format)' })
  @VisitTime()
  visitDate?: string;

  @ApiProperty({ example: '2018-08-31 23:59:59', description: 'planned end yyyy-MM-dd HH:mm:ss; a bare date yyyy-MM-dd ends with that day (23:59:59) (-247 empty, -249 format, -252 before the start)' })
  @VisitTime()
  visitEndDate?: string;
}

export class VisReservationDelDto extends VisitorCertDto {
  @ApiProperty({ example: '2018-08-31 14:40:00', description: 'visitDate of the reservation, or a bare date (yyyy-MM-dd) for the reservations of that day (-247 empty, -249 format)' })
  @VisitTime()
  visitDate?: string;
}

export class VisRegistrationAddDto extends VisitorBaseDto {
  @ApiProperty({ example: 'max', description: 'visitor name (-243 empty); the manual\'s example key' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.NameEmpty } })
  @MaxLength(100)
  @DeviceSafe()
  visEmpName?: string;

  @ApiPropertyOptional({ example: 'max', description: 'accepted instead of visEmpName (the manual\'s description spells it so)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.NameEmpty } })
  @MaxLength(100)
  @DeviceSafe()
  visitEmpName?: string;

  @ApiProperty({ example: '1', description: 'number of visitors, > 0 (-258); a string or a JSON number' })
  @IsOptional()
  @ToTrimmedString()
  @IsString({ context: { code: VisCode.CountNotPositive } })
  @MaxInputLength(16)
  visitorCount?: string;

  @ApiProperty({ example: '2018-08-31 14:40:00', description: 'visit start yyyy-MM-dd HH:mm:ss' })
  @VisitTime()
  startTime?: string;

  @ApiProperty({ example: '2018-08-31 23:59:59', description: 'visit end yyyy-MM-dd HH:mm:ss, the visitor loses access then; a bare date yyyy-MM-dd ends with that day (23:59:59)' })
  @VisitTime()
  endTime?: string;

  @ApiPropertyOptional({ example: '123456789', description: 'card issued to the visitor (-23 when in use; "" or 0: none)' })
  @IsOptional()
  @IsCardNo()
  cardNo?: string;

  @ApiPropertyOptional({ example: '402856aa6bff4b1a016bff5374800c0e,402856aa6c3c5063016c3cb3a0360005', description: 'visitor level ids (access, elevator or entrance-control levels), comma separated or an array (-24 unknown)' })
  @IsOptional()
  @ListInput()
  @IsString({ message: LEVEL_IDS_TEXT('visLevels') })
  @MaxInputLength(MAX_LIST_CHARS)
  visLevels?: string;
}

export class VisitorPinDto {
  @ApiPropertyOptional({ example: '80000001', description: 'visitor number (repeated in the body; the path wins)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxInputLength(MAX_PIN_CHARS)
  pin?: string;
}

export class VisLevelListDto extends PagingDto {}

export class VisLevelResponseDto {
  @ApiProperty({ example: '402856aa6bff4b1a016bff5374800c0e', description: 'level id (the access level\'s id)' })
  id!: string;
  @ApiProperty({ example: 'public level group' })
  name!: string;
}

/** The one entity → CVSecurity response mapper (2.16.1). */
export function toVisLevelResponse(r: { id: string; name: string }): VisLevelResponseDto {
  return { id: r.id, name: r.name };
}

// ---- Gateway extensions ----

export class VisLevelIdsDto {
  @ApiProperty({ example: '402856aa6bff4b1a016bff5374800c0e', description: 'access level ids, comma separated or an array' })
  @IsOptional()
  @ListInput()
  @IsString({ message: LEVEL_IDS_TEXT('levelIds') })
  @MaxInputLength(MAX_LIST_CHARS)
  levelIds?: string;
}

export class VisRegistrationViewDto {
  @ApiProperty({ example: '80000001' }) pin!: string;
  @ApiProperty({ example: 'max' }) visEmpName!: string;
  @ApiProperty({ example: '8' }) certType!: string;
  @ApiProperty({ example: '456888' }) certNum!: string;
  @ApiProperty({ example: '1' }) persPersonPin!: string;
  @ApiProperty({ example: '2018-08-31 14:40:00' }) startTime!: string;
  @ApiProperty({ example: '2018-08-31 23:59:59' }) endTime!: string;
  @ApiProperty({ example: 'in', description: 'in, out (checked out) or expired (window ended)' }) state!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) cardNo!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ example: ['402856aa6bff4b1a016bff5374800c0e'], type: [String] }) visLevels!: string[];
}
