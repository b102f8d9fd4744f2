/**
 * Upper bounds of REST inputs, in characters. Each is generous for real use and
 * small next to the 10 MB body limit; src/common/dto-bounds.spec.ts checks that every DTO field has one.
 */

/** A person pin (the person.pin column, varchar(64)). */
export const MAX_PIN_CHARS = 64;
/** A comma-separated list of pins or ids: 500 pins (the manual's -82 limit) or 1,000 32-character ids. */
export const MAX_LIST_CHARS = 40_000;
/** Dates and times as text (`yyyy-MM-dd HH:mm:ss`, epoch milliseconds, ...). */
export const MAX_TIME_CHARS = 40;
/** Names of levels, areas, doors, time segments (their columns are varchar(100)). */
export const MAX_NAME_CHARS = 100;
/** A base64 biometric template (a few KB in practice). */
export const MAX_TEMPLATE_CHARS = 1_000_000;
/** A base64 photo: about 3 MB of image, beyond what devices accept (MaxPostSize is about 2 MB). */
export const MAX_PHOTO_CHARS = 4_000_000;
/** Items of one batch array (levels, level doors). */
export const MAX_BATCH_ITEMS = 1000;
/** pageNo / pageSize as text. */
export const MAX_PAGING_CHARS = 16;
