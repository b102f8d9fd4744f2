import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { formatEventTime } from '../event-time-format';
import { ToTrimmedString } from '../../common/transforms';
import type { TransactionListRow, TransactionRow } from '../transaction.repository';
import { v2PageOf } from '../../common/envelope';
import { PagingText, type V2Page } from '../../common/paging';
import { nameText, READER_OTHERS, transactionIdToApi, TransactionV2ItemDto, transactionV2PageDocs } from './transaction-response.dto';

/** The filters of 2.18.10 / 2.18.11; numbers may come as strings. */
export class DoorTransactionFilterDto {
  @ApiPropertyOptional({ example: '5662012052868' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64) devSn?: string;
  @ApiPropertyOptional({ example: '2021-11-19 18:00:00' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(40) startTime?: string;
  @ApiPropertyOptional({ example: '2021-11-20 18:00:00' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(40) endTime?: string;
  @ApiPropertyOptional({ example: 'Name', description: 'substring of pin, name or last name' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100) filter?: string;
  @ApiPropertyOptional({ example: 'normal', description: 'normal, warning or alarm (also 0, 1, 2)' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(20) type?: string;
  @ApiPropertyOptional({ example: '0' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(10) eventNo?: string;
  @ApiPropertyOptional({ example: '320022' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64) personPin?: string;
  @ApiPropertyOptional({ example: '1', description: 'page number from 1; 1 when absent' }) @IsOptional() @ToTrimmedString() @IsString() pageNo?: string;
  @ApiPropertyOptional({ example: '100', description: '1 to 1000; 10 when absent' }) @IsOptional() @ToTrimmedString() @IsString() pageSize?: string;
  // The parameter tables of 2.18.10/2.18.11 call these "page" and "devsn" (the examples: pageNo, devSn); both are read.
  @ApiPropertyOptional({ example: '1', description: 'pageNo, as the parameter table names it' }) @PagingText(ToTrimmedString()) @IsString() page?: string;
  @ApiPropertyOptional({ example: '5662012052868', description: 'devSn, as the parameter table spells it' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64) devsn?: string;
}

/** Flat (2.18.10's example) or inside `content` (2.18.11, the ZK message form): both are accepted. */
export class DoorTransactionsDto extends DoorTransactionFilterDto {
  @ApiPropertyOptional({ type: DoorTransactionFilterDto, description: 'the same filters wrapped (2.18.11); wins over flat fields' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DoorTransactionFilterDto)
  content?: DoorTransactionFilterDto;
}

export class DoorTransactionIdDto {
  @ApiPropertyOptional({ example: '402856a7695c716301695c81290d0006' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64) id?: string;
}

export class DoorTransactionDetailDto extends DoorTransactionIdDto {
  @ApiPropertyOptional({ type: DoorTransactionIdDto, description: '{"content": {"id": ...}} as the parameter description shows' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DoorTransactionIdDto)
  content?: DoorTransactionIdDto;
}

/** The short item of 2.18.10. */
export class DoorTransactionItemDto {
  @ApiProperty({ example: '402856a7695c716301695c81290d0006' }) id!: string;
  @ApiProperty({ example: 8 }) eventNo!: number;
  @ApiProperty({ example: 'remote opening', nullable: true, type: String }) eventName!: string | null;
  @ApiProperty({ example: '2019-03-08 16:52:38' }) eventTime!: string | null;
  @ApiProperty({ example: '192.168.214.197-1', nullable: true, type: String }) doorName!: string | null;
  @ApiProperty({ example: '' }) personPin!: string | null;
  @ApiProperty({ example: '', description: '"" when unknown' }) personName!: string;
  @ApiProperty({ example: 'Area Name', nullable: true, type: String }) areaName!: string | null;
  @ApiProperty({ example: '', description: '"" when the person has none' }) personLastName!: string;
  @ApiProperty({ example: '0', description: 'a string here: "0" normal, "1" warning, "2" alarm' }) eventLevel!: string;
}

/** 2.18.12: the short item plus device, card, reader and verify mode. Unknown values are null, as its example. */
export class DoorTransactionDetailItemDto {
  @ApiProperty({ example: '402856a7694641ff0169468394b2000d' }) id!: string;
  @ApiProperty({ example: 8 }) eventNo!: number;
  @ApiProperty({ example: 'remote opening', nullable: true, type: String }) eventName!: string | null;
  @ApiProperty({ example: '2019-03-04 10:23:40' }) eventTime!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) doorName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) personPin!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) personName!: string | null;
  @ApiProperty({ example: 'Area 1', nullable: true, type: String }) areaName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) personLastName!: string | null;
  @ApiProperty({ example: '192.168.214.197', nullable: true, type: String }) devName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) cardNo!: string | null;
  @ApiProperty({ example: 'others', nullable: true, type: String }) readerName!: string | null;
  @ApiProperty({ example: 'others', nullable: true, type: String }) verifyModeName!: string | null;
}

export function toDoorItem(row: TransactionListRow, timeZone: string): DoorTransactionItemDto {
  return {
    id: transactionIdToApi(row.id),
    eventNo: row.event_no,
    eventName: row.event_name,
    eventTime: formatEventTime(row.event_time, timeZone),
    doorName: row.door_name,
    personPin: row.pin ?? '',
    personName: nameText(row.name),
    areaName: row.area_name,
    personLastName: nameText(row.last_name),
    eventLevel: String(row.event_level),
  };
}

export function toDoorDetail(row: TransactionRow, timeZone: string): DoorTransactionDetailItemDto {
  return {
    id: transactionIdToApi(row.id),
    eventNo: row.event_no,
    eventName: row.event_name,
    eventTime: formatEventTime(row.event_time, timeZone),
    doorName: row.door_name,
    personPin: row.pin,
    personName: row.name,
    areaName: row.area_name,
    personLastName: row.last_name,
    devName: row.dev_alias,
    cardNo: row.card_no,
    readerName: row.reader_name ?? READER_OTHERS,
    verifyModeName: row.verify_mode_name,
  };
}

/** ZKBio's internal result message, the envelope of 2.18.10-2.18.12. */
export interface RetMsg<T> {
  ret: 'ok' | 'fail';
  msg: string;
  data: T;
  i18nArgs: null;
  page?: number;
  pageSize?: number;
  total?: number;
  success?: boolean;
}

export class DoorTransactionsRetMsgDto {
  @ApiProperty({ example: 'ok' }) ret!: string;
  @ApiProperty({ example: 'operation succeed' }) msg!: string;
  @ApiProperty({ type: [DoorTransactionItemDto], nullable: true }) data!: DoorTransactionItemDto[] | null;
  @ApiProperty({ example: null, nullable: true, type: Object }) i18nArgs!: null;
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 10 }) pageSize!: number;
  @ApiProperty({ example: 2 }) total!: number;
  @ApiProperty({ example: true }) success!: boolean;
}

export class DoorTransactionsV2RetMsgDto {
  @ApiProperty({ example: 'ok' }) ret!: string;
  @ApiProperty({ example: 'Operation Succeed' }) msg!: string;
  @ApiProperty({ type: v2PageOf(TransactionV2ItemDto, transactionV2PageDocs), nullable: true }) data!: V2Page<TransactionV2ItemDto> | null;
  @ApiProperty({ example: null, nullable: true, type: Object }) i18nArgs!: null;
  @ApiProperty({ example: true }) success!: boolean;
}

export class DoorTransactionDetailRetMsgDto {
  @ApiProperty({ example: 'ok' }) ret!: string;
  @ApiProperty({ example: 'operation succeed' }) msg!: string;
  @ApiProperty({ type: DoorTransactionDetailItemDto, nullable: true }) data!: DoorTransactionDetailItemDto | null;
  @ApiProperty({ example: null, nullable: true, type: Object }) i18nArgs!: null;
  @ApiProperty({ example: true }) success!: boolean;
}
