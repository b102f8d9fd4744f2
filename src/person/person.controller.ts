import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CvCode, CvError } from '../common/cv-error';
import { EnvelopeDto, envelopeOf, listEnvelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { splitList, type V2Page } from '../common/paging';
import { PersonLeaveDto, PersonListDto, PersonPhotoDto, PersonPinDto, PersonPinsDto, PersonWriteDto } from './dto/person-input.dto';
import { PersonFullDto, PersonListItemDto } from './dto/person-response.dto';
import { validatePersons } from './person-batch';
import { PersonQueryService } from './person-query.service';
import { PersonService } from './person.service';
import { ReadByPost } from '../common/read-forms';
import type { FastifyRequest } from 'fastify';
import { refusePersonDeleteNamingTemplate } from './template-delete-guard';

@ApiTags('Person')
@Controller()
export class PersonController {
  constructor(
    private readonly persons: PersonService,
    private readonly query: PersonQueryService,
  ) {}

  @Post('api/person/add')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.1 Add or Edit Person' })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@CvInput() dto: PersonWriteDto): Promise<Envelope<null>> {
    await this.persons.upsert(dto, 'add');
    return ok(null);
  }

  @Delete('api/person/delete/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.2 Delete Person by Pin' })
  @ApiParam({ name: 'pin', example: '1234' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('pin') pin: string, @Req() req: FastifyRequest): Promise<Envelope<null>> {
    refusePersonDeleteNamingTemplate(req, pin.trim());
    await this.persons.delete([pin.trim()]);
    return ok(null);
  }

  @Post('api/person/delete/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.2 Delete Person by Pin (POST form, as the manual also prints it)' })
  @ApiParam({ name: 'pin', example: '1234' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByPost(@Param('pin') pin: string, @Req() req: FastifyRequest): Promise<Envelope<null>> {
    return this.delete(pin, req);
  }

  @Get('api/person/get/:pin')
  @ApiOperation({ summary: '2.13.3 Get Person by Pin' })
  @ApiParam({ name: 'pin', example: '1234' })
  @ApiOkResponse({ type: envelopeOf(PersonListItemDto) })
  async get(@Param('pin') pin: string): Promise<Envelope<PersonListItemDto>> {
    return ok(await this.query.brief(pin.trim()));
  }

  @Post('api/person/getPersonList')
  @ReadByPost()
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.4 Get Persons by Pin List and Department Code List' })
  @ApiOkResponse({ type: listEnvelopeOf(PersonListItemDto) })
  async list(@CvInput() dto: PersonListDto): Promise<Envelope<PersonListItemDto[]>> {
    return ok(await this.query.list(dto));
  }

  @Post('api/person/getQrCode/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.5 Get Dynamic QR Code by Pin: not served, -501 (no QR payload a reader accepts is documented); -22 for an unknown pin' })
  @ApiParam({ name: 'pin', example: '123' })
  @ApiOkResponse({ type: EnvelopeDto })
  async qrCode(@Param('pin') pin: string): Promise<Envelope<null>> {
    return this.query.qrCode(pin.trim());
  }

  @Post('api/person/leave')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.6 Resignation (Person Leave)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async leave(@CvInput() dto: PersonLeaveDto): Promise<Envelope<null>> {
    await this.persons.leave(dto);
    return ok(null);
  }

  @Post('api/person/addPersonnelBasicInfo')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.7 Add or Edit Person Basic Information' })
  @ApiOkResponse({ type: EnvelopeDto })
  async addBasicInfo(@CvInput() dto: PersonWriteDto): Promise<Envelope<null>> {
    await this.persons.upsert(dto, 'basic');
    return ok(null);
  }

  @Post('api/person/updatePersonnelPhoto')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.8 Update Person Photo by Pin' })
  @ApiOkResponse({ type: EnvelopeDto })
  async updatePhoto(@CvInput() dto: PersonPhotoDto): Promise<Envelope<null>> {
    await this.persons.updatePhoto(dto);
    return ok(null);
  }

  @Post('api/v2/person/getPersonList')
  @ReadByPost()
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.9 Get Persons by Pin List and Department Code List (with total number)' })
  @ApiOkResponse({ type: v2PageEnvelopeOf(PersonFullDto, { page: { description: 'pageNo - 1' }, size: { example: 10 } }) })
  async listV2(@CvInput() dto: PersonListDto): Promise<Envelope<V2Page<PersonFullDto>>> {
    return ok(await this.query.listV2(dto));
  }

  @Post('api/person/reinstated')
  @HttpCode(200)
  @ApiOperation({ summary: '2.13.10 Reinstatement' })
  @ApiOkResponse({ type: EnvelopeDto })
  async reinstated(@CvInput() dto: PersonWriteDto): Promise<Envelope<null>> {
    await this.persons.upsert(dto, 'reinstated');
    return ok(null);
  }

  @Post('api/v2/person/addPersons')
  @HttpCode(200)
  @ApiOperation({ summary: 'v2 Add or edit several persons (a JSON array, {"persons": [...]}, or one person object), all or nothing' })
  @ApiBody({ type: [PersonWriteDto] })
  @ApiOkResponse({ type: EnvelopeDto })
  async addPersons(@Body() body: unknown): Promise<Envelope<null>> {
    await this.persons.upsertMany(await validatePersons(body));
    return ok(null);
  }

  @Post('api/v2/person/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'v2 Delete a person (pin in the query or the body)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteV2(@CvInput() dto: PersonPinDto, @Req() req: FastifyRequest): Promise<Envelope<null>> {
    refusePersonDeleteNamingTemplate(req, dto.pin);
    await this.persons.delete([dto.pin]);
    return ok(null);
  }

  @Post('api/v2/person/deleteByPins')
  @HttpCode(200)
  @ApiOperation({ summary: 'v2 Delete persons by pins (comma separated, at most 500), all or nothing' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByPins(@CvInput() dto: PersonPinsDto): Promise<Envelope<null>> {
    const pins = splitList(dto.pins);
    if (pins.length === 0) throw new CvError(CvCode.PinsNull, 'Pins not allowed to be null');
    if (pins.length > 500) throw new CvError(CvCode.PinsTooLong, 'Pins length not allowed over 500');
    await this.persons.delete(pins);
    return ok(null);
  }

  @Post('api/v2/person/getQrCode')
  @HttpCode(200)
  @ApiOperation({ summary: 'v2 Get Dynamic QR Code (pin in the query or the body): not served, -501 as 2.13.5' })
  @ApiOkResponse({ type: EnvelopeDto })
  async qrCodeV2(@CvInput() dto: PersonPinDto): Promise<Envelope<null>> {
    return this.query.qrCode(dto.pin);
  }

  @Post('api/v2/person/detectFace')
  @HttpCode(200)
  @ApiOperation({ summary: 'v2 Detect Face (the vendor Swagger; not in the manual): not served, -501 (no face algorithm here)' })
  @ApiOkResponse({ type: EnvelopeDto })
  detectFace(): never {
    // Clients call it before uploading a face photo and read 0 as "a face template can be extracted". Only the
    // vendor's face algorithm can say that; a success from here would be a guess, and -404 would send the
    // integrator looking for a wrong path. The photo itself is still checked where it is stored (person/add,
    // updatePersonnelPhoto), and the devices extract their own templates from it.
    throw new CvError(
      CvCode.NotImplemented,
      'Not implemented by this gateway: face detection needs the vendor face algorithm; upload the photo with person/add or person/updatePersonnelPhoto and the devices extract the template',
    );
  }

  @Get('api/v2/person/get')
  @ApiOperation({ summary: 'v2 Get a person by pin (query pin): the full person object of 2.13.9' })
  @ApiOkResponse({ type: envelopeOf(PersonFullDto) })
  async getV2(@CvInput() dto: PersonPinDto): Promise<Envelope<PersonFullDto>> {
    return ok(await this.query.full(dto.pin));
  }
}
