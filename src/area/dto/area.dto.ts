import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { OptionalPagingDto, PagingDto } from '../../common/paging';
import { ToTrimmedString } from '../../common/transforms';
import type { Area } from '../area.entity';

/** 2.7.2: pageNo/pageSize are required (checked by checkPaging for the manual's codes). */
export class AreaListDto extends PagingDto {}

export class AreaResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff', description: 'area id (32 hex)' })
  id!: string;
  @ApiProperty({ example: '1', description: 'area code' })
  code!: string;
  @ApiProperty({ example: 'area name' })
  name!: string;
}

/** The one entity → CVSecurity response mapper (2.7.1, 2.7.2). */
export function toAreaResponse(a: Area): AreaResponseDto {
  return { id: a.id, code: a.code, name: a.name };
}

// ---- Gateway extensions: area CRUD ----

export class AreaCreateDto {
  @ApiProperty({ example: '2', description: 'area code (business key)' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.AreaIdNull } })
  @IsNotEmpty({ context: { code: CvCode.AreaIdNull } })
  @MaxLength(100)
  code!: string;

  @ApiProperty({ example: 'Building B' })
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ example: '1', description: 'code of the parent area' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(100)
  parentCode?: string;

  @ApiPropertyOptional({ example: 'second floor' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(255)
  remark?: string;
}

export class AreaUpdateDto {
  @ApiPropertyOptional({ example: 'Building B' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: '1', description: 'code of the parent area; empty string clears it' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(100)
  parentCode?: string;

  @ApiPropertyOptional({ example: 'second floor' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(255)
  remark?: string;
}

export class AreaGatewayListDto extends OptionalPagingDto {}

export class AreaDetailDto extends AreaResponseDto {
  @ApiProperty({ example: null, nullable: true, type: String, description: 'code of the parent area' })
  parentCode!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String })
  remark!: string | null;
  @ApiProperty({ example: 1, description: 'devices in this area' })
  deviceCount!: number;
}

