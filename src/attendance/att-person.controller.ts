import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { AttPersonService } from './att-person.service';
import { EditAttPersonDto, EditInsPersonDto } from './dto/attendance.dto';

/** 2.24.5 and 2.27.1. */
@ApiTags('Attendance')
@Controller()
export class AttPersonController {
  constructor(private readonly persons: AttPersonService) {}

  @Post('api/attPerson/editAttPerson')
  @HttpCode(200)
  @ApiOperation({ summary: '2.24.5 Edit attendance settings: counted for attendance, device privilege (terminal Pri), verify mode' })
  @ApiOkResponse({ type: EnvelopeDto })
  async editAtt(@CvInput() dto: EditAttPersonDto): Promise<Envelope<null>> {
    await this.persons.editAtt(dto);
    return ok(null);
  }

  @Post('api/attPerson/editInsPerson')
  @HttpCode(200)
  @ApiOperation({ summary: '2.27.1 Edit FaceKiosk settings: category (0 ordinary, 1 VIP, 2 blacklist = blocked on the kiosks), privilege' })
  @ApiOkResponse({ type: EnvelopeDto })
  async editIns(@CvInput() dto: EditInsPersonDto): Promise<Envelope<null>> {
    await this.persons.editIns(dto);
    return ok(null);
  }
}
