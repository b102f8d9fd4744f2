import { Base64Input } from '../../common/base64-text';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { ToTrimmedString } from '../../common/transforms';
import { TransactionPageDto } from '../../transaction/dto/transaction-query.dto';

/** Validated by park-rules (the manual's -221/-222/-223), so every field is taken as text here. */
export class ParkAuthorizeDto {
  @ApiProperty({ example: '0', description: '0 white list, 1 black list' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(10, { context: { code: CvCode.ParkListType } })
  type?: string;

  @ApiProperty({ example: 'A32212' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(40, { context: { code: CvCode.ParkPlate } })
  carNumber?: string;

  @ApiPropertyOptional({ example: '2018-08-17', description: 'first day (required on the white list); with a time of day (yyyy-MM-dd HH:mm:ss) from that time' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(40, { context: { code: CvCode.ParkTime } })
  fromTime?: string;

  @ApiPropertyOptional({ example: '2019-08-16', description: 'last day, inclusive (required on the white list); with a time of day (yyyy-MM-dd HH:mm:ss) until that time' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(40, { context: { code: CvCode.ParkTime } })
  toTime?: string;
}

export class ParkAuthorizeEditDto extends ParkAuthorizeDto {
  @ApiProperty({ example: 'A32212', description: 'the plate to change' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(40, { context: { code: CvCode.ParkPlate } })
  oldCarNumber?: string;
}

export class ParkDeleteDto {
  @ApiProperty({ example: 'A32212' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(40, { context: { code: CvCode.ParkPlate } })
  carNumber?: string;
}

/** 2.20.2 / 2.20.3. */
export class ParkRecordListDto extends TransactionPageDto {
  @ApiPropertyOptional({ example: 'A32212', description: 'part of the plate (spaces, dashes and case ignored)' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(40)
  carNumber?: string;
}

export class ParkPictureDto {
  @ApiProperty({ example: '402856aa6c1778b3016c1a695c860016' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(64)
  recordId?: string;

  @ApiProperty({ example: '1', description: '1 entry, 2 exit' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(10)
  recordType?: string;
}

abstract class ParkRecordItemBase {
  @ApiProperty({ example: '402856aa6c1778b3016c1a695c860016' }) id!: string;
  @ApiProperty({ example: 'park area', nullable: true, type: String }) parkAreaName!: string | null;
  @ApiProperty({ example: 'driver name', nullable: true, type: String }) name!: string | null;
  @ApiProperty({ example: 'A32212' }) carNumber!: string;
  @ApiProperty({ example: 'Temporary car', nullable: true, type: String }) carTypeName!: string | null;
  @ApiProperty({ example: 'Gate 1', nullable: true, type: String }) channelName!: string | null;
  @ApiProperty({ example: 'Entry', description: 'Entry or Exit' }) channelState!: string;
  @ApiProperty({ example: 'Black list car refused', description: 'what the gateway answered the camera' }) eventType!: string;
}

export class ParkRecordInItemDto extends ParkRecordItemBase {
  @ApiProperty({ example: '2026-03-02 08:00:00' }) checkInTime!: string | null;
}

export class ParkRecordOutItemDto extends ParkRecordItemBase {
  @ApiProperty({ example: '2026-03-02 18:00:00' }) checkOutTime!: string | null;
}

/** Gateway extension: what a plate-camera adapter posts. */
export class ParkCameraEventDto {
  @ApiProperty({ example: 'A32212', description: 'the plate read (also accepted as plate, plateNumber or licensePlate)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(40, { context: { code: CvCode.ParkPlate } })
  carNumber?: string;

  @ApiPropertyOptional({ description: 'alias of carNumber' }) @IsOptional() @ToTrimmedString() @MaxLength(40, { context: { code: CvCode.ParkPlate } }) plate?: string;
  @ApiPropertyOptional({ description: 'alias of carNumber' }) @IsOptional() @ToTrimmedString() @MaxLength(40, { context: { code: CvCode.ParkPlate } }) plateNumber?: string;
  @ApiPropertyOptional({ description: 'alias of carNumber' }) @IsOptional() @ToTrimmedString() @MaxLength(40, { context: { code: CvCode.ParkPlate } }) licensePlate?: string;

  @ApiProperty({ example: 'in', description: 'in/entry/1 or out/exit/2' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(16)
  direction?: string;

  @ApiPropertyOptional({ example: '2026-03-02 08:00:00', description: 'yyyy-MM-dd HH:mm:ss in the server time zone, or ISO 8601; default now' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(40)
  eventTime?: string;

  @ApiPropertyOptional({ example: 'Gate 1' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100) channelName?: string;
  @ApiPropertyOptional({ example: 'park area' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100) parkAreaName?: string;
  @ApiPropertyOptional({ example: 'Temporary car', description: 'default: Fixed car on the white list, Temporary car otherwise' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(50) carTypeName?: string;
  @ApiPropertyOptional({ example: 'Ann Lee' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100) driverName?: string;
  @ApiPropertyOptional({ example: 'cam-entry-1' }) @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64) cameraId?: string;

  @ApiPropertyOptional({ description: 'the camera picture, base64 JPEG or PNG (a data: URL prefix is accepted)' })
  @IsOptional()
  @Base64Input()
  @IsString()
  @MaxLength(8_000_000, { context: { code: CvCode.PayloadTooLarge } })
  picture?: string;
}

export class ParkCameraAnswerDto {
  @ApiProperty({ example: '402856aa6c1778b3016c1a695c860016', description: 'the parking record (2.20)' }) recordId!: string;
  @ApiProperty({ example: false, description: 'open the barrier or not' }) allowed!: boolean;
  @ApiProperty({ example: 'black', enum: ['white', 'black'], nullable: true, type: String, description: 'the list that decided' }) listType!: 'white' | 'black' | null;
  @ApiProperty({ example: 'Black list car refused' }) eventType!: string;
  @ApiProperty({ example: 'A32212' }) carNumber!: string;
}
