import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { OptionalPagingDto } from '../../common/paging';
import { ToTrimmedString } from '../../common/transforms';

export const COMMAND_STATES = ['pending', 'sent', 'done', 'failed'] as const;

export class DeviceCommandsQueryDto extends OptionalPagingDto {
  @ApiPropertyOptional({ enum: COMMAND_STATES, description: 'only commands in this state (default: all)' })
  @IsOptional()
  @ToTrimmedString()
  @IsIn(COMMAND_STATES)
  state?: (typeof COMMAND_STATES)[number];
}

export class DeviceCommandDto {
  @ApiProperty({ example: '42', description: 'queue id' })
  id!: string;
  @ApiProperty({ example: 'DATA UPDATE user CardNo=\tPin=1\tName=Ann', description: 'command text (first 200 characters)' })
  command!: string;
  @ApiProperty({ example: 38 })
  commandBytes!: number;
  @ApiProperty({ enum: COMMAND_STATES, example: 'done' })
  state!: string;
  @ApiProperty({ example: 1, description: 'deliveries so far' })
  attempts!: number;
  @ApiProperty({ example: '107', nullable: true, type: String, description: 'CmdID of the latest delivery (C:<cmdId>:)' })
  cmdId!: string | null;
  @ApiProperty({ example: '2026-11-21 08:00:01', nullable: true, type: String })
  sentAt!: string | null;
  @ApiProperty({ example: '2026-11-21 08:00:02', nullable: true, type: String })
  doneAt!: string | null;
  @ApiProperty({ example: 0, nullable: true, type: Number, description: "the device's Return (a record count for DATA QUERY / COUNT)" })
  returnCode!: number | null;
  @ApiProperty({ example: 'Successful', nullable: true, type: String, description: 'meaning of the Return code (manual Appendix 1)' })
  returnMeaning!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String })
  error!: string | null;
  @ApiProperty({ example: '2026-11-21 08:00:00' })
  createdAt!: string;
}

