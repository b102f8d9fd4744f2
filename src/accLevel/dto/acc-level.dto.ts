import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ClientForms, ListInput } from '../../common/client-forms';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { MAX_BATCH_ITEMS, MAX_LIST_CHARS, MAX_NAME_CHARS } from '../../common/limits';
import { PagingDto } from '../../common/paging';
import { ToTrimmedString } from '../../common/transforms';
import type { AccLevel } from '../acc-level.entity';

/**
 * pin + levelIds, from the query string (as the manual prints them) or the body. Either missing or empty is -42
 * "Personnel ID or access level id is null", the appendix's code for these calls (2.1.1, 2.1.6, addLevelPerson and
 * the elevator and entrance-control twins), which names both: it was -20 for the pin and -43 for the levels,
 * the codes of calls that take only one of them.
 */
export class LevelPersonDto {
  /**
   * One pin, or several as the level grants and removals take them (`pin=200,201`, the key repeated, a JSON
   * array): `pin=1&pin=2` used to keep only the last pin and answer success for both.
   */
  @ApiProperty({ example: '1234', description: 'pin, or several comma (or semicolon) separated (or an array, or the key repeated)' })
  @ListInput()
  @IsString({ context: { code: CvCode.PersonOrLevelIdNull } })
  @IsNotEmpty({ context: { code: CvCode.PersonOrLevelIdNull } })
  @MaxLength(MAX_LIST_CHARS)
  pin!: string;

  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff,402856aa6c3bbde1016c3bc232930100', description: 'level ids, comma (or semicolon) separated, or an array' })
  @ListInput()
  @IsString({ context: { code: CvCode.PersonOrLevelIdNull } })
  @IsNotEmpty({ context: { code: CvCode.PersonOrLevelIdNull } })
  @MaxLength(MAX_LIST_CHARS)
  levelIds!: string;
}

/**
 * levelId of syncLevel (2.1.5, 2.2.5, 2.32.5), from the query, the body or a trailing path segment; also under
 * `levelIds`, the name every other level call of the manual gives it (2.1.1, 2.1.6, 2.13.1): a client writing
 * `syncLevel?levelIds=` was answered -43 "Access level id can't be null" for an id it had sent. Under either name
 * it takes the list forms levelIds takes everywhere else (comma-separated, repeated, a JSON array): a client
 * syncing its levels in one call with `levelIds=a,b` was answered -24 "does not exist: a,b".
 */
@ClientForms({ path: ['levelId'], synonyms: { levelId: ['levelIds'] } })
export class LevelIdDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff', description: 'level id; several comma separated (or an array) sync each' })
  @ListInput()
  @IsString({ context: { code: CvCode.LevelIdNull } })
  @IsNotEmpty({ context: { code: CvCode.LevelIdNull } })
  @MaxLength(MAX_LIST_CHARS)
  levelId!: string;
}

export class LevelListDto extends PagingDto {}

export class LevelAddItemDto {
  @ApiProperty({ example: 'Main entrance' })
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ example: 'Area Name', description: 'area name (or code, or id); default area "1"' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(MAX_NAME_CHARS)
  areaName?: string;

  @ApiPropertyOptional({ example: '24-Hour Accessible', description: 'time segment name; default "24-Hour Accessible"' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(MAX_NAME_CHARS)
  timeSegName?: string;
}

/** `{"accApiLevelAddItems": [...]}` (field notes REST 6) or the bare list, CVSecurity's `List<...>` request body. */
@ClientForms({ arrayBody: 'accApiLevelAddItems' })
export class LevelAddDto {
  @ApiProperty({ type: [LevelAddItemDto] })
  @IsArray({ context: { code: CvCode.LevelIdNull } })
  @ArrayNotEmpty({ context: { code: CvCode.LevelIdNull } })
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => LevelAddItemDto)
  accApiLevelAddItems!: LevelAddItemDto[];
}

export class LevelAddDoorItemDto {
  @ApiProperty({ example: 'Main entrance' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.LevelIdNull } })
  @IsNotEmpty({ context: { code: CvCode.LevelIdNull } })
  @MaxLength(MAX_NAME_CHARS)
  levelName!: string;

  @ApiProperty({ example: '192.168.1.201-1' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DoorNameNull } })
  @IsNotEmpty({ context: { code: CvCode.DoorNameNull } })
  @MaxLength(MAX_NAME_CHARS)
  doorName!: string;
}

/** `{"accApiLevelAddDoorItems": [...]}` (field notes REST 6) or the bare list, as LevelAddDto. */
@ClientForms({ arrayBody: 'accApiLevelAddDoorItems' })
export class LevelAddDoorDto {
  @ApiProperty({ type: [LevelAddDoorItemDto] })
  @IsArray({ context: { code: CvCode.DoorNameNull } })
  @ArrayNotEmpty({ context: { code: CvCode.DoorNameNull } })
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => LevelAddDoorItemDto)
  accApiLevelAddDoorItems!: LevelAddDoorItemDto[];
}

export class LevelUpdateDto {
  @ApiPropertyOptional({ example: 'Main entrance' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: 'Area Name' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(MAX_NAME_CHARS)
  areaName?: string;

  @ApiPropertyOptional({ example: '24-Hour Accessible', description: 'a new time segment re-sends the rights of every member' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(MAX_NAME_CHARS)
  timeSegName?: string;
}

export class LevelResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: 'public level group' }) name!: string;
}

export function toLevelResponse(l: AccLevel): LevelResponseDto {
  return { id: l.id, name: l.name };
}

