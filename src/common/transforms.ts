import { Transform } from 'class-transformer';
import { wholeNumber } from './whole-number';

/**
 * Clients send numbers as strings and strings as numbers (field notes, REST item 9): string fields take
 * either and are trimmed. A JSON `true`/`false` is no client's form of a text (a name, a code, a date) but a
 * client's bug: it stays a boolean, as an object does, for the field's check to refuse, never stored as "true".
 */
export const ToTrimmedString = () =>
  Transform(({ value }) => (value === undefined || value === null ? value : typeof value === 'object' || typeof value === 'boolean' ? value : String(value).trim()));

/**
 * A pin as text: a string trimmed, a whole JSON number written out. `true`, `1.5` or an object stay as they
 * are, so the string check refuses them: a client's bug must not create person "true" or send Pin=1.5 to panels.
 */
export const ToPinString = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value));

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * `?x=false` must not become true: map the words explicitly, in any case. .NET and Python clients write a
 * boolean as "True"/"False" (bool.ToString(), str(True)); CVSecurity reads "True" and "TRUE" in JSON and, in a
 * query or form, true/false, yes/no, on/off and 1/0 in any case, so the gateway takes the same words.
 * A blank string is no value, as Jackson and Spring read an empty Boolean (null) and as ToInteger reads a blank
 * number: a form's unticked `isDisabled=` or a JSON `""` leaves the flag as stored.
 * Anything else stays as it is, for the boolean check to refuse.
 */
export const ToBoolean = () =>
  Transform(({ value }) => {
    if (value === true || value === 1) return true;
    if (value === false || value === 0) return false;
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (word === '') return undefined;
    return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : value;
  });

/**
 * A whole number in any form a client writes one (whole-number.ts): "14", 14, "14.0" and 14.0 alike; a blank
 * string as no value, as Jackson coerces one to null for an Integer. A JSON number with a fraction (29.9) is
 * truncated to 29, as CVSecurity's JSON reader does by default (Jackson's ACCEPT_FLOAT_AS_INT): a client it
 * answered success must not be refused here. A string with a fraction ("29.9"), which Jackson and Spring refuse
 * for an Integer, stays as it is for the field's check to refuse (-400 naming the field). Anything else stays too.
 */
export const ToInteger = () =>
  Transform(({ value }) => {
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
    const n = wholeNumber(typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : value);
    return Number.isNaN(n) ? value : n;
  });
