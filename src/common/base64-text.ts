import { Transform } from 'class-transformer';

/**
 * The base64 text of a photo, picture or template as a JSON body carries it: a `data:...;base64,` prefix and every
 * whitespace (MIME line wrapping: CRLF, LF, or the spaces some encoders and copy-pastes wrap with) dropped.
 * Base64 has no whitespace, and in JSON a `+` stays a `+`, so a space there is wrapping, never a `+`.
 * The space a form or query string made of a raw `+` is given back before this, where the transport is known
 * (Base64Input below): turned into `+` here, JSON's wrapping spaces shifted every byte after them.
 */
export function base64Text(raw: string): string {
  return raw.replace(/^\s*data:[^,]*,/i, '').replace(/\s+/g, '');
}

/**
 * Keys of a merged input (lower case) whose values came URL-encoded: from an application/x-www-form-urlencoded
 * body or the query string (CvInput marks them), where a raw `+` was read as a space.
 */
export const URL_ENCODED_KEYS = Symbol('urlEncodedKeys');

/** Whether the input's value under `key` came URL-encoded (see URL_ENCODED_KEYS). */
export function cameUrlEncoded(input: unknown, key: string): boolean {
  const keys = (input as { [URL_ENCODED_KEYS]?: ReadonlySet<string> } | null | undefined)?.[URL_ENCODED_KEYS];
  return keys?.has(key.toLowerCase()) ?? false;
}

/**
 * A base64 field (photo, picture, template). A value that came in a form or a query string has each space read
 * back as the raw `+` it was (Spring, behind the real CVSecurity, takes such forms and real clients put photos and
 * templates in them unencoded; dropped, the space shifted every byte after it), a trailing one included: the field
 * is never trimmed before that, which lost a final `+`. A JSON value keeps its spaces for base64Text to drop as
 * wrapping. Anything but a string stays as it is for the field's check.
 */
export const Base64Input = () =>
  Transform(({ value, obj, key }) => (typeof value === 'string' && cameUrlEncoded(obj, key) ? value.replace(/ /g, '+') : value));
