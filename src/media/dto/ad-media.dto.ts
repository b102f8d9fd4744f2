import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ClientForms } from '../../common/client-forms';
import { CvCode } from '../../common/cv-error';
import { ToInteger, ToTrimmedString } from '../../common/transforms';

/** A media object (2.6.3). */
export class AdMediaItemDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: '111' }) mediaName!: string;
  @ApiProperty({ example: '21KB' }) mediaSize!: string;
  @ApiProperty({ example: 'png' }) mediaSuffix!: string;
  @ApiProperty({ example: '1', description: '1 picture, 2 video' }) mediaType!: string;
  @ApiProperty({ example: '/upload/adMedia/402856aa6c3bbde1016c3bc2329200ff.png', description: 'served path of the file (no token needed: screens download it)' })
  mediaPath!: string;
}

/**
 * The media name of 2.6.2/2.6.3 given in the query or a body rather than the path: under `mediaName`, the name
 * 2.6.1 uploads it under and 2.6.3 answers, or `name`, the path parameter's. Checked by checkMediaName.
 */
@ClientForms({ synonyms: { mediaName: ['name'] } })
export class AdMediaNameDto {
  @ApiProperty({ example: '111', description: 'media name (also accepted as name)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  mediaName?: string;
}

/** Gateway extension: show a media item on a channel controller's advertising screen (SET ADSCREEN_OPTIONS). */
export class AdScreenPushDto {
  @ApiProperty({ example: 'CGXH201760001', description: 'serial number of the channel controller (also accepted as sn)' })
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

  @ApiProperty({ example: '111', description: 'the mediaName given to adMedia/add' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(100)
  mediaName?: string;

  @ApiPropertyOptional({ example: 0, description: '0 the entry side screen (default), 1 the exit side' })
  @IsOptional()
  @ToInteger()
  @IsIn([0, 1], { context: { code: CvCode.InvalidParameter } })
  inOut?: number;

  @ApiPropertyOptional({ example: 1, description: 'display area number (default 1)' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(99)
  area?: number;

  @ApiPropertyOptional({ example: 100, description: 'size of the display area, sent as Range when given' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(100000)
  range?: number;

  @ApiPropertyOptional({ example: 10, description: 'seconds between items (default 10)' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(86400)
  playInterval?: number;
}

export class AdScreenQueuedDto {
  @ApiProperty({ example: 'CGXH201760001' }) deviceSn!: string;
  @ApiProperty({ example: 'http://192.168.1.10:8088/upload/adMedia/402856aa6c3bbde1016c3bc2329200ff.png', description: 'the URL the screen downloads' })
  url!: string;
}
