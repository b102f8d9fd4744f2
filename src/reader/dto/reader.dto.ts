import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { ToInteger, ToTrimmedString } from '../../common/transforms';
import type { Reader } from '../reader.entity';

export class ReaderIdDto {
  @ApiProperty({ example: '402856aa6c3c5063016c3cb3a0360005', description: 'reader id' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.ReaderIdEmpty } })
  @IsNotEmpty({ context: { code: CvCode.ReaderIdEmpty } })
  @MaxLength(64)
  id!: string;
}

export class ReaderResponseDto {
  @ApiProperty({ example: '402856aa6c3c5063016c3cb3a0360005' }) id!: string;
  @ApiProperty({ example: '402856aa6bff4b1a016bff5374800c0e', description: 'id of the door the reader belongs to' }) doorId!: string;
  @ApiProperty({ example: '192.168.214.15-1-In' }) name!: string;
  @ApiProperty({ example: 1, description: 'reader number on the device' }) readerNo!: number;
  @ApiProperty({ example: 0, description: 'direction: 0 in, 1 out' }) readerState!: number;
}

/** The one reader → CVSecurity response mapper (2.14.1, 2.14.2 and the v2 reader endpoints). */
export function toReaderResponse(r: Reader): ReaderResponseDto {
  return { id: r.id, doorId: r.doorId, name: r.name, readerNo: r.readerNo, readerState: r.inOut };
}

export class ReaderAddDto {
  @ApiProperty({ example: '402856aa6bff4b1a016bff5374800c0e', description: 'door id' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.DoorIdNull } })
  @IsNotEmpty({ context: { code: CvCode.DoorIdNull } })
  @MaxLength(64)
  doorId!: string;

  @ApiProperty({ example: 1, description: 'direction: 0 in, 1 out (one reader per direction and door)' })
  @ToInteger()
  @IsInt()
  @IsIn([0, 1])
  readerState!: number;

  @ApiPropertyOptional({ example: '192.168.214.15-1-Out', description: 'default <doorName>-In / <doorName>-Out' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: 2, description: 'reader number on the device; default 2n-1 (in) / 2n (out) for door n' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(255)
  readerNo?: number;
}

export class ReaderUpdateDto extends ReaderIdDto {
  @ApiPropertyOptional({ example: 'Lobby-In' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(255)
  readerNo?: number;

  @ApiPropertyOptional({ example: 0, description: 'direction: 0 in, 1 out' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @IsIn([0, 1])
  readerState?: number;
}

