import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CvCode, CvError } from '../common/cv-error';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, v2Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { DeviceService } from './device.service';
import {
  DeviceListDto,
  DeviceResponseDto,
  DeviceSnDto,
  DeviceV2ResponseDto,
  toDeviceResponse,
  toDeviceV2Response,
} from './dto/device.dto';

/** 2.9 Access-control devices. */
@ApiTags('Device')
@Controller()
export class DeviceController {
  constructor(private readonly devices: DeviceService) {}

  @Get('api/device/accList')
  @ApiOperation({ summary: '2.9.1 Get Access Device List' })
  @ApiOkResponse({ type: listEnvelopeOf(DeviceResponseDto) })
  async accList(@CvInput() dto: DeviceListDto): Promise<Envelope<DeviceResponseDto[]>> {
    const { rows } = await this.devices.listAdded(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE));
    return ok(rows.map(toDeviceResponse));
  }

  @Get('api/device/getAcc')
  @ApiOperation({ summary: '2.9.2 Get Access Device by SN (sn in the query, as the printed URL)' })
  @ApiOkResponse({ type: envelopeOf(DeviceResponseDto) })
  async getAcc(@CvInput() dto: DeviceSnDto): Promise<Envelope<DeviceResponseDto>> {
    return ok(toDeviceResponse(await this.devices.requireAddedBySn(dto.sn)));
  }

  @Get('api/device/getAcc/:sn')
  @ApiOperation({ summary: '2.9.2 Get Access Device by SN (sn in the path, as the title)' })
  @ApiParam({ name: 'sn', example: '5662012052868' })
  @ApiOkResponse({ type: envelopeOf(DeviceResponseDto) })
  async getAccByPath(@Param('sn') sn: string): Promise<Envelope<DeviceResponseDto>> {
    return ok(toDeviceResponse(await this.devices.requireAddedBySn(sn.trim())));
  }

  /**
   * CVSecurity's ID-verification (PID) terminals' monitor, which the manual does not describe but a real client
   * polls every 2 s (`?timestamp=<ms>&access_token=`), reading `data` as a list of verifications with the card
   * photo and the live photo as base64. Those terminals' record shape is nowhere documented, so none is made up:
   * the route answers a clear -501 under HTTP 200 and `data: null`, which that client reads as "nothing new",
   * instead of the unknown-route HTTP 404, which its HTTP library throws on (every 2 s, unhandled).
   */
  @Get('api/device/pidMonitor')
  @ApiOperation({ summary: 'ID-verification (PID) terminal monitor: not served, answers -501 (not in the manual; polled by some clients)' })
  @ApiQuery({ name: 'timestamp', required: false, description: 'epoch milliseconds, as clients send it; not read' })
  @ApiOkResponse({ type: EnvelopeDto })
  pidMonitor(): never {
    throw new CvError(
      CvCode.NotImplemented,
      'Not implemented by this gateway: the ID-verification (PID) terminal monitor (device/pidMonitor); no PID terminal record format is documented. Access events: transaction/monitor; attendance punches: transaction/listAttTransaction',
    );
  }

  @Get(['api/v2/device/list', 'api/v2/device/accList'])
  @ApiOperation({ summary: '2.9.3 Get Access Device List (with total number); the manual prints the v1 URL' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(DeviceV2ResponseDto) })
  async listV2(@CvInput() dto: DeviceListDto): Promise<Envelope<V2Page<DeviceV2ResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.devices.listAdded(page);
    return ok(v2Page(rows.map(toDeviceV2Response), total, page));
  }
}
