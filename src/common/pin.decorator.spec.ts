import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CvCode } from './cv-error';
import { MAX_PIN_CHARS } from './limits';
import { IsCvPin } from './pin.decorator';
import { ToPinString } from './transforms';
import { validationErrorToCvError } from './validation';

/** The decorators IsCvPin stands for, written out as the DTOs had them. */
class WrittenOut {
  @ToPinString()
  @IsString({ context: { code: CvCode.PinEmpty } })
  @IsNotEmpty({ context: { code: CvCode.PinEmpty } })
  @MaxLength(MAX_PIN_CHARS, { context: { code: CvCode.PinException } })
  pin!: string;
}

class Composed {
  @IsCvPin()
  pin!: string;
}

const outcome = (cls: new () => object, plain: object) => {
  const dto = plainToInstance(cls, plain) as { pin?: unknown };
  const errors = validateSync(dto);
  if (errors.length === 0) return { pin: dto.pin };
  const err = validationErrorToCvError(errors);
  return { code: err.code, message: err.message };
};

describe('IsCvPin', () => {
  it.each([
    ['missing', {}],
    ['empty', { pin: '' }],
    ['blank', { pin: '   ' }],
    ['an object', { pin: { a: 1 } }],
    ['too long', { pin: 'x'.repeat(MAX_PIN_CHARS + 1) }],
    ['a number', { pin: 1234 }],
    ['padded', { pin: ' 12 ' }],
    ['a boolean', { pin: true }],
    ['a fraction', { pin: 1.5 }],
  ])('answers a pin that is %s exactly as the written-out decorators do', (_, plain) => {
    expect(outcome(Composed, plain)).toEqual(outcome(WrittenOut, plain));
  });

  it('uses the manual\'s codes: -20 missing, -29 too long; trims and stringifies', () => {
    expect(outcome(Composed, {}).code).toBe(CvCode.PinEmpty);
    expect(outcome(Composed, { pin: 'x'.repeat(MAX_PIN_CHARS + 1) }).code).toBe(CvCode.PinException);
    expect(outcome(Composed, { pin: 1234 })).toEqual({ pin: '1234' });
    expect(outcome(Composed, { pin: ' 12 ' })).toEqual({ pin: '12' });
    expect(outcome(Composed, { pin: true }).code).toBe(CvCode.PinEmpty);
    expect(outcome(Composed, { pin: 1.5 }).code).toBe(CvCode.PinEmpty);
  });
});
