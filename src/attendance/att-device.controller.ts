import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { envelopeOf, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, UNCAPPED_PAGE_SIZE } from '../common/paging';
import type { Device } from '../device/device.entity';
import { DeviceService } from '../device/device.service';
import { deviceModel, deviceState } from '../device/dto/device.dto';
import { AttDeviceListDto, AttDeviceResponseDto, AttDeviceSnDto } from './dto/attendance.dto';

/** Attendance terminal (`att`) or FaceKiosk (`ins`) device object, as 2.22.1 and 2.29.1 print it (`status`). */
function toAttDevice(d: Device, module: 'att' | 'ins'): AttDeviceResponseDto {
  return { id: d.id, sn: d.sn, name: d.alias, type: deviceModel(d) ?? '', status: deviceState(d), module };
}

/** 2.22 Attendance device, 2.29 FaceKiosk devices. Attendance lists show attendance terminals only. */
@ApiTags('Attendance')
@Controller()
export class AttDeviceController {
  constructor(private readonly devices: DeviceService) {}

  @Get('api/device/getAtt')
  @ApiOperation({ summary: '2.22.1 Get Att Device by SN' })
  @ApiOkResponse({ type: envelopeOf(AttDeviceResponseDto) })
  async getAtt(@CvInput() dto: AttDeviceSnDto): Promise<Envelope<AttDeviceResponseDto>> {
    return ok(toAttDevice(await this.devices.requireAddedBySn(dto.sn, 'att'), 'att'));
  }

  @Get('api/device/getAtt/:sn')
  @ApiOperation({ summary: '2.22.1 Get Att Device by SN (sn in the path)' })
  @ApiParam({ name: 'sn', example: 'CEXB193160012' })
  @ApiOkResponse({ type: envelopeOf(AttDeviceResponseDto) })
  async getAttByPath(@Param('sn') sn: string): Promise<Envelope<AttDeviceResponseDto>> {
    return ok(toAttDevice(await this.devices.requireAddedBySn(sn.trim(), 'att'), 'att'));
  }

  @Get('api/device/attList')
  @ApiOperation({ summary: 'Attendance device list (paged), the attendance twin of 2.9.1 accList' })
  @ApiOkResponse({ type: listEnvelopeOf(AttDeviceResponseDto) })
  async attList(@CvInput() dto: AttDeviceListDto): Promise<Envelope<AttDeviceResponseDto[]>> {
    const { rows } = await this.devices.listAdded(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE), 'att');
    return ok(rows.map((d) => toAttDevice(d, 'att')));
  }

  @Get('api/device/attAdDeviceList')
  @ApiOperation({ summary: '2.29.1 Get FaceKiosk device list (paged)' })
  @ApiOkResponse({ type: listEnvelopeOf(AttDeviceResponseDto) })
  async kioskList(@CvInput() dto: AttDeviceListDto): Promise<Envelope<AttDeviceResponseDto[]>> {
    const { rows } = await this.devices.listAdded(checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE), 'facekiosk');
    return ok(rows.map((d) => toAttDevice(d, 'ins')));
  }
}
