import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength } from 'class-validator';
import { DeviceSafe } from './device-safe.decorator';
import { canonicalCardNo } from '../card/card-value';

/**
 * What a card number may hold: the decimal number a reader reports, or its hexadecimal form. Letters past F are
 * no card number a reader can report: a panel given `CardNo=abcxyz` holds no usable card, so such a number is
 * refused (-400) instead of being stored and sent.
 */
export const CARD_NO = /^[0-9A-Fa-f]*$/;

/** Card number 0, in any number of digits: no card (see IsCardNo). */
export const isNoCardNumber = (s: string): boolean => /^0+$/.test(s);

const noCardIfZero = (value: unknown): unknown => (typeof value === 'string' && isNoCardNumber(value) ? '' : value);

/** A card number the card table can hold: digits or hexadecimal, at most 64 of them. */
export const isCardNumber = (s: string): boolean => s.length <= 64 && CARD_NO.test(s);

/**
 * A card number as clients send it: a string, or a JSON number that is exactly an integer (an integer past 2^53
 * whose digits a double would change, a Java long, arrives here as a string: quoteUnsafeIntegers). A number still
 * past 2^53 here was written as a double writes it (`1e+30`, `12345678901234567000`): it has lost digits in the
 * client's JSON, so it is refused instead of being stored with its last digits zeroed; so is anything that is no
 * card number (signs, dots, spaces inside).
 *
 * Card number 0 (`0`, `000`, JSON `0`: the default of a client's integer field) is no card: a panel reads
 * `CardNo=0` as none and reports events without a card as `cardno=0`, and the gateway reads a device's card 0 so
 * (readCardNo). It is read as `""`, no card, instead of being stored as a card no reader can present, which also
 * made every other person sent with card 0 answer -23 "The card number has been used".
 *
 * A hexadecimal number is read in upper case (canonicalCardNo): `1a2b` and `1A2B` are one card.
 */
export function IsCardNo(): PropertyDecorator {
  const asWritten = [
    Transform(({ value }) => noCardIfZero(typeof value === 'number' ? (Number.isSafeInteger(value) && value >= 0 ? String(value) : value) : typeof value === 'string' ? canonicalCardNo(value.trim()) : value)),
    IsString({
      message: ({ property, value }) =>
        typeof value === 'number' ? `${property} must be a string (a JSON number this large has already lost digits)` : `${property} must be a string`,
    }),
    MaxLength(64),
    DeviceSafe(),
    Matches(CARD_NO, { message: ({ property }) => `${property} must be a card number: digits, or hexadecimal` }),
  ];
  return applyDecorators(...asWritten.reverse());
}
