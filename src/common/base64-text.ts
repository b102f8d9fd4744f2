/**
 * The base64 text of a photo, picture or template as clients send it: line breaks (MIME wrapping) dropped, and a
 * space inside the text read as the `+` it was. Base64 has no space: one stands where a client put a raw `+` in an
 * application/x-www-form-urlencoded body or a query string, which read `+` as a space (Spring, behind the real
 * CVSecurity, takes such forms; real clients send photos and templates that way). Dropped like a line break, the
 * space shifted every byte after it, and a broken template or photo was stored with success.
 */
export function base64Text(raw: string): string {
  return raw
    .replace(/[\t\n\v\f\r]+/g, '')
    .trim()
    .replace(/ /g, '+');
}
