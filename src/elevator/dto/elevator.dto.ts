import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ClientForms, ListInput } from '../../common/client-forms';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { MAX_BATCH_ITEMS, MAX_NAME_CHARS } from '../../common/limits';
import { PagingDto } from '../../common/paging';
import { ToTrimmedString } from '../../common/transforms';
import type { Device } from '../../device/device.entity';
import { deviceModel, deviceState } from '../../device/dto/device.dto';
import type { FloorRow } from '../floor.service';
import type { ModuleLevelRow } from '../module-level.service';

const toStringOrUndefined = ({ value }: { value: unknown }) => (value === undefined || value === null ? undefined : String(value).trim());

export class ModuleListDto extends PagingDto {}

/** floorId of 2.12.2 / 2.12.3 (-201 when missing); also as a trailing path segment. */
@ClientForms({ path: ['floorId'] })
export class FloorIdDto {
  @ApiProperty({ example: '402856aa6c3c5063016c3cb3a0360005' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(64, { context: { code: -201 } })
  floorId?: string;
}

export class FloorOpenDto extends FloorIdDto {
  @ApiProperty({ example: 5, description: 'seconds the floor button stays released, 1-254' })
  @IsOptional()
  @Transform(toStringOrUndefined)
  @MaxLength(16, { context: { code: CvCode.DoorOpenDuration } })
  interval?: string;
}

export class FloorResponseDto {
  @ApiProperty({ example: '402856aa6c08e7e4016c092400580021' }) id!: string;
  @ApiProperty({ example: 1 }) floorNo!: number;
  @ApiProperty({ example: '192.168.214.15-1' }) name!: string;
  @ApiProperty({ example: '402856aa6c3c5063016c3cb3a0360005', description: 'id of the elevator controller' }) deviceId!: string;
}

export function toFloorResponse(f: FloorRow): FloorResponseDto {
  return { id: f.id, floorNo: Number(f.floor_no), name: f.name, deviceId: f.device_id };
}

/** An elevator or entrance-control device (2.10.1, 2.10.2, 2.30.1). */
export class ModuleDeviceResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: '0564140100195' }) sn!: string;
  @ApiProperty({ example: '192.168.218.104' }) name!: string;
  @ApiProperty({ example: 'EC-100', nullable: true, type: String }) type!: string | null;
  @ApiProperty({ example: '1', description: '"1" enabled, "0" disabled' }) state!: string;
  @ApiProperty({ example: 'ele', description: '"ele" elevator, "psg" entrance control' }) module!: string;
}

/** The v2 form (2.10.3): the manual's example names the state "status". */
export class ModuleDeviceV2ResponseDto {
  @ApiProperty({ example: '8a888e238478c3a6018478ea9cdc0b9c' }) id!: string;
  @ApiProperty({ example: '6013150300019' }) sn!: string;
  @ApiProperty({ example: '10.8.14.251' }) name!: string;
  @ApiProperty({ example: 'EC-100', nullable: true, type: String }) type!: string | null;
  @ApiProperty({ example: '1' }) status!: string;
  @ApiProperty({ example: 'ele' }) module!: string;
}

export function toModuleDevice(d: Device, module: string): ModuleDeviceResponseDto {
  return { id: d.id, sn: d.sn, name: d.alias, type: deviceModel(d), state: deviceState(d), module };
}

export function toModuleDeviceV2(d: Device, module: string): ModuleDeviceV2ResponseDto {
  return { id: d.id, sn: d.sn, name: d.alias, type: deviceModel(d), status: deviceState(d), module };
}

export class ModuleLevelResponseDto {
  @ApiProperty({ example: '402856aa6c3bbde1016c3bc2329200ff' }) id!: string;
  @ApiProperty({ example: 'public level group' }) name!: string;
}

export function toModuleLevel(l: ModuleLevelRow): ModuleLevelResponseDto {
  return { id: l.id, name: l.name };
}

// ---- Gateway extensions ----

export class FloorDeclareDto {
  @ApiPropertyOptional({ example: 16, description: 'number of floors the controller drives (1-256)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(256)
  floors?: number;

  @ApiPropertyOptional({ example: ['EX316'], description: 'expansion boards, each adding its floors: EX308 (or 104) 8, EX316 (or 105) 16' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  boards?: Array<string | number>;
}

/** The points also as the README names them: `gateIds` (psgLevel) and `floorIds` (eleLevel). */
@ClientForms({ synonyms: { pointIds: ['gateIds', 'floorIds'] } })
export class ModuleLevelSaveDto {
  @ApiProperty({ example: 'Floors 1-3' })
  @ToTrimmedString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ example: '24-Hour Accessible', description: 'time segment name; default "24-Hour Accessible" for a new level' })
  @IsOptional()
  @ToTrimmedString()
  @IsString()
  @MaxLength(MAX_NAME_CHARS)
  timeSegName?: string;

  @ApiPropertyOptional({ example: ['402856aa6c08e7e4016c092400580021'], description: 'the complete set of points: floor ids (eleLevel) or gate ids (psgLevel); an array or one comma-separated string; also accepted as floorIds or gateIds' })
  @IsOptional()
  @ListInput('array')
  @IsArray()
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  pointIds?: string[];
}
