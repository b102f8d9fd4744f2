import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { VisitorCertDto, VisitorPinDto, VisRegistrationAddDto, VisRegistrationViewDto } from './dto/visitor.dto';
import { VisRegistrationService } from './vis-registration.service';
import { VisitorSweeperService } from './visitor-sweeper.service';

@ApiTags('Visitor')
@Controller()
export class VisRegistrationController {
  constructor(private readonly registrations: VisRegistrationService) {}

  @Post('api/visRegistration/add')
  @HttpCode(200)
  @ApiOperation({ summary: '2.17.1 Add Visitor Registration (Check-in)' })
  @ApiBody({ type: VisRegistrationAddDto })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@CvInput() dto: VisRegistrationAddDto): Promise<Envelope<null>> {
    await this.registrations.add(dto);
    return ok(null);
  }

  @Post('api/visRegistration/exit')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.17.2 Visitor Check-out (certType, certNum in the query)' })
  @ApiQuery({ name: 'certType', example: '8' })
  @ApiQuery({ name: 'certNum', example: '456888' })
  @ApiOkResponse({ type: EnvelopeDto })
  async exit(@CvInput() dto: VisitorCertDto): Promise<Envelope<null>> {
    await this.registrations.exit(dto);
    return ok(null);
  }

  @Post('api/visRegistration/getQrCode/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.17.3 Get Visitor Dynamic QR Code: not served, -501 (no QR payload a reader accepts is documented); -257 without a checked-in visitor' })
  @ApiParam({ name: 'pin', example: '80000001' })
  @ApiBody({ type: VisitorPinDto, required: false })
  @ApiOkResponse({ type: EnvelopeDto })
  async qrCode(@Param('pin') pin: string, @CvInput() dto: VisitorPinDto): Promise<Envelope<null>> {
    return this.registrations.qrCode(pin.trim() || dto.pin);
  }
}

class SweepResultDto {
  @ApiProperty({ example: 1, description: 'visits that expired in this sweep' }) expired!: number;
}

/** Gateway extensions: look at a visit, and end overdue visits now. */
@ApiTags('Gateway extensions')
@Controller()
export class VisRegistrationGatewayController {
  constructor(
    private readonly registrations: VisRegistrationService,
    private readonly sweeper: VisitorSweeperService,
  ) {}

  @Get('api/gateway/visRegistration/get')
  @ApiOperation({ summary: 'Gateway: the latest visit of a document (certType, certNum), with its state' })
  @ApiOkResponse({ type: envelopeOf(VisRegistrationViewDto) })
  async get(@CvInput() dto: VisitorCertDto): Promise<Envelope<VisRegistrationViewDto>> {
    return ok(await this.registrations.view(dto));
  }

  @Post('api/gateway/visRegistration/sweep')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway: end every visit whose window has passed, now (the sweeper does it every VISITOR_SWEEP_INTERVAL_MS)' })
  @ApiOkResponse({ type: envelopeOf(SweepResultDto) })
  async sweep(): Promise<Envelope<SweepResultDto>> {
    return ok({ expired: await this.sweeper.sweep() });
  }
}

