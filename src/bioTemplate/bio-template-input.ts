import { BIO_TYPE } from '../push/protocol';
import { base64Text } from '../common/base64-text';
import { CvCode, CvError } from '../common/cv-error';
import { codeText, wholeNumber } from '../common/whole-number';
import type { BioTemplateAddDto } from './dto/bio-template.dto';

/** Base64 characters of one template; a fingerprint is 1-3 KB, a face part a few KB, a palm up to ~20 KB. */
export const MAX_TEMPLATE_CHARS = 64 * 1024;

/** One template in bio_template terms, whether it came from the REST API or from a device upload. */
export interface TemplateFields {
  bioType: number;
  templateNo: number;
  templateNoIndex: number;
  validType: 1 | 3;
  majorVer: number;
  minorVer: number;
  template: string;
}

export interface CheckedTemplate extends TemplateFields {
  pin: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Standard base64, padding optional (the manual's own example has none); line breaks dropped, a form's `+` restored (base64-text.ts). */
export function normaliseBase64(raw: string | undefined, what: string, maxChars: number, emptyCode: number = CvCode.InvalidParameter): string {
  const text = base64Text(raw ?? '');
  if (text === '') throw new CvError(emptyCode, `${what} cannot be empty`);
  if (text.length > maxChars) throw new CvError(CvCode.InvalidParameter, `${what} is too large: ${text.length} base64 characters, at most ${maxChars}`);
  if (!BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) throw new CvError(CvCode.InvalidParameter, `${what} is not valid base64`);
  return text;
}

/** A whole number (whole-number.ts: "3", 3 and "3.0" alike, 3.5 none) within min-max, else undefined. */
function intIn(raw: string | undefined, min: number, max: number): number | undefined {
  const n = wholeNumber(raw);
  return n >= min && n <= max ? n : undefined;
}

/** The manual's finger number 0-9, else -33. */
export function checkTemplateNo(raw: string | undefined): number {
  const n = intIn(raw, 0, 9);
  if (n === undefined) throw new CvError(CvCode.TemplateIndexRange, 'Fingerprint template index range is from 0-9!');
  return n;
}

/** An Appendix 18 biometric type 1-10, else -400; undefined when none is given (absent or ""). */
export function checkBioType(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = intIn(raw, 1, 10);
  if (n === undefined) throw new CvError(CvCode.InvalidParameter, 'bioType must be an Appendix 18 biometric type from 1 to 10');
  return n;
}

/** Checks 2.25.1 input in the manual's order: validType (-32), templateNo (-33), then the template itself. */
export function checkTemplateInput(dto: BioTemplateAddDto): CheckedTemplate {
  const code = codeText(dto.validType);
  const validType = code === '1' ? 1 : code === '3' ? 3 : undefined;
  if (validType === undefined) throw new CvError(CvCode.WrongValidType, 'Input wrong validtype! (1 normal, 3 duress)');
  const templateNo = checkTemplateNo(dto.templateNo);
  const bioType = checkBioType(dto.bioType) ?? BIO_TYPE.fingerprint;
  const templateNoIndex = dto.templateNoIndex === undefined || dto.templateNoIndex === '' ? 0 : intIn(dto.templateNoIndex, 0, 99);
  if (templateNoIndex === undefined) throw new CvError(CvCode.InvalidParameter, 'templateNoIndex must be an integer from 0 to 99');
  const version = dto.version === undefined || dto.version === '' ? '10' : dto.version;
  const v = /^(\d{1,4})(?:\.(\d{1,4}))?$/.exec(version);
  if (!v) throw new CvError(CvCode.InvalidParameter, 'version must look like "10" or "10.3"');
  const template = normaliseBase64(dto.template, 'template', MAX_TEMPLATE_CHARS);
  return { pin: dto.personId, bioType, templateNo, templateNoIndex, validType, majorVer: Number(v[1]), minorVer: Number(v[2] ?? 0), template };
}
