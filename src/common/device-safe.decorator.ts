import { Matches } from 'class-validator';
import { CvCode } from './cv-error';

/**
 * For every field that ends up in a device command (names, pins, card numbers, passwords): refused at the
 * DTO with a clear envelope (`code`, default -400) instead of failing later in the command builder.
 */
export function DeviceSafe(code: number = CvCode.InvalidParameter): PropertyDecorator {
  return Matches(/^[^\x00-\x1f\x7f]*$/, {
    message: ({ property }) => `${property} must not contain control characters (TAB, CR, LF, NUL, ...): it is sent to devices`,
    context: { code },
  });
}
