import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { normaliseClientForms } from './client-forms';
import { CvCode, CvError } from './cv-error';
import { manualMessage } from './cv-messages';
import { memoiseValidationMetadata } from './validation-metadata-cache';

export interface CvValidationContext {
  /** The manual's error code for this constraint, for example -20 "Pin number cannot be empty". */
  code?: number;
}

/**
 * Which failed constraint names the error when several fail on one value. A missing value fails its
 * length bound too (class-validator's maxLength refuses a non-string), so "is missing" must win over
 * "is too long": a pin that is not there is -20 "Pin number cannot be empty", not -29 "PIN exception".
 */
const PRESENCE = ['isDefined', 'isNotEmpty', 'arrayNotEmpty', 'isString', 'isArray'];
const BOUNDS = ['maxLength', 'minLength', 'length', 'arrayMaxSize', 'arrayMinSize', 'max', 'min'];
const rank = (constraint: string) => (PRESENCE.includes(constraint) ? 0 : BOUNDS.includes(constraint) ? 2 : 1);

function flatten(errors: ValidationError[], prefix = ''): Array<{ field: string; messages: string[]; code?: number }> {
  const out: Array<{ field: string; messages: string[]; code?: number }> = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const contexts = (e.contexts ?? {}) as Record<string, CvValidationContext>;
      const failed = Object.keys(e.constraints).sort((a, b) => rank(a) - rank(b));
      // A missing value is reported as missing (with its code), not also as "too long".
      const shown = rank(failed[0]) === 0 ? failed.filter((k) => rank(k) === 0) : failed;
      const code = shown.map((k) => contexts[k]?.code).find((c) => c !== undefined);
      out.push({ field, messages: shown.map((k) => e.constraints![k]), code });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * A DTO failure becomes one envelope whose message names each bad field; the code comes from the constraint's
 * context. A code the manual names leads with the manual's own text ("Pin number cannot be empty: pin ..."), as
 * the gateway's other errors do ("The person does not exist: 1234"): clients show or match that text, and a
 * person/add without a pin must not read differently from one the service refuses.
 */
export function validationErrorToCvError(errors: ValidationError[]): CvError {
  const items = flatten(errors);
  const code = items.find((i) => i.code !== undefined)?.code ?? CvCode.InvalidParameter;
  const detail = items.map((i) => `${i.field}: ${i.messages.join(', ')}`).join('; ') || 'Invalid parameters';
  const manual = manualMessage(code);
  return new CvError(code, manual === undefined || detail.startsWith(manual) ? detail : `${manual}: ${detail}`);
}

/**
 * Brings every client form of an input to the DTO's own field names (client-forms.ts), then validates. A path
 * parameter is trimmed, as the same value is from a query or a body: `department/get/%20N3%20` answered -13 "does
 * not exist" while `v2/department/get?code=%20N3%20` found N3.
 */
class CvValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' && typeof value === 'string') return super.transform(value.trim(), metadata);
    const dto = metadata.metatype;
    return super.transform(typeof dto === 'function' && metadata.type !== 'param' ? normaliseClientForms(dto, value) : value, metadata);
  }
}

export function cvValidationPipe(): ValidationPipe {
  memoiseValidationMetadata();
  return new CvValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: false,
    validateCustomDecorators: true,
    // Real clients send fields the manual omits; they are dropped, never a reason to refuse the request.
    exceptionFactory: validationErrorToCvError,
    validationError: { target: false, value: false },
  });
}
