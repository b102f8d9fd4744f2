import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional } from 'class-validator';
import { IsCvPin } from '../../common/pin.decorator';
import { Transform } from 'class-transformer';
import { IsCardNo } from '../../common/card.decorator';
import { codeText } from '../../common/whole-number';
import type { Card } from '../card.entity';

export class CardSetDto {
  @ApiProperty({ example: '1234' })
  @IsCvPin()
  pin!: string;

  @ApiProperty({ example: '212121', description: 'card number, digits or hexadecimal; 0 is no card (a panel reads card 0 as none), refused as empty' })
  @IsNotEmpty({ message: ({ property, value }) => `${property} should not be empty${typeof value === 'string' ? ' (card number 0 is no card to a panel)' : ''}` })
  @IsCardNo()
  cardNo!: string;

  @ApiPropertyOptional({ example: '0', description: '"0" main card (replaces the current one), "1" secondary card; absent, null or "" is a main card' })
  @IsOptional()
  @Transform(({ value }) => (value === null || value === undefined || (typeof value === 'string' && value.trim() === '') ? undefined : typeof value === 'object' ? value : codeText(value)))
  @IsIn(['0', '1'])
  cardType?: string;
}

export class CardPinDto {
  @ApiProperty({ example: '1234' })
  @IsCvPin()
  pin!: string;
}

export class CardResponseDto {
  @ApiProperty({ example: '1234' }) pin!: string;
  @ApiProperty({ example: '111' }) cardNo!: string;
  @ApiProperty({ example: '0', description: '"0" main card, "1" secondary card' }) cardType!: string;
}

export function toCardResponse(pin: string, c: Card): CardResponseDto {
  return { pin, cardNo: c.cardNo, cardType: String(c.cardType) };
}

