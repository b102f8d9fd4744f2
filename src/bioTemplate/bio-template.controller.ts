import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CvCode, CvError } from '../common/cv-error';
import { EnvelopeDto, listEnvelopeOf, ok, type Envelope } from '../common/envelope';
import { CvInput, QueryParams } from '../common/input.decorator';
import { BioTemplateService } from './bio-template.service';
import {
  BioTemplateAddDto,
  BioTemplateDeleteDto,
  BioTemplateNoDto,
  BioTemplatePinDto,
  BioTemplatePinNoDto,
  BioTemplateResponseDto,
} from './dto/bio-template.dto';

/**
 * 2.25 and the v2 forms real clients call (field notes REST 6). The manual prints 2.25.2 as
 * `DELETE getFgListByPin/{pin}` and 2.25.3 as `DELETE deleteById/*?pin=`: those are served, and the paths
 * later releases use (`delete/{pin}/{templateNo}`, `delete?pin=&templateNo=`, `deleteByPin/{pin}`) too.
 */
@ApiTags('BioTemplate')
@Controller()
export class BioTemplateController {
  constructor(private readonly templates: BioTemplateService) {}

  @Post('api/bioTemplate/add')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.1 Add Person Biometric Template (bare body or {apiBioTemplate:{...}})' })
  @ApiBody({ type: BioTemplateAddDto })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@CvInput() dto: BioTemplateAddDto): Promise<Envelope<null>> {
    await this.templates.add(dto);
    return ok(null);
  }

  @Post('api/v2/bioTemplate/add')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.1 Add Person Biometric Template (v2 path)' })
  @ApiBody({ type: BioTemplateAddDto })
  @ApiOkResponse({ type: EnvelopeDto })
  async addV2(@CvInput() dto: BioTemplateAddDto): Promise<Envelope<null>> {
    return this.add(dto);
  }

  @Delete('api/bioTemplate/getFgListByPin/:pin')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.2 Delete Biometric Template by Person and Finger Number (as printed: templateNo in the query)' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiQuery({ name: 'templateNo', example: 3 })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteFingerPrinted(@Param('pin') pin: string, @CvInput() dto: BioTemplateNoDto): Promise<Envelope<null>> {
    await this.templates.deleteFinger(pin, dto.templateNo);
    return ok(null);
  }

  @Delete('api/bioTemplate/delete/:pin/:templateNo')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.2 Delete Biometric Template by Person and Finger Number' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiParam({ name: 'templateNo', example: '3' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteFinger(@Param('pin') pin: string, @Param('templateNo') templateNo: string): Promise<Envelope<null>> {
    await this.templates.deleteFinger(pin, templateNo);
    return ok(null);
  }

  @Post('api/bioTemplate/delete/:pin/:templateNo')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.2 Delete Biometric Template by Person and Finger Number (POST form, as the vendor Swagger that clients are generated from gives it)' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiParam({ name: 'templateNo', example: '3' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteFingerByPost(@Param('pin') pin: string, @Param('templateNo') templateNo: string): Promise<Envelope<null>> {
    return this.deleteFinger(pin, templateNo);
  }

  /**
   * Later releases' "Delete Bio Template by Personnel ID" (`bioTemplate/delete/{pin}`, no finger), which real
   * clients call to clear a person's templates: every template of the person (of bioType when given), as 2.25.3.
   * With a templateNo in the query or body it is 2.25.2's delete of that finger, as `delete/{pin}/{templateNo}`.
   */
  @Delete('api/bioTemplate/delete/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (later releases\' delete/{pin}); with templateNo, that finger (2.25.2)' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByPinPath(@Param('pin') pin: string, @CvInput() dto: BioTemplateDeleteDto): Promise<Envelope<null>> {
    await this.templates.deleteByPin(pin, dto.templateNo, dto.bioType);
    return ok(null);
  }

  @Post('api/bioTemplate/delete/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (POST form of delete/{pin}); with templateNo, that finger (2.25.2)' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByPinPathPost(@Param('pin') pin: string, @CvInput() dto: BioTemplateDeleteDto): Promise<Envelope<null>> {
    return this.deleteByPinPath(pin, dto);
  }

  @Delete('api/bioTemplate/delete')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.2 Delete Biometric Template by Person and Finger Number (pin and templateNo in the query); without templateNo, every template of the person (of bioType when given)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteFingerByQuery(@CvInput() dto: BioTemplatePinNoDto): Promise<Envelope<null>> {
    await this.templates.deleteByPin(dto.pin, dto.templateNo, dto.bioType);
    return ok(null);
  }

  @Post('api/bioTemplate/delete')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.2 Delete Biometric Template by Person and Finger Number (POST form; pin and templateNo in the query or body); without templateNo, every template of the person' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteFingerByQueryPost(@CvInput() dto: BioTemplatePinNoDto): Promise<Envelope<null>> {
    return this.deleteFingerByQuery(dto);
  }

  @Post('api/v2/bioTemplate/delete')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.2 Delete Biometric Template by Person and Finger Number (v2: pin and templateNo in the query or body); without templateNo, every template of the person' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteFingerV2(@CvInput() dto: BioTemplatePinNoDto): Promise<Envelope<null>> {
    return this.deleteFingerByQuery(dto);
  }

  @Delete('api/bioTemplate/deleteById/:any')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (as printed: deleteById/*?pin=)' })
  @ApiParam({ name: 'any', example: '*', description: 'ignored; the manual prints a literal "*"' })
  @ApiQuery({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteAllPrinted(@CvInput() dto: BioTemplatePinDto): Promise<Envelope<null>> {
    await this.templates.deleteAll(dto.pin);
    return ok(null);
  }

  @Post('api/bioTemplate/deleteById/:any')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (POST form: the manual heads it "Post Request URL")' })
  @ApiParam({ name: 'any', example: '*', description: 'ignored; the manual prints a literal "*"' })
  @ApiQuery({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteAllPrintedByPost(@CvInput() dto: BioTemplatePinDto): Promise<Envelope<null>> {
    return this.deleteAllPrinted(dto);
  }

  /**
   * The printed path without its literal `*` (`deleteById?pin=`, `deleteById/?pin=`): clients that read the `*`
   * as a placeholder to leave out. Without this route the request was routed to `deleteById/{any}` and refused
   * with "any is required", naming a parameter that is no input at all.
   */
  @Delete('api/bioTemplate/deleteById')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (the printed path without its "*" segment: deleteById?pin=)' })
  @ApiQuery({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteAllPrintedBare(@CvInput() dto: BioTemplatePinDto): Promise<Envelope<null>> {
    return this.deleteAllPrinted(dto);
  }

  @Post('api/bioTemplate/deleteById')
  @QueryParams()
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (POST form of deleteById?pin=)' })
  @ApiQuery({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteAllPrintedBareByPost(@CvInput() dto: BioTemplatePinDto): Promise<Envelope<null>> {
    return this.deleteAllPrinted(dto);
  }

  @Delete('api/bioTemplate/deleteByPin/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteAll(@Param('pin') pin: string): Promise<Envelope<null>> {
    await this.templates.deleteAll(pin);
    return ok(null);
  }

  @Post('api/bioTemplate/deleteByPin/:pin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (POST form, as the vendor Swagger that clients are generated from gives it)' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteAllByPost(@Param('pin') pin: string): Promise<Envelope<null>> {
    return this.deleteAll(pin);
  }

  @Post('api/v2/bioTemplate/deleteByPin')
  @HttpCode(200)
  @ApiOperation({ summary: '2.25.3 Delete All Biometric Templates of a Person (v2: pin in the query or body)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteAllV2(@CvInput() dto: BioTemplatePinDto): Promise<Envelope<null>> {
    return this.deleteAllPrinted(dto);
  }

  @Get('api/bioTemplate/getFgListByPin/:pin')
  @ApiOperation({ summary: '2.25.4 Get Biometric Templates by Pin' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: listEnvelopeOf(BioTemplateResponseDto) })
  async list(@Param('pin') pin: string): Promise<Envelope<BioTemplateResponseDto[]>> {
    return ok(await this.templates.listFingerprints(pin));
  }

  /**
   * A POST here is a read (clients POST reads, read-forms.ts), except that 2.25.2 prints its deletion at this
   * path with `templateNo` in the query: a POST carrying one is refused, saying which forms delete, rather than
   * answered with the list a client would take for a deletion done.
   */
  @Post('api/bioTemplate/getFgListByPin/:pin')
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async listByPost(@Param('pin') pin: string, @CvInput() dto: BioTemplateNoDto): Promise<Envelope<BioTemplateResponseDto[]>> {
    if (dto.templateNo !== undefined) {
      throw new CvError(
        CvCode.MethodNotAllowed,
        `POST reads the templates at /api/bioTemplate/getFgListByPin/${pin}; to delete templateNo ${dto.templateNo} use DELETE here or POST /api/bioTemplate/delete/${pin}/${dto.templateNo}`,
        HttpStatus.METHOD_NOT_ALLOWED,
      );
    }
    return this.list(pin);
  }

  @Get('api/v2/bioTemplate/getFgListByPin/:pin')
  @ApiOperation({ summary: '2.25.4 Get Biometric Templates by Pin (v2 path)' })
  @ApiParam({ name: 'pin', example: '666' })
  @ApiOkResponse({ type: listEnvelopeOf(BioTemplateResponseDto) })
  async listV2(@Param('pin') pin: string): Promise<Envelope<BioTemplateResponseDto[]>> {
    return this.list(pin);
  }
}
