import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { checkPaging, v2Page, type V2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { answered, commandResponse } from '../door/door.controller';
import { ActionAnswerService } from '../push/action-answer.service';
import { DeviceSnDto } from '../device/dto/device.dto';
import { FloorDeclareDto, FloorResponseDto, ModuleDeviceResponseDto, ModuleDeviceV2ResponseDto, ModuleListDto, toFloorResponse, toModuleDevice, toModuleDeviceV2 } from './dto/elevator.dto';
import { FloorService } from './floor.service';
import { ModuleDeviceService } from './module-device.service';

/** 2.10 Elevator devices: the added devices whose kind is `ele`; plus the gateway's floor declaration. */
@ApiTags('EleDevice')
@Controller()
export class EleDeviceController {
  constructor(
    private readonly devices: ModuleDeviceService,
    private readonly floors: FloorService,
    private readonly answers: ActionAnswerService,
  ) {}

  @Get('api/eleDevice/eleList')
  @ApiOperation({ summary: '2.10.1 Get Ele Device List' })
  @ApiOkResponse({ type: listEnvelopeOf(ModuleDeviceResponseDto) })
  async list(@CvInput() dto: ModuleListDto): Promise<Envelope<ModuleDeviceResponseDto[]>> {
    return ok((await this.devices.list('ele', checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE))).rows.map((d) => toModuleDevice(d, 'ele')));
  }

  @Get('api/eleDevice/getEle')
  @ApiOperation({ summary: '2.10.2 Get Ele Device Info by Sn (sn in the query, as the printed URL)' })
  @ApiOkResponse({ type: envelopeOf(ModuleDeviceResponseDto) })
  async get(@CvInput() dto: DeviceSnDto): Promise<Envelope<ModuleDeviceResponseDto>> {
    return ok(toModuleDevice(await this.devices.requireBySn('ele', dto.sn), 'ele'));
  }

  @Get('api/eleDevice/getEle/:sn')
  @ApiOperation({ summary: '2.10.2 Get Ele Device Info by Sn (sn in the path, as the title)' })
  @ApiParam({ name: 'sn', example: '5662012052868' })
  @ApiOkResponse({ type: envelopeOf(ModuleDeviceResponseDto) })
  async getByPath(@Param('sn') sn: string): Promise<Envelope<ModuleDeviceResponseDto>> {
    return ok(toModuleDevice(await this.devices.requireBySn('ele', sn.trim()), 'ele'));
  }

  @Get('api/v2/eleDevice/eleList')
  @ApiOperation({ summary: '2.10.3 Get Ele Device List (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(ModuleDeviceV2ResponseDto) })
  async listV2(@CvInput() dto: ModuleListDto): Promise<Envelope<V2Page<ModuleDeviceV2ResponseDto>>> {
    const page = checkPaging(dto.pageNo, dto.pageSize, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.devices.list('ele', page);
    return ok(v2Page(rows.map((d) => toModuleDeviceV2(d, 'ele')), total, page));
  }

  @Post('api/gateway/eleDevice/:sn/floors')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: declare the floors of an elevator controller ({"floors": 16} and/or {"boards": ["EX316"]})' })
  @ApiParam({ name: 'sn', example: '5662012052868' })
  @ApiOkResponse({ type: listEnvelopeOf(FloorResponseDto) })
  async declareFloors(@Param('sn') sn: string, @CvInput() dto: FloorDeclareDto): Promise<Envelope<FloorResponseDto[]>> {
    return ok((await this.floors.declareFloors(sn.trim(), dto.floors, dto.boards)).map(toFloorResponse));
  }

  @Post('api/gateway/eleDevice/:sn/cancelEmergency')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gateway extension: cancel the elevator emergency state (CONTROL DEVICE 0F)' })
  @ApiParam({ name: 'sn', example: '5662012052868' })
  @ApiOkResponse(commandResponse)
  async cancelEmergency(@Param('sn') sn: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Envelope<null>> {
    return answered(reply, this.answers, await this.floors.cancelEmergency(sn.trim()));
  }
}
