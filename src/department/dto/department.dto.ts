import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { ClientForms, ListInput } from '../../common/client-forms';
import { MAX_LIST_CHARS } from '../../common/limits';
import { OptionalPagingDto } from '../../common/paging';
import { ToInteger, ToTrimmedString } from '../../common/transforms';

export class DepartmentAddDto {
  @ApiProperty({ example: 'department name' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DeptCodeOrNameEmpty } })
  @IsNotEmpty({ context: { code: CvCode.DeptCodeOrNameEmpty } })
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: '456', description: 'department code; an existing code means update' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DeptCodeOrNameEmpty } })
  @IsNotEmpty({ context: { code: CvCode.DeptCodeOrNameEmpty } })
  @MaxLength(100)
  code!: string;

  @ApiPropertyOptional({ example: '123', description: 'parent department code' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(100)
  parentCode?: string;

  @ApiPropertyOptional({ example: 1, description: 'sort order' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(-2147483648)
  @Max(2147483647)
  sortNo?: number;
}

export class DepartmentCodeDto {
  @ApiProperty({ example: '456' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DeptCodeOrNameEmpty } })
  @IsNotEmpty({ context: { code: CvCode.DeptCodeOrNameEmpty } })
  @MaxLength(100)
  code!: string;
}

/**
 * CVSecurity's Swagger describes getDepartmentList as "Get departments by department codes": `deptCodes` (as
 * person/getPersonList names its department filter; `codes` too) narrows the list to those departments, so a
 * client asking for some is never handed every department with a total to match.
 */
@ClientForms({ synonyms: { deptCodes: ['codes', 'deptCode'] } })
export class DepartmentListDto extends OptionalPagingDto {
  @ApiPropertyOptional({ example: '1,2', description: 'department codes, comma separated (or an array); all departments without it' })
  @IsOptional()
  @ListInput()
  @IsString()
  @MaxLength(MAX_LIST_CHARS)
  deptCodes?: string;
}

export class DepartmentResponseDto {
  @ApiProperty({ example: '4444' })
  name!: string;
  @ApiProperty({ example: '3333' })
  code!: string;
  @ApiProperty({ example: '2', nullable: true, type: String })
  parentCode!: string | null;
}

/**
 * An item of getDepartmentList (CVSecurity's Swagger; a later manual's example): the department with its sortNo,
 * the order the list follows, between code and parentCode as that example has it.
 */
export class DepartmentListItemDto {
  @ApiProperty({ example: 'department name' })
  name!: string;
  @ApiProperty({ example: '1' })
  code!: string;
  @ApiProperty({ example: 1, description: 'sort number; the list is in this order' })
  sortNo!: number;
  @ApiProperty({ example: null, nullable: true, type: String })
  parentCode!: string | null;
}

