import { applyDecorators } from '@nestjs/common';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { CvCode } from './cv-error';
import { MAX_PIN_CHARS } from './limits';
import { ToPinString } from './transforms';

/**
 * A required person `pin` with the manual's codes: -20 when missing, empty or not text (a JSON true or 1.5),
 * -29 when too long.
 * Swagger stays on the DTO (`@ApiProperty`), since each endpoint documents the pin its own way.
 */
export function IsCvPin(): PropertyDecorator {
  // Written as they would stand on the property; applied bottom-up as TypeScript would, so class-validator
  // reports several failures in the same order as before.
  const asWritten = [
    ToPinString(),
    IsString({ context: { code: CvCode.PinEmpty } }),
    IsNotEmpty({ context: { code: CvCode.PinEmpty } }),
    MaxLength(MAX_PIN_CHARS, { context: { code: CvCode.PinException } }),
  ];
  return applyDecorators(...asWritten.reverse());
}
