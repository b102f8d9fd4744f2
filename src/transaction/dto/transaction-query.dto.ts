import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { ClientForms } from '../../common/client-forms';
import { PagingDto } from '../../common/paging';
import { ToTrimmedString } from '../../common/transforms';

const DATE_DESC =
  'yyyy-MM-dd HH:mm:ss in the server time zone (also yyyy/MM/dd, a bare date, which as endDate covers that whole day, and ISO 8601 with T, fractions, Z or an offset, and epoch milliseconds such as 1709251200000 or epoch seconds)';

/**
 * startDate/endDate of the GET lists. Clients also send the window under the names the manual's own 2.18.10
 * (getDoorTransactions) gives it, startTime/endTime: ignored, they got every transaction back with success.
 */
@ClientForms({ synonyms: { startDate: ['startTime'], endDate: ['endTime'] } })
export class TransactionPageDto extends PagingDto {
  @ApiPropertyOptional({ example: '2023-01-12 00:00:00', description: DATE_DESC })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(40, { context: { code: CvCode.TimeFormat } })
  startDate?: string;

  @ApiPropertyOptional({ example: '2023-01-12 23:59:59', description: DATE_DESC })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(40, { context: { code: CvCode.TimeFormat } })
  endDate?: string;
}

/** The person a list is narrowed to (exact pin). */
const PersonPinField = () =>
  applyDecorators(ApiPropertyOptional({ example: '57', description: 'exact person pin (also accepted as pin)' }), IsOptional(), ToTrimmedString(), IsString(), MaxLength(64));

/** The device a list is narrowed to: 2.18.10 names it devSn, deviceSn and sn are accepted alike (client-forms.ts). */
const DeviceSnField = () =>
  applyDecorators(ApiPropertyOptional({ example: '5662012052868', description: 'device serial number (also accepted as devSn or sn)' }), IsOptional(), ToTrimmedString(), IsString(), MaxLength(64));

/**
 * 2.18.3 / 2.18.4; and the lists of one device (2.18.1/2.18.2, 2.34.1/2.34.5 and their v3 forms) narrowed to one
 * person as those lists are: ignored there, a client asking for one person's events at a panel got everyone's.
 */
export class TransactionListDto extends TransactionPageDto {
  @PersonPinField()
  personPin?: string;
}

/**
 * The lists of every module (2.18.3/2.18.4 access, 2.19 elevator, 2.21.1 attendance, 2.26.1 HEP, 2.34.2/2.34.6
 * entrance control): the device too, which 2.18.10 names devSn (deviceSn and sn alike, client-forms.ts); ignored,
 * it listed every device's events with success, as if filtered. An unknown device lists none, as 2.18.1 does.
 */
export class DeviceTransactionListDto extends TransactionListDto {
  @DeviceSnField()
  deviceSn?: string;
}

/**
 * The lists of one person (2.18.6, 2.18.8/2.18.9, 2.34.4 and their v3 forms) narrowed to one device, as the lists of
 * every person take it (deviceSn, devSn or sn): ignored, a client asking for a person's events at one device got
 * those of every device. An unknown device lists none.
 */
export class PersonTransactionPageDto extends TransactionPageDto {
  @DeviceSnField()
  deviceSn?: string;
}

/** The person a list of one device is narrowed to, when given. */
export const personOf = (dto: { personPin?: string }) => (dto.personPin ? { pin: dto.personPin } : {});
/** The device a list of one person is narrowed to, when given. */
export const deviceOf = (dto: { deviceSn?: string }) => (dto.deviceSn ? { deviceSn: dto.deviceSn } : {});

/** v2 person lists (2.18.7, 2.34.7): the manual lists personPin beside the path pin; the path wins. The device too. */
export class TransactionPersonPageDto extends DeviceTransactionListDto {}

/** `GET /api/v3/transaction/device?deviceSn=` (field notes, REST item 6): query-parameter twin of 2.18.2. */
export class TransactionV3DeviceDto extends TransactionListDto {
  @ApiPropertyOptional({ example: '5662012052868', description: 'device serial number (also accepted as sn or devSn)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  deviceSn?: string;

  @ApiPropertyOptional({ description: 'alias of deviceSn' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  sn?: string;

  @ApiPropertyOptional({ description: 'alias of deviceSn' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  devSn?: string;
}

/** `GET /api/v3/transaction/person|firstInAndLastOut?pin=` (field notes, REST item 6). */
export class TransactionV3PersonDto extends PersonTransactionPageDto {
  @ApiPropertyOptional({ example: '57', description: 'person pin (also accepted as personPin)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  pin?: string;

  @ApiPropertyOptional({ description: 'alias of pin' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(64)
  personPin?: string;
}

/** 2.18.5. */
export class TransactionMonitorDto {
  @ApiProperty({
    example: 1494467276539,
    description:
      'milliseconds since the epoch. Keep sending the value of your first call (the manual allows it): the server keeps one position per API client and timestamp, and each poll returns the events committed since the previous poll with the same timestamp (at most 1000; poll again for more). The first poll with a new timestamp returns the events stored since that instant.',
  })
  @IsOptional()
  @ToTrimmedString()
  timestamp?: string;
}
