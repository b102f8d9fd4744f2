import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { MAX_TIME_CHARS } from '../../common/limits';
import { ToBoolean, ToInteger, ToTrimmedString } from '../../common/transforms';
import type { Holiday } from '../holiday.entity';

/** A day in any client form of common/time.ts; a malformed one is -100 from the service. */
const NOT_A_DAY = { context: { code: CvCode.TimeFormat } };

export class HolidayCreateDto {
  @ApiProperty({ example: 'New Year' })
  @ToTrimmedString() @IsString() @IsNotEmpty() @MaxLength(100)
  name!: string;

  @ApiProperty({ example: '2027-01-01', description: 'yyyy-MM-dd' })
  @ToTrimmedString() @IsString(NOT_A_DAY) @MaxLength(MAX_TIME_CHARS, NOT_A_DAY)
  startDate!: string;

  @ApiProperty({ example: '2027-01-02', description: 'yyyy-MM-dd, not before startDate' })
  @ToTrimmedString() @IsString(NOT_A_DAY) @MaxLength(MAX_TIME_CHARS, NOT_A_DAY)
  endDate!: string;

  @ApiPropertyOptional({ example: 1, description: 'holiday type 1-3: which HolNTime segments of the time zones apply (default 1)' })
  @IsOptional() @ToInteger() @IsIn([1, 2, 3])
  holidayType?: number;

  @ApiPropertyOptional({ example: true, description: 'same days every year (device Loop=1) instead of these exact dates (Loop=2)' })
  @IsOptional() @ToBoolean() @IsBoolean()
  isLoopByYear?: boolean;

  @ApiPropertyOptional({ example: null })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(255)
  remark?: string;
}

export class HolidayUpdateDto {
  @ApiPropertyOptional({ example: 'New Year' })
  @IsOptional() @ToTrimmedString() @IsString() @IsNotEmpty() @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: '2027-01-01' })
  @IsOptional() @ToTrimmedString() @IsString(NOT_A_DAY) @MaxLength(MAX_TIME_CHARS, NOT_A_DAY)
  startDate?: string;

  @ApiPropertyOptional({ example: '2027-01-02' })
  @IsOptional() @ToTrimmedString() @IsString(NOT_A_DAY) @MaxLength(MAX_TIME_CHARS, NOT_A_DAY)
  endDate?: string;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional() @ToInteger() @IsIn([1, 2, 3])
  holidayType?: number;

  @ApiPropertyOptional({ example: true })
  @IsOptional() @ToBoolean() @IsBoolean()
  isLoopByYear?: boolean;

  @ApiPropertyOptional({ example: null })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(255)
  remark?: string;
}

export class HolidayResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: 'New Year' }) name!: string;
  @ApiProperty({ example: '2027-01-01' }) startDate!: string;
  @ApiProperty({ example: '2027-01-02' }) endDate!: string;
  @ApiProperty({ example: 1 }) holidayType!: number;
  @ApiProperty({ example: true }) isLoopByYear!: boolean;
  @ApiProperty({ example: null, nullable: true, type: String }) remark!: string | null;
}

export function toHolidayResponse(h: Holiday): HolidayResponseDto {
  return { id: h.id, name: h.name, startDate: h.startDate, endDate: h.endDate, holidayType: h.holidayType, isLoopByYear: h.isLoopByYear, remark: h.remark };
}

