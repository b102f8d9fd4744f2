import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { MaxInputLength } from '../../common/bounded';
import { ToTrimmedString } from '../../common/transforms';
import type { TimeSegment, WeekSchedule } from '../time-segment.entity';

const SCHEDULE_EXAMPLE = {
  sun: [],
  mon: [['08:00', '12:00'], ['13:00', '18:00']],
  tue: [['08:00', '18:00']],
  wed: [['08:00', '18:00']],
  thu: [['08:00', '18:00']],
  fri: [['08:00', '18:00']],
  sat: [],
  hol1: [],
  hol2: [],
  hol3: [],
};
/** Ten days × three intervals fit in well under 1 KB of JSON. */
const MAX_SCHEDULE_CHARS = 4096;
const SCHEDULE_DOC =
  'up to three [start, end] intervals ("HH:mm") per day: sun..sat and the holiday types hol1..hol3; a missing day is closed, another key is refused. Sent to devices as the `timezone` record.';

export class TimeSegmentCreateDto {
  @ApiProperty({ example: 'Office hours' })
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: SCHEDULE_EXAMPLE, description: SCHEDULE_DOC })
  @IsObject()
  @MaxInputLength(MAX_SCHEDULE_CHARS)
  schedule!: Partial<WeekSchedule>;

  @ApiPropertyOptional({ example: 'weekdays' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(255)
  remark?: string;
}

export class TimeSegmentUpdateDto {
  @ApiPropertyOptional({ example: 'Office hours' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: SCHEDULE_EXAMPLE, description: SCHEDULE_DOC })
  @IsOptional()
  @IsObject()
  @MaxInputLength(MAX_SCHEDULE_CHARS)
  schedule?: Partial<WeekSchedule>;

  @ApiPropertyOptional({ example: 'weekdays' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(255)
  remark?: string;
}

export class TimeSegmentResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: 'Office hours' }) name!: string;
  @ApiProperty({ example: 2, description: 'TimezoneId on the devices' }) tzId!: number;
  @ApiProperty({ example: SCHEDULE_EXAMPLE }) schedule!: WeekSchedule;
  @ApiProperty({ example: null, nullable: true, type: String }) remark!: string | null;
}

export function toTimeSegmentResponse(t: TimeSegment): TimeSegmentResponseDto {
  return { id: t.id, name: t.name, tzId: t.tzId, schedule: t.schedule, remark: t.remark };
}

