import { ApiProperty } from '@nestjs/swagger';
import { PersonBriefDto, PersonFullDto, PersonListItemDto } from './person-response.dto';

export class PersonBriefEnvelopeDto {
  @ApiProperty({ example: 0 }) code!: number;
  @ApiProperty({ example: 'success' }) message!: string;
  @ApiProperty({ type: PersonBriefDto }) data!: PersonBriefDto;
}

export class PersonListEnvelopeDto {
  @ApiProperty({ example: 0 }) code!: number;
  @ApiProperty({ example: 'success' }) message!: string;
  @ApiProperty({ type: [PersonListItemDto] }) data!: PersonListItemDto[];
}

export class PersonFullEnvelopeDto {
  @ApiProperty({ example: 0 }) code!: number;
  @ApiProperty({ example: 'success' }) message!: string;
  @ApiProperty({ type: PersonFullDto }) data!: PersonFullDto;
}

export class PersonFullPageDto {
  @ApiProperty({ example: 0, description: 'pageNo - 1' }) page!: number;
  @ApiProperty({ example: 10 }) size!: number;
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ type: [PersonFullDto] }) data!: PersonFullDto[];
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: true }) lastPage!: boolean;
}

export class PersonFullPageEnvelopeDto {
  @ApiProperty({ example: 0 }) code!: number;
  @ApiProperty({ example: 'success' }) message!: string;
  @ApiProperty({ type: PersonFullPageDto }) data!: PersonFullPageDto;
}

export class QrCodeEnvelopeDto {
  @ApiProperty({ example: 0 }) code!: number;
  @ApiProperty({ example: 'success' }) message!: string;
  @ApiProperty({ example: '2#6SQLIaSLhprGhpkCgFrhHfdyZXFJxK2DLy+oLVoImoI=' }) data!: string;
}
