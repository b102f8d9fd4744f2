import { ApiProperty } from '@nestjs/swagger';

export class PersonDeviceRightDto {
  @ApiProperty({ example: 1, description: 'TimezoneId (the time segment tz_id)' }) timezoneId!: number;
  @ApiProperty({ example: 3, description: 'AuthorizeDoorId bitmask: door 1 → 1, 2 → 2, 3 → 4, 4 → 8' }) authorizeDoorId!: number;
}

export class PersonDeviceSyncDto {
  @ApiProperty({ example: 'CJDE193560303' }) deviceSn!: string;
  @ApiProperty({ example: '192.168.1.201' }) deviceAlias!: string;
  @ApiProperty({ enum: ['synced', 'pending', 'failed'], description: 'synced: every command carrying this pin since the last change is acknowledged' })
  state!: 'synced' | 'pending' | 'failed';
  @ApiProperty({ type: [PersonDeviceRightDto] }) rights!: PersonDeviceRightDto[];
  @ApiProperty({ example: 0 }) pendingCommands!: number;
  @ApiProperty({ example: 3 }) doneCommands!: number;
  @ApiProperty({ example: 0 }) failedCommands!: number;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Return code and error of the last failed command' }) lastError!: string | null;
  @ApiProperty({ example: '2026-11-21 08:00:00' }) plannedAt!: string | null;
}

