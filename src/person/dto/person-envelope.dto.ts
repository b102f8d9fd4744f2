import { ApiProperty } from '@nestjs/swagger';

export class QrCodeEnvelopeDto {
  @ApiProperty({ example: 0 }) code!: number;
  @ApiProperty({ example: 'success' }) message!: string;
  @ApiProperty({ example: '2#6SQLIaSLhprGhpkCgFrhHfdyZXFJxK2DLy+oLVoImoI=' }) data!: string;
}
