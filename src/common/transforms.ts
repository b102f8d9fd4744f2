import { Transform } from 'class-transformer';

/**
 * Clients send numbers as strings and strings as numbers (field notes, REST item 9): string fields take
 * either and are trimmed.
 */
export const ToTrimmedString = () =>
  Transform(({ value }) => (value === undefined || value === null ? value : typeof value === 'object' ? value : String(value).trim()));

/**
 * A pin as text: a string trimmed, a whole JSON number written out. `true`, `1.5` or an object stay as they
 * are, so the string check refuses them: a client's bug must not create person "true" or send Pin=1.5 to panels.
 */
export const ToPinString = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value));

/** `?x=false` must not become true: map the words explicitly. */
export const ToBoolean = () =>
  Transform(({ value }) => {
    if (value === true || value === 'true' || value === '1' || value === 1) return true;
    if (value === false || value === 'false' || value === '0' || value === 0) return false;
    return value;
  });

export const ToInteger = () =>
  Transform(({ value }) => {
    if (value === undefined || value === null || value === '') return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  });
