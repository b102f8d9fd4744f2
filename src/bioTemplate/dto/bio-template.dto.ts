import { Base64Input } from '../../common/base64-text';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ClientForms } from '../../common/client-forms';
import { CvCode } from '../../common/cv-error';
import { MAX_TEMPLATE_CHARS } from '../../common/limits';
import { ToTrimmedString } from '../../common/transforms';

/**
 * 2.25.1 body (bare, or wrapped as `{apiBioTemplate:{...}}`, field notes REST 7). Range and format checks
 * (validType -32, templateNo -33, base64 and size) are made by the service so that each gets its manual code
 * whatever type the client sent (numbers arrive as strings and strings as numbers). `pin` and `personPin`
 * are accepted for personId (the global synonyms).
 */
@ClientForms({ wrappers: ['apiBioTemplate'] })
export class BioTemplateAddDto {
  @ApiProperty({ example: '666', description: 'person pin ("personnel ID"); -20 when empty, -22 when unknown' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.PinEmpty } })
  @IsNotEmpty({ context: { code: CvCode.PinEmpty } })
  @MaxLength(64)
  personId!: string;

  @ApiProperty({ example: '1', description: '"1" normal, "3" duress (-32 otherwise)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(8, { context: { code: CvCode.WrongValidType } })
  validType?: string;

  @ApiProperty({ example: 'fsfsfsfsfsfsfsfsfsfsfsfsfsfsfs', description: 'template, base64 (ZK finger v10 unless version says otherwise)' })
  @IsOptional()
  @Base64Input()
  @MaxLength(MAX_TEMPLATE_CHARS)
  template?: string;

  @ApiProperty({ example: '3', description: 'finger number 0-9 (-33 otherwise)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(8, { context: { code: CvCode.TemplateIndexRange } })
  templateNo?: string;

  @ApiPropertyOptional({ example: '1', description: 'gateway extension: Appendix 18 biometric type (default 1 fingerprint; 2 NIR face, 9 visible face, ...)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(8)
  bioType?: string;

  @ApiPropertyOptional({ example: '0', description: 'gateway extension: index of the template within the body part (default 0; a NIR face has 0-14)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(8)
  templateNoIndex?: string;

  @ApiPropertyOptional({ example: '10', description: 'gateway extension: algorithm version major[.minor] (default "10")' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(16)
  version?: string;
}

/** Person pin for the delete/get forms that take it from the query or body. */
export class BioTemplatePinDto {
  @ApiProperty({ example: '666' })
  @ToTrimmedString()
  @IsString({ context: { code: CvCode.PinEmpty } })
  @IsNotEmpty({ context: { code: CvCode.PinEmpty } })
  @MaxLength(64)
  pin!: string;
}

export class BioTemplateNoDto {
  @ApiProperty({ example: '3', description: 'finger number 0-9 (-33 otherwise)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(8, { context: { code: CvCode.TemplateIndexRange } })
  templateNo?: string;
}

/**
 * A delete by pin (query, body or path) that may name one finger: with templateNo, that finger (2.25.2); without
 * it, every template of the person, or of the person's bioType when one is given (2.25.3, as later releases'
 * `bioTemplate/delete/{pin}` "Delete Bio Template by Personnel ID" does).
 */
export class BioTemplateDeleteDto {
  @ApiPropertyOptional({ example: '3', description: 'finger number 0-9 (-33 otherwise); absent or "": every template of the person (of bioType when given)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(8, { context: { code: CvCode.TemplateIndexRange } })
  templateNo?: string;

  @ApiPropertyOptional({ example: '1', description: 'without templateNo: only templates of this Appendix 18 biometric type (1 fingerprint, 2 NIR face, 9 visible face, ...)' })
  @IsOptional()
  @ToTrimmedString()
  @MaxLength(8)
  bioType?: string;
}

export class BioTemplatePinNoDto extends IntersectionType(BioTemplatePinDto, BioTemplateDeleteDto) {}

/** 2.25.4 item; numbers and strings exactly as the manual's example types them. */
export class BioTemplateResponseDto {
  @ApiProperty({ example: 2, description: 'template id (a number, as in the manual)' })
  id!: number;
  @ApiProperty({ example: '666', description: 'person pin' })
  personId!: string;
  @ApiProperty({ example: 1, description: '1 normal, 3 duress' })
  validType!: number;
  @ApiProperty({ example: 1, description: 'Appendix 18 biometric type (1 fingerprint)' })
  bioType!: number;
  @ApiProperty({ example: '10', description: 'algorithm version' })
  version!: string;
  @ApiProperty({ example: 'fsfsfs', description: 'template, base64' })
  template!: string;
  @ApiProperty({ example: '3', description: 'finger number, as a string' })
  templateNo!: string;
  @ApiProperty({ example: 0 })
  templateNoIndex!: number;
}

export function formatBioVersion(majorVer: number, minorVer: number): string {
  return minorVer ? `${majorVer}.${minorVer}` : String(majorVer);
}

/** The one entity → CVSecurity response mapper (2.25.4). */
export function toBioTemplateResponse(
  t: { id: string; bioType: number; templateNo: number; templateNoIndex: number; validType: number; majorVer: number; minorVer: number; template: string },
  pin: string,
): BioTemplateResponseDto {
  return {
    id: Number(t.id),
    personId: pin,
    validType: t.validType,
    bioType: t.bioType,
    version: formatBioVersion(t.majorVer, t.minorVer),
    template: t.template,
    templateNo: String(t.templateNo),
    templateNoIndex: t.templateNoIndex,
  };
}

