import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, ok, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { VisReservationAddDto, VisReservationDelDto } from './dto/visitor.dto';
import { VisReservationService } from './vis-reservation.service';

@ApiTags('Visitor')
@Controller()
export class VisReservationController {
  constructor(private readonly reservations: VisReservationService) {}

  @Post('api/visReservation/add')
  @HttpCode(200)
  @ApiOperation({ summary: '2.15.1 Add Visitor Reservation' })
  @ApiBody({ type: VisReservationAddDto })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@CvInput() dto: VisReservationAddDto): Promise<Envelope<null>> {
    await this.reservations.add(dto);
    return ok(null);
  }

  @Post('api/visReservation/del')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.15.2 Delete Visitor Reservation (certType, certNum, visitDate in the query)' })
  @ApiQuery({ name: 'certType', example: '3' })
  @ApiQuery({ name: 'certNum', example: '4512' })
  @ApiQuery({ name: 'visitDate', example: '2018-08-31 14:40:00', description: 'visitDate of the reservation, or a bare date (yyyy-MM-dd) for the reservations of that day' })
  @ApiOkResponse({ type: EnvelopeDto })
  async del(@CvInput() dto: VisReservationDelDto): Promise<Envelope<null>> {
    await this.reservations.delete(dto);
    return ok(null);
  }
}
