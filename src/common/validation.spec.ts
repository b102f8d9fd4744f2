import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CvCode } from './cv-error';
import { validationErrorToCvError } from './validation';

class PinDto {
  @IsString({ context: { code: CvCode.PinEmpty } })
  @IsNotEmpty({ context: { code: CvCode.PinEmpty } })
  @MaxLength(8, { context: { code: CvCode.PinException } })
  pin!: string;

  @IsOptional()
  @IsString()
  @MaxLength(19, { context: { code: CvCode.TimeFormat } })
  accStartTime?: string;
}

const errorOf = (plain: object) => validationErrorToCvError(validateSync(plainToInstance(PinDto, plain)));

describe('validationErrorToCvError', () => {
  it('a missing value is "missing" (its presence code), not also "too long"', () => {
    const err = errorOf({});
    expect(err.code).toBe(CvCode.PinEmpty);
    expect(err.message).not.toContain('shorter');
  });

  it('a value that is only too long gets the bound\'s code', () => {
    expect(errorOf({ pin: '123456789' }).code).toBe(CvCode.PinException);
    expect(errorOf({ pin: '1', accStartTime: '2024-01-01 00:00:00 and more' }).code).toBe(CvCode.TimeFormat);
  });

  it('a constraint without a code falls back to -400', () => {
    expect(errorOf({ pin: '1', accStartTime: 7 }).code).toBe(CvCode.InvalidParameter);
  });
});

describe('the message of a code the manual names', () => {
  it('leads with the manual\'s text, then names the field', () => {
    expect(errorOf({}).message).toBe('Pin number cannot be empty: pin: pin should not be empty, pin must be a string');
    expect(errorOf({ pin: '123456789' }).message).toBe('PIN exception: pin: pin must be shorter than or equal to 8 characters');
  });

  it('a gateway code keeps the field text alone', () => {
    expect(errorOf({ pin: '1', accStartTime: 7 }).message).toBe('accStartTime: accStartTime must be a string');
  });
});
