import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { CardService } from './card.service';
import { CardPinDto, CardResponseDto, CardSetDto } from './dto/card.dto';

@ApiTags('Card')
@Controller()
export class CardController {
  constructor(private readonly cards: CardService) {}

  @Get('api/card/getCards/:pin')
  @ApiOperation({ summary: '2.4.1 Get Card List by Pin' })
  @ApiParam({ name: 'pin', example: '1234' })
  @ApiOkResponse({ type: listEnvelopeOf(CardResponseDto) })
  async getCards(@Param('pin') pin: string): Promise<Envelope<CardResponseDto[]>> {
    return ok(await this.cards.ofPin(pin.trim()));
  }

  @Post('api/card/set')
  @HttpCode(200)
  @ApiOperation({ summary: '2.4.2 Set Person Card' })
  @ApiOkResponse({ type: EnvelopeDto })
  async set(@CvInput() dto: CardSetDto): Promise<Envelope<null>> {
    await this.cards.set(dto);
    return ok(null);
  }

  @Get('api/v2/card/getCards')
  @ApiOperation({ summary: 'v2 Get Card List by Pin (pin in the query)' })
  @ApiOkResponse({ type: listEnvelopeOf(CardResponseDto) })
  async getCardsV2(@CvInput() dto: CardPinDto): Promise<Envelope<CardResponseDto[]>> {
    return ok(await this.cards.ofPin(dto.pin));
  }
}
